"""Reporting periods, indicator values and initiative check-ins."""

import datetime as dt
from typing import Self

import sqlalchemy as sa
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import Confidence, EntryStatus, PeriodKind, Rag
from models.fields import (
    CleanText,
    EnteredNumber,
    FiniteFloat,
    Line,
    OptionalText,
    enum_column,
    name_field,
    text_field,
)
from models.indicator import check_value_for_measure


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class PeriodBase(SQLModel):
    label: Line = name_field(20)
    kind: PeriodKind = Field(default=PeriodKind.ANNUAL, sa_type=enum_column(PeriodKind))
    start: dt.date
    end: dt.date
    due: dt.date | None = None
    locked: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.end < self.start:
            raise PydanticCustomError(
                "date_range",
                "The period ends ({end}) before it starts ({start}).",
                {"start": str(self.start), "end": str(self.end)},
            )
        return self


class PeriodCreate(PeriodBase):
    mission_id: int


class PeriodUpdate(SQLModel):
    due: dt.date | None = None
    locked: bool | None = None
    reason: OptionalText = text_field(1000)


REASON_MAX_LENGTH = 1000  # the return_reason and correction_reason columns' length


class Reason(SQLModel):
    """A reason a person gives for a step (returning an entry or a report, re-opening a
    period, correcting an approved entry), validated like every other text: no NUL, control
    characters or bidirectional controls, not too long."""

    reason: CleanText = Field(min_length=1, max_length=REASON_MAX_LENGTH)


class Period(PeriodBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "label", name="uq_period_label"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)


class WorkflowFields(SQLModel):
    """Who entered and reviewed an entry, and its optimistic-lock version."""

    status: EntryStatus = Field(default=EntryStatus.DRAFT, sa_type=enum_column(EntryStatus))
    entered_by_id: int | None = Field(default=None, foreign_key="user.id")
    entered_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    return_reason: str | None = Field(default=None, max_length=REASON_MAX_LENGTH)
    version: int = Field(default=1, ge=1)


class CorrectionFields(SQLModel):
    """Whether an entry is a proposed correction of the approved entry beside it, and why.

    A correction never becomes approved itself: approving it copies its figures into the
    approved entry and removes it, so whatever reads approved entries reads one per period.
    """

    is_correction: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    correction_reason: str | None = Field(default=None, max_length=REASON_MAX_LENGTH)


class IndicatorValueBase(SQLModel):
    value: FiniteFloat
    comment: OptionalText = text_field(1000)
    source_note: OptionalText = text_field(500)


class ValueEntry(SQLModel):
    """A value as a person types it (grid cell, form, upload row).

    Norwegian number forms are accepted; pass the indicator's measure as validation context
    (`ValueEntry.model_validate(data, context={"measure": ...})`) to refuse negative counts
    and percentages over 100.
    """

    value: EnteredNumber
    comment: OptionalText = text_field(1000)
    source_note: OptionalText = text_field(500)

    @field_validator("value")
    @classmethod
    def _fits_the_measure(cls, value: float, info: ValidationInfo) -> float:
        check_value_for_measure((info.context or {}).get("measure"), value)
        return value


class IndicatorValueCreate(IndicatorValueBase):
    indicator_id: int
    period_id: int


class IndicatorValueUpdate(SQLModel):
    value: FiniteFloat | None = None
    comment: OptionalText = text_field(1000)
    source_note: OptionalText = text_field(500)
    version: int = Field(ge=1)


class IndicatorValue(IndicatorValueBase, WorkflowFields, CorrectionFields, table=True):
    __table_args__ = (
        sa.UniqueConstraint(
            "indicator_id", "period_id", "is_correction", name="uq_indicatorvalue_entry"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)


class CheckInBase(SQLModel):
    rag: Rag = Field(sa_type=enum_column(Rag))
    confidence: Confidence = Field(default=Confidence.MEDIUM, sa_type=enum_column(Confidence))
    progress: OptionalText = text_field(2000)
    next_steps: OptionalText = text_field(2000)
    risks: OptionalText = text_field(2000)
    help_needed: OptionalText = text_field(2000)


class CheckInCreate(CheckInBase):
    initiative_id: int
    period_id: int


class CheckInUpdate(SQLModel):
    rag: Rag | None = None
    confidence: Confidence | None = None
    progress: OptionalText = text_field(2000)
    next_steps: OptionalText = text_field(2000)
    risks: OptionalText = text_field(2000)
    help_needed: OptionalText = text_field(2000)
    version: int = Field(ge=1)


class CheckIn(CheckInBase, WorkflowFields, CorrectionFields, table=True):
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "period_id", "is_correction", name="uq_checkin_entry"),
    )
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
