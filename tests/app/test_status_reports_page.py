"""Statusrapporter through AppTest, as the people would use it: the operative group drafts the
2017 report and sends it, the steering group overrides a goal with a justification, records a
decision and approves; partners see only the published report, and Oversikt shows the changes
since it."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from test_reporting_page import actor, engine, open_page

from dashboard.services.reporting import WorkflowRefused
from dashboard.services.status_reports import create_draft, report_detail, submit_report
from dashboard.ui.review_pack import review_excel, review_pdf
from models import Decision, Mission, Period, ReportStatus, SnapshotGoal, StatusReport

pytestmark = pytest.mark.usefixtures("accounts")
OPERATIVE, STEERING, PARTNER = (
    "operativ@demo.invalid",
    "styringsgruppe@demo.invalid",
    "partner@demo.invalid",
)


def texts(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.subheader, *at.info, *at.warning, *at.success]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def report() -> StatusReport | None:
    with Session(engine()) as session:
        return session.exec(select(StatusReport)).first()


def submit_form(at: AppTest, prefix: str, label: str) -> None:
    [button] = [
        b
        for b in at.button
        if (b.key or "").startswith(f"FormSubmitter:{prefix}") and b.label == label
    ]
    button.click()
    at.run()
    assert not at.exception, at.exception


def in_form(widgets: list, prefix: str, label: str):  # type: ignore[type-arg,no-untyped-def]
    """The widget with this label inside the form whose key starts with prefix."""
    found = [w for w in widgets if w.label == label and _form_of(w).startswith(prefix)]
    assert found, f"no {label} in {prefix}"
    return found[0]


def _form_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(getattr(widget.proto, "form_id", ""))


def draft_2017() -> None:
    """The operative group drafts the 2017 report on the page and sends it with a summary."""
    at = open_page(OPERATIVE, "statusrapporter")
    assert "Ingen statusrapporter ennå" in texts(at)
    period = in_form(at.selectbox, "report-new", "Periode")
    period.set_value(_period_id("2017"))
    submit_form(at, "report-new", "Lag utkast")
    stored = report()
    assert stored is not None and stored.status == ReportStatus.DRAFT
    assert "Utkastet for 2017 er laget" in texts(at)
    # sending without a summary is refused and nothing changes
    submit_form(at, "report-texts", "Lagre og send til styringsgruppen")
    assert any("Skriv et sammendrag" in e.value for e in at.error)
    assert report().status == ReportStatus.DRAFT  # type: ignore[union-attr]
    in_form(at.text_area, "report-texts", "Sammendrag").input("Utgangspunktet for oppdraget.")
    submit_form(at, "report-texts", "Lagre og send til styringsgruppen")
    assert report().status == ReportStatus.SUBMITTED  # type: ignore[union-attr]


def _period_id(label: str) -> int:
    with Session(engine()) as session:
        period = session.exec(select(Period).where(Period.label == label)).one()
        assert period.id is not None
        return period.id


def test_the_report_goes_from_draft_to_published() -> None:
    draft_2017()
    partner = open_page(PARTNER, "statusrapporter")
    assert "Ingen statusrapport er publisert ennå" in texts(partner)
    assert not partner.tabs

    at = open_page(STEERING, "statusrapporter")
    assert [tab.label for tab in at.tabs] == ["Rapport", "Sammenlign", "Behandling"]
    assert "Utgangspunktet for oppdraget." in texts(at)
    # an override without a justification is refused, then saved with one
    in_form(at.selectbox, "report-override", "Styringsgruppens status").set_value("off_track")
    submit_form(at, "report-override", "Lagre status")
    assert any("Skriv en begrunnelse" in e.value for e in at.error)
    in_form(at.selectbox, "report-override", "Styringsgruppens status").set_value("off_track")
    in_form(at.text_area, "report-override", "Styringsgruppens begrunnelse").input(
        "Tallene for 2017 er for gamle til å vise framgang."
    )
    submit_form(at, "report-override", "Lagre status")
    with Session(engine()) as session:
        overridden = session.exec(
            select(SnapshotGoal).where(SnapshotGoal.override_status.is_not(None))  # type: ignore[union-attr]
        ).all()
    assert [g.override_justification for g in overridden] == [
        "Tallene for 2017 er for gamle til å vise framgang."
    ]
    assert "Overstyrt av" in texts(at)
    # a decision recorded during review
    prefix = "report-decision"
    in_form(at.text_input, prefix, "Beslutning").input("Be SSB om ferske tall for 2024")
    submit_form(at, prefix, "Lagre beslutningen")
    with Session(engine()) as session:
        assert [d.title for d in session.exec(select(Decision)).all()] == [
            "Be SSB om ferske tall for 2024"
        ]
    # approving needs the confirmation
    submit_form(at, "report-decide", "Godkjenn og publiser")
    assert any("Kryss av" in e.value for e in at.error)
    in_form(at.checkbox, "report-decide", at.checkbox[0].label).check()
    submit_form(at, "report-decide", "Godkjenn og publiser")
    assert report().status == ReportStatus.APPROVED  # type: ignore[union-attr]
    with Session(engine()) as session:
        assert session.exec(select(Period).where(Period.label == "2017")).one().locked

    partner = open_page(PARTNER, "statusrapporter")
    assert "Utgangspunktet for oppdraget." in texts(partner)
    assert [tab.label for tab in partner.tabs] == ["Rapport", "Sammenlign"]
    shown = texts(partner)
    assert "Be SSB om ferske tall for 2024" in str([f.value for f in partner.dataframe])
    assert "Godkjent av styringsgruppen" in shown

    overview = open_page(PARTNER, "oversikt")
    assert "Siden siste godkjente statusrapport (2017" in texts(overview)


def test_partners_never_reach_a_draft_by_its_address() -> None:
    draft_2017()
    stored = report()
    assert stored is not None
    at = AppTest.from_file(str(_app()), default_timeout=60)
    at.session_state["actor"] = actor(PARTNER)
    at.run()
    at.switch_page("../pages/statusrapporter.py")
    at.query_params["rapport"] = str(stored.id)
    at.run()
    assert "Utgangspunktet for oppdraget." not in texts(at)
    assert not at.dataframe


def _app():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def test_the_review_pack_opens_and_holds_the_reports_numbers() -> None:
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
    draft = create_draft(
        actor(OPERATIVE),
        mission.id or 0,
        _period_id("2017"),
        today=dt.date(2026, 12, 1),
        engine=engine(),
    )
    with pytest.raises(WorkflowRefused):
        submit_report(actor(OPERATIVE), draft.id or 0, draft.version, engine=engine())
    with Session(engine()) as session:
        detail = report_detail(session, draft.id or 0, include_unpublished=True)
    assert detail is not None
    low_income = detail.snapshot.indicators.set_index("code").loc["LAVINNTEKT-BARN-ANDEL"]
    assert (low_income["value"], low_income["value_period"]) == (11, "2017")

    pdf = PdfReader(io.BytesIO(review_pdf(detail, mission.title, "nb")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Statusrapport 2017" in text
    assert "LAVINNTEKT-BARN-ANDEL" in text and "11 %" in text
    assert "ikke godkjent" in text
    assert sum(len(page.images) for page in pdf.pages) == 2  # the two charts

    book = load_workbook(io.BytesIO(review_excel(detail, mission.title, "nb")))
    assert book.sheetnames[:8] == [
        "Rapport",
        "Mål og status",
        "Indikatorer",
        "Satsinger",
        "Finansiering",
        "Læringslogg",
        "Fullstendighet i rapporteringen",
        "Beslutninger og oppfølging",
    ]
    rows = list(book["Indikatorer"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Kode", "Indikator", "Siste verdi")
    assert ("LAVINNTEKT-BARN-ANDEL", "11\u00a0%") in [r[::2][:1] + r[2:3] for r in rows[1:]]
    assert len(list(book["Satsinger"].iter_rows())) == 1 + 34

    english = PdfReader(io.BytesIO(review_pdf(detail, mission.title, "en")))
    assert "Status report 2017" in english.pages[0].extract_text()


def test_the_secretariat_reads_drafts_but_has_no_say_and_english_reads_english() -> None:
    draft_2017()
    at = open_page("sekretariat@demo.invalid", "statusrapporter")
    assert [tab.label for tab in at.tabs] == ["Rapport", "Sammenlign", "Behandling"]
    assert "Rapporten er hos styringsgruppen" in texts(at)
    assert not [b for b in at.button if (b.key or "").startswith("FormSubmitter:report-decide")]
    at = AppTest.from_file(str(_app()), default_timeout=60)
    at.session_state["actor"] = actor(STEERING)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("../pages/statusrapporter.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Status reports"
    assert [tab.label for tab in at.tabs] == ["Report", "Compare", "Review"]
    assert "Under review" in texts(at)


def test_a_decision_changed_meanwhile_is_told_and_the_typed_text_kept() -> None:
    from dashboard.services.decisions import record_decision, update_decision

    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
    steering = actor(STEERING)
    decision = record_decision(
        steering, mission.id or 0, {"title": "Kartlegge frafall"}, engine=engine()
    )
    at = open_page(STEERING, "styring")
    follow_up = in_form(at.text_area, f"decision-{decision.id}", "Oppfølging")
    follow_up.input("Udir har startet kartleggingen")
    update_decision(  # a colleague saves first
        steering,
        decision.id or 0,
        {"title": "Kartlegge frafall", "status": "in_progress", "version": 1},
        engine=engine(),
    )
    submit_form(at, f"decision-{decision.id}", "Lagre beslutningen")
    assert any("Noen andre har endret beslutningen" in e.value for e in at.error)
    kept = in_form(at.text_area, f"decision-{decision.id}", "Oppfølging")
    assert kept.value == "Udir har startet kartleggingen"
    with Session(engine()) as session:
        stored = session.get(Decision, decision.id)
    assert stored is not None and stored.follow_up is None and stored.status == "in_progress"
    submit_form(at, f"decision-{decision.id}", "Lagre beslutningen")  # knowingly, over it
    with Session(engine()) as session:
        stored = session.get(Decision, decision.id)
    assert stored is not None and stored.follow_up == "Udir har startet kartleggingen"


def test_the_comparison_counts_the_changes_to_the_way_of_working() -> None:
    """The comparison's row of counts has one for the mission's way of working: a step
    assessed for the first time after the approved report counts there."""
    from dashboard.services.method import assess_initiative_step
    from dashboard.services.periods import create_period
    from dashboard.services.status_reports import approve_report, update_texts
    from models import Initiative, PeriodCreate, StepAssessment

    op, db = actor(OPERATIVE), engine()
    quarters = [
        create_period(
            actor("sekretariat@demo.invalid"),
            PeriodCreate(
                mission_id=op.mission_id, label=label, kind="quarterly", start=start, end=end
            ),  # type: ignore[arg-type]
            engine=db,
        )
        for label, start, end in (
            ("2026-K1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
            ("2026-K2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        )
    ]
    with Session(db) as session:
        mission = session.exec(select(Mission)).one()
        initiative = session.exec(select(Initiative).where(Initiative.number == 28)).one()
    today = dt.date(2026, 12, 1)
    first = create_draft(op, mission.id or 0, quarters[0], today=today, engine=db)
    data = {"summary": "Første kvartal", "decisions_requested": "", "version": first.version}
    first = update_texts(op, first.id or 0, data, engine=db)
    first = submit_report(op, first.id or 0, first.version, engine=db)
    approve_report(actor(STEERING), first.id or 0, first.version, engine=db)
    step = StepAssessment(step=3, rationale="Trekker i samme retning")
    assess_initiative_step(op, initiative.id or 0, quarters[1], step, seen="", engine=db)
    second = create_draft(op, mission.id or 0, quarters[1], today=today, engine=db)

    at = open_page(STEERING, "statusrapporter")
    at.query_params["rapport"] = str(second.id)
    at.run()
    assert not at.exception, at.exception
    counts = {m.label: m.value for m in at.metric}
    assert counts["Arbeidsmåten"] == "1"
    assert counts["Indikatorer som har flyttet seg"] == "0"
