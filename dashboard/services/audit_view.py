"""Reading the audit trail (administrators only): filters by who, what and when."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col

from dashboard.db import session_scope
from dashboard.services.audit import audit_log
from dashboard.services.commands import authorize
from dashboard.services.common import fetch
from dashboard.services.permissions import Action, Actor
from models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to show: by who, what (action, entity) and when (dates, inclusive)."""

    actor_email: str | None = None
    action: str | None = None
    entity: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def audit_trail(
    actor: Actor, chosen: AuditFilter, *, limit: int = 1000, engine: Engine | None = None
) -> pd.DataFrame:
    """The audit rows matching chosen, newest first (admin only; a refusal is itself logged)."""
    authorize(actor, Action.READ_AUDIT, engine=engine)
    since = _midnight(chosen.since)
    until = _midnight(chosen.until + dt.timedelta(days=1) if chosen.until else None)
    with session_scope(engine=engine) as session:
        return audit_log(
            session,
            actor_email=chosen.actor_email,
            action=chosen.action,
            entity=chosen.entity,
            since=since,
            until=until,
            limit=limit,
        )


def audit_facets(actor: Actor, *, engine: Engine | None = None) -> dict[str, list[str]]:
    """The distinct actors, actions and entities in the log, for the filters (admin only)."""
    authorize(actor, Action.READ_AUDIT, engine=engine)
    facets: dict[str, list[str]] = {}
    with session_scope(engine=engine) as session:
        for name, column in (
            ("actor_email", AuditEvent.actor_email),
            ("action", AuditEvent.action),
            ("entity", AuditEvent.entity),
        ):
            query = sa.select(col(column)).where(col(column).is_not(None)).distinct()
            facets[name] = sorted(str(row[0]) for row in fetch(session, query))
    return facets


def _midnight(day: dt.date | None) -> dt.datetime | None:
    """The start of a day in UTC, as the audit times are stored."""
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
