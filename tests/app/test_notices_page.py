"""Rapportering tells the truth at the top: what was sent back to you and why, and a locked
period named as locked, with who locked it, when, why and who can open it again."""

import datetime as dt
import re

import pytest
from sqlmodel import Session, select
from test_reporting_page import actor, engine, neet_id, open_page, quarter

from dashboard.services.periods import set_period_locked
from dashboard.services.reporting import approve_value, return_value, save_value, submit_value
from models import Indicator, Period

pytestmark = pytest.mark.usefixtures("accounts")
TIME = r"\d{1,2}\. [a-zæøå]+ \d{4} kl\. \d{2}\.\d{2}"  # 4. desember 2026 kl. 19.48


def test_a_returned_value_is_named_at_the_top_with_the_reason() -> None:
    period = quarter()
    me, colleague = actor("operativ@demo.invalid"), actor("operativ2@demo.invalid")
    row = save_value(me, neet_id(), period, {"value": "90 000"}, version=None, engine=engine())
    row = submit_value(me, row.id or 0, row.version, engine=engine())
    return_value(colleague, row.id or 0, row.version, "Tallet gjelder 2025", engine=engine())
    at = open_page("operativ@demo.invalid", "rapportering")
    [notice] = at.warning
    text = notice.value
    assert text.startswith("1 av registreringene dine er sendt i retur. Rett den")
    assert "NEET\\-15\\-29" in text and "«Tallet gjelder 2025»" in text
    assert "operativ2\\@demo\\.invalid" in text and "2026\\-K3" in text
    assert re.search(TIME, text.replace("\\", "")), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text.replace("\\", ""))  # no ISO time
    assert not open_page("operativ2@demo.invalid", "rapportering").warning  # not theirs


def test_a_locked_period_is_named_as_locked_on_the_grid_and_the_import_tab() -> None:
    period = quarter()
    set_period_locked(
        actor("sekretariat@demo.invalid"),
        period,
        True,
        reason="Tertialrapporten er sendt",
        engine=engine(),
    )
    at = open_page("operativ@demo.invalid", "rapportering")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2  # above the tabs, and in the import tab
    for text in warnings:
        assert text.startswith("Perioden 2026\\-K3 er låst")
        assert "sekretariat\\@demo\\.invalid" in text and "«Tertialrapporten er sendt»" in text
        assert (
            "Styringsgruppen (under Styring) eller sekretariatet (under Administrasjon › Perioder)"
            " kan åpne den igjen" in text
        )
    assert not any("Ingen" in i.value for i in at.info)  # never "no period" when one exists
    english = open_page("operativ@demo.invalid", "rapportering")
    english.session_state["lang"] = "en"
    english.run()
    text = english.warning[0].value
    assert text.startswith("The period 2026\\-K3 is locked")
    assert "The steering group (under Governance) or the secretariat" in text
    assert dt.date.today().strftime("%Y") in text and " at " in text


def test_the_steering_group_re_opens_a_locked_period_on_styring_with_a_reason() -> None:
    period = quarter()
    set_period_locked(actor("sekretariat@demo.invalid"), period, True, engine=engine())
    at = open_page("styringsgruppe@demo.invalid", "styring")
    assert "Åpne en låst periode igjen" in [h.value for h in at.header]
    at.selectbox(key="reopen-period-choice").select(period)
    at.button[-1].click()  # «Åpne igjen» without a reason
    at.run()
    assert [e.value for e in at.error] == ["Skriv en begrunnelse."]
    with Session(engine()) as session:
        assert session.get(Period, period).locked  # nothing changed
    at.text_input(key="reopen-period-reason").input("Korreksjon av NEET etter ny SSB-publisering")
    at.button[-1].click()
    at.run()
    assert any("2026\\-K3 er åpnet igjen" in s.value for s in at.success), at.success
    with Session(engine()) as session:
        assert not session.get(Period, period).locked
    assert "Åpne en låst periode igjen" not in [
        h.value for h in open_page("operativ@demo.invalid", "styring").header
    ]


def test_the_queue_shows_what_the_approver_judges_and_warns_of_a_jump() -> None:
    period = quarter()
    bufdir = actor("operativ2@demo.invalid")
    with Session(engine()) as session:
        share = session.exec(select(Indicator).where(Indicator.code == "LAVINNTEKT-BARN-ANDEL"))
        indicator = share.one().id or 0
    row = save_value(bufdir, indicator, period, {"value": "40 %"}, version=None, engine=engine())
    submit_value(bufdir, row.id or 0, row.version, engine=engine())
    at = open_page("operativ@demo.invalid", "rapportering")
    [queue] = [d.value for d in at.dataframe if "Advarsel" in d.value.columns]
    table = queue.set_index("Kode").loc["LAVINNTEKT-BARN-ANDEL"]
    assert table["Verdi"] == "40 %"
    assert table["Forrige godkjente"] == "11 % (2017)"  # the seeded 2017 value
    assert table["Endring fra forrige godkjente"] == "+29 prosentpoeng"
    assert table["Utgangsverdi"] == "4 % (2000)" and table["Mål"] == "–"
    assert "mer enn tre ganger" in table["Advarsel"]
    assert any(
        w.value.startswith("Sjekk verdien før du godkjenner: mer enn tre ganger")
        for w in at.warning
    )


def test_a_value_without_a_dated_baseline_says_what_is_missing_not_no_data() -> None:
    period = quarter()
    me, colleague = actor("operativ@demo.invalid"), actor("operativ2@demo.invalid")
    with Session(engine()) as session:
        found = session.exec(select(Indicator).where(Indicator.code == "SYSSELSETTING-UNGE"))
        indicator = found.one().id or 0
    row = save_value(me, indicator, period, {"value": "83,9 %"}, version=None, engine=engine())
    row = submit_value(me, row.id or 0, row.version, engine=engine())
    approve_value(colleague, row.id or 0, row.version, engine=engine())
    at = open_page("partner@demo.invalid", "indikatorer")
    at.query_params["kode"] = "SYSSELSETTING-UNGE"
    at.run()
    shown = " ".join(m.value for m in [*at.markdown, *at.caption])
    assert "Ingen utgangsverdi" in shown and "Ingen data" not in shown
    assert "mangler både en utgangsverdi med år og en målverdi med år" in shown
