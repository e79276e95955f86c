"""Status reports: drafting from approved data, review by the steering group, freezing on
approval, corrections shown in the next report, goal overrides, decisions, and comparison.
On SQLite and PostgreSQL.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.decisions import decision_log, record_decision, update_decision
from dashboard.services.missions import set_role
from dashboard.services.periods import set_period_locked
from dashboard.services.permissions import ANONYMOUS, Actor, PermissionDenied
from dashboard.services.reporting import (
    WorkflowRefused,
    approve_check_in,
    approve_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.snapshots.compare import compare
from dashboard.services.snapshots.rows import Snapshot
from dashboard.services.snapshots.store import load
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    draft_drift,
    override_goal,
    refresh_draft,
    report_detail,
    report_list,
    return_report,
    since_last_report,
    submit_report,
    update_texts,
)
from models import (
    AuditEvent,
    Direction,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorGoal,
    Initiative,
    InitiativeOrganisation,
    InitiativeStatus,
    Mission,
    Organisation,
    OrganisationRole,
    Period,
    ReportStatus,
    Role,
    StatusReport,
    User,
)

TODAY = dt.date(2026, 3, 1)


@dataclass
class World:
    engine: Engine
    mission: int
    neet: int  # NEET count, down is good, baseline 100 000 (2022), target 80 000 (2030)
    share: int  # completion share, up is good, no target
    periods: dict[str, int]
    initiative: int
    goals: dict[str, int]
    actors: dict[str, Actor]

    def approved_value(self, label: str, value: str, indicator: int = 0) -> None:
        """A value entered by udir_a, submitted, and approved by udir_b (over an approved
        value: as its correction)."""
        a, b = self.actors["udir_a"], self.actors["udir_b"]
        period, engine = self.periods[label], self.engine
        with Session(engine) as session:
            from models import IndicatorValue

            stored = session.exec(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id == (indicator or self.neet),
                    IndicatorValue.period_id == period,
                )
            ).first()
        row = save_value(
            a,
            indicator or self.neet,
            period,
            {"value": value},
            version=stored.version if stored else None,
            reason="rettet tall",
            engine=engine,
        )
        row = submit_value(a, row.id or 0, row.version, engine=engine)
        approve_value(b, row.id or 0, row.version, engine=engine)

    def approved_check_in(self, label: str, rag: str, progress: str) -> None:
        a, b, engine = self.actors["udir_a"], self.actors["udir_b"], self.engine
        data = {"rag": rag, "progress": progress, "help_needed": "Avklaring om finansiering"}
        row = save_check_in(
            a, self.initiative, self.periods[label], data, version=None, engine=engine
        )
        row = submit_check_in(a, row.id or 0, row.version, engine=engine)
        approve_check_in(b, row.id or 0, row.version, engine=engine)

    def draft(self, label: str, summary: str = "Sammendrag") -> StatusReport:
        """A draft by the operative group with a summary, submitted for review."""
        op = self.actors["udir_a"]
        report = create_draft(
            op, self.mission, self.periods[label], today=TODAY, engine=self.engine
        )
        report = update_texts(
            op,
            report.id or 0,
            {"summary": summary, "decisions_requested": "Ta stilling til X", "version": 1},
            engine=self.engine,
        )
        return submit_report(op, report.id or 0, report.version, engine=self.engine)

    def approve(self, report: StatusReport) -> StatusReport:
        return approve_report(
            self.actors["steering"], report.id or 0, report.version, engine=self.engine
        )


@pytest.fixture
def world(engine: Engine) -> World:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, mission])
        session.flush()
        main = Goal(mission_id=mission.id, code="0", level=GoalLevel.MAIN, title="Hovedmål")
        session.add(main)
        session.flush()
        work = Goal(
            mission_id=mission.id, code="1", level=GoalLevel.GOAL, title="Arbeid", parent_id=main.id
        )
        school = Goal(
            mission_id=mission.id, code="2", level=GoalLevel.GOAL, title="Skole", parent_id=main.id
        )
        neet = Indicator(
            mission_id=mission.id,
            code="NEET",
            name="Unge utenfor",
            responsible_org_id=udir.id,
            direction=Direction.DOWN,
            baseline_value=100_000,
            baseline_year=2022,
            target_value=80_000,
            target_year=2030,
        )
        share = Indicator(
            mission_id=mission.id, code="FULLFØRT", name="Fullført", responsible_org_id=udir.id
        )
        periods = {
            label: Period(
                mission_id=mission.id,
                label=label,
                start=dt.date(int(label), 1, 1),
                end=dt.date(int(label), 12, 31),
                due=dt.date(int(label) + 1, 2, 1),
            )
            for label in ("2024", "2025")
        }
        initiative = Initiative(
            mission_id=mission.id, number=1, name="Satsingen", status=InitiativeStatus.PLANNED
        )
        session.add_all([work, school, neet, share, initiative, *periods.values()])
        session.flush()
        session.add_all(
            [
                IndicatorGoal(indicator_id=neet.id, goal_id=work.id),
                IndicatorGoal(indicator_id=share.id, goal_id=school.id),
                InitiativeOrganisation(
                    initiative_id=initiative.id,
                    organisation_id=udir.id,
                    role=OrganisationRole.RESPONSIBLE,
                ),
            ]
        )
        actors = {}
        for name, role in {
            "udir_a": Role.OPERATIVE,
            "udir_b": Role.OPERATIVE,
            "steering": Role.STEERING,
            "steering_b": Role.STEERING,
            "admin": Role.ADMIN,
            "partner": Role.PARTNER,
        }.items():
            org = udir.id if role == Role.OPERATIVE else None
            user = User(email=f"{name}@example.no", name=name, organisation_id=org)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, role)
            actors[name] = Actor(user.id, user.email, role, org, mission.id)
        assert neet.id and share.id and initiative.id and mission.id
        return World(
            engine,
            mission.id,
            neet.id,
            share.id,
            {label: p.id or 0 for label, p in periods.items()},
            initiative.id,
            {"0": main.id or 0, "1": work.id or 0, "2": school.id or 0},
            actors,
        )


def stored(world: World, report: StatusReport) -> Snapshot:
    with Session(world.engine) as session:
        return load(session, report.id or 0)


def neet_row(snapshot: Snapshot) -> dict[str, object]:
    rows = snapshot.indicators.set_index("code")
    return rows.loc["NEET"].to_dict()


def test_a_draft_holds_the_approved_state_of_its_period(world: World) -> None:
    world.approved_value("2024", "98 000")
    world.approved_check_in("2024", "amber", "God start")
    # a value of the next period and a draft value are not in the 2024 report
    world.approved_value("2025", "95 000")
    save_value(
        world.actors["udir_a"],
        world.share,
        world.periods["2024"],
        {"value": "80"},
        version=None,
        engine=world.engine,
    )
    report = world.draft("2024")
    snapshot = stored(world, report)
    row = neet_row(snapshot)
    assert (row["value"], row["value_period"], row["value_status"]) == (98_000, "2024", "approved")
    assert row["period_state"] == "approved"
    share = snapshot.indicators.set_index("code").loc["FULLFØRT"]
    assert pd.isna(share["value"]) and share["period_state"] == "draft"
    initiative = snapshot.initiatives.iloc[0]
    assert (initiative["rag"], initiative["check_in_period"]) == ("amber", "2024")
    assert initiative["help_needed"] == "Avklaring om finansiering"
    # 2 000 of the 20 000 by 2030 after 2 of 8 years: less than the line expects
    goals = snapshot.goals.set_index("code")
    assert goals.loc["1", "computed_status"] == row["progress_status"]
    assert goals.loc["0", "depth"] == 0 and goals.loc["1", "depth"] == 1
    # a stored report keeps no count of measured indicators: it is read back from its statuses
    assert (goals.loc["0", "measured"], goals.loc["0", "indicators"]) == (1, 2)
    from dashboard.ui.report_tables import Words, goals_table

    shown = goals_table(snapshot.goals, Words("nb")).set_index("Kode")["Beregnet status"]
    assert shown["0"].endswith("(1 av 2 indikatorer har mål og verdi)"), shown["0"]
    assert "indikatorer" not in shown["1"]  # resting on all its indicators: no count


def test_approved_report_is_frozen_and_the_next_draft_shows_the_correction(world: World) -> None:
    world.approved_value("2024", "98 000")
    report = world.approve(world.draft("2024"))
    assert report.status == ReportStatus.APPROVED
    with Session(world.engine) as session:
        assert session.get(Period, world.periods["2024"]).locked  # type: ignore[union-attr]
    frozen = stored(world, report)

    # the value is corrected after approval: re-open, correct, approve again
    set_period_locked(
        world.actors["steering"],
        world.periods["2024"],
        False,
        reason="SSB rettet tallet",
        engine=world.engine,
    )
    world.approved_value("2024", "97 500")

    after = stored(world, report)
    pd.testing.assert_frame_equal(after.indicators, frozen.indicators)
    pd.testing.assert_frame_equal(after.goals, frozen.goals)
    assert neet_row(after)["value"] == 98_000
    with Session(world.engine) as session:
        detail = report_detail(session, report.id or 0, include_unpublished=False)
    assert detail is not None and neet_row(detail.snapshot)["value"] == 98_000

    with pytest.raises(WorkflowRefused, match="report_not_editable"):
        refresh_draft(
            world.actors["udir_a"], report.id or 0, report.version, today=TODAY, engine=world.engine
        )

    following = world.draft("2025")
    row = neet_row(stored(world, following))
    assert (row["value"], row["value_period"]) == (97_500, "2024")
    assert (row["corrected_period"], row["corrected_from"], row["corrected_to"]) == (
        "2024",
        98_000,
        97_500,
    )
    changes = compare(frozen, stored(world, following))
    assert changes.corrections.to_dict("records") == [
        {
            "code": "NEET",
            "name": "Unge utenfor",
            "measure": "count",
            "unit": None,
            "period": "2024",
            "shown": 98_000,
            "now": 97_500,
        }
    ]
    moved = changes.indicators.set_index("code").loc["NEET"]
    assert (moved["value_a"], moved["value_b"], moved["change"]) == (98_000, 97_500, -500)
    assert changes.figures == {("NEET", "2024")}  # the moved value is the corrected one


def test_one_correction_is_one_change_since_the_last_report(world: World) -> None:
    world.approved_value("2024", "98 000")
    world.approve(world.draft("2024"))
    set_period_locked(
        world.actors["steering"], world.periods["2024"], False, reason="Rettet", engine=world.engine
    )
    world.approved_value("2024", "98 100")  # re-opened, changed and approved again
    with Session(world.engine) as session:
        since = since_last_report(session, world.mission, TODAY, include_unpublished=False)
    assert since is not None
    changes = since.changes
    assert len(changes.indicators) == 1 and len(changes.corrections) == 1  # both list it
    assert changes.goals.empty and changes.initiatives.empty and changes.decisions.empty
    assert changes.total == 1  # one changed figure: NEET 2024


def test_a_refreshed_draft_takes_new_values_and_keeps_overrides(world: World) -> None:
    report = world.draft("2024")
    report = override_goal(
        world.actors["steering"],
        report.id or 0,
        report.version,
        "1",
        "off_track",
        "Tallene henger etter",
        engine=world.engine,
    )
    report = return_report(
        world.actors["steering"],
        report.id or 0,
        report.version,
        "Mangler tall for 2024",
        engine=world.engine,
    )
    assert report.return_reason == "Mangler tall for 2024"
    assert stored(world, report).goals.set_index("code").loc["1", "computed_status"] == "no_data"
    world.approved_value("2024", "94 000")  # 6 000 down of the 5 000 expected by 2024
    with Session(world.engine) as session:
        drift = draft_drift(session, report.id or 0, TODAY)
    assert drift is not None and list(drift.indicators["code"]) == ["NEET"]
    report = refresh_draft(
        world.actors["udir_a"], report.id or 0, report.version, today=TODAY, engine=world.engine
    )
    snapshot = stored(world, report)
    assert neet_row(snapshot)["value"] == 94_000
    goal = snapshot.goals.set_index("code").loc["1"]
    assert (goal["override_status"], goal["override_justification"]) == (
        "off_track",
        "Tallene henger etter",
    )
    # the computed status follows the new figure; the steering group's override stays beside it
    assert goal["computed_status"] == "on_track"


def test_an_override_needs_a_justification_and_is_kept_beside_the_computed_status(
    world: World,
) -> None:
    report = world.draft("2024")
    steering = world.actors["steering"]
    with pytest.raises(WorkflowRefused, match="justification_required"):
        override_goal(
            steering, report.id or 0, report.version, "1", "on_track", "  ", engine=world.engine
        )
    report = override_goal(
        steering,
        report.id or 0,
        report.version,
        "1",
        "on_track",
        "Tiltakene virker, tallene kommer",
        engine=world.engine,
    )
    goal = stored(world, report).goals.set_index("code").loc["1"]
    assert goal["computed_status"] == "no_data"
    assert goal["override_status"] == "on_track"
    assert goal["override_justification"] == "Tiltakene virker, tallene kommer"
    assert goal["override_by_id"] == steering.id
    report = world.approve(report)
    with pytest.raises(WorkflowRefused, match="report_frozen"):
        override_goal(
            steering, report.id or 0, report.version, "1", None, None, engine=world.engine
        )
    with Session(world.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "goal_status")).all()
    assert [e.reason for e in events] == ["Tiltakene virker, tallene kommer"]


@pytest.mark.parametrize(
    ("justification", "error"),
    [
        ("Fordi\x00", "control_characters"),
        ("Fordi \x1b[31m", "control_characters"),
        ("\u202eiedroF", "bidi_characters"),
        ("\u200eFordi", "bidi_characters"),
        ("x" * 2001, "string_too_long"),
    ],
)
def test_an_override_justification_is_checked_like_every_other_text(
    world: World, justification: str, error: str
) -> None:
    # it was only stripped and measured: NUL and control characters were stored on SQLite
    # and NUL raised psycopg's DataError on PostgreSQL
    report = world.draft("2024")
    steering = world.actors["steering"]
    with pytest.raises(ValidationError) as refused:
        override_goal(
            steering, report.id or 0, report.version, "1", "on_track", justification,
            engine=world.engine,
        )  # fmt: skip
    assert [e["type"] for e in refused.value.errors()] == [error]
    assert stored(world, report).goals.set_index("code").loc["1", "override_status"] is None
    report = override_goal(
        steering, report.id or 0, report.version, "1", "on_track", "\u200b" + "x" * 2000,
        engine=world.engine,
    )  # fmt: skip
    goal = stored(world, report).goals.set_index("code").loc["1"]
    assert goal["override_justification"] == "x" * 2000  # the zero-width space removed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("udir_a", False),
        ("admin", False),
        ("partner", False),
        ("anonymous", False),
        ("steering", True),
    ],
)
def test_only_the_steering_group_approves_returns_and_overrides(
    world: World, who: str, allowed: bool
) -> None:
    report = world.draft("2024")
    actor = world.actors.get(who, ANONYMOUS)
    moves = [
        lambda r: override_goal(
            actor, r.id or 0, r.version, "1", "on_track", "Fordi", engine=world.engine
        ),
        lambda r: return_report(actor, r.id or 0, r.version, "Nei", engine=world.engine),
    ]
    for move in moves:
        if allowed:
            report = move(report)
            report = (
                submit_report(
                    world.actors["udir_a"], report.id or 0, report.version, engine=world.engine
                )
                if report.status == "returned"
                else report
            )
        else:
            with pytest.raises(PermissionDenied):
                move(report)
    if allowed:
        assert world.approve(report).status == ReportStatus.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            approve_report(actor, report.id or 0, report.version, engine=world.engine)


@pytest.mark.parametrize("who", ["steering", "admin", "partner", "anonymous"])
def test_only_the_operative_group_drafts(world: World, who: str) -> None:
    actor = world.actors.get(who, ANONYMOUS)
    with pytest.raises(PermissionDenied):
        create_draft(actor, world.mission, world.periods["2024"], today=TODAY, engine=world.engine)
    report = world.draft("2024")
    with pytest.raises(PermissionDenied):
        update_texts(
            actor, report.id or 0, {"summary": "x", "version": report.version}, engine=world.engine
        )


def test_partners_never_see_drafts(world: World) -> None:
    draft = world.draft("2024")
    with Session(world.engine) as session:
        assert report_list(session, world.mission, include_unpublished=False).empty
        assert report_detail(session, draft.id or 0, include_unpublished=False) is None
        assert list(report_list(session, world.mission, include_unpublished=True)["status"]) == [
            "submitted"
        ]
    world.approve(draft)
    world.draft("2025")
    with Session(world.engine) as session:
        published = report_list(session, world.mission, include_unpublished=False)
        assert list(published["period"]) == ["2024"]
        assert len(report_list(session, world.mission, include_unpublished=True)) == 2


def test_the_workflow_refuses_steps_out_of_order(world: World) -> None:
    op, steering = world.actors["udir_a"], world.actors["steering"]
    report = create_draft(
        op, world.mission, world.periods["2024"], today=TODAY, engine=world.engine
    )
    with pytest.raises(WorkflowRefused, match="report_exists"):
        create_draft(op, world.mission, world.periods["2024"], today=TODAY, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="summary_required"):
        submit_report(op, report.id or 0, report.version, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="report_not_submitted"):
        approve_report(steering, report.id or 0, report.version, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="stale_report"):
        update_texts(op, report.id or 0, {"summary": "x", "version": 99}, engine=world.engine)
    with pytest.raises(ValidationError):
        update_texts(
            op, report.id or 0, {"summary": "x" * 10_001, "version": 1}, engine=world.engine
        )
    report = world.draft("2025")
    with pytest.raises(WorkflowRefused, match="reason_required"):
        return_report(steering, report.id or 0, report.version, " ", engine=world.engine)
    # validated like every other text: NUL, control characters and 100 KB were stored on
    # SQLite (cut to 1,000 characters) and a DataError on PostgreSQL
    for bad in ("Nei\x00", "Nei \x1b[31m", "x" * 100_000, "\u202eieN"):
        with pytest.raises(ValidationError):
            return_report(steering, report.id or 0, report.version, bad, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="report_not_editable"):
        update_texts(
            op, report.id or 0, {"summary": "y", "version": report.version}, engine=world.engine
        )
    with Session(world.engine) as session:
        kept = session.get(StatusReport, report.id)
    assert kept is not None and kept.summary == "Sammendrag"


def test_decisions_are_recorded_followed_up_and_frozen_with_the_report(world: World) -> None:
    steering = world.actors["steering"]
    report = world.draft("2024")
    with pytest.raises(PermissionDenied):
        record_decision(world.actors["udir_a"], world.mission, {"title": "X"}, engine=world.engine)
    with pytest.raises(ValidationError):
        record_decision(
            steering,
            world.mission,
            {"title": "X", "decided_on": "2025-03-01", "due": "2025-01-01"},
            engine=world.engine,
        )
    with pytest.raises(WorkflowRefused, match="no_goal"):
        record_decision(
            steering, world.mission, {"title": "X", "goal_ids": [999]}, engine=world.engine
        )
    decision = record_decision(
        steering,
        world.mission,
        {
            "title": "Kartlegge frafall i videregående",
            "decided_on": "2025-02-10",
            "due": "2025-06-01",
            "goal_ids": [world.goals["2"]],
            "initiative_ids": [world.initiative],
            "report_id": report.id,
        },
        engine=world.engine,
    )
    frozen = world.approve(report)
    update_decision(
        steering,
        decision.id or 0,
        {
            "title": decision.title,
            "status": "done",
            "follow_up": "Levert",
            "version": 1,
            "goal_ids": [world.goals["2"]],
            "initiative_ids": [world.initiative],
        },
        engine=world.engine,
    )
    with pytest.raises(WorkflowRefused, match="stale_decision"):
        update_decision(
            steering, decision.id or 0, {"title": "Z", "version": 1}, engine=world.engine
        )
    first = stored(world, frozen).decisions.iloc[0]
    assert (first["title"], first["status"], first["goals"], first["initiatives"]) == (
        "Kartlegge frafall i videregående",
        "open",
        "2",
        "1",
    )
    with Session(world.engine) as session:
        log = decision_log(session, world.mission, dt.date(2025, 7, 1))
    assert list(log["status"]) == ["done"] and list(log["overdue"]) == [False]
    following = world.approve(world.draft("2025"))
    changes = compare(stored(world, frozen), stored(world, following))
    assert changes.decisions[["title", "change", "status_a", "status_b"]].to_dict("records") == [
        {
            "title": "Kartlegge frafall i videregående",
            "change": "status",
            "status_a": "open",
            "status_b": "done",
        }
    ]


def test_since_the_last_report_shows_what_moved(world: World) -> None:
    world.approved_value("2024", "98 000")
    with Session(world.engine) as session:
        assert since_last_report(session, world.mission, TODAY, include_unpublished=False) is None
    world.approve(world.draft("2024"))
    world.approved_value("2025", "94 000")
    with Session(world.engine) as session:
        since = since_last_report(session, world.mission, TODAY, include_unpublished=False)
    assert since is not None and since.period == "2024"
    assert since.changes.indicators[["code", "value_a", "value_b", "change"]].to_dict(
        "records"
    ) == [{"code": "NEET", "value_a": 98_000.0, "value_b": 94_000.0, "change": -4_000.0}]


# --- compare on hand-built snapshots ------------------------------------------------------------


def snapshot(
    indicators: list[tuple[str, float | None, str | None, str]],
    goals: list[tuple[str, str, str | None]],
    initiatives: list[tuple[int, str, str | None]],
    decisions: list[tuple[int, str, str]],
) -> Snapshot:
    """A snapshot from (code, value, period, status), (code, computed, override),
    (number, status, rag) and (id, title, status)."""
    from dashboard.services.snapshots.rows import (
        DECISION_COLUMNS,
        GOAL_COLUMNS,
        INDICATOR_COLUMNS,
        INITIATIVE_COLUMNS,
    )

    def frame(records: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame([{c: r.get(c) for c in columns} for r in records], columns=columns)

    return Snapshot(
        goals=frame(
            [
                {"code": c, "title": f"Mål {c}", "computed_status": s, "override_status": o}
                for c, s, o in goals
            ],
            GOAL_COLUMNS,
        ),
        indicators=frame(
            [
                {"code": c, "name": c.title(), "value": v, "value_period": p, "progress_status": s}
                for c, v, p, s in indicators
            ],
            INDICATOR_COLUMNS,
        ),
        initiatives=frame(
            [{"number": n, "name": f"S{n}", "status": s, "rag": r} for n, s, r in initiatives],
            INITIATIVE_COLUMNS,
        ),
        decisions=frame(
            [{"decision_id": i, "title": t, "status": s} for i, t, s in decisions],
            DECISION_COLUMNS,
        ),
    )


def test_compare_finds_exactly_the_differences_of_a_hand_built_pair() -> None:
    a = snapshot(
        indicators=[
            ("A", 10.0, "2024", "on_track"),
            ("B", 5.0, "2024", "off_track"),
            ("C", None, None, "no_data"),
            ("D", 7.0, "2024", "no_target"),
        ],
        goals=[("1", "on_track", None), ("2", "off_track", None), ("3", "no_data", None)],
        initiatives=[
            (1, "planned", None),
            (2, "ongoing", "green"),
            (3, "ongoing", "amber"),
            (4, "ongoing", "red"),
        ],
        decisions=[(1, "Første", "open"), (2, "Andre", "open")],
    )
    b = snapshot(
        indicators=[
            ("A", 10.0, "2024", "on_track"),
            ("B", 6.5, "2025", "some_progress"),
            ("C", 3.0, "2025", "no_target"),
            ("D", 7.0, "2024", "no_target"),
        ],
        goals=[
            ("1", "on_track", None),
            ("2", "off_track", "some_progress"),
            ("3", "no_target", None),
        ],
        initiatives=[
            (1, "ongoing", "green"),
            (2, "completed", "green"),
            (3, "ongoing", "amber"),
            (5, "planned", None),
        ],
        decisions=[(1, "Første", "done"), (2, "Andre", "open"), (3, "Tredje", "open")],
    )
    changes = compare(a, b)
    moved = changes.indicators[["code", "value_a", "value_b", "change", "status_b"]]
    assert moved.astype(object).where(moved.notna(), None).to_dict("records") == [
        {"code": "B", "value_a": 5.0, "value_b": 6.5, "change": 1.5, "status_b": "some_progress"},
        {"code": "C", "value_a": None, "value_b": 3.0, "change": None, "status_b": "no_target"},
    ]
    assert changes.goals[["code", "status_a", "status_b"]].to_dict("records") == [
        {"code": "2", "status_a": "off_track", "status_b": "some_progress"},
        {"code": "3", "status_a": "no_data", "status_b": "no_target"},
    ]
    assert changes.initiatives[["number", "change"]].to_dict("records") == [
        {"number": 1, "change": "started"},
        {"number": 1, "change": "rag"},
        {"number": 2, "change": "ended"},
        {"number": 4, "change": "removed"},
        {"number": 5, "change": "new"},
    ]
    assert changes.decisions[["decision_id", "change"]].to_dict("records") == [
        {"decision_id": 1, "change": "status"},
        {"decision_id": 3, "change": "new"},
    ]
    assert changes.corrections.empty
    assert changes.total == 2 + 2 + 5 + 2
    assert compare(b, b).total == 0


def test_since_the_last_report_reads_only_what_changed_and_finds_the_same(world: World) -> None:
    from dashboard.services.snapshots.changes import changed_since
    from dashboard.services.snapshots.take import take

    world.approved_value("2024", "98 000")
    world.approved_check_in("2024", "amber", "I gang")
    report = world.approve(world.draft("2024"))
    set_period_locked(
        world.actors["steering"], world.periods["2024"], False, reason="Rettet", engine=world.engine
    )
    world.approved_value("2024", "97 500")  # a correction
    world.approved_value("2025", "94 000", indicator=world.share)  # a later period
    with session_scope(write=True, engine=world.engine) as session:  # new, without an audit row
        session.add(Initiative(mission_id=world.mission, number=2, name="Ny satsing"))
    with Session(world.engine) as session:
        stored_report = session.get(StatusReport, report.id)
        assert stored_report is not None and stored_report.generated_at is not None
        changed = changed_since(
            session, world.mission, stored_report.generated_at, dt.date(2024, 12, 31)
        )
        assert changed is not None
        assert changed.indicators == {world.neet, world.share}
        fast = since_last_report(session, world.mission, TODAY, include_unpublished=True)
        stored = load(session, report.id or 0)
        full = compare(
            stored,
            take(
                session, world.mission, None, today=TODAY, previous=stored, overrides=stored.goals
            ),
        )
    assert fast is not None
    for name in ("indicators", "goals", "initiatives", "decisions", "corrections"):
        expected = getattr(full, name).reset_index(drop=True)
        got = getattr(fast.changes, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert len(fast.changes.corrections) == 1 and len(fast.changes.initiatives) == 1


def test_an_unknown_kind_of_change_makes_the_comparison_read_everything(world: World) -> None:
    from dashboard.services import audit
    from dashboard.services.snapshots.changes import changed_since

    report = world.approve(world.draft("2024"))
    with session_scope(write=True, engine=world.engine) as session:
        audit.record(session, world.actors["admin"], "seed", "mission", str(world.mission))
    with Session(world.engine) as session:
        stored = session.get(StatusReport, report.id)
        assert stored is not None and stored.generated_at is not None
        assert changed_since(session, world.mission, stored.generated_at, TODAY) is None


def test_review_fixes_drift_log_types_statuses_and_sheet_names(world: World) -> None:
    from dashboard.services.exports import to_excel_sheets

    world.approved_value("2024", "98 000")
    world.approve(world.draft("2024"))
    set_period_locked(
        world.actors["steering"], world.periods["2024"], False, reason="Rettet", engine=world.engine
    )
    world.approved_value("2024", "97 500")
    following = world.draft("2025")
    with Session(world.engine) as session:
        drift = draft_drift(session, following.id or 0, TODAY)
    assert drift is not None and drift.total == 0  # its correction is in the draft already

    with pytest.raises(WorkflowRefused, match="no_status"):
        override_goal(
            world.actors["steering"],
            following.id or 0,
            following.version,
            "1",
            "forged",
            "Fordi",
            engine=world.engine,
        )

    steering = world.actors["steering"]
    record_decision(
        steering,
        world.mission,
        {"title": "Med rapport", "report_id": following.id},
        engine=world.engine,
    )
    record_decision(steering, world.mission, {"title": "Uten rapport"}, engine=world.engine)
    with Session(world.engine) as session:
        log = decision_log(session, world.mission, TODAY).set_index("title")
    assert log.loc["Uten rapport", "report_id"] is None
    assert log.loc["Med rapport", "report_id"] == following.id
    row = log.loc["Uten rapport"]
    update_decision(
        steering,
        int(row["decision_id"]),
        {
            "title": "Uten rapport",
            "report_id": row["report_id"],
            "owner_org_id": row["owner_org_id"],
            "version": int(row["version"]),
        },
        engine=world.engine,
    )

    import io

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            to_excel_sheets(
                {
                    "Satsinger": pd.DataFrame({"a": [1]}),
                    "satsinger": pd.DataFrame({"b": [2]}),
                    "x" * 40: pd.DataFrame(),
                    "x" * 35: pd.DataFrame(),
                }
            )
        )
    )
    assert book.sheetnames == ["Satsinger", "satsinger (2)", "x" * 31, "x" * 27 + " (2)"]


def test_a_step_moved_up_in_one_period_shows_as_moved_in_the_next_reports_comparison(
    world: World,
) -> None:
    from dashboard.services.method import assess_initiative_step, set_system_levels
    from dashboard.ui.report_tables import Words, change_tables, initiatives_table
    from models import StepAssessment, SystemLevel

    a, engine = world.actors["udir_a"], world.engine
    assess_initiative_step(
        a,
        world.initiative,
        world.periods["2024"],
        StepAssessment(step=2, rationale="Felles møter"),
        seen="",
        engine=engine,
    )
    set_system_levels(
        a, world.initiative, [SystemLevel.RULES_AND_STRUCTURES], seen=[], engine=engine
    )
    first = world.approve(world.draft("2024"))
    row = stored(world, first).initiatives.iloc[0]
    assert (row["step"], row["step_period"], row["system_levels"]) == (
        2,
        "2024",
        "rules_and_structures",
    )
    assess_initiative_step(
        a,
        world.initiative,
        world.periods["2025"],
        StepAssessment(step=4, rationale="Felles tiltak"),
        seen="",
        engine=engine,
    )
    set_system_levels(
        a,
        world.initiative,
        [SystemLevel.MENTAL_MODELS, SystemLevel.HOW_WE_WORK],
        seen=["rules_and_structures"],
        engine=engine,
    )
    following = world.draft("2025")
    assert stored(world, first).initiatives.iloc[0]["step"] == 2  # the approved one is frozen
    with Session(engine) as session:
        detail = report_detail(session, following.id or 0, include_unpublished=True)
    assert detail is not None and detail.changes is not None
    assert detail.changes.steps[["subject", "label", "step_a", "step_b", "change"]].to_dict(
        "records"
    ) == [{"subject": "initiative", "label": "1", "step_a": 2, "step_b": 4, "change": "up"}]
    levels = detail.changes.initiatives[detail.changes.initiatives["change"] == "levels"]
    assert levels[["number", "levels_a", "levels_b"]].to_dict("records") == [
        {"number": 1, "levels_a": "rules_and_structures", "levels_b": "how_we_work,mental_models"}
    ]
    assert detail.changes.total >= 2
    back = compare(stored(world, following), stored(world, first))  # the other way: down
    assert back.steps["change"].tolist() == ["down"]
    w = Words("nb")
    shown = initiatives_table(stored(world, following).initiatives, w)
    assert shown["Systemnivåer"].tolist() == ["Hvordan vi jobber, Mentale modeller"]
    moved = change_tables(detail.changes, w)["report.changes.initiatives"]
    assert moved["Systemnivåer"].tolist() == [
        "Regler og strukturer → Hvordan vi jobber, Mentale modeller"
    ]
    assert initiatives_table(stored(world, first).initiatives.assign(system_levels=None), w)[
        "Systemnivåer"
    ].tolist() == ["Ikke vurdert"]


def test_a_links_step_that_moved_is_a_change_and_a_first_one_is_assessed() -> None:
    from dashboard.services.snapshots.rows import LINK_COLUMNS

    def links(*rows: tuple[int, int | None]) -> pd.DataFrame:
        records = [
            {"link_id": i, "from_number": 1, "to_number": i + 1, "kind": "synergy", "step": s}
            for i, s in rows
        ]
        return pd.DataFrame([{c: r.get(c) for c in LINK_COLUMNS} for r in records])

    a = snapshot([], [], [], [])
    b = snapshot([], [], [], [])
    a.links, b.links = links((1, 3), (2, 2)), links((1, 1), (2, 2), (3, 5))
    changes = compare(a, b)
    steps = changes.steps.astype(object)
    assert steps.where(steps.notna(), None)[["label", "step_a", "step_b", "change"]].to_dict(
        "records"
    ) == [
        {"label": "1–2", "step_a": 3, "step_b": 1, "change": "down"},
        {"label": "1–4", "step_a": None, "step_b": 5, "change": "assessed"},
    ]
    assert changes.total == 2
