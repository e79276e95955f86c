"""The start pages' lists per role, on a hand-built mission with one known item of each kind:
a report waiting, an overdue decision, a goal off track, a red initiative, a value returned
to its reporter, a colleague's value to approve, a draft not sent, an overdue period still
open, a locked and a deactivated account, a refused action. On SQLite and PostgreSQL.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.decisions import record_decision
from dashboard.services.missions import set_role
from dashboard.services.periods import set_period_locked
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import (
    approve_check_in,
    approve_value,
    return_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.reporting_views import returned_to
from dashboard.services.start.admin import (
    accounts_to_check,
    admin_start,
    pending_corrections,
    recent_refusals,
)
from dashboard.services.start.operative import OperativeStart, operative_start
from dashboard.services.start.partner import latest_published
from dashboard.services.start.steering import steering_start
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from models import (
    Direction,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Mission,
    Organisation,
    OrganisationRole,
    Period,
    Role,
    User,
)

TODAY = dt.date(2025, 6, 1)
NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


@dataclass
class World:
    engine: Engine
    mission: int
    periods: dict[str, int]
    indicators: dict[str, int]
    actors: dict[str, Actor]
    waiting_report: int
    approved_report: int

    def session(self) -> Session:
        return Session(self.engine)


def _value(w: World, who: str, code: str, period: str, value: str) -> tuple[int, int]:
    row = save_value(
        w.actors[who],
        w.indicators[code],
        w.periods[period],
        {"value": value},
        version=None,
        engine=w.engine,
    )
    row = submit_value(w.actors[who], row.id or 0, row.version, engine=w.engine)
    return row.id or 0, row.version


def _approved(w: World, code: str, period: str, value: str) -> None:
    value_id, version = _value(w, "udir_a", code, period, value)
    approve_value(w.actors["udir_b"], value_id, version, engine=w.engine)


def _report(w: World, period: str, summary: str) -> int:
    op = w.actors["udir_a"]
    report = create_draft(op, w.mission, w.periods[period], today=TODAY, engine=w.engine)
    data = {"summary": summary, "decisions_requested": "", "version": report.version}
    report = update_texts(op, report.id or 0, data, engine=w.engine)
    report = submit_report(op, report.id or 0, report.version, engine=w.engine)
    return report.id or 0


@pytest.fixture
def world(engine: Engine) -> World:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, nav, mission])
        session.flush()
        goal = Goal(mission_id=mission.id, code="1", level=GoalLevel.MAIN, title="Arbeid")
        indicators = {
            "NEET": Indicator(
                mission_id=mission.id,
                code="NEET",
                name="Unge utenfor",
                responsible_org_id=udir.id,
                direction=Direction.DOWN,
                baseline_value=100,
                baseline_year=2022,
                target_value=50,
                target_year=2026,
            ),
            "A": Indicator(
                mission_id=mission.id, code="A", name="Antall", responsible_org_id=udir.id
            ),
            "B": Indicator(
                mission_id=mission.id, code="B", name="Andel", responsible_org_id=udir.id
            ),
            "C": Indicator(
                mission_id=mission.id, code="C", name="Tiltak", responsible_org_id=nav.id
            ),
        }
        periods = {
            str(year): Period(
                mission_id=mission.id,
                label=str(year),
                start=dt.date(year, 1, 1),
                end=dt.date(year, 12, 31),
                due=dt.date(year + 1, 3, 1),
            )
            for year in (2023, 2024, 2025)
        }
        initiative = Initiative(mission_id=mission.id, number=7, name="Losprosjektet")
        session.add_all([goal, *indicators.values(), *periods.values(), initiative])
        session.flush()
        session.add_all(
            [
                IndicatorGoal(indicator_id=indicators["NEET"].id, goal_id=goal.id),
                InitiativeOrganisation(
                    initiative_id=initiative.id,
                    organisation_id=udir.id,
                    role=OrganisationRole.RESPONSIBLE,
                ),
            ]
        )
        actors = {}
        for name, role, org in (
            ("udir_a", Role.OPERATIVE, udir.id),
            ("udir_b", Role.OPERATIVE, udir.id),
            ("nav", Role.OPERATIVE, nav.id),
            ("steering", Role.STEERING, None),
            ("admin", Role.ADMIN, None),
            ("partner", Role.PARTNER, None),
        ):
            user = User(email=f"{name}@example.no", name=name, organisation_id=org)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, role)
            actors[name] = Actor(user.id, user.email, role, org, mission.id)
        gone = User(email="borte@example.no", name="Borte", active=False)
        barred = User(
            email="sperret@example.no", name="Sperret", locked_until=NOW + dt.timedelta(minutes=10)
        )
        session.add_all([gone, barred])
        session.flush()
        assert barred.id is not None and mission.id is not None
        set_role(session, barred.id, mission.id, Role.OPERATIVE)
        w = World(
            engine,
            mission.id or 0,
            {label: p.id or 0 for label, p in periods.items()},
            {code: i.id or 0 for code, i in indicators.items()},
            actors,
            0,
            0,
        )
        initiative_id = initiative.id or 0
    # 2023: approved, reported and approved (the period is locked)
    _approved(w, "NEET", "2023", "80")
    check_in = save_check_in(
        w.actors["udir_a"],
        initiative_id,
        w.periods["2023"],
        {"rag": "red", "help_needed": "Avklaring om finansiering"},
        version=None,
        engine=engine,
    )
    check_in = submit_check_in(
        w.actors["udir_a"], check_in.id or 0, check_in.version, engine=engine
    )
    approve_check_in(w.actors["udir_b"], check_in.id or 0, check_in.version, engine=engine)
    w.approved_report = _report(w, "2023", "Godt i gang")
    approve_report(w.actors["steering"], w.approved_report, 3, engine=engine)
    # 2024 (due 1 March 2025, so overdue): a new NEET value, one returned, one to approve
    _approved(w, "NEET", "2024", "95")
    value_id, version = _value(w, "udir_a", "A", "2024", "12")
    return_value(w.actors["udir_b"], value_id, version, "Feil tall", engine=engine)
    _value(w, "udir_b", "B", "2024", "40")
    w.waiting_report = _report(w, "2024", "Tallene for 2024")
    # 2025: a draft not sent
    save_value(
        w.actors["udir_a"],
        w.indicators["A"],
        w.periods["2025"],
        {"value": "3"},
        version=None,
        engine=engine,
    )
    record_decision(
        w.actors["steering"],
        w.mission,
        {"title": "Fastsette mål", "due": dt.date(2025, 1, 15), "owner_org_id": udir.id},
        engine=engine,
    )
    record_decision(
        w.actors["steering"],
        w.mission,
        {"title": "Senere sak", "due": dt.date(2025, 9, 1)},
        engine=engine,
    )
    record_decision(
        w.actors["steering"],
        w.mission,
        {"title": "Ferdig sak", "due": dt.date(2024, 1, 1), "status": "done"},
        engine=engine,
    )
    with pytest.raises(PermissionDenied):
        record_decision(w.actors["partner"], w.mission, {"title": "Forsøk"}, engine=engine)
    return w


def test_the_steering_group_sees_the_waiting_report_and_overdue_decision_first(
    world: World,
) -> None:
    with world.session() as session:
        start = steering_start(session, world.mission, TODAY)
    assert list(start.reports["id"]) == [world.waiting_report]
    assert start.reports["submitted_by"].iloc[0] == "udir_a"
    assert start.reports["period"].iloc[0] == "2024"
    assert list(start.decisions["title"]) == ["Fastsette mål", "Senere sak"]
    assert list(start.decisions["overdue"]) == [True, False]
    assert start.decisions["owner"].iloc[0] == "Udir"
    assert [g.goal.code for g in start.goals] == ["1"]  # 95 in 2024 is off the line to 50
    assert list(start.initiatives["number"]) == [7]
    assert start.initiatives["help_needed"].iloc[0] == "Avklaring om finansiering"
    headline = start.headline.set_index("code")
    assert list(headline.index) == ["NEET"]  # the only indicator with an approved value
    assert headline.loc["NEET", "value"] == 95
    assert headline.loc["NEET", "before"] == 80
    assert headline.loc["NEET", "change"] == 15
    assert start.pack_report == world.waiting_report
    assert start.last_approved == world.approved_report


def test_the_operative_sees_what_to_enter_what_came_back_and_what_to_approve(world: World) -> None:
    with world.session() as session:
        mine = operative_start(
            session,
            world.mission,
            world.actors["udir_a"].id,
            world.actors["udir_a"].organisation_id,
            TODAY,
        )
        colleague = operative_start(
            session,
            world.mission,
            world.actors["udir_b"].id,
            world.actors["udir_b"].organisation_id,
            TODAY,
        )
    # 2024 is overdue and comes first: A was returned, B waits for approval (sent), the
    # check-in of the initiative is missing; 2025 (not due yet): A, B and NEET not sent
    assert list(mine.to_enter["period"]) == ["2024", "2025"]
    assert list(mine.to_enter["overdue"]) == [True, False]
    assert list(mine.to_enter["values"]) == [1, 3]
    assert list(mine.to_enter["check_ins"]) == [1, 1]
    assert list(mine.returned["return_reason"]) == ["Feil tall"]
    assert mine.returned["reviewer"].iloc[0] == "udir_b@example.no"
    assert list(mine.to_approve["code"]) == ["B"]  # entered by udir_b
    assert list(colleague.to_approve["code"]) == []  # never one's own
    assert list(mine.drafts["code"]) == ["A"]
    assert list(mine.drafts["period"]) == ["2025"]
    assert colleague.returned.empty and colleague.drafts.empty


def test_a_correction_waits_on_the_operative_page_until_a_colleague_approves_it(
    world: World,
) -> None:
    _approved(world, "NEET", "2025", "90")
    with world.session() as session:
        approved = session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == world.indicators["NEET"],
                IndicatorValue.period_id == world.periods["2025"],
            )
        ).one()
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    row = save_value(
        a,
        world.indicators["NEET"],
        world.periods["2025"],
        {"value": "91"},
        version=approved.version,
        reason="Feil i kilden",
        engine=world.engine,
    )
    row = submit_value(a, row.id or 0, row.version, engine=world.engine)

    def start(who: Actor) -> OperativeStart:
        with world.session() as session:
            return operative_start(session, world.mission, who.id, who.organisation_id, TODAY)

    waiting = start(b).corrections
    assert list(waiting["code"]) == ["NEET"]
    assert (waiting["status"].iloc[0], waiting["reason"].iloc[0]) == ("submitted", "Feil i kilden")
    assert waiting["who"].iloc[0] == "udir_a@example.no"
    assert "NEET" in list(start(b).to_approve["code"])
    assert start(b).total == len(start(b).to_enter) + len(start(b).to_approve)  # counted once
    assert not waiting["locked"].iloc[0]
    with world.session() as session:
        assert pending_corrections(session, world.mission) == {world.periods["2025"]: 1}
    admin = world.actors["admin"]
    set_period_locked(admin, world.periods["2025"], True, engine=world.engine)
    assert start(b).corrections["locked"].iloc[0]  # said: it waits for a re-opening
    set_period_locked(admin, world.periods["2025"], False, reason="Korreksjon", engine=world.engine)
    approve_value(b, row.id or 0, row.version, engine=world.engine)
    assert start(b).corrections.empty
    with world.session() as session:
        assert pending_corrections(session, world.mission) == {}


def test_returned_to_names_the_entry_the_reason_and_the_reviewer(world: World) -> None:
    with world.session() as session:
        returned = returned_to(session, world.mission, world.actors["udir_a"].id or 0)
    row = returned.iloc[0]
    assert (row["kind"], row["period"], row["code"], row["name"]) == (
        "value",
        "2024",
        "A",
        "Antall",
    )
    assert row["return_reason"] == "Feil tall" and row["reviewed_at"] is not None


def test_the_secretariat_sees_overdue_organisations_periods_to_lock_and_accounts(
    world: World,
) -> None:
    with world.session() as session:
        start = admin_start(session, world.mission, TODAY)
    overdue = start.overdue.set_index("organisation")
    assert list(overdue.index) == ["Udir", "NAV"]  # A returned, B submitted; C missing
    assert list(overdue["overdue"]) == [2, 1]
    assert set(overdue["period"]) == {"2024"}
    assert list(start.to_lock["period"]) == ["2024"]  # ended, still open; 2023 was locked
    assert start.to_lock["not_approved"].iloc[0] == 3
    accounts = accounts_to_check(world.actors["admin"], NOW, engine=world.engine)
    assert sorted(accounts["email"]) == ["borte@example.no", "sperret@example.no"]
    refusals = recent_refusals(world.actors["admin"], dt.date.today(), engine=world.engine)
    assert list(refusals["actor"]) == ["partner@example.no"]
    assert refusals["entity"].iloc[0] == "record_decision"


def test_only_the_secretariat_reads_accounts_and_refusals(world: World) -> None:
    for who in ("udir_a", "steering", "partner"):
        with pytest.raises(PermissionDenied):
            accounts_to_check(world.actors[who], NOW, engine=world.engine)
        with pytest.raises(PermissionDenied):
            recent_refusals(world.actors[who], TODAY, engine=world.engine)


def test_partners_see_the_latest_published_report_never_the_waiting_one(world: World) -> None:
    with world.session() as session:
        detail = latest_published(session, world.mission)
    assert detail is not None
    assert detail.report.id == world.approved_report
    assert detail.report.summary == "Godt i gang"


def test_an_empty_mission_has_nothing_waiting(engine: Engine) -> None:
    with session_scope(write=True, engine=engine) as session:
        mission = Mission(key="m", title="Tomt")
        session.add(mission)
        session.flush()
        mission_id = mission.id or 0
    with Session(engine) as session:
        steering = steering_start(session, mission_id, TODAY)
        operative = operative_start(session, mission_id, 1, None, TODAY)
        admin = admin_start(session, mission_id, TODAY)
        assert latest_published(session, mission_id) is None
    assert steering.total == 0 and steering.headline.empty and steering.pack_report is None
    assert operative.total == 0
    assert admin.completeness.empty and admin.overdue.empty and admin.to_lock.empty
