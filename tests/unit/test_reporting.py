"""The reporting workflow as a table: role x state x action -> allowed or refused, and the state.

Also: Norwegian numbers and the bad-input corpus through the service, versions (no lost
update), locked periods, four eyes. On SQLite and PostgreSQL.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_permissions import rows

from dashboard.db import session_scope
from dashboard.services.permissions import ANONYMOUS, Actor, PermissionDenied
from dashboard.services.reporting import (
    StaleVersion,
    WorkflowRefused,
    approve_value,
    return_value,
    save_value,
    set_period_locked,
    submit_value,
)
from models import (
    AuditEvent,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Measure,
    Mission,
    Organisation,
    Period,
    Role,
    User,
)

E = EntryStatus


@dataclass
class World:
    """One mission, two organisations, one indicator per measure, a period, one user per role."""

    engine: Engine
    indicator: int  # a count, reported by Udir
    percent: int  # a percentage, reported by Udir
    period: int
    actors: dict[str, Actor]

    def save(
        self, actor: Actor, data: dict[str, Any], version: int | None = None, *, indicator: int = 0
    ) -> IndicatorValue:
        """save_value in this period, for the count indicator unless told otherwise."""
        return save_value(
            actor,
            indicator or self.indicator,
            self.period,
            data,
            version=version,
            engine=self.engine,
        )


@pytest.fixture
def world(engine: Engine) -> World:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, nav, mission])
        session.flush()
        count = Indicator(
            mission_id=mission.id, code="C", name="Antall", responsible_org_id=udir.id
        )
        share = Indicator(
            mission_id=mission.id,
            code="P",
            name="Andel",
            measure=Measure.PERCENT,
            responsible_org_id=udir.id,
        )
        period = Period(label="2025", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
        session.add_all([count, share, period])
        people = {
            "udir_a": (Role.OPERATIVE, udir.id),
            "udir_b": (Role.OPERATIVE, udir.id),
            "nav": (Role.OPERATIVE, nav.id),
            "steering": (Role.STEERING, None),
            "admin": (Role.ADMIN, None),
            "partner": (Role.PARTNER, udir.id),
        }
        actors = {}
        for name, (role, org) in people.items():
            user = User(email=f"{name}@example.no", name=name, role=role, organisation_id=org)
            session.add(user)
            session.flush()
            actors[name] = Actor(user.id, user.email, role, org)
        session.flush()
        assert count.id and share.id and period.id
        return World(engine, count.id, share.id, period.id, actors | {"anonymous": ANONYMOUS})


def value_row(world: World) -> IndicatorValue | None:
    with Session(world.engine) as session:
        return session.exec(select(IndicatorValue)).first()


def put(world: World, state: EntryStatus) -> IndicatorValue:
    """A value entered by udir_a, brought to state through the workflow itself."""
    a = world.actors["udir_a"]
    row = world.save(a, {"value": "10"})
    assert row.id is not None
    if state in (E.SUBMITTED, E.APPROVED, E.RETURNED):
        row = submit_value(a, row.id, row.version, engine=world.engine)
    if state == E.APPROVED:
        row = approve_value(world.actors["udir_b"], row.id or 0, row.version, engine=world.engine)
    if state == E.RETURNED:
        row = return_value(
            world.actors["udir_b"], row.id or 0, row.version, "sjekk", engine=world.engine
        )
    assert row.status == state
    return row


def act(world: World, action: str, who: str, row: IndicatorValue) -> IndicatorValue:
    actor, engine, rid = world.actors[who], world.engine, row.id or 0
    if action == "edit":
        return world.save(actor, {"value": "11"}, row.version)
    if action == "submit":
        return submit_value(actor, rid, row.version, engine=engine)
    if action == "approve":
        return approve_value(actor, rid, row.version, engine=engine)
    return return_value(actor, rid, row.version, "feil kilde", engine=engine)


DENIED = PermissionDenied
# (state, action, who) -> resulting state, or the refusal. udir_a entered the value.
WORKFLOW: list[tuple[EntryStatus, str, str, Any]] = [
    # editing: only the reporting organisation; any state goes (back) to draft
    (E.DRAFT, "edit", "udir_a", E.DRAFT),
    (E.DRAFT, "edit", "udir_b", E.DRAFT),
    (E.DRAFT, "edit", "nav", DENIED),
    (E.DRAFT, "edit", "steering", DENIED),
    (E.DRAFT, "edit", "admin", DENIED),
    (E.DRAFT, "edit", "partner", DENIED),
    (E.DRAFT, "edit", "anonymous", DENIED),
    (E.RETURNED, "edit", "udir_a", E.DRAFT),
    (E.APPROVED, "edit", "udir_a", E.DRAFT),
    # submitting
    (E.DRAFT, "submit", "udir_a", E.SUBMITTED),
    (E.RETURNED, "submit", "udir_a", E.SUBMITTED),
    (E.SUBMITTED, "submit", "udir_a", "not_draft_or_returned"),
    (E.APPROVED, "submit", "udir_a", "not_draft_or_returned"),
    (E.DRAFT, "submit", "nav", DENIED),
    (E.DRAFT, "submit", "partner", DENIED),
    (E.DRAFT, "submit", "steering", DENIED),
    # approving: the operative group, never one's own entry, only what is submitted
    (E.SUBMITTED, "approve", "udir_b", E.APPROVED),
    (E.SUBMITTED, "approve", "nav", E.APPROVED),
    (E.SUBMITTED, "approve", "udir_a", "own_entry"),
    (E.SUBMITTED, "approve", "steering", DENIED),
    (E.SUBMITTED, "approve", "admin", DENIED),
    (E.SUBMITTED, "approve", "partner", DENIED),
    (E.SUBMITTED, "approve", "anonymous", DENIED),
    (E.DRAFT, "approve", "udir_b", "not_submitted"),
    (E.APPROVED, "approve", "udir_b", "not_submitted"),
    # returning
    (E.SUBMITTED, "return", "udir_b", E.RETURNED),
    (E.SUBMITTED, "return", "udir_a", "own_entry"),
    (E.SUBMITTED, "return", "partner", DENIED),
    (E.DRAFT, "return", "nav", "not_submitted"),
]


@pytest.mark.parametrize(("state", "action", "who", "expected"), WORKFLOW)
def test_the_workflow_table(
    world: World, state: EntryStatus, action: str, who: str, expected: Any
) -> None:
    row = put(world, state)
    audits = rows(world.engine, AuditEvent)
    if isinstance(expected, EntryStatus):
        after = act(world, action, who, row)
        assert after.status == expected and after.version == row.version + 1
        assert rows(world.engine, AuditEvent) == audits + 1
        return
    if expected is DENIED:
        with pytest.raises(PermissionDenied):
            act(world, action, who, row)
        assert rows(world.engine, AuditEvent, action="refused") == 1
    else:
        with pytest.raises(WorkflowRefused) as refused:
            act(world, action, who, row)
        assert refused.value.code == expected
    stored = value_row(world)
    assert stored is not None and (stored.status, stored.version) == (state, row.version)


def test_a_stale_version_is_refused_with_who_changed_it(world: World) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    first = world.save(a, {"value": "10"})
    world.save(b, {"value": "12"}, first.version)
    with pytest.raises(StaleVersion) as stale:
        world.save(a, {"value": "11"}, first.version)
    assert stale.value.changed_by == "udir_b@example.no" and stale.value.version == 2
    stored = value_row(world)
    assert stored is not None and stored.value == 12  # the newer save is kept


def test_a_locked_period_takes_no_changes_until_reopened_with_a_reason(world: World) -> None:
    a = world.actors["udir_a"]
    row = world.save(a, {"value": "10"})
    set_period_locked(world.actors["admin"], world.period, True, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="period_locked"):
        world.save(a, {"value": "11"}, row.version)
    with pytest.raises(WorkflowRefused, match="reason_required"):
        set_period_locked(world.actors["steering"], world.period, False, engine=world.engine)
    with pytest.raises(PermissionDenied):
        set_period_locked(
            world.actors["udir_a"], world.period, False, reason="x", engine=world.engine
        )
    set_period_locked(
        world.actors["steering"], world.period, False, reason="retting", engine=world.engine
    )
    world.save(a, {"value": "11"}, row.version)
    with Session(world.engine) as session:
        period = session.get(Period, world.period)
        assert period is not None and not period.locked


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1,5", 1.5), ("1 000", 1000.0), ("1\u00a0234,5", 1234.5), ("12 %", 12.0), ("  7 ", 7.0)],
)
def test_norwegian_numbers_are_accepted(world: World, typed: str, stored: float) -> None:
    target = world.percent if typed.endswith("%") else world.indicator
    row = world.save(world.actors["udir_a"], {"value": typed}, indicator=target)
    assert row.value == stored


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("text", {"value": "mange"}, "number_format"),
    ("NaN", {"value": "NaN"}, "number_format"),
    ("infinity", {"value": "inf"}, "number_format"),
    ("float NaN", {"value": float("nan")}, "finite_number"),
    ("float infinity", {"value": float("inf")}, "finite_number"),
    ("ambiguous dot", {"value": "1.000"}, "number_ambiguous"),
    ("bad grouping", {"value": "10 00"}, "number_grouping"),
    ("negative count", {"value": "-5"}, "negative_count"),
    ("empty", {"value": ""}, "missing"),
    ("NUL in comment", {"value": "5", "comment": "ok\x00"}, "control_characters"),
    ("control char", {"value": "5\x07"}, "control_characters"),
    ("long comment", {"value": "5", "comment": "x" * 1001}, "string_too_long"),
    ("long number", {"value": "1" * 41}, "string_too_long"),
]


@pytest.mark.parametrize(("case", "data", "error"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_nothing_saved_is_lost(
    world: World, case: str, data: dict[str, Any], error: str
) -> None:
    a = world.actors["udir_a"]
    row = world.save(a, {"value": "10", "comment": "første"})
    with pytest.raises(ValidationError) as refused:
        world.save(a, data, row.version)
    assert error in {e["type"] for e in refused.value.errors()}, case
    stored = value_row(world)
    assert stored is not None and (stored.value, stored.comment, stored.version) == (
        10,
        "første",
        1,
    )


def test_percentages_over_100_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        world.save(world.actors["udir_a"], {"value": "101 %"}, indicator=world.percent)
    assert refused.value.errors()[0]["type"] == "percent_range"
    assert value_row(world) is None
