"""Users and the append-only audit trail."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from models.enums import Role
from models.fields import Line, enum_column, name_field, text_field
from models.reporting import utcnow

PASSWORD_MIN_LENGTH = 12
EMAIL_MAX_LENGTH = 254  # RFC 5321's longest address


class UserBase(SQLModel):
    email: str = Field(min_length=3, max_length=EMAIL_MAX_LENGTH)
    name: Line = name_field(200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    active: bool = True


class UserCreate(UserBase):
    email: EmailStr = Field(max_length=EMAIL_MAX_LENGTH)
    # the person's role in the mission the account is made in (a MissionRole row)
    role: Role = Role.PARTNER
    password: str | None = Field(default=None, min_length=PASSWORD_MIN_LENGTH, max_length=200)


class UserUpdate(SQLModel):
    name: Line | None = name_field(200, default=None)
    role: Role | None = None
    organisation_id: int | None = None
    active: bool | None = None


class User(UserBase, table=True):
    __table_args__ = (sa.UniqueConstraint("email"),)
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str | None = Field(default=None, max_length=500)
    failed_logins: int = Field(default=0, ge=0)
    locked_until: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # The language of the mails this person gets (None: the app's default, LANGUAGE) and how
    # they want each notification topic (models.notifications.delivery; None: the defaults).
    language: str | None = Field(default=None, max_length=2)
    notifications: dict[str, str] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True))
    # The one administrator who may create missions; in a mission where they have no role of
    # their own they act as its secretariat.
    global_admin: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # The mission this person last chose (the app opens it when no link names one).
    mission_key: str | None = Field(default=None, max_length=80)


class MissionRole(SQLModel, table=True):
    """A person's role in one mission (operative in one, partner in another)."""

    __tablename__ = "missionrole"
    __table_args__ = (sa.UniqueConstraint("user_id", "mission_id", name="uq_missionrole"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    role: Role = Field(sa_type=enum_column(Role))


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, from what to what, and why. Never edited or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_email: str | None = Field(default=None, max_length=EMAIL_MAX_LENGTH)
    # the mission the actor acted in (None: the whole installation, or before missions)
    mission_id: int | None = Field(default=None, foreign_key="mission.id", index=True)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=60)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    reason: str | None = text_field(2000)
