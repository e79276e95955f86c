"""The audit trail: rows are only ever added, in the transaction of the change they record.

Every text that goes into a row is bounded here, in one place (bounded): whatever anyone types,
an anonymous sign-in attempt included, a row stays small and storable on both engines.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.permissions import Actor
from models import AuditEvent
from models.fields import BIDI_CONTROLS, CONTROL_CHARACTERS, ZERO_WIDTH
from models.reporting import utcnow
from models.users import EMAIL_MAX_LENGTH

SECRET_FIELDS = frozenset({"password", "password_hash"})
# The columns' lengths (models.users.AuditEvent; the e-mail's is EMAIL_MAX_LENGTH), and for
# each text in before and after the longest text any input model takes (a status report's
# summary).
NAME_MAX = 60  # action, entity, entity_id
REASON_MAX = 2000
VALUE_MAX = 10_000


def bounded(text: str, limit: int) -> str:
    """text as the audit keeps it: without zero-width characters; control characters (NUL,
    which PostgreSQL cannot store, among them) and bidirectional controls (which make a text
    show other than it reads) shown as U+FFFD; and at most limit characters (a longer text is
    cut, and ends with '…' to say so): the characters models.fields refuses or removes."""
    text = ZERO_WIDTH.sub("", text)
    text = BIDI_CONTROLS.sub("\ufffd", CONTROL_CHARACTERS.sub("\ufffd", text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_value(value: Any) -> Any:
    if isinstance(value, str):
        return bounded(value, VALUE_MAX)
    if isinstance(value, list | tuple):
        return [_bounded_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _bounded_value(v) for k, v in value.items()}
    return value


def snapshot(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-safe copy of data without secrets (dates as ISO text, enums as values), each
    text bounded."""
    if data is None:
        return None
    safe: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECRET_FIELDS:
            continue
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        safe[key] = _bounded_value(getattr(value, "value", value))
    return safe


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Add an audit row to the current transaction, every text in it bounded."""
    session.add(AuditEvent(**_row(actor, Event(action, entity, entity_id, before, after, reason))))


@dataclass(frozen=True)
class Event:
    """One audit row for record_many: what was done to which entity, from what to what, why."""

    action: str
    entity: str
    entity_id: object
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


def record_many(session: Session, actor: Actor, events: list[Event]) -> None:
    """Add the audit rows of many changes by actor in the current transaction, every text in
    them bounded, with one INSERT run as executemany (psycopg pipelines it; faster than
    multi-row VALUES, which SQLAlchemy compiles anew for every batch)."""
    now = utcnow()
    rows = [{"at": now, **_row(actor, event)} for event in events]
    if rows:
        session.execute(sa.insert(AuditEvent.__table__), rows)  # type: ignore[attr-defined]


def _row(actor: Actor, event: Event) -> dict[str, Any]:
    """The columns of an audit row (but its time), every text bounded."""
    return {
        "actor_id": actor.id,
        "mission_id": actor.mission_id,
        "actor_email": None if actor.email is None else bounded(actor.email, EMAIL_MAX_LENGTH),
        "action": bounded(event.action, NAME_MAX),
        "entity": bounded(event.entity, NAME_MAX),
        "entity_id": None if event.entity_id is None else bounded(str(event.entity_id), NAME_MAX),
        "before": snapshot(event.before),
        "after": snapshot(event.after),
        "reason": None if event.reason is None else bounded(event.reason, REASON_MAX),
    }


def audit_log(
    session: Session,
    *,
    actor_email: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
    visible: sa.ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """The newest audit rows matching every given filter (and visible, a condition on the
    rows: dashboard.services.audit_view.visible_to)."""
    query = sa.select(
        col(AuditEvent.id),
        col(AuditEvent.at),
        col(AuditEvent.actor_email),
        col(AuditEvent.action),
        col(AuditEvent.entity),
        col(AuditEvent.entity_id),
        col(AuditEvent.before),
        col(AuditEvent.after),
        col(AuditEvent.reason),
    )
    for column, value in (
        (AuditEvent.actor_email, actor_email),
        (AuditEvent.action, action),
        (AuditEvent.entity, entity),
    ):
        if value:
            query = query.where(col(column) == value)
    if visible is not None:
        query = query.where(visible)
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    if until:
        query = query.where(col(AuditEvent.at) < until)
    query = query.order_by(col(AuditEvent.id).desc()).limit(limit)
    columns = ["id", "at", "actor", "action", "entity", "entity_id", "before", "after", "reason"]
    return frame_of(fetch(session, query), columns)
