"""User accounts: audited, permission-checked commands, and sign-in with Argon2 and lock-out."""

import datetime as dt
import secrets
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from models import Role, User, UserCreate, UserUpdate
from models.reporting import utcnow
from models.users import PASSWORD_MIN_LENGTH

HASHER = PasswordHash.recommended()  # Argon2id
MAX_FAILURES = 5
LOCK_OUT = dt.timedelta(minutes=15)
# Verifying against a dummy hash keeps the time of an unknown e-mail equal to a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class SignInFailed(Exception):
    """The same answer for an unknown e-mail, a wrong password, a locked or inactive account."""


class WeakPassword(ValueError):
    """The new password is shorter than PASSWORD_MIN_LENGTH."""


class NotFound(Exception):
    """No user with that id."""


def actor_of(user: User) -> Actor:
    """The actor a signed-in user acts as."""
    return Actor(
        id=user.id, email=user.email, role=Role(user.role), organisation_id=user.organisation_id
    )


def public_fields(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user (never the password hash)."""
    return user.model_dump(
        exclude={"password_hash", "failed_logins", "locked_until"}, warnings=False
    )


def new_password() -> str:
    """A random password of 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def create_user(actor: Actor, data: UserCreate, *, engine: Engine | None = None) -> int:
    """Create an account (admin); the e-mail is stored in lower case."""
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        fields = data.model_dump(exclude={"password"})
        fields["email"] = fields["email"].lower()
        user = User(**fields, password_hash=HASHER.hash(data.password) if data.password else None)
        session.add(user)
        session.flush()
        audit.record(session, actor, "create", "user", user.id, after=public_fields(user))
        assert user.id is not None
        return user.id


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    return user


def update_user(
    actor: Actor,
    user_id: int,
    changes: UserUpdate,
    *,
    reason: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Change a user's name, role, organisation or active flag (admin), with a reason."""
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        user = _get(session, user_id)
        before = public_fields(user)
        for name, value in changes.model_dump(exclude_unset=True).items():
            setattr(user, name, value)
        session.flush()
        after = public_fields(user)
        audit.record(
            session, actor, "update", "user", user_id, before=before, after=after, reason=reason
        )


def reset_password(actor: Actor, user_id: int, *, engine: Engine | None = None) -> str:
    """Give a user a new random password (admin); returns it to be shown once."""
    password = new_password()
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        user = _get(session, user_id)
        user.password_hash = HASHER.hash(password)
        user.failed_logins, user.locked_until = 0, None
        audit.record(session, actor, "reset_password", "user", user_id)
    return password


def change_own_password(
    actor: Actor, current: str, new: str, *, engine: Engine | None = None
) -> None:
    """A signed-in user changes their own password, proving the current one."""
    if len(new) < PASSWORD_MIN_LENGTH:
        raise WeakPassword
    with session_scope(write=True, engine=engine) as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        if user is None or not user.password_hash or not HASHER.verify(current, user.password_hash):
            raise SignInFailed
        user.password_hash = HASHER.hash(new)
        audit.record(session, actor, "change_password", "user", user.id)


def authenticate(email: str, password: str, *, engine: Engine | None = None) -> Actor:
    """The actor for a correct e-mail and password; SignInFailed otherwise, whatever the cause."""
    now = utcnow()
    actor: Actor | None = None
    with session_scope(write=True, engine=engine) as session:  # failures are counted and kept
        address = email.strip().lower()
        user = session.exec(select(User).where(func.lower(User.email) == address)).first()
        stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
        valid = HASHER.verify(password, stored)
        if user is None:
            audit.record(
                session, Actor(None, address, Role.PARTNER), "sign_in_failed", "user", None
            )
        elif valid and user.active and not _locked(user, now):
            user.failed_logins = 0
            actor = actor_of(user)
            audit.record(session, actor, "sign_in", "user", user.id)
        else:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + LOCK_OUT
            audit.record(session, actor_of(user), "sign_in_failed", "user", user.id)
    if actor is None:
        raise SignInFailed
    return actor


def _locked(user: User, now: dt.datetime) -> bool:
    """Whether the account is locked out after too many failed sign-ins."""
    until = user.locked_until
    if until is None:
        return False
    return (until if until.tzinfo else until.replace(tzinfo=dt.UTC)) > now  # SQLite: naive UTC
