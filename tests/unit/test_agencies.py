"""The agencies' cooperation (etatssamarbeidet) and the mission's phases: the seeded tasks and
phases against the documents (seeds 000 and 004), who may change them, the audit trail, stale
forms, the current phase, and both in the status report's snapshot and its comparison.
SQLite and PostgreSQL."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portfolio_analysis import Portfolio, built  # noqa: F401  (registers the fixture)

from dashboard.db import session_scope
from dashboard.services.agencies import (
    create_task,
    current_phase,
    delete_task,
    initiative_tasks,
    phase_deliverables,
    phase_now,
    phase_seen,
    pick_current,
    tasks,
    update_phase,
    update_task,
)
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio_edit import PortfolioRefused, StaleRow
from dashboard.services.snapshots.compare import compare
from dashboard.services.snapshots.take import phase_rows, task_rows
from models import (
    DatePrecision,
    Deliverable,
    EtatsTask,
    Initiative,
    Mission,
    MissionPhase,
    Organisation,
    Phase,
    PhaseUpdate,
    Role,
    TaskEnd,
    TaskInput,
    TaskStatus,
)

# Seed 000's two tables «Pågående oppgaver etatssamarbeidet», as the slides give them (OCR's
# «Buudir» read as Bufdir): task, lead(s), participants, and involved (table 1) or duration
# (table 2).
TABLE_1 = [
    ("Statsforvalter", ["Bufdir"], ["Hdir", "Avdir", "Udir"], "Sekretariat"),
    ("Satsingsforslag", ["Bufdir"], ["Bufdir", "Hdir", "Udir", "IMDi"], "Sekretariat"),
    (
        "Vårt overordnede oppdrag – nye arbeidsmåter og strukturer",
        ["Bufdir"],
        ["Bufdir", "Hdir", "Udir"],
        "Sekretariat",
    ),
    (
        "Barne- og ungdomskriminalitet",
        ["POD"],
        ["KDI", "Sfk", "Bufdir", "Hdir", "IMDi", "FHI", "Udir", "Husbanken", "Statped"],
        "Sekretariat",
    ),
    (
        "Psykisk helse barn og unge",
        ["Hdir"],
        ["Bufdir", "Udir", "IMDi", "FHI", "Husbanken", "Statped"],
        "Sekretariat",
    ),
    ("KS", ["Hdir"], ["Udir", "Bufdir"], "Sekretariat"),
    ("Evaluering", [], ["Bufdir", "Hdir", "Udir"], "Sekretariat"),
    ("Kommunikasjon", ["Hdir"], ["Bufdir", "Hdir", "Udir", "IMDi"], "Sekretariat"),
]
# duration: (end kind, end, precision, status)
TABLE_2 = [
    (
        "Ungdomsstraff og ungdomsoppfølging 15–18",
        ["Sfk"],
        ["Bufdir", "Hdir"],
        ("date", dt.date(2023, 10, 1), "month", "ended"),  # «Avsluttet okt. 2023»
    ),
    (
        "Straffegjennomføring 18–24",
        ["KDI"],
        ["Avdir", "Hdir", "Udir", "Bufdir", "POD"],
        ("date", dt.date(2025, 5, 1), "day", "ongoing"),  # «1. Mai 2025»
    ),
    (
        "Tverrsektorielt rusforebyggende arbeid",
        ["Hdir"],
        ["Bufdir", "POD", "KDI", "Sfk", "Avdir", "Udir"],
        ("date", dt.date(2024, 7, 1), "month", "ongoing"),  # «Juli 2024»
    ),
    (
        "Digi-Ung",
        ["Bufdir", "Hdir"],  # «Buudir/Hdir»
        ["POD", "Sfk", "Udir", "FHI"],
        ("continuous", None, "day", "ongoing"),  # «Løpende»
    ),
    (
        "Kompetanse- og praksisutvikling",
        ["Bufdir"],
        ["Udir", "Hdir"],
        ("unknown", None, "day", "ongoing"),
    ),
    (
        "Barnets beste",  # «(egeninitiert)»; participation «ikke avklart»
        ["Bufdir"],
        [],
        ("date", dt.date(2024, 7, 1), "month", "ongoing"),
    ),
    (  # «(kommer)»
        "Kommunenes forebyggende arbeid på oppvekstfeltet",
        [],
        [],
        ("unknown", None, "day", "planned"),
    ),
]


def by_title(engine: Engine) -> dict[str, dict[str, Any]]:
    with Session(engine) as session:
        mission = session.exec(select(Mission)).first()
        assert mission is not None and mission.id is not None
        frame = tasks(session, mission.id)
    return {row["title"]: row for row in frame.to_dict("records")}


def test_the_seeded_tasks_are_seed_000s_two_tables(seeded_engine: Engine) -> None:
    found = by_title(seeded_engine)
    assert list(found) == [row[0] for row in TABLE_1 + TABLE_2]  # the slides' order, 15 rows
    for title, leads, participants, involved in TABLE_1:
        row = found[title]
        assert sorted(row["leads"]) == sorted(leads), title
        assert sorted(row["participants"]) == sorted(participants), title
        assert (row["involved"], row["source_table"]) == (involved, 1), title
        assert row["status"] == "ongoing"
    for title, leads, participants, (kind, end, precision, status) in TABLE_2:
        row = found[title]
        assert sorted(row["leads"]) == sorted(leads), title
        assert sorted(row["participants"]) == sorted(participants), title
        assert (row["end_kind"], row["end"], row["status"]) == (kind, end, status), title
        if end is not None:
            assert row["end_precision"] == precision, title
        assert row["source_table"] == 2
    assert "POD, Avdir, IMDi, FHI, Statped og Hdir" in found["Barnets beste"]["note"]


def test_tasks_that_are_the_same_work_as_an_initiative_link_to_it(seeded_engine: Engine) -> None:
    found = by_title(seeded_engine)
    assert [i[1] for i in found["Digi-Ung"]["initiatives"]] == [13]
    assert [i[1] for i in found[TABLE_1[2][0]]["initiatives"]] == [11]  # the cooperation itself
    with Session(seeded_engine) as session:
        digi = session.exec(select(Initiative).where(Initiative.number == 13)).one()
        assert digi.name == "DigiUng" and digi.id is not None
        assert initiative_tasks(session, digi.id) == ["Digi-Ung"]


def test_the_seeded_phases_are_seed_004s(seeded_engine: Engine) -> None:
    """«I 2023/2024 er vi i en designfase», «Implementering ila 2024»; every deliverable so
    far belongs to the design phase."""
    with Session(seeded_engine) as session:
        phases = session.exec(select(Phase).order_by(Phase.sort_order)).all()
        assert [(p.kind, p.start, p.start_precision) for p in phases] == [
            ("design", dt.date(2023, 1, 1), "year"),
            ("implementation", dt.date(2024, 1, 1), "year"),
        ]
        assert (phases[0].end, phases[0].end_precision) == (dt.date(2024, 1, 1), "year")
        assert phases[1].end is None
        deliverables = session.exec(select(Deliverable)).all()
        assert len(deliverables) == 7
        assert {d.phase_id for d in deliverables} == {phases[0].id}
        mission_id = phases[0].mission_id
        assert current_phase(session, mission_id, dt.date(2023, 6, 1)) == phases[0]
        assert current_phase(session, mission_id, dt.date(2026, 12, 5)) == phases[1]
        assert current_phase(session, mission_id, dt.date(2022, 1, 1)) is None
        now = phase_now(session, mission_id, dt.date(2023, 11, 20))
        assert now is not None and now.phase.kind == "design" and now.deliverables == 7
        assert now.by_status == {"delivered": 2, "unclear": 1, "planned": 4}
        grouped = phase_deliverables(session, mission_id)
        assert list(grouped[phases[0].id]["number"]) == [1, 2, 3, 4, 5, 6, 7]


def phase(kind: str, order: int, start: dt.date | None, end: dt.date | None = None) -> Phase:
    return Phase(
        id=order + 1,
        mission_id=1,
        kind=MissionPhase(kind),
        sort_order=order,
        start=start,
        start_precision=DatePrecision.YEAR,
        end=end,
        end_precision=DatePrecision.YEAR,
    )


def test_the_current_phase_is_the_one_running_else_the_latest_started() -> None:
    design = phase("design", 0, dt.date(2023, 1, 1), dt.date(2024, 1, 1))
    doing = phase("implementation", 1, dt.date(2025, 1, 1))
    assert pick_current([design, doing], dt.date(2024, 12, 31)) == design  # «2024»: all of it
    assert pick_current([design, doing], dt.date(2025, 1, 1)) == doing
    gap = phase("implementation", 1, dt.date(2026, 1, 1))
    assert pick_current([design, gap], dt.date(2025, 6, 1)) == design  # ended, latest started
    assert pick_current([design, gap], dt.date(2022, 6, 1)) is None  # none begun
    undated = [phase("design", 0, None), phase("implementation", 1, None)]
    assert pick_current(undated, dt.date(2026, 1, 1)) == undated[1]  # migrated: last in order
    assert pick_current([], dt.date(2026, 1, 1)) is None


def test_a_phase_never_ends_before_it_starts() -> None:
    with pytest.raises(ValidationError):
        PhaseUpdate(start=dt.date(2024, 3, 1), end=dt.date(2024, 2, 1))
    same_year = PhaseUpdate(
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 1, 1),
        end_precision=DatePrecision.YEAR,
    )
    assert same_year.end == dt.date(2024, 1, 1)  # «2024» lasts to its end


def test_a_task_has_an_end_date_exactly_when_its_duration_is_a_date() -> None:
    with pytest.raises(ValidationError):
        TaskInput(title="X", end_kind=TaskEnd.DATE)
    with pytest.raises(ValidationError):
        TaskInput(title="X", end_kind=TaskEnd.CONTINUOUS, end=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        TaskInput(title=" ")
    assert TaskInput(title="X", end_kind=TaskEnd.DATE, end=dt.date(2025, 1, 1)).end


def orgs(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {o.key: o.id or 0 for o in session.exec(select(Organisation)).all()}


def task_input(built: Portfolio, **changes: Any) -> TaskInput:  # noqa: F811
    ids = orgs(built.engine)
    data: dict[str, Any] = {
        "title": "Felles veileder",
        "lead_ids": [ids["Udir"]],
        "participant_ids": [ids["NAV"]],
        "initiative_ids": [built.initiatives[1]],
        "end_kind": TaskEnd.DATE,
        "end": dt.date(2026, 6, 1),
        "end_precision": DatePrecision.MONTH,
        "status": TaskStatus.ONGOING,
        "involved": "Sekretariat",
    }
    return TaskInput(**(data | changes))


def test_the_operative_group_and_the_secretariat_manage_tasks_others_read(
    built: Portfolio,  # noqa: F811
) -> None:
    engine = built.engine
    for role in (Role.PARTNER, Role.STEERING):
        with pytest.raises(PermissionDenied):
            create_task(built.actors[role], built.mission, task_input(built), engine=engine)
    for role in (Role.OPERATIVE, Role.ADMIN):
        create_task(built.actors[role], built.mission, task_input(built), engine=engine)
    with Session(engine) as session:
        frame = tasks(session, built.mission)
        assert list(frame["key"]) == ["felles-veileder", "felles-veileder-2"]
        row = frame.iloc[0]
        assert (row["leads"], row["participants"]) == (["Udir"], ["NAV"])
        assert [i[1] for i in row["initiatives"]] == [1]
        assert initiative_tasks(session, built.initiatives[1]) == ["Felles veileder"] * 2
        seen, task_id = str(row["seen"]), int(row["id"])
    with pytest.raises(PermissionDenied):
        delete_task(built.actors[Role.PARTNER], task_id, seen=seen, engine=engine)
    with pytest.raises(PermissionDenied):
        update_task(
            built.actors[Role.STEERING], task_id, task_input(built), seen=seen, engine=engine
        )


def test_every_task_change_is_audited_and_a_stale_form_is_refused(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    task_id = create_task(operative, built.mission, task_input(built), engine=engine)

    def seen() -> str:
        with Session(engine) as session:
            return str(tasks(session, built.mission).iloc[0]["seen"])

    shown = seen()
    ended = task_input(built, status=TaskStatus.ENDED, lead_ids=[], title="Felles veileder")
    assert update_task(operative, task_id, ended, seen=shown, engine=engine)
    assert not update_task(operative, task_id, ended, seen=seen(), engine=engine)  # no change
    with pytest.raises(StaleRow) as stale:  # the form shown before the change
        update_task(operative, task_id, task_input(built), seen=shown, engine=engine)
    assert stale.value.changed_by == operative.email
    with pytest.raises(PortfolioRefused, match="unknown_organisation"):
        update_task(
            operative, task_id, task_input(built, lead_ids=[99999]), seen=seen(), engine=engine
        )
    other_mission = 99999
    with pytest.raises(PortfolioRefused, match="no_initiative"):
        update_task(
            operative,
            task_id,
            task_input(built, initiative_ids=[other_mission]),
            seen=seen(),
            engine=engine,
        )
    delete_task(operative, task_id, seen=seen(), engine=engine)
    with pytest.raises(PortfolioRefused, match="no_task"):
        delete_task(operative, task_id, seen="", engine=engine)
    events = built.audit("etats_task")
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert events[1].before and events[1].after
    assert (events[1].before["status"], events[1].after["status"]) == ("ongoing", "ended")
    assert (events[1].before["lead_ids"], events[1].after["lead_ids"]) != ([], [])
    assert events[1].after["lead_ids"] == [] and events[2].after is None
    assert events[0].after and events[0].after["key"] == "felles-veileder"
    with Session(engine) as session:
        assert session.exec(select(EtatsTask)).all() == []


def test_a_phase_is_edited_by_the_same_roles_audited_and_not_over_a_change(
    built: Portfolio,  # noqa: F811
) -> None:
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    with session_scope(write=True, engine=engine) as session:
        row = Phase(mission_id=built.mission, kind=MissionPhase.DESIGN)
        session.add(row)
        session.flush()
        phase_id, shown = row.id or 0, phase_seen(row)
    change = PhaseUpdate(
        start=dt.date(2023, 1, 1), start_precision=DatePrecision.YEAR, description="Designfasen"
    )
    for role in (Role.PARTNER, Role.STEERING):
        with pytest.raises(PermissionDenied):
            update_phase(built.actors[role], phase_id, change, seen=shown, engine=engine)
    assert update_phase(operative, phase_id, change, seen=shown, engine=engine)
    with pytest.raises(StaleRow):
        update_phase(built.actors[Role.ADMIN], phase_id, change, seen=shown, engine=engine)
    with Session(engine) as session:
        stored = session.get(Phase, phase_id)
        assert stored is not None and stored.description == "Designfasen"
        assert current_phase(session, built.mission, dt.date(2024, 1, 1)) == stored
        fresh = phase_seen(stored)
    assert not update_phase(built.actors[Role.ADMIN], phase_id, change, seen=fresh, engine=engine)
    events = built.audit("phase")
    assert len(events) == 1 and events[0].after and events[0].after["start"] == "2023-01-01"
    with pytest.raises(PortfolioRefused, match="no_phase"):
        update_phase(operative, 99999, change, seen="", engine=engine)


def test_the_snapshot_holds_the_tasks_and_the_phase_and_the_comparison_shows_changes(
    built: Portfolio,  # noqa: F811
) -> None:
    """A task whose status or end changed, a task added or removed, and a new phase show in
    the comparison of two snapshots; an unchanged task does not."""
    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    first = create_task(operative, built.mission, task_input(built), engine=engine)
    second = create_task(operative, built.mission, task_input(built, title="Stille"), engine=engine)
    with session_scope(write=True, engine=engine) as session:
        session.add(
            Phase(
                mission_id=built.mission,
                kind=MissionPhase.DESIGN,
                start=dt.date(2023, 1, 1),
                start_precision=DatePrecision.YEAR,
            )
        )
    with Session(engine) as session:
        tasks_a = task_rows(session, built.mission)
        phase_a = phase_rows(session, built.mission, dt.date(2024, 6, 30))
        seen = str(tasks(session, built.mission).iloc[0]["seen"])
    assert list(tasks_a["title"]) == ["Felles veileder", "Stille"]
    assert list(phase_a["kind"]) == ["design"]
    update_task(
        operative,
        first,
        task_input(built, end=dt.date(2026, 9, 1), status=TaskStatus.ENDED),
        seen=seen,
        engine=engine,
    )
    third = create_task(operative, built.mission, task_input(built, title="Ny"), engine=engine)
    with session_scope(write=True, engine=engine) as session:
        session.add(
            Phase(
                mission_id=built.mission,
                kind=MissionPhase.IMPLEMENTATION,
                start=dt.date(2025, 1, 1),
                start_precision=DatePrecision.YEAR,
                sort_order=1,
            )
        )
    with Session(engine) as session:
        tasks_b = task_rows(session, built.mission)
        phase_b = phase_rows(session, built.mission, dt.date(2025, 6, 30))
    assert second and third
    a = snapshot_with(tasks_a, phase_a)
    b = snapshot_with(tasks_b, phase_b)
    changes = compare(a, b)
    moved = {r["title"]: r for r in changes.tasks.to_dict("records")}
    assert set(moved) == {"Felles veileder", "Ny"}
    assert (moved["Felles veileder"]["status_a"], moved["Felles veileder"]["status_b"]) == (
        "ongoing",
        "ended",
    )
    assert moved["Felles veileder"]["end_b"] == dt.date(2026, 9, 1)
    assert moved["Ny"]["change"] == "new"
    assert list(changes.phase["kind_a"]) == ["design"]
    assert list(changes.phase["kind_b"]) == ["implementation"]
    assert changes.total >= 3
    same = compare(b, b)
    assert same.tasks.empty and same.phase.empty


def snapshot_with(task_frame: Any, phase_frame: Any) -> Any:
    from dashboard.services.common import frame_of
    from dashboard.services.snapshots.rows import TABLES, Snapshot

    empty = {name: frame_of([], columns) for name, (_, columns) in TABLES.items()}
    return Snapshot(**(empty | {"tasks": task_frame, "phase": phase_frame}))


def test_a_report_stores_its_tasks_and_phase_and_loads_them_back(
    built: Portfolio,  # noqa: F811
) -> None:
    """The snapshot tables hold the tasks (title, status, end) and the phase as of the end of
    the report's period."""
    from dashboard.services.snapshots.store import load, store
    from dashboard.services.snapshots.take import take
    from models import Period, StatusReport

    engine, operative = built.engine, built.actors[Role.OPERATIVE]
    create_task(operative, built.mission, task_input(built), engine=engine)
    with session_scope(write=True, engine=engine) as session:
        session.add_all(
            [
                Phase(
                    mission_id=built.mission,
                    kind=MissionPhase.DESIGN,
                    start=dt.date(2023, 1, 1),
                    start_precision=DatePrecision.YEAR,
                    end=dt.date(2024, 1, 1),
                    end_precision=DatePrecision.YEAR,
                ),
                Phase(
                    mission_id=built.mission,
                    kind=MissionPhase.IMPLEMENTATION,
                    start=dt.date(2025, 1, 1),
                    start_precision=DatePrecision.YEAR,
                    sort_order=1,
                ),
            ]
        )
        period = Period(
            mission_id=built.mission,
            label="2024",
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
        )
        session.add(period)
        session.flush()
        report = StatusReport(mission_id=built.mission, period_id=period.id or 0)
        session.add(report)
        session.flush()
        snapshot = take(session, built.mission, period, today=dt.date(2026, 12, 5))
        store(session, report.id or 0, snapshot)
        report_id = report.id or 0
    with Session(engine) as session:
        stored = load(session, report_id)
    assert list(stored.phase["kind"]) == ["design"]  # as of 31 December 2024
    assert list(stored.tasks["title"]) == ["Felles veileder"]
    row = stored.tasks.iloc[0]
    assert (row["status"], row["end_kind"], row["end"], row["end_precision"]) == (
        "ongoing",
        "date",
        dt.date(2026, 6, 1),
        "month",
    )


def test_loading_again_leaves_the_tasks_and_phases_people_changed_or_removed(
    engine: Engine,
) -> None:
    from dashboard.services.permissions import Actor
    from seed import load_real

    load_real(engine)
    operative = Actor(id=None, email="operativ@example.no", role=Role.OPERATIVE)
    with Session(engine) as session:
        mission = session.exec(select(Mission)).one()
        frame = tasks(session, mission.id or 0).set_index("title")
        design = session.exec(select(Phase).where(Phase.kind == "design")).one()
        shown = phase_seen(design)
    digi, ks = frame.loc["Digi-Ung"], frame.loc["KS"]
    changed = TaskInput(
        title="Digi-Ung",
        status=TaskStatus.ENDED,
        end_kind=TaskEnd.DATE,
        end=dt.date(2026, 6, 1),
        lead_ids=list(digi["lead_ids"]),
        initiative_ids=list(digi["initiative_ids"]),
    )
    update_task(operative, int(digi["id"]), changed, seen=str(digi["seen"]), engine=engine)
    delete_task(operative, int(ks["id"]), seen=str(ks["seen"]), engine=engine)
    update_phase(
        operative,
        design.id or 0,
        PhaseUpdate(description="Vår egen tekst"),
        seen=shown,
        engine=engine,
    )
    load_real(engine)
    found = by_title(engine)
    assert "KS" not in found and len(found) == 14
    assert (found["Digi-Ung"]["status"], found["Digi-Ung"]["end"]) == ("ended", dt.date(2026, 6, 1))
    with Session(engine) as session:
        again = session.exec(select(Phase).where(Phase.kind == "design")).one()
        assert again.description == "Vår egen tekst" and again.start is None


def test_a_report_from_before_tasks_and_phases_shows_no_task_or_phase_as_new() -> None:
    """A report approved before the snapshot held the tasks and the phase has neither: the
    next report's comparison does not call every task «new» nor the phase a change. A report
    with tasks and no phase begun yet does show the phase that began."""
    from dashboard.services.common import frame_of
    from dashboard.services.snapshots.rows import PHASE_COLUMNS, TASK_COLUMNS

    tasks_now = frame_of([(7, "Digi-Ung", "ongoing", "continuous", None, "day")], TASK_COLUMNS)
    phase_now = frame_of([("implementation", dt.date(2024, 1, 1), "year")], PHASE_COLUMNS)
    old = snapshot_with(frame_of([], TASK_COLUMNS), frame_of([], PHASE_COLUMNS))
    new = snapshot_with(tasks_now, phase_now)
    changes = compare(old, new)
    assert changes.tasks.empty and changes.phase.empty
    assert changes.total == 0
    before_any_phase = snapshot_with(tasks_now, frame_of([], PHASE_COLUMNS))
    begun = compare(before_any_phase, new)
    assert begun.tasks.empty
    assert list(begun.phase["kind_b"]) == ["implementation"]
