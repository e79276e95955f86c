"""The frame of every command: check the permission, then one audited write transaction."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed


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
    """Log, in its own transaction, that actor was refused what (an action or a page)."""
    with session_scope(write=True, engine=engine) as session:
        after = {"role": actor.role, **details}
        audit.record(session, actor, "refused", what, None, after=after)


@contextmanager
def command(
    actor: Actor,
    action: Action,
    *,
    organisation_id: int | None = None,
    engine: Engine | None = None,
) -> Iterator[Session]:
    """A write transaction for actor's action; a refusal changes nothing and is itself audited."""
    authorize(actor, action, organisation_id=organisation_id, engine=engine)
    with session_scope(write=True, engine=engine) as session:
        yield session
