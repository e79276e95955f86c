"""Server-side sign-in sessions, and the pure rule for when one has run out."""

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.fields import enum_column
from models.reporting import utcnow

HASH_LENGTH = 64  # a SHA-256 digest in hex


class SessionEnd(StrEnum):
    """Why a session ended."""

    SIGN_OUT = "sign_out"
    IDLE = "idle"
    EXPIRED = "expired"
    REPLACED = "replaced"
    DEACTIVATED = "deactivated"
    PASSWORD = "password"


class UserSession(SQLModel, table=True):
    """One browser's sign-in. Only hashes of its cookie id and of its one-time grant are kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # SHA-256 of the id in the browser's cookie; None until the sign-in grant is exchanged.
    token_hash: str | None = Field(default=None, max_length=HASH_LENGTH, unique=True)
    # SHA-256 of the one-time grant the signing-in tab hands its browser; None once used.
    grant_hash: str | None = Field(default=None, max_length=HASH_LENGTH, unique=True)
    grant_expires_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    ended_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    end_reason: SessionEnd | None = Field(default=None, sa_type=enum_column(SessionEnd))
    user_agent: str | None = Field(default=None, max_length=300)


def aware(moment: dt.datetime) -> dt.datetime:
    """moment with UTC as its zone when it has none (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def run_out(
    session: UserSession, now: dt.datetime, *, idle: dt.timedelta, longest: dt.timedelta
) -> SessionEnd | None:
    """Why the session may no longer be used at now (idle too long, or too old), or None."""
    if now - aware(session.created_at) >= longest:
        return SessionEnd.EXPIRED
    if now - aware(session.last_seen_at) >= idle:
        return SessionEnd.IDLE
    return None
