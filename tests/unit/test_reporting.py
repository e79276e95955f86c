"""The reporting workflow as a table: role x state x action -> allowed or refused, and the state,
for indicator values and for initiative check-ins alike.

Also: Norwegian numbers and the bad-input corpus through the service, versions (no lost update,
also with 8 concurrent writers), locked periods, four eyes. On SQLite and PostgreSQL.
"""

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from pydantic import ValidationError
from reporting_world import World
from sqlmodel import Session, select
from test_permissions import rows

from dashboard.db import session_scope
from dashboard.services.periods import set_period_locked
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import (
    StaleVersion,
    WorkflowRefused,
    approve_check_in,
    approve_value,
    return_check_in,
    return_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.reporting_views import (
    approval_queue,
    check_in_list,
    check_in_queue,
    entry_grid,
)
from models import (
    AuditEvent,
    CheckIn,
    EntryStatus,
    IndicatorValue,
    Mission,
    Organisation,
    Period,
)

E = EntryStatus


Entry = IndicatorValue | CheckIn
STEPS = {  # kind -> (submit, approve, return)
    "value": (submit_value, approve_value, return_value),
    "check_in": (submit_check_in, approve_check_in, return_check_in),
}


def value_row(world: World, kind: str = "value") -> Entry | None:
    with Session(world.engine) as session:
        return session.exec(select(CheckIn if kind == "check_in" else IndicatorValue)).first()


def edit(world: World, kind: str, actor: Actor, version: int | None, value: str) -> Entry:
    """Save the count value, or a check-in whose progress text is value."""
    if kind == "check_in":
        return world.check_in(actor, {"rag": "amber", "progress": value}, version)
    return world.save(actor, {"value": value}, version)


def put(world: World, state: EntryStatus, kind: str = "value") -> Entry:
    """An entry made by udir_a, brought to state through the workflow itself."""
    a, (submit, approve, send_back) = world.actors["udir_a"], STEPS[kind]
    row = edit(world, kind, a, None, "10")
    assert row.id is not None
    if state in (E.SUBMITTED, E.APPROVED, E.RETURNED):
        row = submit(a, row.id, row.version, engine=world.engine)
    if state == E.APPROVED:
        row = approve(world.actors["udir_b"], row.id or 0, row.version, engine=world.engine)
    if state == E.RETURNED:
        row = send_back(
            world.actors["udir_b"], row.id or 0, row.version, "sjekk", engine=world.engine
        )
    assert row.status == state
    return row


def act(world: World, action: str, who: str, row: Entry, kind: str = "value") -> Entry:
    actor, engine, rid = world.actors[who], world.engine, row.id or 0
    submit, approve, send_back = STEPS[kind]
    if action == "edit":
        return edit(world, kind, actor, row.version, "11")
    if action == "submit":
        return submit(actor, rid, row.version, engine=engine)
    if action == "approve":
        return approve(actor, rid, row.version, engine=engine)
    return send_back(actor, rid, row.version, "feil kilde", engine=engine)


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
    (E.APPROVED, "edit", "udir_a", "correction_reason_required"),  # see test_corrections
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


@pytest.mark.parametrize("kind", ["value", "check_in"])
@pytest.mark.parametrize(("state", "action", "who", "expected"), WORKFLOW)
def test_the_workflow_table(
    world: World, kind: str, state: EntryStatus, action: str, who: str, expected: Any
) -> None:
    row = put(world, state, kind)
    audits = rows(world.engine, AuditEvent)
    if isinstance(expected, EntryStatus):
        after = act(world, action, who, row, kind)
        assert after.status == expected and after.version == row.version + 1
        assert rows(world.engine, AuditEvent) == audits + 1
        return
    if expected is DENIED:
        with pytest.raises(PermissionDenied):
            act(world, action, who, row, kind)
        assert rows(world.engine, AuditEvent, action="refused") == 1
    else:
        with pytest.raises(WorkflowRefused) as refused:
            act(world, action, who, row, kind)
        assert refused.value.code == expected
    stored = value_row(world, kind)
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


@pytest.mark.parametrize("kind", ["value", "check_in"])
def test_a_returned_entry_submitted_again_carries_no_old_review(world: World, kind: str) -> None:
    row = put(world, E.RETURNED, kind)
    assert row.return_reason == "sjekk" and row.reviewed_by_id is not None
    again = act(world, "submit", "udir_a", row, kind)
    assert (again.status, again.return_reason, again.reviewed_by_id) == (E.SUBMITTED, None, None)


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


CHECK_IN_BAD: list[tuple[str, dict[str, Any], str]] = [
    ("no RAG", {"progress": "x"}, "missing"),
    ("unknown RAG", {"rag": "purple"}, "enum"),
    ("unknown confidence", {"rag": "green", "confidence": "total"}, "enum"),
    ("NUL in progress", {"rag": "green", "progress": "ok\x00"}, "control_characters"),
    ("control char in risks", {"rag": "green", "risks": "a\x1bb"}, "control_characters"),
    ("long next steps", {"rag": "green", "next_steps": "x" * 2001}, "string_too_long"),
    ("long help needed", {"rag": "green", "help_needed": "x" * 2001}, "string_too_long"),
]


@pytest.mark.parametrize(("case", "data", "error"), CHECK_IN_BAD, ids=[b[0] for b in CHECK_IN_BAD])
def test_a_bad_check_in_is_refused_and_the_saved_one_kept(
    world: World, case: str, data: dict[str, Any], error: str
) -> None:
    a = world.actors["udir_a"]
    row = world.check_in(a, {"rag": "green", "progress": "Godt i gang", "risks": "Bemanning"})
    with pytest.raises(ValidationError) as refused:
        world.check_in(a, data, row.version)
    assert error in {e["type"] for e in refused.value.errors()}, case
    stored = value_row(world, "check_in")
    assert isinstance(stored, CheckIn)
    assert (stored.rag, stored.progress, stored.risks, stored.version) == (
        "green",
        "Godt i gang",
        "Bemanning",
        1,
    )


def test_a_check_in_keeps_every_field_and_a_stale_one_names_who(world: World) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    data = {
        "rag": "red",
        "confidence": "low",
        "progress": "Forsinket oppstart",
        "next_steps": "Ansette prosjektleder",
        "risks": "Finansiering",
        "help_needed": "Avklaring fra departementet",
    }
    first = world.check_in(a, data)
    assert first.model_dump(include=set(data)) == data
    world.check_in(b, {**data, "rag": "amber"}, first.version)
    with pytest.raises(StaleVersion) as stale:
        world.check_in(a, {**data, "rag": "green"}, first.version)
    assert stale.value.changed_by == "udir_b@example.no"
    stored = value_row(world, "check_in")
    assert stored is not None and stored.rag == "amber" and stored.version == 2


def test_only_a_responsible_organisation_checks_in(world: World) -> None:
    """NAV is involved in the initiative, not responsible: it may not write its check-in."""
    with pytest.raises(PermissionDenied):
        world.check_in(world.actors["nav"], {"rag": "green"})
    assert value_row(world, "check_in") is None
    with pytest.raises(WorkflowRefused, match="no_initiative"):
        save_check_in(
            world.actors["udir_a"],
            10_000,
            world.period,
            {"rag": "green"},
            version=None,
            engine=world.engine,
        )


# --- no lost updates: 8 writers x 200 updates of one value, at once ---------------------------
# Each writer reads the value and its version, adds one and saves over the version it read; a
# StaleVersion means somebody was faster, and the writer reads again. The final value counts
# every accepted update, exactly.

WRITERS, UPDATES = 8, 200


def current(world: World) -> tuple[float, int] | None:
    with Session(world.engine) as session:
        row = session.exec(select(IndicatorValue)).first()
        return None if row is None else (row.value, row.version)


def test_eight_writers_lose_no_update(world: World) -> None:
    actors = [world.actors["udir_a"], world.actors["udir_b"]]
    world.save(actors[0], {"value": "0"})
    stale: Counter[int] = Counter()
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            done = 0
            while done < UPDATES:
                seen = current(world)
                assert seen is not None
                value, version = seen
                try:
                    world.save(actors[number % 2], {"value": str(int(value) + 1)}, version)
                except StaleVersion:
                    stale[number] += 1
                    continue
                done += 1
        except BaseException as exc:  # reported below, from the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert current(world) == (WRITERS * UPDATES, WRITERS * UPDATES + 1)
    with Session(world.engine) as session:
        updates = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "indicator_value", AuditEvent.action == "update"
            )
        ).all()
    assert len(updates) == WRITERS * UPDATES  # one audit row per accepted update, no more
    assert sorted(int(e.after["value"]) for e in updates) == list(range(1, WRITERS * UPDATES + 1))


def test_the_views_show_the_last_approved_entry_before_and_the_queues(world: World) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    with session_scope(write=True, engine=world.engine) as session:
        for label, year in (("2023", 2023), ("2024", 2024)):
            session.add(
                Period(
                    mission_id=world.mission,
                    label=label,
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                )
            )
    with Session(world.engine) as session:
        ids = {p.label: p.id for p in session.exec(select(Period)).all()}
    for label, value, rag in (("2023", "7", "red"), ("2024", "8", "amber")):
        period = ids[label] or 0
        row = save_value(
            a, world.indicator, period, {"value": value}, version=None, engine=world.engine
        )
        row = submit_value(a, row.id or 0, row.version, engine=world.engine)
        approve_value(b, row.id or 0, row.version, engine=world.engine)
        check = save_check_in(
            a, world.initiative, period, {"rag": rag}, version=None, engine=world.engine
        )
        check = submit_check_in(a, check.id or 0, check.version, engine=world.engine)
        approve_check_in(b, check.id or 0, check.version, engine=world.engine)
    draft = world.save(a, {"value": "9"})  # 2025: submitted, awaiting approval
    submit_value(a, draft.id or 0, draft.version, engine=world.engine)
    submitted = world.check_in(a, {"rag": "green"})
    submit_check_in(a, submitted.id or 0, submitted.version, engine=world.engine)
    with Session(world.engine) as session:
        mission = session.exec(select(Mission)).one()
        udir = session.exec(select(Organisation).where(Organisation.key == "Udir")).one()
        grid = entry_grid(session, mission.id or 0, world.period, udir.id or 0)
        check_ins = check_in_list(session, mission.id or 0, world.period, udir.id or 0)
        values_queue = approval_queue(session, mission.id or 0)
        check_in_waiting = check_in_queue(session, mission.id or 0)
    count = grid[grid["code"] == "C"].iloc[0]
    assert (count["previous"], count["previous_period"], count["value"]) == (8, "2024", 9)
    assert (check_ins.iloc[0]["previous_rag"], check_ins.iloc[0]["previous_period"]) == (
        "amber",
        "2024",
    )
    assert check_ins.iloc[0]["rag"] == "green" and check_ins.iloc[0]["status"] == "submitted"
    assert list(values_queue[["code", "period", "value", "version"]].itertuples(False)) == [
        ("C", "2025", 9, 2)
    ]
    assert list(check_in_waiting["period"]) == ["2025"]
    assert list(check_in_waiting["entered_by"]) == ["udir_a@example.no"]


BAD_REASONS = {
    "nul": "feil\x00kilde",
    "control": "feil \x1b[31mkilde",
    "100 KB": "x" * 100_000,
    "bidi": "feil \u202ekilde",
}


@pytest.mark.parametrize("bad", list(BAD_REASONS))
@pytest.mark.parametrize("kind", ["value", "check_in"])
def test_return_reasons_are_validated_like_every_other_text(
    world: World, kind: str, bad: str
) -> None:
    # NUL, control characters and 100 KB were stored on SQLite and a DataError on PostgreSQL
    row = put(world, E.SUBMITTED, kind)
    send_back = STEPS[kind][2]
    with pytest.raises(ValidationError):
        send_back(
            world.actors["udir_b"], row.id or 0, row.version, BAD_REASONS[bad], engine=world.engine
        )
    kept = value_row(world, kind)
    assert kept is not None and kept.status == E.SUBMITTED and kept.return_reason is None
    returned = send_back(
        world.actors["udir_b"], row.id or 0, row.version, "  Feil\u200b kilde ", engine=world.engine
    )
    assert returned.return_reason == "Feil kilde"


@pytest.mark.parametrize("bad", list(BAD_REASONS))
def test_reopening_reasons_are_validated_like_every_other_text(world: World, bad: str) -> None:
    set_period_locked(world.actors["admin"], world.period, True, engine=world.engine)
    steering = world.actors["steering"]
    with pytest.raises(ValidationError):
        set_period_locked(
            steering, world.period, False, reason=BAD_REASONS[bad], engine=world.engine
        )
    with Session(world.engine) as session:
        period = session.get(Period, world.period)
    assert period is not None and period.locked
