"""Reporting: periods, indicator values, initiative check-ins and their four-eyes workflow
(design section 5).

An entry (a value or a check-in) goes draft -> submitted -> approved, or back to returned (with
a reason) and on again. Only the indicator's reporting organisation (an initiative's responsible
organisations) enters and submits it; somebody else approves it.
Every change carries the version the person saw: saving over a newer version is refused with
who changed it, so no update is lost. A locked period takes no changes until it is re-opened.
A change to an approved entry is a correction beside it (store_entry, dashboard.services.
corrections): the approved entry stays what everyone else reads until somebody else approves it.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services import audit, corrections, notifications
from dashboard.services.commands import command
from dashboard.services.corrections import ENTITY, Entry
from dashboard.services.permissions import Action, Actor
from models import (
    CheckIn,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    OrganisationRole,
    Period,
    User,
    ValueEntry,
)
from models.reporting import CheckInBase, Reason, utcnow


class WorkflowRefused(ValueError):
    """The step is not possible in the entry's state; code names why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class StaleVersion(Exception):
    """Someone saved the entry after it was shown: who, when, and the version now stored."""

    version: int
    changed_by: str | None
    changed_at: dt.datetime | None


def _period(session: Session, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None:
        raise WorkflowRefused("no_period")
    if period.locked:
        raise WorkflowRefused("period_locked")
    return period


def _indicator(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise WorkflowRefused("no_indicator")
    return indicator


def _fields(row: IndicatorValue | CheckIn) -> dict[str, Any]:
    return row.model_dump(warnings=False)


def _responsible(session: Session, initiative_id: int, actor: Actor) -> int | None:
    """The organisation an actor enters an initiative's check-in for: their own when it is one
    of the initiative's responsible organisations, else None (which the permission refuses)."""
    if session.get(Initiative, initiative_id) is None:
        raise WorkflowRefused("no_initiative")
    responsible = session.exec(
        select(InitiativeOrganisation.organisation_id).where(
            InitiativeOrganisation.initiative_id == initiative_id,
            InitiativeOrganisation.role == OrganisationRole.RESPONSIBLE,
        )
    ).all()
    return actor.organisation_id if actor.organisation_id in responsible else None


def _owner(session: Session, row: IndicatorValue | CheckIn, actor: Actor) -> int | None:
    """The organisation whose entry row is, as the permission check sees it."""
    if isinstance(row, CheckIn):
        return _responsible(session, row.initiative_id, actor)
    return _indicator(session, row.indicator_id).responsible_org_id


def _still(checked: int | None, now: int | None) -> None:
    """Refuse when the responsible organisation changed between the permission check and the
    write transaction (an administrator moved the indicator or initiative meanwhile)."""
    if checked != now:
        raise WorkflowRefused("owner_changed")


def _check_version(session: Session, row: IndicatorValue | CheckIn, version: int | None) -> None:
    """Refuse a save made from an older version than the one stored."""
    if version == row.version:
        return
    reviewed = row.status in (EntryStatus.APPROVED, EntryStatus.RETURNED)
    who_id = row.reviewed_by_id if reviewed else row.entered_by_id
    who = session.get(User, who_id) if who_id else None
    when = row.reviewed_at if reviewed else row.entered_at
    raise StaleVersion(row.version, who.email if who else None, when)


def save_value(
    actor: Actor,
    indicator_id: int,
    period_id: int,
    data: dict[str, Any],
    *,
    version: int | None,
    reason: str | None = None,
    engine: Engine | None = None,
) -> IndicatorValue:
    """Save a value as a draft (new, or over the version the person saw); over an approved
    value, as its correction, which needs reason (see store_entry).

    data holds what was typed ("value", "comment", "source_note"); it is validated against the
    indicator's measure and raises pydantic's ValidationError with every problem. A field not
    in data keeps what is stored. version is None for a new value.
    """
    with session_scope(engine=engine) as session:
        indicator = _indicator(session, indicator_id)
        measure, org = indicator.measure, indicator.responsible_org_id
    entry = ValueEntry.model_validate(data, context={"measure": measure})
    figures = entry.model_dump(include=entry.model_fields_set | {"value"})
    with command(actor, Action.ENTER_VALUES, organisation_id=org, engine=engine) as session:
        _still(org, _indicator(session, indicator_id).responsible_org_id)
        _period(session, period_id)
        return store_entry(
            session,
            actor,
            IndicatorValue,
            (indicator_id, period_id),
            figures,
            status=EntryStatus.DRAFT,
            version=version,
            reason=reason,
        )


def store_entry(
    session: Session,
    actor: Actor,
    model: type[Entry],
    key: tuple[int, int],
    figures: dict[str, Any],
    *,
    status: EntryStatus,
    version: int | None,
    reason: str | None = None,
    action: str | None = None,
    note: str | None = None,
) -> Entry:
    """Write figures as the entry of key (subject id, period id), now in status, audited, by
    the rule of plan_entry; returns the entry written (the approved one when nothing changed).
    """
    main, pending = corrections.entries(session, model, *key)
    write = plan_entry(
        session,
        actor,
        model,
        key,
        figures,
        (main, pending),
        status=status,
        version=version,
        reason=reason,
        action=action,
        note=note,
    )
    if write is None:
        assert main is not None
        return main
    if write.row is None:
        row = model(**{name: value for name, value in write.after.items() if name != "id"})
    else:
        row = write.row
        for name, value in write.after.items():
            if value != write.before_value(name):
                setattr(row, name, value)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        write.action,
        ENTITY[model],
        row.id,
        before=write.before,
        after=_fields(row),
        reason=write.reason,
    )
    if status == EntryStatus.SUBMITTED:
        notifications.entries_submitted(session, actor, [notifications.entry_of(row)])
    return row


@dataclass
class EntryWrite(Generic[Entry]):
    """What storing figures does to one entry: the stored row it changes (None: a new row),
    that row's fields before (None: new) and every field after (a new row's id None), and the
    audit's action and reason."""

    row: Entry | None
    before: dict[str, Any] | None
    after: dict[str, Any]
    action: str
    reason: str | None

    def before_value(self, name: str) -> Any:
        """A field as it was (None for a new row)."""
        return None if self.before is None else self.before.get(name)


def plan_entry(
    session: Session,
    actor: Actor,
    model: type[Entry],
    key: tuple[int, int],
    figures: dict[str, Any],
    stored: tuple[Entry | None, Entry | None],
    *,
    status: EntryStatus,
    version: int | None,
    reason: str | None = None,
    action: str | None = None,
    note: str | None = None,
) -> EntryWrite[Entry] | None:
    """What writing figures as the entry of key (subject id, period id), now in status, does:
    the one rule of the grid, the check-in form and the import. stored is the entry and the
    correction pending beside it (corrections.entries) as this transaction reads them.

    A new entry is created; an unapproved one is changed. Over an approved entry the figures
    become its correction (new or changed, which needs a reason), and the approved entry stays
    as it is; the same figures as approved change nothing (None). version is the one the
    person saw (of the correction, when one is pending). Audited as action (default create or
    update), with note as the audit's reason (default: the correction's reason).
    """
    main, pending = stored
    row, before = pending or main, None
    if row is not None:
        _check_version(session, row, version)
        before = _fields(row)
    approved = main is not None and main.status == EntryStatus.APPROVED
    if main is not None and approved:
        if corrections.same_figures(main, figures):
            if pending is None:
                return None  # nothing changed
            raise WorkflowRefused("correction_same_as_approved")
        if reason and reason.strip():
            reason = required_reason(reason)  # ValidationError: NUL, control characters, long
        elif not (pending and pending.correction_reason):
            raise WorkflowRefused("correction_reason_required")
    if before is not None and not (approved and pending is None):
        after = before | {"version": before["version"] + 1}
    else:
        row, before, after = None, None, _new_fields(model, key)
        if main is not None and approved:  # a new correction beside the approved entry; its
            # versions go on from the approved entry's, so none is reused
            after |= {"is_correction": True, "version": main.version + 1}
    if approved and reason and reason.strip():
        after["correction_reason"] = reason
    after |= figures
    # entered (again) by actor: an earlier review no longer holds
    after |= {"status": status, "entered_by_id": actor.id, "entered_at": utcnow()}
    after |= {"reviewed_by_id": None, "reviewed_at": None, "return_reason": None}
    why = note or (after["correction_reason"] if after["is_correction"] else None)
    return EntryWrite(row, before, after, action or ("create" if before is None else "update"), why)


def store_entries(
    session: Session, actor: Actor, model: type[Entry], writes: list[EntryWrite[Entry]]
) -> None:
    """Write planned entries in bulk, each statement run once as executemany: the new ones
    with one INSERT, the changed ones with one UPDATE by id, and their audit rows with one
    INSERT (a row at a time, 5,000 rows took the ORM many seconds)."""
    table = model.__table__  # type: ignore[attr-defined]
    new = [write for write in writes if write.row is None]
    changed = [write for write in writes if write.row is not None]
    if new:
        session.execute(
            sa.insert(table),
            [{name: v for name, v in write.after.items() if name != "id"} for write in new],
        )
        # then each new row's id, by what names it (RETURNING many rows costs more: psycopg
        # parses the long multi-row statement it takes anew every time)
        subject, period, correction = (table.c[name] for name in _KEY_OF[model])
        found = session.execute(
            sa.select(table.c.id, subject, period, correction).where(
                subject.in_({write.after[subject.name] for write in new}),
                period.in_({write.after["period_id"] for write in new}),
            )
        )
        ids = {(s, p, bool(c)): new_id for new_id, s, p, c in found}
        for write in new:
            write.after["id"] = ids[tuple(write.after[name] for name in _KEY_OF[model])]
    if changed:
        by_id = sa.update(table).where(table.c.id == sa.bindparam("_id"))
        session.execute(
            by_id, [{"_id": write.after["id"]} | _changes(write.after) for write in changed]
        )
        for write in changed:
            session.expire(write.row)  # its fields are now what the UPDATE wrote
    audit.record_many(
        session,
        actor,
        [
            audit.Event(
                write.action,
                ENTITY[model],
                write.after["id"],
                before=write.before,
                after=write.after,
                reason=write.reason,
            )
            for write in writes
        ],
    )
    notifications.entries_submitted(
        session,
        actor,
        [
            notifications.entry_of(write.after, model)
            for write in writes
            if write.after["status"] == EntryStatus.SUBMITTED
        ],
    )


# What names an entry's row (besides its id); an UPDATE of a stored entry sets every other column.
_KEY_OF: dict[type, tuple[str, ...]] = {
    IndicatorValue: ("indicator_id", "period_id", "is_correction"),
    CheckIn: ("initiative_id", "period_id", "is_correction"),
}
_IDENTITY = frozenset({"id", *_KEY_OF[IndicatorValue], *_KEY_OF[CheckIn]})


def _changes(after: dict[str, Any]) -> dict[str, Any]:
    """The columns an UPDATE of a stored entry sets: all but those naming it (the same in
    every row, as an executemany needs; what a write leaves alone is set to what it was)."""
    return {name: value for name, value in after.items() if name not in _IDENTITY}


def _new_fields(model: type[Entry], key: tuple[int, int]) -> dict[str, Any]:
    """Every field of a new entry of model for key (subject id, period id), with its defaults
    (the figures and who entered it are set over them)."""
    subject = "indicator_id" if model is IndicatorValue else "initiative_id"
    return _defaults(model) | {subject: key[0], "period_id": key[1], "version": 1}


@cache
def _defaults(model: type[IndicatorValue] | type[CheckIn]) -> dict[str, Any]:
    """The default of every optional field of model (None where a factory makes it)."""
    return {
        name: None if info.default_factory is not None else info.default
        for name, info in model.model_fields.items()
        if not info.is_required()
    }


@dataclass(frozen=True)
class Step:
    """One move of the workflow: the permission it needs, the states it starts from, the result."""

    permission: Action
    start: frozenset[EntryStatus]
    result: EntryStatus

    @property
    def refusal(self) -> str:
        """The code of the refusal when the value is in another state (not_draft_or_returned)."""
        return "not_" + "_or_".join(sorted(state.value for state in self.start))


SUBMIT = Step(
    Action.ENTER_VALUES, frozenset({EntryStatus.DRAFT, EntryStatus.RETURNED}), EntryStatus.SUBMITTED
)
APPROVE = Step(Action.APPROVE_VALUES, frozenset({EntryStatus.SUBMITTED}), EntryStatus.APPROVED)
RETURN = Step(Action.APPROVE_VALUES, frozenset({EntryStatus.SUBMITTED}), EntryStatus.RETURNED)


def _transition(
    actor: Actor,
    model: type[Entry],
    entry_id: int,
    version: int,
    step: Step,
    *,
    reason: str | None = None,
    engine: Engine | None = None,
) -> Entry:
    """Move an entry one step, checking scope, version, state and (to review) four eyes."""
    with session_scope(engine=engine) as session:
        stored = session.get(model, entry_id)
        if stored is None:
            raise WorkflowRefused("no_value")
        org = _owner(session, stored, actor)
    review = step.permission == Action.APPROVE_VALUES
    scoped = None if review else org
    with command(actor, step.permission, organisation_id=scoped, engine=engine) as session:
        row = session.get(model, entry_id)
        if row is None:  # a correction approved or withdrawn meanwhile is gone
            raise WorkflowRefused("no_value")
        if not review:
            _still(org, _owner(session, row, actor))
        _period(session, row.period_id)
        _check_version(session, row, version)
        if row.status not in step.start:
            raise WorkflowRefused(step.refusal)
        if review and row.entered_by_id == actor.id:
            raise WorkflowRefused("own_entry")
        if row.is_correction and step.result == EntryStatus.APPROVED:
            return corrections.approve(session, actor, row)
        before = _fields(row)
        row.status, row.version = step.result, row.version + 1
        # a review is of this submission; a new submission starts without the earlier one
        review_fields = (actor.id, utcnow(), reason) if review else (None, None, None)
        row.reviewed_by_id, row.reviewed_at, row.return_reason = review_fields
        session.flush()
        audit.record(
            session,
            actor,
            step.result.value,
            ENTITY[model],
            row.id,
            before=before,
            after=_fields(row),
            reason=reason,
        )
        if step.result == EntryStatus.SUBMITTED:
            notifications.entries_submitted(session, actor, [notifications.entry_of(row)])
        elif step.result == EntryStatus.RETURNED:
            notifications.entry_returned(session, actor, notifications.entry_of(row), reason)
        return row


def discard_correction(
    actor: Actor, model: type[Entry], entry_id: int, version: int, *, engine: Engine | None = None
) -> None:
    """Withdraw a pending correction (its organisation): the approved entry stays as it is."""
    with session_scope(engine=engine) as session:
        stored = session.get(model, entry_id)
        if stored is None or not stored.is_correction:
            raise WorkflowRefused("no_correction")
        org = _owner(session, stored, actor)
    with command(actor, Action.ENTER_VALUES, organisation_id=org, engine=engine) as session:
        row = session.get(model, entry_id)
        if row is None:
            raise WorkflowRefused("no_correction")
        _still(org, _owner(session, row, actor))
        _period(session, row.period_id)
        _check_version(session, row, version)
        before = _fields(row)
        main, _ = corrections.entries(session, model, corrections.subject_of(row), row.period_id)
        if main is not None:  # the next correction's versions go on above this one's
            main.version = max(main.version, row.version)
        session.delete(row)
        audit.record(session, actor, "discard", ENTITY[model], entry_id, before=before)


def required_reason(reason: str | None) -> str:
    """The reason a person gave for a step, as stored: required (WorkflowRefused), and
    validated like every other text (models.reporting.Reason; pydantic's ValidationError)."""
    if not reason or not reason.strip():
        raise WorkflowRefused("reason_required")
    return Reason(reason=reason).reason


def submit_value(
    actor: Actor, value_id: int, version: int, *, engine: Engine | None = None
) -> IndicatorValue:
    """Send a draft (or a returned value) for approval."""
    return _transition(actor, IndicatorValue, value_id, version, SUBMIT, engine=engine)


def approve_value(
    actor: Actor, value_id: int, version: int, *, engine: Engine | None = None
) -> IndicatorValue:
    """Approve somebody else's submitted value; partners see it from now on."""
    return _transition(actor, IndicatorValue, value_id, version, APPROVE, engine=engine)


def return_value(
    actor: Actor, value_id: int, version: int, reason: str, *, engine: Engine | None = None
) -> IndicatorValue:
    """Send somebody else's submitted value back, saying why."""
    return _transition(
        actor,
        IndicatorValue,
        value_id,
        version,
        RETURN,
        reason=required_reason(reason),
        engine=engine,
    )


# --- initiative check-ins ---------------------------------------------------------------------


def save_check_in(
    actor: Actor,
    initiative_id: int,
    period_id: int,
    data: dict[str, Any],
    *,
    version: int | None,
    reason: str | None = None,
    engine: Engine | None = None,
) -> CheckIn:
    """Save an initiative's check-in for a period as a draft (new, or over the version seen);
    over an approved check-in, as its correction, which needs reason (see store_entry).

    data holds the RAG status, confidence and the four texts; pydantic's ValidationError lists
    every problem. Only a person of one of the initiative's responsible organisations saves it.
    """
    entry = CheckInBase.model_validate(data)
    with session_scope(engine=engine) as session:
        org = _responsible(session, initiative_id, actor)
    with command(actor, Action.ENTER_VALUES, organisation_id=org, engine=engine) as session:
        _still(org, _responsible(session, initiative_id, actor))
        _period(session, period_id)
        return store_entry(
            session,
            actor,
            CheckIn,
            (initiative_id, period_id),
            entry.model_dump(),
            status=EntryStatus.DRAFT,
            version=version,
            reason=reason,
        )


def submit_check_in(
    actor: Actor, check_in_id: int, version: int, *, engine: Engine | None = None
) -> CheckIn:
    """Send a draft (or returned) check-in for approval."""
    return _transition(actor, CheckIn, check_in_id, version, SUBMIT, engine=engine)


def approve_check_in(
    actor: Actor, check_in_id: int, version: int, *, engine: Engine | None = None
) -> CheckIn:
    """Approve somebody else's submitted check-in; partners see it from now on."""
    return _transition(actor, CheckIn, check_in_id, version, APPROVE, engine=engine)


def return_check_in(
    actor: Actor, check_in_id: int, version: int, reason: str, *, engine: Engine | None = None
) -> CheckIn:
    """Send somebody else's submitted check-in back, saying why."""
    return _transition(
        actor, CheckIn, check_in_id, version, RETURN, reason=required_reason(reason), engine=engine
    )
