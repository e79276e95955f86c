"""The frame of every command: check the permission, then one audited write transaction."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from dashboard.db import DatabaseBusy, read_only, session_scope
from dashboard.services import audit, mission_guard
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed
from models.users import EMAIL_MAX_LENGTH

LOG = logging.getLogger("dashboard")


def authorize(
    actor: Actor,
    action: Action,
    *,
    organisation_id: int | None = None,
    engine: Engine | None = None,
) -> None:
    """Raise PermissionDenied, after auditing the attempt, unless actor may do action."""
    if not allowed(actor, action, organisation_id=organisation_id):
        record_refusal(actor, action.value, {"organisation_id": organisation_id}, engine=engine)
        raise PermissionDenied(actor, action)


def record_refusal(
    actor: Actor, what: str, details: dict[str, object], *, engine: Engine | None = None
) -> None:
    """Log, in its own transaction, that actor was refused what (an action or a page).

    A database that takes no write now (read-only, or busy past the wait) gets the refusal
    in the server's log instead: the refusal itself, not the database's state, is what the
    visitor is to be told.
    """
    after = {"role": actor.role, **details}
    try:
        with session_scope(write=True, engine=engine) as session:
            audit.record(session, actor, "refused", what, None, after=after)
    except (DatabaseBusy, DBAPIError) as exc:
        if isinstance(exc, DBAPIError) and not read_only(exc):
            raise
        LOG.warning(  # %r: whatever was typed stays on one line of the log
            "Not in the audit log (the database is %s): %r was refused %r, %r",
            "busy" if isinstance(exc, DatabaseBusy) else "read-only",
            audit.bounded(actor.email or f"user id {actor.id}", EMAIL_MAX_LENGTH),
            audit.bounded(what, audit.NAME_MAX),
            audit.snapshot(after),
        )


@contextmanager
def command(
    actor: Actor,
    action: Action,
    *,
    organisation_id: int | None = None,
    engine: Engine | None = None,
) -> Iterator[Session]:
    """A write transaction for actor's action; a refusal changes nothing and is itself audited.

    The transaction writes only rows of the actor's mission: one of another mission is refused
    like a missing permission (dashboard.services.mission_guard).
    """
    authorize(actor, action, organisation_id=organisation_id, engine=engine)
    try:
        with session_scope(write=True, engine=engine) as session:
            mission_guard.bind(session, actor.mission_id)
            yield session
    except mission_guard.OtherMission as crossed:
        details: dict[str, object] = {"table": crossed.table, "missions": sorted(crossed.missions)}
        record_refusal(actor, action.value, details, engine=engine)
        raise PermissionDenied(actor, action) from crossed
