"""The agencies' cooperation and the mission's phases through AppTest, by role: everyone reads
the task list and the phases on Styring (partners and the steering group see no forms), the
operative group and the secretariat add, edit and remove a task and edit a phase (a task with
a date duration and no date is caught), Oversikt names the current phase, and Satsing names
the task of the same work."""

from typing import Any

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from test_reporting_page import engine, open_page

from models import AuditEvent, EtatsTask, Phase

pytestmark = pytest.mark.usefixtures("accounts")


def tasks_frame(at: AppTest) -> Any:
    return next(df.value for df in at.dataframe if "Oppgave" in df.value.columns)


def forms(at: AppTest) -> set[str]:
    return {b.key.split(":", 1)[1].rsplit("-", 1)[0] for b in at.button if b.key and ":" in b.key}


def submit(at: AppTest, form: str) -> None:
    [button] = [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{form}-")]
    button.click()
    at.run()
    assert not at.exception, at.exception


def in_form(at: AppTest, kind: str, form: str, label: str) -> Any:
    for widget in getattr(at, kind):
        if widget.label == label and (
            widget.form_id == form or (widget.key and form in widget.key)
        ):
            return widget
    raise AssertionError(f"no {kind} {label} in {form}")


@pytest.mark.parametrize("email", ["partner@demo.invalid", "styringsgruppe@demo.invalid"])
def test_everyone_reads_the_tasks_and_the_phases_without_forms(email: str) -> None:
    at = open_page(email, "styring")
    assert [tab.label for tab in at.tabs] == [
        "Organisering og beslutninger",
        "Faser og leveranser",
        "Etatssamarbeidet",
    ]
    assert any("etatssamarbeidets oppgaver" in c.value for c in at.caption)  # the introduction
    frame = tasks_frame(at).set_index("Oppgave")
    assert len(frame) == 15
    assert frame.loc["Straffegjennomføring 18–24", "Hovedansvar"] == "KDI"
    assert frame.loc["Straffegjennomføring 18–24", "Varighet"] == "1. mai 2025"
    assert frame.loc["Ungdomsstraff og ungdomsoppfølging 15–18", "Varighet"] == "oktober 2023"
    assert frame.loc["Ungdomsstraff og ungdomsoppfølging 15–18", "Status"] == "Avsluttet"
    assert frame.loc["Digi-Ung", "Hovedansvar"] == "Bufdir, Hdir"
    assert frame.loc["Digi-Ung", "Varighet"] == "Løpende"
    assert frame.loc["Digi-Ung", "Samme arbeid som satsing"] == "13. DigiUng"
    assert frame.loc["Digi-Ung", "Lenke"] == "satsing?nr=13&oppdrag=inkludering-barn-unge"
    assert frame.loc["Evaluering", "Hovedansvar"] == "–"
    headings = [s.value for s in at.subheader]
    assert "Designfase · 2023–2024" in headings and "Implementering · fra 2024" in headings
    assert "Endre listen" not in headings
    assert not [b for b in at.button if b.key and ("task-" in b.key or "phase-" in b.key)]


@pytest.mark.parametrize("email", ["operativ@demo.invalid", "sekretariat@demo.invalid"])
def test_the_operative_group_and_the_secretariat_add_edit_and_remove_a_task(email: str) -> None:
    at = open_page(email, "styring")
    assert "Endre listen" in [s.value for s in at.subheader]
    in_form(at, "text_input", "task-new", "Oppgave").input("Felles veileder for skolene")
    in_form(at, "selectbox", "task-new", "Varighet").set_value("date")
    submit(at, "task-new")  # a date duration without a date
    assert any("sluttdato" in e.value for e in at.error), [e.value for e in at.error]
    with Session(engine()) as session:
        assert session.exec(select(EtatsTask).where(EtatsTask.key.startswith("felles"))).all() == []
    in_form(at, "selectbox", "task-new", "Varighet").set_value("continuous")
    submit(at, "task-new")
    assert any("er lagt til" in s.value for s in at.success), [e.value for e in at.error]
    assert "Felles veileder for skolene" in set(tasks_frame(at)["Oppgave"])
    with Session(engine()) as session:
        task = session.exec(
            select(EtatsTask).where(EtatsTask.title == "Felles veileder for skolene")
        ).one()
        task_id = task.id
    pick = next(s for s in at.selectbox if s.key == "task-edit-pick")
    pick.set_value(task_id)
    at.run()
    in_form(at, "selectbox", f"task-edit-{task_id}", "Status").set_value("ended")
    submit(at, f"task-edit-{task_id}")
    assert any("er lagret" in s.value for s in at.success)
    frame = tasks_frame(at).set_index("Oppgave")
    assert frame.loc["Felles veileder for skolene", "Status"] == "Avsluttet"
    next(s for s in at.selectbox if s.key == "task-edit-pick").set_value(task_id)
    at.run()
    at.checkbox[-1].check()
    submit(at, f"task-delete-{task_id}")
    assert any("er fjernet" in s.value for s in at.success)
    assert "Felles veileder for skolene" not in set(tasks_frame(at)["Oppgave"])
    with Session(engine()) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity == "etats_task")
        ).all()
        assert list(actions) == ["create", "update", "delete"]


def test_the_operative_group_edits_a_phase() -> None:
    at = open_page("operativ@demo.invalid", "styring")
    with Session(engine()) as session:
        design = session.exec(select(Phase).where(Phase.kind == "design")).one()
    form = f"phase-{design.id}"
    in_form(at, "text_area", form, "Beskrivelse").input("Designfasen, slik gruppen beskriver den")
    submit(at, form)
    assert any("Fasen «Designfase» er lagret" in s.value for s in at.success)
    with Session(engine()) as session:
        stored = session.get(Phase, design.id)
        assert stored is not None and stored.description.startswith("Designfasen, slik")


def test_oversikt_names_the_current_phase_and_satsing_the_task_of_the_same_work() -> None:
    at = open_page("partner@demo.invalid", "oversikt")
    lines = [m.value for m in at.markdown]
    assert any(
        "**Fase:** implementering (fra 2024) · ingen leveranser er knyttet til fasen" in line
        for line in lines
    ), lines
    at = open_page("partner@demo.invalid", "satsing")
    at.query_params["nr"] = "13"
    at.run()
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "samme arbeid som oppgaven «Digi-Ung»" in text


def test_a_save_over_a_colleagues_change_to_a_phase_is_refused_and_keeps_what_was_typed() -> None:
    """The form remembers what it first showed: a colleague's change of the phase's end since
    is refused (naming them), not saved over with the dates the form still shows; a second
    save goes over it knowingly."""
    import datetime as dt

    from test_reporting_page import actor

    from dashboard.services.agencies import phase_seen, update_phase
    from models import DatePrecision, PhaseUpdate

    at = open_page("operativ@demo.invalid", "styring")
    with Session(engine()) as session:
        design = session.exec(select(Phase).where(Phase.kind == "design")).one()
    assert design.id is not None
    changed = design.model_dump(
        include={"description", "start", "start_precision", "note"}, warnings=False
    )
    update_phase(  # the secretariat dates the design phase's end meanwhile
        actor("sekretariat@demo.invalid"),
        design.id,
        PhaseUpdate(**changed, end=dt.date(2024, 6, 30), end_precision=DatePrecision.DAY),
        seen=phase_seen(design),
        engine=engine(),
    )
    form = f"phase-{design.id}"
    in_form(at, "text_area", form, "Beskrivelse").input("Min beskrivelse")
    submit(at, form)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("sekretariat@demo.invalid" in e and "endret eller fjernet" in e for e in errors)
    assert in_form(at, "text_area", form, "Beskrivelse").value == "Min beskrivelse"
    with Session(engine()) as session:
        kept = session.get(Phase, design.id)
        assert kept is not None and kept.end == dt.date(2024, 6, 30)
        assert kept.description != "Min beskrivelse"
    submit(at, form)  # again, knowingly: over the colleague's change
    assert any("er lagret" in s.value for s in at.success), [e.value for e in at.error]
    with Session(engine()) as session:
        saved = session.get(Phase, design.id)
        assert saved is not None and saved.description == "Min beskrivelse"


def test_a_save_over_a_colleagues_change_to_a_task_is_refused_and_keeps_what_was_typed() -> None:
    from test_reporting_page import actor

    from dashboard.services.agencies import tasks, update_task
    from models import Mission, TaskInput

    at = open_page("operativ@demo.invalid", "styring")
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
        frame = tasks(session, mission.id or 0)
    row = frame[frame["key"] == "kompetanse-praksis"].iloc[0]
    task_id = int(row["id"])
    next(s for s in at.selectbox if s.key == "task-edit-pick").set_value(task_id)
    at.run()
    with Session(engine()) as session:
        stored = session.get(EtatsTask, task_id)
        assert stored is not None
        fields = stored.model_dump(
            exclude={"id", "mission_id", "key", "source_table", "sort_order", "note"}
        )
    data = TaskInput(
        **fields,
        note="Sekretariatets merknad",
        lead_ids=row["lead_ids"],
        participant_ids=row["participant_ids"],
        initiative_ids=row["initiative_ids"],
    )
    update_task(actor("sekretariat@demo.invalid"), task_id, data, seen=row["seen"], engine=engine())
    form = f"task-edit-{task_id}"
    in_form(at, "text_area", form, "Merknad").input("Min merknad")
    submit(at, form)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("sekretariat@demo.invalid" in e for e in errors), errors
    assert in_form(at, "text_area", form, "Merknad").value == "Min merknad"
    with Session(engine()) as session:
        task = session.get(EtatsTask, task_id)
        assert task is not None and task.note == "Sekretariatets merknad"
    submit(at, form)  # again, knowingly
    assert any("er lagret" in s.value for s in at.success), [e.value for e in at.error]
    with Session(engine()) as session:
        task = session.get(EtatsTask, task_id)
        assert task is not None and task.note == "Min merknad"


def test_the_add_form_is_empty_after_a_task_is_added() -> None:
    """A second click does not add the same task again: the form starts empty."""
    at = open_page("operativ@demo.invalid", "styring")
    in_form(at, "text_input", "task-new", "Oppgave").input("Felles kurs for lærere")
    submit(at, "task-new")
    assert any("er lagt til" in s.value for s in at.success)
    assert in_form(at, "text_input", "task-new", "Oppgave").value == ""


def test_a_task_without_involved_or_note_shows_them_empty_and_saves_no_nan() -> None:
    """The second table's tasks have no «involvert» (and some no note): the form shows the
    fields empty, not «nan», and saving it unchanged changes nothing."""
    at = open_page("operativ@demo.invalid", "styring")
    with Session(engine()) as session:
        task = session.exec(select(EtatsTask).where(EtatsTask.key == "rusforebygging")).one()
        assert task.involved is None and task.note is None
    next(s for s in at.selectbox if s.key == "task-edit-pick").set_value(task.id)
    at.run()
    form = f"task-edit-{task.id}"
    assert in_form(at, "text_input", form, "Involvert").value == ""
    assert in_form(at, "text_area", form, "Merknad").value == ""
    submit(at, form)
    assert [i.value for i in at.info if "endret" in i.value] == ["Ingenting er endret."]
    with Session(engine()) as session:
        stored = session.get(EtatsTask, task.id)
        assert stored is not None and stored.involved is None and stored.note is None


def test_a_report_from_before_tasks_and_phases_says_so_and_is_not_compared_on_them() -> None:
    """A report approved before the snapshot held the tasks and the phase says it tells
    nothing of them (not «no phase had begun», not «no tasks»), and Oversikt's changes since it
    name no task as new."""
    import datetime as dt

    import sqlalchemy as sa
    from test_reporting_page import actor

    from dashboard.services.status_reports import (
        approve_report,
        create_draft,
        submit_report,
        update_texts,
    )
    from models import Mission, Period, SnapshotPhase, SnapshotTask

    operative, steering = actor("operativ@demo.invalid"), actor("styringsgruppe@demo.invalid")
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
        period = session.exec(select(Period).where(Period.label == "2017")).one()
    report = create_draft(
        operative, mission.id or 0, period.id or 0, today=dt.date(2026, 12, 1), engine=engine()
    )
    data = {"summary": "Status for 2017", "decisions_requested": "", "version": report.version}
    report = update_texts(operative, report.id or 0, data, engine=engine())
    report = submit_report(operative, report.id or 0, report.version, engine=engine())
    report = approve_report(steering, report.id or 0, report.version, engine=engine())
    with Session(engine()) as session:  # as a report approved before this version holds them
        for table in (SnapshotTask, SnapshotPhase):
            session.execute(sa.delete(table))
        session.commit()
    at = open_page("partner@demo.invalid", "statusrapporter")
    shown = " ".join(str(c.value) for c in [*at.caption, *at.markdown]).replace("\\", "")
    assert "sier ingenting om dem" in shown
    assert "Ingen fase hadde begynt" not in shown
    assert "Ingen oppgaver er registrert" not in shown
    overview = open_page("partner@demo.invalid", "oversikt")
    assert "Oppgaver i etatssamarbeidet" not in " ".join(
        str(e.value) for e in [*overview.markdown, *overview.subheader, *overview.caption]
    )


def test_a_form_shown_again_after_a_colleagues_change_shows_it_and_saves() -> None:
    """Only a form still on screen keeps what it first showed: one opened again after another
    task was picked shows the colleague's change and saves without a refusal."""
    from test_reporting_page import actor

    from dashboard.services.agencies import tasks, update_task
    from models import Mission, TaskInput

    at = open_page("operativ@demo.invalid", "styring")
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).one()
        frame = tasks(session, mission.id or 0).set_index("key")
    first, other = int(frame.loc["ks", "id"]), int(frame.loc["evaluering", "id"])
    pick = "task-edit-pick"
    next(s for s in at.selectbox if s.key == pick).set_value(first)
    at.run()
    next(s for s in at.selectbox if s.key == pick).set_value(other)
    at.run()
    with Session(engine()) as session:
        stored = session.get(EtatsTask, first)
        assert stored is not None
        fields = stored.model_dump(
            exclude={"id", "mission_id", "key", "source_table", "sort_order"}
        )
    row = frame.loc["ks"]
    changed = fields | {"note": "Sekretariatets merknad"}
    ids = {k: row[k] for k in ("lead_ids", "participant_ids", "initiative_ids")}
    update_task(
        actor("sekretariat@demo.invalid"),
        first,
        TaskInput(**changed, **ids),
        seen=row["seen"],
        engine=engine(),
    )
    next(s for s in at.selectbox if s.key == pick).set_value(first)
    at.run()
    form = f"task-edit-{first}"
    assert in_form(at, "text_area", form, "Merknad").value == "Sekretariatets merknad"
    in_form(at, "selectbox", form, "Status").set_value("ended")
    submit(at, form)
    assert any("er lagret" in s.value for s in at.success), [e.value for e in at.error]
