"""Funding streams and the learning log through AppTest, by role: the operative group records a
stream and writes, changes and deletes learning-log entries for its own initiative, the
secretariat does so for any initiative, partners, the steering group and visitors read both
with no forms; Portefølje shows the portfolio by stream (?visning=finansiering) with the
initiatives not assessed named and linked to Satsing."""

from typing import Any

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from test_check_in_page import AVDIR_INITIATIVE
from test_portfolio_edit_page import initiative_id, plain, satsing
from test_reporting_page import engine, open_page

from models import AuditEvent, InitiativeFunding, LearningEntry, LearningShare

pytestmark = pytest.mark.usefixtures("accounts")


def widget(at: AppTest, suffix: str) -> Any:
    found = [
        w
        for w in [*at.selectbox, *at.text_input, *at.text_area, *at.radio, *at.multiselect]
        if w.key and w.key.endswith(suffix)
    ]
    assert found, f"no widget ending in {suffix}"
    return found[0]


def press(at: AppTest, name: str) -> None:
    next(b for b in at.button if b.label == name).click()
    at.run()
    assert not at.exception, at.exception


def tables(at: AppTest) -> str:
    return " ".join(str(frame.value.to_dict()) for frame in at.dataframe)


def test_the_operative_group_records_a_stream_and_keeps_a_learning_log() -> None:
    at = satsing("operativ@demo.invalid", AVDIR_INITIATIVE)
    subheaders = [s.value for s in at.subheader]
    assert "Finansiering" in subheaders and "Læringslogg" in subheaders
    assert "Ikke vurdert: ingen finansieringsstrøm er registrert." in [m.value for m in at.markdown]
    press(at, "Lagre strømmen")  # no stream chosen
    assert [e.value for e in at.error] == ["Velg en finansieringsstrøm. Ingenting er lagret."]
    widget(at, "-stream").set_value("grant_scheme")
    press(at, "Lagre strømmen")  # allocated or applied for is chosen, never assumed
    assert [e.value for e in at.error] == [
        "Velg om midlene er tildelt eller søkt. Ingenting er lagret."
    ]
    assert widget(at, "-stream").value == "grant_scheme"  # what was chosen stays
    widget(at, "-state").set_value("applied_for")
    widget(at, "-note").input("Søknad sendt i mars")
    press(at, "Lagre strømmen")
    assert [s.value for s in at.success] == ["Finansieringsstrømmen er lagret."]
    assert "Tilskuddsordning" in tables(at) and "Søknad sendt i mars" in tables(at)
    with Session(engine()) as session:
        [row] = session.exec(
            select(InitiativeFunding).where(
                InitiativeFunding.initiative_id == initiative_id(AVDIR_INITIATIVE)
            )
        ).all()
    assert (row.stream, row.state, row.note) == (
        "grant_scheme",
        "applied_for",
        "Søknad sendt i mars",
    )

    press(at, "Lagre oppføringen")  # nothing learnt written
    assert any("Hva vi lærte" in e.value for e in at.error), [e.value for e in at.error]
    widget(at, "-learnt").input("Felles kartlegging med NAV sparer tid for ungdommen")
    widget(at, "-orgs").set_value([_org_id("NAV")])
    widget(at, "-shared").input("0-24-nettverket")
    press(at, "Lagre oppføringen")
    assert [s.value for s in at.success] == ["Oppføringen er lagret i læringsloggen."]
    shown = tables(at)
    assert "Felles kartlegging med NAV" in shown and "NAV; 0-24-nettverket" in shown
    with Session(engine()) as session:
        [entry] = session.exec(select(LearningEntry)).all()
        assert len(session.exec(select(LearningShare)).all()) == 1

    at = satsing("operativ@demo.invalid", AVDIR_INITIATIVE)  # change it, then delete it
    pick = next(
        s for s in at.selectbox if s.key.startswith("learning-") and s.key.endswith("-pick")
    )
    pick.set_value(entry.id)
    at.run()
    widget(at, f"-{entry.id}-learnt").input("Felles kartlegging sparer tid")
    press(at, "Lagre oppføringen")
    assert [s.value for s in at.success] == ["Oppføringen er lagret i læringsloggen."]
    press(at, "Slett oppføringen")
    assert [s.value for s in at.success] == ["Oppføringen er slettet fra læringsloggen."]
    with Session(engine()) as session:
        assert session.exec(select(LearningEntry)).all() == []
        actions = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "learning_entry")
            .order_by(col(AuditEvent.id))
        ).all()
    assert actions == ["create", "update", "delete"]


def _org_id(key: str) -> int:
    from models import Organisation

    with Session(engine()) as session:
        found = session.exec(select(Organisation.id).where(Organisation.key == key)).one()
    assert found is not None
    return found


def test_the_secretariat_changes_any_initiatives_funding() -> None:
    at = satsing("sekretariat@demo.invalid", 1)  # Forskningsrådet's portfolio, seeded
    assert "Bevilgning over statsbudsjettet" in tables(at)
    pick = next(s for s in at.selectbox if s.key.startswith("funding-") and s.key.endswith("-pick"))
    pick.set_value(_ids(1)[0])
    at.run()
    widget(at, "-state").set_value("applied_for")
    press(at, "Lagre strømmen")
    assert [s.value for s in at.success] == ["Finansieringsstrømmen er lagret."]
    assert "Søkt" in tables(at)
    press(at, "Fjern strømmen")
    assert [s.value for s in at.success] == ["Finansieringsstrømmen er fjernet."]
    assert "Ikke vurdert: ingen finansieringsstrøm er registrert." in [m.value for m in at.markdown]


def _ids(number: int) -> list[int]:
    with Session(engine()) as session:
        return [
            r.id or 0
            for r in session.exec(
                select(InitiativeFunding).where(
                    InitiativeFunding.initiative_id == initiative_id(number)
                )
            ).all()
        ]


@pytest.mark.parametrize("email", ["partner@demo.invalid", "styringsgruppe@demo.invalid", None])
def test_others_read_the_funding_and_the_log_with_no_forms(email: str | None) -> None:
    at = satsing(email, 2)
    subheaders = [s.value for s in at.subheader]
    assert "Finansiering" in subheaders and "Læringslogg" in subheaders
    assert "Bevilgning over statsbudsjettet" in tables(at) and "Tildelt" in tables(at)
    assert "Ingenting er skrevet i læringsloggen ennå." in [c.value for c in at.caption]
    keys = [w.key or "" for w in [*at.selectbox, *at.text_area]]
    assert not [k for k in keys if k.startswith(("funding-", "learning-"))]
    assert not [b for b in at.button if b.label in ("Lagre strømmen", "Lagre oppføringen")]


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("partner@demo.invalid", "Operativ gruppe (Avdir)"),
        (None, "Operativ gruppe (Avdir)"),
        ("styringsgruppe@demo.invalid", "operativ@demo.invalid"),
    ],
)
def test_the_log_names_who_wrote_by_e_mail_to_internal_readers_only(
    email: str | None, shown: str
) -> None:
    import datetime as dt

    from test_reporting_page import actor

    from dashboard.services.learning import add_entry, delete_entry
    from models import LearningInput

    data = LearningInput(learnt="Felles inntak virker", learnt_on=dt.date(2025, 3, 1))
    written = add_entry(
        actor("operativ@demo.invalid"), initiative_id(AVDIR_INITIATIVE), data, engine=engine()
    )
    try:
        at = satsing(email, AVDIR_INITIATIVE)
        log = next(f.value for f in at.dataframe if "Skrevet av" in f.value.columns)
        assert log["Skrevet av"].tolist() == [shown]
        if shown != "operativ@demo.invalid":
            assert "operativ@demo.invalid" not in tables(at)
    finally:
        delete_entry(actor("sekretariat@demo.invalid"), written, version=1, engine=engine())


@pytest.mark.parametrize("email", ["partner@demo.invalid", "operativ@demo.invalid"])
def test_the_portfolio_by_stream_names_the_initiatives_not_assessed(email: str) -> None:
    at = open_page(email, "portefolje")
    at.query_params["visning"] = "finansiering"
    at.run()
    assert not at.exception, at.exception
    assert "Porteføljen etter finansieringsstrøm" in [h.value for h in at.header]
    [table] = [f.value for f in at.dataframe if "Finansieringsstrøm" in f.value.columns]
    rows = table.set_index("Finansieringsstrøm")
    assert (rows.loc["Bevilgning over statsbudsjettet", "Tildelt"]) == 3  # the seed's three
    assert int(rows["Søkt"].sum()) == 0
    [missing] = [f.value for f in at.dataframe if "Lenke" in f.value.columns]
    assert len(missing) == 31 and 1 not in missing["Nr."].tolist()
    assert missing["Lenke"].iloc[0].startswith("satsing?nr=")
    assert plain("Ikke vurdert: 31 satsinger") in [s.value for s in at.subheader]


def test_the_portfolio_by_stream_with_no_initiative_chosen_says_so() -> None:
    at = open_page("partner@demo.invalid", "portefolje")
    at.query_params["visning"] = "finansiering"
    at.query_params["kategori"] = "4"
    at.query_params["omfang"] = "regional"  # no regional initiative in category 4
    at.run()
    assert not at.exception, at.exception
    assert "Viser 0 av 34 satsinger." in [c.value for c in at.caption]
    # not «every initiative chosen has a stream» over an empty chart and table
    assert "Ingen satsinger passer filtrene." in " ".join(i.value for i in at.info)
    captions = [c.value for c in at.caption]
    assert not [c for c in captions if c.startswith("Alle satsingene som er valgt")]
    assert not at.dataframe


def test_a_save_over_a_colleagues_change_is_refused_and_keeps_what_was_typed() -> None:
    from test_reporting_page import actor

    from dashboard.services.funding import update_stream
    from models import FundingInput, FundingState, FundingStream

    at = satsing("operativ@demo.invalid", 26)
    [row] = _ids(26)
    pick = next(s for s in at.selectbox if s.key.startswith("funding-") and s.key.endswith("-pick"))
    pick.set_value(row)
    at.run()
    update_stream(  # the secretariat changes it meanwhile
        actor("sekretariat@demo.invalid"),
        row,
        FundingInput(stream=FundingStream.RESEARCH_COUNCIL, state=FundingState.ALLOCATED),
        version=1,
        engine=engine(),
    )
    widget(at, "-note").input("Min merknad")
    press(at, "Lagre strømmen")
    [error] = [plain(e.value) for e in at.error]
    assert "sekretariat@demo.invalid" in error and "endret eller fjernet" in error
    assert widget(at, "-note").value == "Min merknad"
    with Session(engine()) as session:
        assert session.get(InitiativeFunding, row).stream == "research_council"  # type: ignore[union-attr]
    press(at, "Lagre strømmen")  # again, knowingly: over the colleague's change
    assert [s.value for s in at.success] == ["Finansieringsstrømmen er lagret."]
    with Session(engine()) as session:
        saved = session.get(InitiativeFunding, row)
    assert saved is not None and saved.note == "Min merknad"


def test_the_status_report_shows_the_streams_and_its_periods_learning() -> None:
    import datetime as dt

    from test_reporting_page import actor

    from dashboard.services.learning import add_entry
    from dashboard.services.status_reports import create_draft
    from models import LearningInput, Mission, Period

    operative = actor("operativ@demo.invalid")
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
        period = session.exec(select(Period).where(Period.label == "2017")).one()
    for text, day in (("Lært i 2017", dt.date(2017, 6, 1)), ("Lært i 2018", dt.date(2018, 6, 1))):
        data = LearningInput(learnt=text, learnt_on=day, shared_with="Kjernegruppen")
        add_entry(operative, initiative_id(AVDIR_INITIATIVE), data, engine=engine())
    draft = create_draft(
        operative, mission.id or 0, period.id or 0, today=dt.date(2026, 12, 1), engine=engine()
    )
    at = open_page("operativ@demo.invalid", "statusrapporter")
    at.query_params["rapport"] = str(draft.id)
    at.run()
    assert not at.exception, at.exception
    headers = [h.value for h in at.header]
    assert "Finansiering" in headers and "Læringslogg" in headers
    shown = tables(at)
    assert "Lært i 2017" in shown and "Lært i 2018" not in shown  # the period's entries only
    assert "Kjernegruppen" in shown
    assert "Bevilgning over statsbudsjettet (tildelt)" in shown  # the seed's streams

    # the review pack the steering group reads (PDF and Excel) carries both too
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from dashboard.services.status_reports import report_detail
    from dashboard.ui.review_pack import review_excel, review_pdf

    with Session(engine()) as session:
        detail = report_detail(session, draft.id or 0, include_unpublished=True)
    assert detail is not None
    pdf = PdfReader(io.BytesIO(review_pdf(detail, mission.title, "nb")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Finansiering" in text and "Læringslogg" in text
    assert "Bevilgning over statsbudsjettet (tildelt)" in text
    assert "Lært i 2017" in text and "Lært i 2018" not in text
    book = load_workbook(io.BytesIO(review_excel(detail, mission.title, "nb")))
    assert book.sheetnames[3:6] == ["Satsinger", "Finansiering", "Læringslogg"]
    learnt = [r for r in book["Læringslogg"].iter_rows(values_only=True)]
    assert len(learnt) == 2 and "Lært i 2017" in learnt[1]
    streams = [r[0] for r in book["Finansiering"].iter_rows(values_only=True)]
    assert {1, 2, 26} <= set(streams[1:])
