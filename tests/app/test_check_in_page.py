"""Rapportering's check-ins, driven through AppTest: a mistake caught and the input kept, a draft
saved and submitted, a colleague approves, a partner sees it only then; a conflict is told."""

from typing import Any

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from test_reporting_page import actor, engine, open_page, quarter

from dashboard.services.reporting import save_check_in, submit_check_in
from models import CheckIn, EntryStatus

pytestmark = pytest.mark.usefixtures("accounts")
FORM = "check-in-{period}-{initiative}"
AVDIR_INITIATIVE = 28  # the seed's one initiative Avdir is responsible for


def stored() -> CheckIn | None:
    with Session(engine()) as session:
        return session.exec(select(CheckIn)).first()


def form(at: AppTest, period: int, field: str) -> Any:
    """A widget of the check-in form of Avdir's initiative in the period."""
    key = f"{FORM.format(period=period, initiative=AVDIR_INITIATIVE)}-{field}"
    for widget in [*at.text_area, *at.radio, *at.selectbox]:
        if widget.key == key:
            return widget
    raise AssertionError(f"no widget {key}")


def shown_on_satsing(email: str) -> list[str]:
    """The statuses of the check-ins Satsing shows this person for Avdir's initiative."""
    at = open_page(email, "satsing")
    at.query_params["nr"] = str(AVDIR_INITIATIVE)
    at.run()
    for frame in at.dataframe:
        table = frame.value
        if "Framdrift" in table.columns:
            assert list(table["Framdrift"]) == ["Oppstart utsatt til høsten"]
            # partners see approved check-ins only, without a status column
            return list(table["Status"]) if "Status" in table.columns else ["–"] * len(table)
    return []


def press(at: AppTest, period: int, label: str) -> None:
    key = FORM.format(period=period, initiative=AVDIR_INITIATIVE)
    [button] = [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{key}-{label}")]
    button.click()
    at.run()
    assert not at.exception, at.exception


def test_a_check_in_is_caught_saved_submitted_and_approved_by_a_colleague() -> None:
    period = quarter()
    at = open_page("operativ@demo.invalid", "rapportering")
    assert [tab.label for tab in at.tabs][1] == "Satsinger"
    assert any(
        "Ikke registrert" in str(frame.value.to_dict()) for frame in at.dataframe
    )  # the overview lists the initiative as not entered
    press(at, period, "Lagre som utkast")  # no RAG chosen
    assert any("RAG" in e.value and "må fylles ut" in e.value for e in at.error), at.error
    assert stored() is None
    form(at, period, "rag").set_value("red")
    form(at, period, "progress").input("Oppstart\x07 utsatt")
    form(at, period, "help_needed").input("Avklare finansiering")
    press(at, period, "Lagre som utkast")
    assert any("Framdrift" in e.value and "kontrolltegn" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert stored() is None
    assert form(at, period, "help_needed").value == "Avklare finansiering"
    form(at, period, "progress").input("Oppstart utsatt til høsten")
    press(at, period, "Lagre som utkast")
    assert any("lagret som utkast" in s.value for s in at.success)
    row = stored()
    assert row is not None and (row.rag, row.status) == ("red", EntryStatus.DRAFT)
    assert row.help_needed == "Avklare finansiering"
    press(at, period, "Lagre og send inn")  # unchanged: only submitted
    row = stored()
    assert row is not None and row.status == EntryStatus.SUBMITTED and row.version == 2

    assert any("1 av statusoppdateringene er din egen" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "check-in-approve"]

    assert not shown_on_satsing("partner@demo.invalid")  # not before approval
    assert shown_on_satsing("styringsgruppe@demo.invalid") == ["Sendt inn"]  # marked as such

    colleague = open_page("operativ2@demo.invalid", "rapportering")
    colleague.button(key="check-in-approve").click()
    colleague.run()
    assert not colleague.exception
    assert any("Statusoppdateringen er godkjent" in s.value for s in colleague.success)
    row = stored()
    assert row is not None and row.status == EntryStatus.APPROVED
    assert row.reviewed_by_id == actor("operativ2@demo.invalid").id
    assert shown_on_satsing("partner@demo.invalid") == ["–"]
    assert shown_on_satsing("styringsgruppe@demo.invalid") == ["Godkjent"]


def test_a_check_in_changed_meanwhile_is_told_and_the_input_kept() -> None:
    period = quarter()
    me = actor("operativ@demo.invalid")
    first = save_check_in(me, AVDIR_INITIATIVE, period, {"rag": "green"}, version=None)
    at = open_page("operativ@demo.invalid", "rapportering")  # shows version 1
    save_check_in(me, AVDIR_INITIATIVE, period, {"rag": "amber"}, version=first.version)
    form(at, period, "risks").input("Lav rekruttering")
    press(at, period, "Lagre som utkast")
    assert any("endret statusoppdateringen" in e.value for e in at.error), at.error
    row = stored()
    assert row is not None and (row.rag, row.risks, row.version) == ("amber", None, 2)
    assert any("Gul" in m.value for m in at.markdown)  # the stored one is shown beside the form
    assert form(at, period, "risks").value == "Lav rekruttering"
    assert form(at, period, "rag").value == "green"  # what the person had in the form
    press(at, period, "Lagre som utkast")  # the retry saves over it, knowingly
    row = stored()
    assert row is not None and (row.rag, row.risks, row.version) == ("green", "Lav rekruttering", 3)


def test_send_with_nothing_to_send_says_so() -> None:
    period = quarter()
    me = actor("operativ@demo.invalid")
    first = save_check_in(me, AVDIR_INITIATIVE, period, {"rag": "green"}, version=None)
    submit_check_in(me, first.id or 0, first.version)
    at = open_page("operativ@demo.invalid", "rapportering")
    press(at, period, "Lagre og send inn")  # unchanged and already submitted
    assert any("Ingenting å lagre" in i.value for i in at.info)
    assert not at.success
    row = stored()
    assert row is not None and (row.status, row.version) == (EntryStatus.SUBMITTED, 2)
