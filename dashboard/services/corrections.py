"""Corrections of approved values and check-ins (design section 15, issue 13 section 1).

A change to an approved entry is a correction: a second row (is_correction) beside the approved
one, with its own draft -> submitted -> approved | returned workflow and a reason. It is never
approved as a row of its own: approving it copies its figures into the approved entry (who
entered, who approved, when, a new version) and removes it, so everything that reads approved
entries keeps reading exactly one per period, and the approved figure stays what everyone else
sees until then. Returning it leaves the approved entry as it was.

This module holds the pieces the reporting commands and the import share; it writes only inside
a transaction they opened.
"""

from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.common import fetch, frame_of
from dashboard.services.permissions import Actor
from models import AuditEvent, CheckIn, EntryStatus, IndicatorValue, User
from models.reporting import CheckInBase, utcnow

Entry = TypeVar("Entry", IndicatorValue, CheckIn)
ENTITY = {IndicatorValue: "indicator_value", CheckIn: "check_in"}
# What a correction changes: the figures a person enters (the rest is workflow bookkeeping).
FIGURES: dict[type, tuple[str, ...]] = {
    IndicatorValue: ("value", "comment", "source_note"),
    CheckIn: tuple(CheckInBase.model_fields),
}
APPROVED_ACTION = "correction_approved"  # the audit action history() reads


def subject_column(model: type[IndicatorValue] | type[CheckIn]) -> Any:
    """The column naming what an entry is about: its indicator or its initiative."""
    return (
        col(IndicatorValue.indicator_id) if model is IndicatorValue else col(CheckIn.initiative_id)
    )


def subject_of(row: IndicatorValue | CheckIn) -> int:
    """The indicator or initiative id of an entry."""
    return row.indicator_id if isinstance(row, IndicatorValue) else row.initiative_id


def entries(
    session: Session, model: type[Entry], subject_id: int, period_id: int
) -> tuple[Entry | None, Entry | None]:
    """The entry of a subject in a period, and the correction pending beside it (or None)."""
    rows = session.exec(
        select(model).where(subject_column(model) == subject_id, model.period_id == period_id)
    ).all()
    main = next((row for row in rows if not row.is_correction), None)
    return main, next((row for row in rows if row.is_correction), None)


def same_figures(row: IndicatorValue | CheckIn, figures: dict[str, Any]) -> bool:
    """Whether row already holds figures (blank text and None count as the same)."""
    return all((getattr(row, name) or None) == (value or None) for name, value in figures.items())


def approve(session: Session, actor: Actor, correction: Entry) -> Entry:
    """Make a submitted correction the approved entry, audited; returns the approved entry."""
    model = type(correction)
    main, _ = entries(session, model, subject_of(correction), correction.period_id)
    assert main is not None and main.status == EntryStatus.APPROVED  # a correction's premise
    before = main.model_dump(warnings=False)
    for name in FIGURES[model]:
        setattr(main, name, getattr(correction, name))
    main.entered_by_id, main.entered_at = correction.entered_by_id, correction.entered_at
    main.reviewed_by_id, main.reviewed_at, main.return_reason = actor.id, utcnow(), None
    main.correction_reason = correction.correction_reason  # why the figure is what it is now
    main.version = max(main.version, correction.version) + 1
    gone = correction.model_dump(warnings=False)
    session.delete(correction)
    session.flush()
    entity, reason = ENTITY[model], correction.correction_reason
    audit.record(session, actor, "merged", entity, gone["id"], before=gone, reason=reason)
    after = main.model_dump(warnings=False)
    audit.record(
        session, actor, APPROVED_ACTION, entity, main.id, before=before, after=after, reason=reason
    )
    return main


HISTORY_COLUMNS = ["subject_id", "at", "before", "after", "proposed_by", "approved_by", "reason"]


def history(session: Session, entity: str, period_id: int) -> pd.DataFrame:
    """The approved corrections of a period's entries (entity: "indicator_value" or "check_in"),
    oldest first: the indicator or initiative, when, the figures before and after (dicts), who
    proposed and who approved the correction, and why. Read from the audit log."""
    model: type[IndicatorValue] | type[CheckIn] = IndicatorValue
    if entity == ENTITY[CheckIn]:
        model = CheckIn
    ids = {
        int(entry_id): subject
        for entry_id, subject in fetch(
            session,
            sa.select(col(model.id), subject_column(model)).where(
                col(model.period_id) == period_id, col(model.is_correction).is_(False)
            ),
        )
    }
    rows = (
        fetch(
            session,
            sa.select(
                col(AuditEvent.entity_id),
                col(AuditEvent.at),
                col(AuditEvent.before),
                col(AuditEvent.after),
                col(AuditEvent.actor_email),
                col(AuditEvent.reason),
            )
            .where(
                col(AuditEvent.action) == APPROVED_ACTION,
                col(AuditEvent.entity) == entity,
                col(AuditEvent.entity_id).in_([str(i) for i in ids]),
            )
            .order_by(col(AuditEvent.id)),
        )
        if ids
        else []
    )
    proposers = {(after or {}).get("entered_by_id") for *_, after, _, _ in rows}
    emails = dict(
        fetch(session, sa.select(col(User.id), col(User.email)).where(col(User.id).in_(proposers)))
    )
    figures = FIGURES[model]
    return frame_of(
        [
            (
                ids[int(entry_id)],
                at,
                {name: (before or {}).get(name) for name in figures},
                {name: (after or {}).get(name) for name in figures},
                emails.get((after or {}).get("entered_by_id")),
                approver,
                reason,
            )
            for entry_id, at, before, after, approver, reason in rows
        ],
        HISTORY_COLUMNS,
    )
