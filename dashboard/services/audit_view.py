"""Reading the audit trail (administrators only): a mission's own rows, filtered by who, what
and when."""

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

# A person's own sign-in and password: the installation's, not any mission's (the row keeps the
# mission the person happened to be in, or the default one).
ACCOUNT_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_refused", "change_password")


def visible_to(actor: Actor) -> sa.ColumnElement[bool]:
    """A mission's secretariat sees its own mission's audit rows; sign-ins, password changes and
    rows of no mission (missions created, the command line) only the global administrator."""
    own = sa.and_(
        col(AuditEvent.mission_id) == actor.mission_id,
        col(AuditEvent.action).not_in(ACCOUNT_ACTIONS),
    )
    if not actor.global_admin:
        return own
    return sa.or_(
        own, col(AuditEvent.mission_id).is_(None), col(AuditEvent.action).in_(ACCOUNT_ACTIONS)
    )


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
    """The audit rows matching chosen that actor may see (visible_to), newest first (admin
    only; a refusal is itself logged)."""
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
            visible=visible_to(actor),
        )


def audit_facets(actor: Actor, *, engine: Engine | None = None) -> dict[str, list[str]]:
    """The distinct actors, actions and entities in the rows actor may see, for the filters
    (admin only)."""
    authorize(actor, Action.READ_AUDIT, engine=engine)
    facets: dict[str, list[str]] = {}
    with session_scope(engine=engine) as session:
        for name, column in (
            ("actor_email", AuditEvent.actor_email),
            ("action", AuditEvent.action),
            ("entity", AuditEvent.entity),
        ):
            query = (
                sa.select(col(column)).where(col(column).is_not(None), visible_to(actor)).distinct()
            )
            facets[name] = sorted(str(row[0]) for row in fetch(session, query))
    return facets


def _midnight(day: dt.date | None) -> dt.datetime | None:
    """The start of a day in UTC, as the audit times are stored."""
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
