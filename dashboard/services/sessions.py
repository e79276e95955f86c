"""Server-side sign-in sessions: start (with a one-time grant), exchange, resolve, end.

A browser holds only a random id in a cookie; the database keeps its SHA-256 hash, so a copy
of the database signs nobody in. The tab that signed in gets a one-time grant (also stored
hashed) that its browser exchanges for the cookie, since the script cannot set cookies.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from dashboard.db import DatabaseBusy, read_only, session_scope
from dashboard.settings import get_settings
from models import SessionEnd, User, UserSession
from models.reporting import utcnow
from models.sessions import aware, run_out

# The cookie holding the session's id, and where the browser exchanges a grant for it and
# clears it again (routes in dashboard/server.py).
COOKIE = "dashboard_session"
# What a browser keeps after a sign-in, through sign-outs: that it once signed in to the account
# (dashboard.services.users.device_token), which lets it in while the account is locked.
DEVICE_COOKIE = "dashboard_device"
DEVICE_DAYS = 180
START_PATH = "/session"
END_PATH = "/session/end"
GRANT_LIFETIME = dt.timedelta(seconds=60)
# last_seen_at is written at most this often, so most runs only read.
LAST_SEEN_STEP = dt.timedelta(minutes=1)
USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Started:
    """A new session and the one-time grant its browser exchanges for the cookie."""

    session_id: int
    grant: str


@dataclass(frozen=True)
class Resolved:
    """A live session and whose it is."""

    session_id: int
    user_id: int


def digest(secret: str) -> str:
    """The SHA-256 hex digest of a cookie id or grant: all the database ever keeps of them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A random, URL-safe secret of 256 bits."""
    return secrets.token_urlsafe(32)


def start(
    user_id: int,
    *,
    user_agent: str | None = None,
    now: dt.datetime | None = None,
    engine: Engine | None = None,
) -> Started:
    """A new session for a user who has just proved who they are; a new id at every sign-in."""
    now = now or utcnow()
    grant = new_secret()
    row = UserSession(
        user_id=user_id,
        grant_hash=digest(grant),
        grant_expires_at=now + GRANT_LIFETIME,
        created_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
    )
    with session_scope(write=True, engine=engine, data=False) as session:
        session.add(row)
        session.flush()
        assert row.id is not None
        return Started(row.id, grant)


def exchange(
    grant: str,
    *,
    replaces: str | None = None,
    now: dt.datetime | None = None,
    engine: Engine | None = None,
) -> str | None:
    """The cookie id for a live, unused grant (used up by this call), or None.

    replaces is the id of the browser's cookie before this sign-in: that session ends, so a
    browser never keeps an id from before it signed in.
    """
    now = now or utcnow()
    token = new_secret()
    with session_scope(write=True, engine=engine, data=False) as session:
        row = session.exec(
            select(UserSession).where(
                UserSession.grant_hash == digest(grant), col(UserSession.ended_at).is_(None)
            )
        ).first()
        expires = row.grant_expires_at if row else None
        if row is None or expires is None or aware(expires) <= now:
            return None
        # Single use, also under concurrent requests: only the UPDATE that still finds the
        # grant in place wins (on PostgreSQL a second one waits, then matches no row).
        used = session.execute(
            sa.update(UserSession)
            .where(col(UserSession.id) == row.id, col(UserSession.grant_hash) == row.grant_hash)
            .values(
                grant_hash=None, grant_expires_at=None, token_hash=digest(token), last_seen_at=now
            )
        )
        if getattr(used, "rowcount", 0) != 1:
            return None
        if replaces:
            _end_where(
                session, col(UserSession.token_hash) == digest(replaces), SessionEnd.REPLACED, now
            )
    return token


def resolve_cookie(
    token: str, *, now: dt.datetime | None = None, engine: Engine | None = None
) -> Resolved | None:
    """The live session a cookie id names, or None (unknown, ended, run out, user inactive)."""
    return _resolve(col(UserSession.token_hash) == digest(token), now or utcnow(), engine)


def resolve(
    session_id: int, *, now: dt.datetime | None = None, engine: Engine | None = None
) -> Resolved | None:
    """The session a tab signed in with, while it is live; None once it has ended or run out."""
    return _resolve(col(UserSession.id) == session_id, now or utcnow(), engine)


def _resolve(
    where: ColumnElement[bool], now: dt.datetime, engine: Engine | None
) -> Resolved | None:
    settings = get_settings()
    idle = dt.timedelta(hours=settings.session_idle_hours)
    longest = dt.timedelta(days=settings.session_max_days)
    with session_scope(engine=engine) as session:
        found = session.exec(
            select(UserSession, User.active)
            .join(User, col(User.id) == UserSession.user_id)
            .where(where, col(UserSession.ended_at).is_(None))
        ).first()
    if found is None:
        return None
    row, active = found
    assert row.id is not None
    ended = run_out(row, now, idle=idle, longest=longest)
    if ended is None and not active:
        ended = SessionEnd.DEACTIVATED
    if ended is not None:
        end(row.id, ended, now=now, engine=engine)
        return None
    if now - aware(row.last_seen_at) >= LAST_SEEN_STEP:
        _seen(row.id, now, engine)
    return Resolved(row.id, row.user_id)


def _seen(session_id: int, now: dt.datetime, engine: Engine | None) -> None:
    """Note that a sign-in session was used now. A database that takes no write right now
    (read-only, or busy past the wait) leaves the old time: the person still reads every page,
    and the next run notes it."""
    try:
        with session_scope(write=True, engine=engine, data=False) as session:
            session.execute(
                sa.update(UserSession)
                .where(col(UserSession.id) == session_id)
                .values(last_seen_at=now)
            )
    except DatabaseBusy:
        return
    except DBAPIError as exc:
        if not read_only(exc):
            raise


def end(
    session_id: int,
    reason: SessionEnd = SessionEnd.SIGN_OUT,
    *,
    now: dt.datetime | None = None,
    engine: Engine | None = None,
) -> None:
    """End a session (sign-out): every tab of that browser is signed out on its next click."""
    with session_scope(write=True, engine=engine, data=False) as session:
        _end_where(session, col(UserSession.id) == session_id, reason, now or utcnow())


def end_cookie(token: str, *, now: dt.datetime | None = None, engine: Engine | None = None) -> None:
    """End the session a cookie id names, if it is live."""
    with session_scope(write=True, engine=engine, data=False) as session:
        _end_where(session, col(UserSession.token_hash) == digest(token), SessionEnd.SIGN_OUT, now)


def end_all_for_user(
    session: Session,
    user_id: int,
    reason: SessionEnd,
    *,
    keep: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """End every live session of a user, but keep, in the caller's transaction; how many."""
    where: ColumnElement[bool] = col(UserSession.user_id) == user_id
    if keep is not None:
        where = sa.and_(where, col(UserSession.id) != keep)
    return _end_where(session, where, reason, now)


def _end_where(
    session: Session,
    where: ColumnElement[bool],
    reason: SessionEnd,
    now: dt.datetime | None,
) -> int:
    """End the live sessions matching where; the grant goes with them."""
    result = session.execute(
        sa.update(UserSession)
        .where(where, col(UserSession.ended_at).is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason, grant_hash=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
