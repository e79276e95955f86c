"""User accounts: audited, permission-checked commands, and sign-in with Argon2 and lock-out."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any, Literal, cast

import pandas as pd
import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlalchemy import Engine, func
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services import audit, sessions
from dashboard.services.commands import authorize, command
from dashboard.services.common import fetch, frame_of, mission_by_key
from dashboard.services.missions import role_column, role_in, set_role
from dashboard.services.passwords import Weakness, weakness
from dashboard.services.permissions import Action, Actor
from dashboard.services.throttle import SIGN_IN, Throttle
from dashboard.settings import get_settings
from models import (
    Mission,
    MissionRole,
    Organisation,
    Role,
    SessionEnd,
    User,
    UserCreate,
    UserUpdate,
)
from models.reporting import utcnow
from models.users import EMAIL_MAX_LENGTH, PASSWORD_MIN_LENGTH

HASHER = PasswordHash.recommended()  # Argon2id
MAX_FAILURES = 5
LOCK_OUT = dt.timedelta(minutes=15)
# Verifying against a dummy hash keeps the time of an unknown e-mail equal to a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class SignInFailed(Exception):
    """The same answer for an unknown e-mail, a wrong password, a locked or inactive account."""


class TooManyAttempts(Exception):
    """This client failed too often just now: it may try again in retry_after seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class WeakPassword(ValueError):
    """The new password breaks the password rule; reason says how (too short, made from the
    e-mail or name, repeated, or common: dashboard.services.passwords)."""

    def __init__(self, reason: Weakness = Weakness.SHORT) -> None:
        super().__init__(reason.value)
        self.reason = reason


class NotFound(Exception):
    """No user with that id."""


class DuplicateEmail(ValueError):
    """Another account already has that e-mail address."""


class SharedAccount(ValueError):
    """The account has a role in another mission: only the global administrator may change
    what every mission shares (name, organisation, active, password)."""


class LastAdmin(ValueError):
    """The change would leave no active administrator to manage users."""


UnknownIdentity = Literal["partner", "none"]


def actor_of(user: User, mission_id: int | None = None) -> Actor:
    """The actor a signed-in user acts as in mission_id (None: the installation's default
    mission), with the role they have there."""
    session = object_session(user)
    if session is None:  # a user read in a session that is closed now
        with session_scope() as fresh:
            return actor_in(fresh, user, mission_id)
    return actor_in(cast(Session, session), user, mission_id)


def actor_in(session: Session, user: User, mission_id: int | None = None) -> Actor:
    """actor_of, reading the role in session."""
    if mission_id is None:
        default = mission_by_key(session, get_settings().mission_key)
        mission_id = default.id if default is not None else None
    return Actor(
        id=user.id,
        email=user.email,
        role=role_in(session, user, mission_id),
        organisation_id=user.organisation_id,
        mission_id=mission_id,
        global_admin=user.global_admin,
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
    """Create an account (admin); the e-mail is stored in lower case. A password given must
    keep the password rule (WeakPassword)."""
    if data.password and (why := weakness(data.password, email=data.email, name=data.name)):
        raise WeakPassword(why)
    hashed = HASHER.hash(data.password) if data.password else None  # before the transaction
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        fields = data.model_dump(exclude={"password", "role"})
        fields["email"] = fields["email"].lower()
        if _by_email(session, fields["email"]) is not None:
            raise DuplicateEmail(fields["email"])
        user = User(**fields, password_hash=hashed)
        session.add(user)
        session.flush()
        assert user.id is not None
        _give_role(session, user, actor.mission_id, data.role)
        after = {**public_fields(user), "role": data.role}
        audit.record(session, actor, "create", "user", user.id, after=after)
        return user.id


def _by_email(session: Session, email: str) -> User | None:
    address = email.strip().lower()
    return session.exec(select(User).where(func.lower(User.email) == address)).first()


def _active_admins(session: Session, mission_id: int | None) -> int:
    """The active accounts that administer mission_id: its secretariat, and the global
    administrator unless given another role there (role_in)."""
    query = select(func.count()).where(
        col(User.active).is_(True), role_column(mission_id) == Role.ADMIN.value
    )
    return int(session.exec(query).one())


def _administered(session: Session, user: User) -> list[int]:
    """The missions user is the secretariat of (the global administrator's: all but those
    where they were given another role)."""
    missions = session.exec(select(Mission.id)).all()
    return [m for m in missions if m is not None and role_in(session, user, m) == Role.ADMIN]


def _check_shared(session: Session, actor: Actor, user_id: int) -> None:
    """Refuse (SharedAccount) a mission's secretariat a change to an account that also has a
    role in another mission."""
    if actor.global_admin:
        return
    elsewhere = select(MissionRole.id).where(
        MissionRole.user_id == user_id, MissionRole.mission_id != actor.mission_id
    )
    if session.exec(elsewhere).first() is not None:
        raise SharedAccount(user_id)


def _give_role(session: Session, user: User, mission_id: int | None, role: Role) -> None:
    """Give user role in mission_id. A partner's is a role too: a partner of this mission (who
    may ask for its published reports), unlike an account with no role here, which reads it
    like any visitor."""
    if mission_id is not None and user.id is not None:
        set_role(session, user.id, mission_id, role)


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
    """Change a user's role in the actor's mission, or the account's name, organisation or
    active flag (shared by every mission), with a reason (admin).

    A change that would leave a mission without an active secretariat is refused (LastAdmin):
    a role change, the actor's mission; a deactivation, every mission the person administers.
    Deactivating an account ends all its sign-in sessions in the same transaction.
    """
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        user = _get(session, user_id)
        mission = actor.mission_id
        before = {**public_fields(user), "role": role_in(session, user, mission)}
        administered = _administered(session, user) if user.active else []
        fields = changes.model_dump(exclude_unset=True)
        role = fields.pop("role", None)
        if any(before[name] != value for name, value in fields.items()):
            _check_shared(session, actor, user_id)
        for name, value in fields.items():
            setattr(user, name, value)
        if role is not None:
            _give_role(session, user, mission, role)
        session.flush()
        if any(_active_admins(session, m) == 0 for m in administered):
            raise LastAdmin  # rolls the change back
        if before["active"] and not user.active:
            sessions.end_all_for_user(session, user_id, SessionEnd.DEACTIVATED)
        after = {**public_fields(user), "role": role_in(session, user, mission)}
        audit.record(
            session, actor, "update", "user", user_id, before=before, after=after, reason=reason
        )


def reset_password(
    actor: Actor, user_id: int, *, reason: str | None = None, engine: Engine | None = None
) -> str:
    """Give a user a new random password (admin); returns it to be shown once.

    Every sign-in session of the user ends with the old password, in the same transaction.
    """
    password = new_password()
    hashed = HASHER.hash(password)  # slow on purpose: before the write transaction, not in it
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        user = _get(session, user_id)
        _check_shared(session, actor, user_id)
        user.password_hash = hashed
        user.failed_logins, user.locked_until = 0, None
        sessions.end_all_for_user(session, user_id, SessionEnd.PASSWORD)
        audit.record(session, actor, "reset_password", "user", user_id, reason=reason)
    return password


def change_own_password(
    actor: Actor,
    current: str,
    new: str,
    *,
    keep_session: int | None = None,
    engine: Engine | None = None,
) -> None:
    """A signed-in user changes their own password, proving the current one.

    The new password must keep the password rule (WeakPassword, which says why not): at
    least PASSWORD_MIN_LENGTH characters, not common, repeated or made from the e-mail or name.
    The user's other sign-in sessions end; keep_session (the one they changed it in) goes on.
    """
    if len(new) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(Weakness.SHORT)
    # Hashing is slow on purpose, so it happens outside the write transaction (writers take
    # turns); the stored hash is checked again inside it.
    with session_scope(engine=engine) as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        seen = user.password_hash if user else None
        email, name = (user.email, user.name) if user else (actor.email, None)
    if not seen or not HASHER.verify(current, seen):
        raise SignInFailed
    if why := weakness(new, email=email, name=name):
        raise WeakPassword(why)
    hashed = HASHER.hash(new)
    with session_scope(write=True, engine=engine) as session:
        user = session.get(User, actor.id)
        if user is None or user.password_hash != seen:
            raise SignInFailed
        user.password_hash = hashed
        sessions.end_all_for_user(session, user.id or 0, SessionEnd.PASSWORD, keep=keep_session)
        audit.record(session, actor, "change_password", "user", user.id)


def authenticate(
    email: str,
    password: str,
    *,
    client: str | None = None,
    device: str | None = None,
    throttle: Throttle = SIGN_IN,
    engine: Engine | None = None,
) -> Actor:
    """The actor for a correct e-mail and password; SignInFailed otherwise, whatever the cause
    (unknown or over-long e-mail, wrong password, locked or inactive account).

    After MAX_FAILURES failures in a row an account is locked for LOCK_OUT: attempts during
    the lock neither count nor extend it, and once it has run out the count starts afresh.
    The lock holds for browsers that never signed in to the account: device, the token a
    browser got at an earlier sign-in with the current password (device_token), lets its
    owner in during a lock, and its failures do not count towards one, so that nobody can
    keep the owner out by failing on from elsewhere.
    With client (the browser's address), the attempt is counted against the client first,
    and a client that failed too often just now is refused with TooManyAttempts before
    anything is checked or written (dashboard.services.throttle).
    """
    if client is not None and (wait := throttle.attempt(client)) > 0:
        raise TooManyAttempts(wait)
    now = utcnow()
    actor: Actor | None = None
    address = email.strip().lower()
    # no account has a longer address or one with control characters (NUL: PostgreSQL's error)
    known_address = len(address) <= EMAIL_MAX_LENGTH and address.isprintable()
    with session_scope(engine=engine) as session:
        known = _by_email(session, address) if known_address else None
        stored = known.password_hash if known and known.password_hash else _DUMMY_HASH
    valid = HASHER.verify(password, stored)  # slow on purpose: outside the write transaction
    with session_scope(write=True, engine=engine) as session:  # failures are counted and kept
        user = _by_email(session, address) if known_address else None
        valid = valid and user is not None and user.password_hash == stored
        if user is None:  # the audit keeps a bounded address (dashboard.services.audit)
            audit.record(
                session, Actor(None, address, Role.PARTNER), "sign_in_failed", "user", None
            )
        else:
            known_device = _known_device(user, device)
            locked = _locked(user, now)
            noted = {"known_browser": True} if known_device else None
            if valid and user.active and (known_device or not locked):
                if not locked:  # a lock stays for the browsers it was set against
                    user.failed_logins, user.locked_until = 0, None
                actor = actor_of(user)
                audit.record(session, actor, "sign_in", "user", user.id, after=noted)
            else:
                if not known_device:
                    _count_failure(user, now)
                audit.record(
                    session, actor_of(user), "sign_in_failed", "user", user.id, after=noted
                )
    if actor is None:
        raise SignInFailed  # the attempt stays counted against client
    if client is not None:
        throttle.succeeded(client)
    return actor


def device_token(user_id: int, *, engine: Engine | None = None) -> str | None:
    """What a browser keeps (in an HttpOnly cookie) after a sign-in to user_id: proof that it
    signed in with the account's current password, which lets it in while the account is
    locked against other browsers (authenticate). None for an account without a password.

    A random nonce and its HMAC-SHA256 keyed with the stored password hash, which never leaves
    the server: nothing is stored, and a new password (changed or reset) voids every token.
    """
    with session_scope(engine=engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.password_hash:
            return None
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{_device_mac(user, nonce)}"


DEVICE_TOKEN_MAX_LENGTH = 100


def _device_mac(user: User, nonce: str) -> str:
    key = (user.password_hash or "").encode()
    return hmac.new(key, f"device:{user.id}:{nonce}".encode(), hashlib.sha256).hexdigest()


def _known_device(user: User, token: str | None) -> bool:
    """Whether token is one device_token gave for user with its current password."""
    if not token or len(token) > DEVICE_TOKEN_MAX_LENGTH or not user.password_hash:
        return False
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(mac.encode(), _device_mac(user, nonce).encode())


def _count_failure(user: User, now: dt.datetime) -> None:
    """Count a failed sign-in; the MAX_FAILURES-th in a row locks the account for LOCK_OUT.

    An active lock is left as it is (failing on, anyone could keep any account locked for
    good); a lock that has run out is forgotten with its count, so the count starts afresh.
    """
    if _locked(user, now):
        return
    if user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + LOCK_OUT


def _locked(user: User, now: dt.datetime) -> bool:
    """Whether the account is locked out after too many failed sign-ins."""
    until = user.locked_until
    if until is None:
        return False
    return (until if until.tzinfo else until.replace(tzinfo=dt.UTC)) > now  # SQLite: naive UTC


def identity_actor(
    email: str | None,
    *,
    unknown: UnknownIdentity,
    mission_id: int | None = None,
    engine: Engine | None = None,
) -> Actor | None:
    """The actor for an e-mail an identity provider vouched for (OpenID Connect sign-in).

    A known, active account gets its role and organisation; an unknown e-mail gets partner
    rights or nothing, as `unknown` says; a deactivated account gets nothing. Audited.
    """
    address = (email or "").strip().lower()
    actor: Actor | None = None
    with session_scope(write=True, engine=engine) as session:
        user = _by_email(session, address) if address else None
        if user is not None and user.active:
            actor = actor_in(session, user, mission_id)
        elif user is None and address and unknown == "partner":
            actor = Actor(id=None, email=address, role=Role.PARTNER, mission_id=mission_id)
        anyone = Actor(None, address or None, Role.PARTNER)
        who = actor or (actor_in(session, user, mission_id) if user else anyone)
        action = "sign_in" if actor else "sign_in_refused"
        audit.record(
            session, who, action, "user", user.id if user else None, after={"method": "oidc"}
        )
    return actor


def current_actor_of(
    session: Session, user_id: int, mission_key: str | None = None
) -> Actor | None:
    """The actor of an account as it is now in the mission with mission_key (None, or a key no
    mission has: the default mission); None once it is deactivated or gone."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    mission = mission_by_key(session, mission_key or get_settings().mission_key)
    return actor_in(session, user, mission.id if mission is not None else None)


def remembered_mission(session: Session, user_id: int) -> str | None:
    """The key of the mission a person last chose (None: never chose one)."""
    user = session.get(User, user_id)
    return user.mission_key if user is not None else None


USER_COLUMNS = [
    "id",
    "email",
    "name",
    "role",
    "organisation_id",
    "organisation",
    "active",
    "locked_until",
    "has_password",
    "created_at",
    "global_admin",
]


def user_table(actor: Actor, *, engine: Engine | None = None) -> pd.DataFrame:
    """Every account with its organisation and its role in the actor's mission (admin; a person
    with no role there is a partner); never a password hash. Accounts are people, shared
    between missions like organisations: anyone can be given a role in this one."""
    authorize(actor, Action.MANAGE_USERS, engine=engine)
    query = (
        sa.select(
            col(User.id),
            col(User.email),
            col(User.name),
            role_column(actor.mission_id),
            col(User.organisation_id),
            col(Organisation.short_name),
            col(User.active),
            col(User.locked_until),
            col(User.password_hash).is_not(None),
            col(User.created_at),
            col(User.global_admin),
        )
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .order_by(func.lower(col(User.email)))
    )
    with session_scope(engine=engine) as session:
        return frame_of(fetch(session, query), USER_COLUMNS)
