"""Periods belong to one mission: each mission's lists, choices and locks hold its own periods
only, and the same label («2024») can name a period in each. SQLite and PostgreSQL."""

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from reporting_world import World
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.learning import periods_of
from dashboard.services.method import check_in_steps
from dashboard.services.period_locks import locked_periods
from dashboard.services.periods import create_period, periods, set_period_locked
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio_edit import PortfolioRefused
from dashboard.services.progress import completeness, open_completeness, period_completeness
from dashboard.services.reporting import WorkflowRefused
from dashboard.services.reporting_views import check_in_list, entry_grid, open_periods
from dashboard.services.start.admin import admin_start
from dashboard.services.status_reports import create_draft, periods_without_report
from models import Indicator, Mission, Organisation, Period, PeriodCreate, StatusReport

TODAY = dt.date(2026, 6, 1)


@dataclass
class Two:
    """The world's mission A (its 2025, and a 2024) and a mission B with a 2024 of its own."""

    world: World
    a: int  # mission ids
    b: int
    a2024: int  # period ids
    b2024: int


def year(mission: int, label: str) -> PeriodCreate:
    first = int(label)
    return PeriodCreate(
        mission_id=mission,
        label=label,
        start=dt.date(first, 1, 1),
        end=dt.date(first, 12, 31),
        due=dt.date(first + 1, 3, 1),
    )


@pytest.fixture
def two(world: World) -> Two:
    with session_scope(write=True, engine=world.engine) as session:
        other = Mission(key="annet", title="Et annet oppdrag")
        session.add(other)
        session.flush()
        udir = session.exec(select(Organisation.id).where(Organisation.key == "Udir")).one()
        session.add(Indicator(mission_id=other.id, code="X", name="Tall", responsible_org_id=udir))
        assert other.id is not None
        b = other.id
        made = [Period.model_validate(year(mission, "2024")) for mission in (world.mission, b)]
        session.add_all(made)
        session.flush()
        a2024, b2024 = (p.id or 0 for p in made)
    return Two(world, world.mission, b, a2024, b2024)


def test_the_same_label_names_a_period_in_each_mission_once(two: Two) -> None:
    admin_a = two.world.actors["admin"]
    admin_b = replace(admin_a, mission_id=two.b)  # the secretariat over there too
    made = {
        mission: create_period(admin, year(mission, "2023"), engine=two.world.engine)
        for mission, admin in ((two.a, admin_a), (two.b, admin_b))
    }
    with Session(two.world.engine) as session:
        rows = session.exec(select(Period.id, Period.mission_id).where(Period.label == "2023"))
        assert {mission: pid for pid, mission in rows} == made
    for mission, admin in ((two.a, admin_a), (two.b, admin_b)):
        with pytest.raises(WorkflowRefused) as refused:
            create_period(admin, year(mission, "2024"), engine=two.world.engine)
        assert refused.value.code == "duplicate_period"


def test_each_missions_period_lists_hold_its_own_periods_only(two: Two) -> None:
    world = two.world
    with Session(world.engine) as session:
        assert [p.id for p in periods(session, two.a)] == [world.period, two.a2024]
        assert [p.id for p in periods(session, two.b)] == [two.b2024]
        assert [pid for pid, _ in open_periods(session, two.a)] == [world.period, two.a2024]
        assert open_periods(session, two.b) == [(two.b2024, "2024")]
        assert [p.id for p in periods_of(session, two.a, dt.date(2024, 6, 1))] == [two.a2024]
        assert [p.id for p in periods_of(session, two.b, dt.date(2024, 6, 1))] == [two.b2024]
        started = [p.period_id for p in open_completeness(session, two.a, TODAY)]
        assert sorted(started) == sorted([world.period, two.a2024])
        assert [p.period_id for p in open_completeness(session, two.b, TODAY)] == [two.b2024]
        to_lock = admin_start(session, two.a, TODAY).to_lock  # both of A's have ended
        assert sorted(to_lock["period_id"]) == sorted([two.a2024, world.period])
        assert list(admin_start(session, two.b, TODAY).to_lock["period_id"]) == [two.b2024]


def test_locking_one_missions_2024_leaves_the_others_open(two: Two) -> None:
    world = two.world
    set_period_locked(world.actors["admin"], two.a2024, True, engine=world.engine)
    with Session(world.engine) as session:
        a2024, b2024 = session.get(Period, two.a2024), session.get(Period, two.b2024)
        assert a2024 is not None and a2024.locked
        assert b2024 is not None and not b2024.locked
        assert [p.period_id for p in locked_periods(session, two.a)] == [two.a2024]
        assert locked_periods(session, two.b) == []
        assert open_periods(session, two.a) == [(world.period, "2025")]
        assert open_periods(session, two.b) == [(two.b2024, "2024")]
    # B's period is not A's to lock, nor (once B locked it) to re-open
    with pytest.raises(PermissionDenied):
        set_period_locked(world.actors["admin"], two.b2024, True, engine=world.engine)
    admin_b = replace(world.actors["admin"], mission_id=two.b)
    set_period_locked(admin_b, two.b2024, True, engine=world.engine)
    with pytest.raises(PermissionDenied):
        set_period_locked(
            world.actors["steering"], two.b2024, False, reason="Feil", engine=world.engine
        )
    with Session(world.engine) as session:
        b2024 = session.get(Period, two.b2024)
        assert b2024 is not None and b2024.locked
        assert [p.period_id for p in locked_periods(session, two.b)] == [two.b2024]


def test_a_status_report_cannot_take_another_missions_period(two: Two) -> None:
    world = two.world
    with Session(world.engine) as session:
        assert periods_without_report(session, two.a) == [
            (world.period, "2025"),
            (two.a2024, "2024"),
        ]
        assert periods_without_report(session, two.b) == [(two.b2024, "2024")]
    with pytest.raises(WorkflowRefused) as refused:
        create_draft(world.actors["udir_a"], two.a, two.b2024, today=TODAY, engine=world.engine)
    assert refused.value.code == "no_period"
    with Session(world.engine) as session:
        assert session.exec(select(StatusReport)).all() == []
    report = create_draft(
        world.actors["udir_a"], two.a, two.a2024, today=TODAY, engine=world.engine
    )
    assert report.period_id == two.a2024


def test_the_entry_views_show_nothing_for_another_missions_period(two: Two) -> None:
    world = two.world
    udir = world.actors["udir_a"].organisation_id or 0
    with Session(world.engine) as session:
        assert not entry_grid(session, two.a, two.a2024, udir).empty
        assert entry_grid(session, two.a, two.b2024, udir).empty
        assert not check_in_list(session, two.a, two.a2024, udir).empty
        assert check_in_list(session, two.a, two.b2024, udir).empty
        assert not completeness(session, two.a, two.a2024, TODAY).empty
        assert completeness(session, two.a, two.b2024, TODAY).empty
        assert period_completeness(session, two.a, two.b2024, TODAY) is None
        check_in_steps(session, world.initiative, two.a2024)
        with pytest.raises(PortfolioRefused):
            check_in_steps(session, world.initiative, two.b2024)
