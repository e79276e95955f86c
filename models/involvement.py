"""Whether and how children and young people take part in an initiative, and how far, on
Roger Hart's ladder of participation (Hart 1992, «Children's Participation: From Tokenism to
Citizenship», UNICEF Innocenti Essays no. 4): eight rungs, of which 1-3 are non-participation.

One row per initiative holds its current state (its history is in the audit log). No row is
«ikke vurdert» (not assessed), which is not the same as a row saying young people take no part.
"""

import datetime as dt
from typing import Literal

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from models.enums import InvolvementPhase, ParticipantBand
from models.fields import CleanText, enum_column

RUNGS = (1, 2, 3, 4, 5, 6, 7, 8)  # Hart's ladder, from manipulation (1) to shared decisions (8)
FIRST_PARTICIPATING_RUNG = (
    4  # Hart: rungs 1-3 (manipulation, decoration, tokenism) are non-participation
)
NON_PARTICIPATION = (1, 2, 3)  # manipulation, decoration, tokenism
METHOD_MAX_LENGTH = 300


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Involvement(SQLModel):
    """Young people take part: how (a short method), where on Hart's ladder, in which phases
    (none named: not known) and roughly how many (None: not known, never guessed)."""

    involved: Literal[True] = True
    method: CleanText = Field(min_length=1, max_length=METHOD_MAX_LENGTH)
    rung: int = Field(ge=1, le=8)
    phases: list[InvolvementPhase] = Field(default_factory=list)
    participants: ParticipantBand | None = None

    @field_validator("phases")
    @classmethod
    def _in_order(cls, phases: list[InvolvementPhase]) -> list[InvolvementPhase]:
        """Each phase once, in the order an initiative goes through them."""
        return [p for p in InvolvementPhase if p in set(phases)]


class NoInvolvement(SQLModel):
    """Assessed: children and young people take no part in the initiative."""

    involved: Literal[False] = False


class InitiativeInvolvement(SQLModel, table=True):
    """An initiative's involvement of children and young people as assessed now."""

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", unique=True, index=True)
    involved: bool
    method: str | None = Field(default=None, max_length=METHOD_MAX_LENGTH)
    rung: int | None = Field(default=None, ge=1, le=8)
    phases: list[InvolvementPhase] = Field(default_factory=list, sa_type=sa.JSON)
    participants: ParticipantBand | None = Field(default=None, sa_type=enum_column(ParticipantBand))
    assessed_by_id: int | None = Field(default=None, foreign_key="user.id")
    assessed_at: dt.datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
