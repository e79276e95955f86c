"""The audit trail: rows are only ever added, in the transaction of the change they record."""

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.permissions import Actor
from models import AuditEvent

SECRET_FIELDS = frozenset({"password", "password_hash"})


def snapshot(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-safe copy of data without secrets (dates as ISO text, enums as values)."""
    if data is None:
        return None
    safe: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECRET_FIELDS:
            continue
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        safe[key] = getattr(value, "value", value)
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
    """Add an audit row to the current transaction."""
    session.add(
        AuditEvent(
            actor_id=actor.id,
            actor_email=actor.email,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=snapshot(before),
            after=snapshot(after),
            reason=reason,
        )
    )


def audit_log(
    session: Session,
    *,
    actor_email: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """The newest audit rows matching every given filter."""
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
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    if until:
        query = query.where(col(AuditEvent.at) < until)
    query = query.order_by(col(AuditEvent.id).desc()).limit(limit)
    columns = ["id", "at", "actor", "action", "entity", "entity_id", "before", "after", "reason"]
    return frame_of(fetch(session, query), columns)
