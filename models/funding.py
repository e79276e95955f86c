"""Funding streams and the learning log of each initiative.

Funding follows Halogen's funding-stream model (seed 001, a draft): which streams carry an
initiative and whether the money is allocated (tildelt) or must be applied for (søkt). No
amounts: the documents give none per initiative. An initiative with no stream recorded is
«ikke vurdert».

The learning log answers finding H (seed 001: feedback loops and systematic sharing between
initiatives are weak or absent): what an initiative learnt, with whom it was shared, and when.
An entry belongs to every reporting period its date falls in (Period.start <= date <= end).
"""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import FundingState, FundingStream
from models.fields import CleanText, OptionalText, enum_column, text_field
from models.reporting import utcnow

NOTE_MAX_LENGTH = 300
LEARNT_MAX_LENGTH = 2000
SHARED_MAX_LENGTH = 500
# a status report's copies: the funder's short name (an organisation's may be longer), and with
# whom an entry was shared, the organisations' names and the text in one (cut to fit)
SNAPSHOT_FUNDER_MAX_LENGTH = 60
SNAPSHOT_SHARED_MAX_LENGTH = 1000


class FundingInput(SQLModel):
    """A funding stream as a person records it."""

    stream: FundingStream
    state: FundingState
    funder_id: int | None = None  # the organisation the money comes from, when known
    note: OptionalText = text_field(NOTE_MAX_LENGTH)


class InitiativeFunding(SQLModel, table=True):
    """One stream that carries an initiative."""

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    stream: FundingStream = Field(sa_type=enum_column(FundingStream))
    state: FundingState = Field(sa_type=enum_column(FundingState))
    funder_id: int | None = Field(default=None, foreign_key="organisation.id")
    note: str | None = Field(default=None, max_length=NOTE_MAX_LENGTH)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, ge=1)


class LearningInput(SQLModel):
    """A learning-log entry as a person writes it: what was learnt (required), with whom it was
    shared (a text, organisations, or both) and when."""

    learnt: CleanText = Field(min_length=1, max_length=LEARNT_MAX_LENGTH)
    shared_with: OptionalText = text_field(SHARED_MAX_LENGTH)
    organisation_ids: list[int] = Field(default_factory=list)
    learnt_on: dt.date


class LearningEntry(SQLModel, table=True):
    """What an initiative learnt, shared with whom, when."""

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    learnt: str = Field(max_length=LEARNT_MAX_LENGTH)
    shared_with: str | None = Field(default=None, max_length=SHARED_MAX_LENGTH)
    learnt_on: dt.date = Field(index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, ge=1)


class LearningShare(SQLModel, table=True):
    """An organisation a learning-log entry was shared with."""

    entry_id: int = Field(foreign_key="learningentry.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)


class SnapshotFunding(SQLModel, table=True):
    """A funding stream of an initiative as it stood when the report was taken."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    initiative_id: int | None = None  # no foreign key: an initiative may be removed
    number: int
    stream: str = Field(max_length=30)
    state: str = Field(max_length=20)
    funder: str | None = Field(default=None, max_length=SNAPSHOT_FUNDER_MAX_LENGTH)
    note: str | None = Field(default=None, max_length=NOTE_MAX_LENGTH)


class SnapshotLearning(SQLModel, table=True):
    """A learning-log entry of the report's period as it stood when the report was taken."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    entry_id: int  # no foreign key: an entry may be deleted
    number: int
    learnt: str = Field(max_length=LEARNT_MAX_LENGTH)
    shared_with: str | None = Field(default=None, max_length=SNAPSHOT_SHARED_MAX_LENGTH)
    learnt_on: dt.date
