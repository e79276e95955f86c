"""The mission's own way of working: each initiative's and each link's step on the
coordination staircase (samordningstrappen, Fafo-notat 2019:21 after Difi 2014), assessed per
reporting period. No row for a period means the step was not assessed (ikke vurdert)."""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.fields import CleanText

STEPS = (1, 2, 3, 4, 5)  # 1 shared knowledge ... 4 working together, 5 in ordinary operations
RATIONALE_MAX_LENGTH = 500


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StepAssessment(SQLModel):
    """A step as a person assesses it: the step and a short rationale (both required)."""

    step: int = Field(ge=1, le=5)
    rationale: CleanText = Field(min_length=1, max_length=RATIONALE_MAX_LENGTH)


class StepFields(SQLModel):
    step: int = Field(ge=1, le=5)
    rationale: str = Field(max_length=RATIONALE_MAX_LENGTH)
    assessed_by_id: int | None = Field(default=None, foreign_key="user.id")
    assessed_at: dt.datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))


class InitiativeStep(StepFields, table=True):
    """An initiative's step on the coordination staircase in one period."""

    __table_args__ = (sa.UniqueConstraint("initiative_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)


class LinkStep(StepFields, table=True):
    """A link's step (how far the two initiatives coordinate) in one period."""

    __table_args__ = (sa.UniqueConstraint("link_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="initiativelink.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
