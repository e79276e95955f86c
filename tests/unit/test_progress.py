"""Status against target as the pages get it, goal roll-up, and reporting completeness per period.

A hand-built mission: two organisations, indicators with and without targets, a goal tree,
annual and quarterly periods. Values move through the real workflow (save, submit, approve,
return), so a partner's and an internal reader's view differ as they do in the app. On SQLite
and PostgreSQL.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session
from support.caches import clear_caches

from dashboard.db import session_scope
from dashboard.services.goals import GoalNode, goal_tree
from dashboard.services.indicators import indicator_detail, indicator_statuses, indicator_table
from dashboard.services.missions import set_role
from dashboard.services.overview import goal_summaries, status_overview
from dashboard.services.permissions import Actor
from dashboard.services.progress import (
    Mark,
    completeness,
    completeness_counts,
    open_completeness,
    period_completeness,
    roll_up,
    thresholds,
)
from dashboard.services.reporting import approve_value, return_value, save_value, submit_value
from dashboard.settings import Settings
from models import (
    Direction,
    EntryStatus,
    Frequency,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Measure,
    Mission,
    Organisation,
    Period,
    PeriodKind,
    ProgressStatus,
    Role,
    User,
)

S = ProgressStatus
E = EntryStatus


@dataclass
class World:
    """The mission, its indicators and periods by code, and one actor per person."""

    engine: Engine
    mission: int
    indicators: dict[str, int]
    periods: dict[str, int]
    actors: dict[str, Actor]

    def value(
        self, code: str, period: str, text: str, state: EntryStatus, *, by: str = ""
    ) -> IndicatorValue:
        """A value entered by the indicator's organisation and brought to state by the workflow."""
        org = "udir" if code in ("A", "C", "D", "G") else "nav"
        entered, reviewer = self.actors[by or f"{org}_a"], self.actors[f"{org}_b"]
        row = save_value(
            entered,
            self.indicators[code],
            self.periods[period],
            {"value": text},
            version=None,
            engine=self.engine,
        )
        assert row.id is not None
        if state != E.DRAFT:
            row = submit_value(entered, row.id, row.version, engine=self.engine)
        if state == E.APPROVED:
            row = approve_value(reviewer, row.id or 0, row.version, engine=self.engine)
        if state == E.RETURNED:
            row = return_value(reviewer, row.id or 0, row.version, "sjekk", engine=self.engine)
        assert row.status == state
        return row

    def statuses(self, internal: bool) -> dict[str, Mark]:
        with Session(self.engine) as session:
            marks = indicator_statuses(session, self.mission, include_unapproved=internal)
        codes = {i: c for c, i in self.indicators.items()}
        return {codes[i]: mark for i, mark in marks.items()}

    def tree(self, internal: bool) -> dict[str, GoalNode]:
        with Session(self.engine) as session:
            roots = goal_tree(session, self.mission, include_unapproved=internal)
        found: dict[str, GoalNode] = {}

        def walk(node: GoalNode) -> None:
            found[node.goal.code] = node
            for child in node.children:
                walk(child)

        for root in roots:
            walk(root)
        return found

    def completeness(self, period: str, today: dt.date) -> dict[str, tuple[str, bool, bool]]:
        """code -> (state, overdue, expected)."""
        with Session(self.engine) as session:
            frame = completeness(session, self.mission, self.periods[period], today)
        return {
            row.code: (row.state, bool(row.overdue), bool(row.expected))
            for row in frame.itertuples()
        }


@pytest.fixture
def world(engine: Engine) -> World:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, nav, mission])
        session.flush()
        assert mission.id and udir.id and nav.id
        common = {"mission_id": mission.id, "baseline_year": 2020, "target_year": 2030}
        specs = {  # code: (organisation, frequency, measure, direction, baseline, target)
            "A": (udir.id, Frequency.ANNUAL, Measure.COUNT, Direction.UP, 100.0, 200.0),
            "B": (nav.id, Frequency.ANNUAL, Measure.PERCENT, Direction.DOWN, 20.0, 10.0),
            "C": (udir.id, Frequency.ANNUAL, Measure.COUNT, Direction.UP, 50.0, None),
            "D": (udir.id, Frequency.QUARTERLY, Measure.COUNT, Direction.UP, 5.0, 10.0),
            "E": (nav.id, Frequency.IRREGULAR, Measure.COUNT, Direction.UP, 5.0, 10.0),
            "F": (nav.id, Frequency.ANNUAL, Measure.COUNT, Direction.UP, 5.0, 10.0),
            "G": (udir.id, Frequency.ANNUAL, Measure.COUNT, Direction.UP, 5.0, 10.0),
        }
        indicators = {}
        for code, (org, frequency, measure, direction, baseline, target) in specs.items():
            row = Indicator(
                **common,
                code=code,
                name=f"Indikator {code}",
                responsible_org_id=org,
                frequency=frequency,
                measure=measure,
                direction=direction,
                baseline_value=baseline,
                target_value=target,
            )
            if target is None:
                row.target_year = None
            session.add(row)
            session.flush()
            assert row.id is not None
            indicators[code] = row.id
        goals = {}
        for code, parent in (("1", None), ("1.1", "1"), ("2", None)):
            goal = Goal(
                mission_id=mission.id,
                code=code,
                title=f"Mål {code}",
                level=GoalLevel.GOAL,
                parent_id=goals.get(parent),
            )
            session.add(goal)
            session.flush()
            goals[code] = goal.id
        for code, goal_code in (("A", "1"), ("B", "1.1"), ("C", "1.1")):
            session.add(IndicatorGoal(indicator_id=indicators[code], goal_id=goals[goal_code]))
        periods = {}
        for label, kind, start, end, due in (
            ("2024", PeriodKind.ANNUAL, (2024, 1, 1), (2024, 12, 31), (2025, 3, 1)),
            ("2025", PeriodKind.ANNUAL, (2025, 1, 1), (2025, 12, 31), (2026, 3, 1)),
            ("2025-K1", PeriodKind.QUARTERLY, (2025, 1, 1), (2025, 3, 31), None),
        ):
            period = Period(
                mission_id=mission.id,
                label=label,
                kind=kind,
                start=dt.date(*start),
                end=dt.date(*end),
                due=dt.date(*due) if due else None,
            )
            session.add(period)
            session.flush()
            periods[label] = period.id
        actors = {}
        for name, org in (("udir_a", udir), ("udir_b", udir), ("nav_a", nav), ("nav_b", nav)):
            user = User(email=f"{name}@example.no", name=name, organisation_id=org.id)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, Role.OPERATIVE)
            actors[name] = Actor(user.id, user.email, Role.OPERATIVE, org.id, mission.id)
        return World(engine, mission.id, indicators, periods, actors)


@pytest.fixture
def default_thresholds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The default thresholds, whatever the environment says."""
    monkeypatch.delenv("STATUS_ON_TRACK", raising=False)
    monkeypatch.delenv("STATUS_SOME_PROGRESS", raising=False)
    clear_caches()
    yield
    clear_caches()


pytestmark = pytest.mark.usefixtures("default_thresholds")


# --- indicator status --------------------------------------------------------------------------


def test_partner_status_rests_on_approved_values_internal_on_the_latest_marked(
    world: World,
) -> None:
    world.value("A", "2024", "140", E.APPROVED)  # on the line at the end of 2024: 140
    assert world.statuses(internal=False)["A"] == Mark(S.ON_TRACK)
    world.value("A", "2025", "110", E.DRAFT)  # the line asks 150 by the end of 2025
    assert world.statuses(internal=False)["A"] == Mark(S.ON_TRACK)  # the draft is not seen
    assert world.statuses(internal=True)["A"] == Mark(S.OFF_TRACK, E.DRAFT)


def test_a_status_changes_for_partners_only_when_the_value_is_approved(world: World) -> None:
    world.value("A", "2024", "140", E.APPROVED)
    row = world.value("A", "2025", "125", E.SUBMITTED)  # ratio 25/50 = 0.5: some progress
    assert world.statuses(internal=True)["A"] == Mark(S.SOME_PROGRESS, E.SUBMITTED)
    assert world.statuses(internal=False)["A"] == Mark(S.ON_TRACK)
    approve_value(world.actors["udir_b"], row.id or 0, row.version, engine=world.engine)
    assert world.statuses(internal=False)["A"] == Mark(S.SOME_PROGRESS)
    assert world.statuses(internal=True)["A"] == Mark(S.SOME_PROGRESS)  # no longer provisional


def test_every_status_from_the_values(world: World) -> None:
    world.value("A", "2024", "210", E.APPROVED)  # past the target: reached
    world.value("B", "2024", "22", E.APPROVED)  # down is good, and it went up: worsening
    world.value("C", "2024", "60", E.APPROVED)  # no target
    world.value("F", "2024", "5", E.APPROVED)  # no change while the line asks for 2: off track
    statuses = world.statuses(internal=False)
    assert {code: mark.status for code, mark in statuses.items()} == {
        "A": S.REACHED,
        "B": S.WORSENING,
        "C": S.NO_TARGET,
        "D": S.NO_DATA,
        "E": S.NO_DATA,
        "F": S.OFF_TRACK,
        "G": S.NO_DATA,
    }
    with Session(world.engine) as session:
        overview = status_overview(session, world.mission)
    counts = overview.counts
    assert counts["count"].to_dict() == {
        "reached": 1,
        "on_track": 0,
        "some_progress": 0,
        "off_track": 1,
        "worsening": 1,
        "no_target": 1,
        "no_baseline": 0,
        "no_data": 3,
    }
    assert counts["provisional"].sum() == 0


def test_the_table_and_the_detail_agree_and_give_the_numbers(world: World) -> None:
    world.value("B", "2024", "18", E.APPROVED)  # the line asks 16 by 2024: -2 of -4 = 0.5
    world.value("B", "2025", "16,5", E.SUBMITTED)  # the line asks 15: -3.5 of -5 = 0.7
    with Session(world.engine) as session:
        partner = indicator_table(session, world.mission).set_index("code").loc["B"]
        internal = indicator_table(session, world.mission, include_unapproved=True)
        detail = indicator_detail(session, world.mission, "B", include_unapproved=True)
    assert partner["progress"] == "some_progress" and partner["latest_status"] == "approved"
    row = internal.set_index("code").loc["B"]
    assert row["progress"] == "some_progress" and row["latest_status"] == "submitted"
    assert detail is not None
    result = detail.progress
    assert result.status == S.SOME_PROGRESS and result.reason == "ratio"
    assert result.value == 16.5 and result.year == 2025.0
    assert result.expected == pytest.approx(15.0) and result.ratio == pytest.approx(0.7)
    assert detail.latest is not None and detail.latest["status"] == "submitted"
    assert detail.thresholds == thresholds()


# --- goal roll-up ------------------------------------------------------------------------------


def test_a_goal_takes_the_weakest_measured_status_of_its_subtree(world: World) -> None:
    world.value("A", "2024", "140", E.APPROVED)  # on track, linked to goal 1
    world.value("C", "2024", "60", E.APPROVED)  # no target, linked to 1.1
    tree = world.tree(internal=False)
    assert tree["1"].progress.status == S.ON_TRACK  # C has no target: it does not count
    assert tree["1.1"].progress.status == S.NO_TARGET  # nothing measured, but a value
    assert tree["2"].progress.status == S.NO_DATA  # no indicators
    assert tree["1.1"].marks["C"] == Mark(S.NO_TARGET)
    world.value("B", "2024", "22", E.SUBMITTED)  # worsening, linked to 1.1: internal only
    assert world.tree(internal=False)["1"].progress.status == S.ON_TRACK
    inside = world.tree(internal=True)
    assert inside["1"].progress.status == S.WORSENING
    assert inside["1"].progress.provisional and inside["1.1"].progress.provisional
    assert inside["1"].progress.counts == {S.ON_TRACK: 1, S.WORSENING: 1, S.NO_TARGET: 1}
    assert (inside["1"].progress.measured, inside["1"].progress.on_course) == (2, 1)
    with Session(world.engine) as session:
        summaries = {
            s.goal.code: s for s in goal_summaries(session, world.mission, include_unapproved=True)
        }
    assert summaries["1"].progress == inside["1"].progress
    with Session(world.engine) as session:
        overview = status_overview(session, world.mission, include_unapproved=True)
    assert [g.progress for g in overview.goals] == [s.progress for s in summaries.values()]
    assert overview.counts.loc["worsening", "provisional"] == 1
    assert summaries["1"].indicators == 3


def test_roll_up_rule() -> None:
    assert roll_up([]).status == S.NO_DATA
    assert roll_up([Mark(S.NO_DATA), Mark(S.NO_TARGET)]).status == S.NO_TARGET
    assert roll_up([Mark(S.NO_DATA), Mark(S.NO_BASELINE)]).status == S.NO_BASELINE
    marks = [Mark(S.REACHED), Mark(S.SOME_PROGRESS, E.DRAFT), Mark(S.NO_DATA, E.DRAFT)]
    result = roll_up(marks)
    assert result.status == S.SOME_PROGRESS and result.provisional
    assert (result.measured, result.on_course) == (2, 1)
    # a provisional value that gives no measured status does not make the roll-up provisional
    assert not roll_up([Mark(S.ON_TRACK), Mark(S.NO_TARGET, E.SUBMITTED)]).provisional


# --- completeness ------------------------------------------------------------------------------


@pytest.fixture
def reported(world: World) -> World:
    """2025: A approved, B submitted, C missing, F returned, G draft, D (quarterly) a draft."""
    world.value("A", "2025", "150", E.APPROVED)
    world.value("B", "2025", "15", E.SUBMITTED)
    world.value("F", "2025", "6", E.RETURNED)
    world.value("G", "2025", "6", E.DRAFT)
    world.value("D", "2025", "6", E.DRAFT)
    return world


def test_completeness_names_each_expected_indicator_and_its_state(reported: World) -> None:
    before_due = reported.completeness("2025", dt.date(2026, 3, 1))
    assert before_due == {
        "A": ("approved", False, True),
        "B": ("submitted", False, True),
        "C": ("missing", False, True),
        "D": ("draft", False, False),  # quarterly, but it has a value here: listed
        "F": ("returned", False, True),
        "G": ("draft", False, True),
    }  # E is irregular and has no value: not expected
    after_due = reported.completeness("2025", dt.date(2026, 3, 2))
    assert {code for code, (_, overdue, _) in after_due.items() if overdue} == {
        "B",
        "C",
        "D",
        "F",
        "G",
    }
    quarter = reported.completeness("2025-K1", dt.date(2030, 1, 1))
    assert quarter == {"D": ("missing", False, True)}  # no due date: never overdue


def test_completeness_counts_per_organisation(reported: World) -> None:
    with Session(reported.engine) as session:
        rows = completeness(
            session, reported.mission, reported.periods["2025"], dt.date(2026, 4, 1)
        )
    total = completeness_counts(rows).iloc[0].to_dict()
    assert total == {
        "total": 6,
        "missing": 1,
        "draft": 2,
        "submitted": 1,
        "approved": 1,
        "returned": 1,
        "overdue": 5,
    }
    by_org = completeness_counts(rows, by="organisation")
    assert by_org.loc["NAV"].to_dict() == {
        "total": 2,
        "missing": 0,
        "draft": 0,
        "submitted": 1,
        "approved": 0,
        "returned": 1,
        "overdue": 2,
    }
    assert by_org.loc["Udir", "draft"] == 2 and by_org.loc["Udir", "missing"] == 1
    empty = completeness_counts(rows.iloc[0:0])
    assert empty.iloc[0].sum() == 0


def test_open_periods_that_have_started_earliest_due_first(reported: World) -> None:
    with Session(reported.engine) as session:
        found = open_completeness(session, reported.mission, dt.date(2025, 6, 1))
        assert [p.label for p in found] == ["2024", "2025", "2025-K1"]
        assert [
            p.label for p in open_completeness(session, reported.mission, dt.date(2024, 6, 1))
        ] == ["2024"]
        one = period_completeness(
            session, reported.mission, reported.periods["2025"], dt.date(2026, 4, 1)
        )
        assert period_completeness(session, reported.mission, 9999, dt.date(2026, 4, 1)) is None
    assert one is not None and one.label == "2025" and one.due == dt.date(2026, 3, 1)
    assert len(one.rows) == 6
    with session_scope(write=True, engine=reported.engine) as session:
        period = session.get(Period, reported.periods["2024"])
        assert period is not None
        period.locked = True
    with Session(reported.engine) as session:
        found = open_completeness(session, reported.mission, dt.date(2025, 6, 1))
    assert [p.label for p in found] == ["2025", "2025-K1"]  # locked periods are done


# --- thresholds --------------------------------------------------------------------------------


def test_thresholds_come_from_the_settings(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.value("A", "2024", "130", E.APPROVED)  # 30 of 40: ratio 0.75
    assert world.statuses(internal=False)["A"].status == S.SOME_PROGRESS
    monkeypatch.setenv("STATUS_ON_TRACK", "0.7")
    clear_caches()
    assert thresholds().on_track == 0.7
    assert world.statuses(internal=False)["A"].status == S.ON_TRACK
    monkeypatch.setenv("STATUS_SOME_PROGRESS", "0.8")
    monkeypatch.setenv("STATUS_ON_TRACK", "0.9")
    clear_caches()
    assert world.statuses(internal=False)["A"].status == S.OFF_TRACK


@pytest.mark.parametrize(
    ("on_track", "some_progress"), [("0.5", "0.5"), ("0.5", "0.6"), ("0.9", "0"), ("x", "0.5")]
)
def test_thresholds_out_of_order_are_refused(
    monkeypatch: pytest.MonkeyPatch, on_track: str, some_progress: str
) -> None:
    monkeypatch.setenv("STATUS_ON_TRACK", on_track)
    monkeypatch.setenv("STATUS_SOME_PROGRESS", some_progress)
    with pytest.raises(ValidationError):
        Settings()
