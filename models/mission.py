"""The mission and its goal tree (its phases are in models.agencies)."""

import re

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import GoalLevel
from models.fields import (
    Line,
    OptionalLine,
    OptionalText,
    enum_column,
    name_field,
    text_field,
    year_field,
)


class MissionBase(SQLModel):
    key: Line = name_field(80)
    title: Line = name_field(300)
    short_title: OptionalLine = text_field(120)
    aim: OptionalText = text_field(2000)
    horizon_year: int | None = year_field()
    horizon_note: OptionalText = text_field(1000)
    launched_in: OptionalLine = text_field(300)
    note: OptionalText = text_field(2000)


MISSION_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # in every address: ?oppdrag=KEY


class MissionCreate(MissionBase):
    @field_validator("key")
    @classmethod
    def _key_for_addresses(cls, key: str) -> str:
        """Lower-case letters a-z and digits, with single hyphens between them."""
        if not MISSION_KEY.fullmatch(key):
            raise PydanticCustomError(
                "mission_key", "Use lower-case letters a-z, digits and hyphens between them."
            )
        return key


class MissionUpdate(SQLModel):
    title: Line | None = name_field(300, default=None)
    short_title: OptionalLine = text_field(120)
    aim: OptionalText = text_field(2000)
    horizon_year: int | None = year_field()
    horizon_note: OptionalText = text_field(1000)
    launched_in: OptionalLine = text_field(300)
    note: OptionalText = text_field(2000)


class Mission(MissionBase, table=True):
    __table_args__ = (sa.UniqueConstraint("key"),)
    id: int | None = Field(default=None, primary_key=True)


class GoalBase(SQLModel):
    code: Line = name_field(20)
    level: GoalLevel = Field(sa_type=enum_column(GoalLevel))
    title: Line = name_field(300)
    description: OptionalText = text_field(2000)
    proposal: bool = Field(default=False)
    note: OptionalText = text_field(2000)
    sort_order: int = Field(default=0, ge=0)


class GoalCreate(GoalBase):
    mission_id: int
    parent_id: int | None = None


class GoalUpdate(SQLModel):
    title: Line | None = name_field(300, default=None)
    description: OptionalText = text_field(2000)
    proposal: bool | None = None
    note: OptionalText = text_field(2000)
    sort_order: int | None = Field(default=None, ge=0)


class Goal(GoalBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="goal.id")
