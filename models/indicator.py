"""Indicators: what tells whether things get better, with baseline and target."""

from typing import Self

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import Direction, Frequency, IndicatorLevel, Measure
from models.fields import (
    Line,
    OptionalFloat,
    OptionalLine,
    OptionalText,
    enum_column,
    name_field,
    text_field,
    year_field,
)
from models.statistics import SsbSelection, SsbTable


def check_value_for_measure(measure: Measure | None, value: float | None) -> None:
    """Refuse negative counts and percentages outside 0-100."""
    if value is None or measure is None:
        return
    if measure == Measure.PERCENT and not 0 <= value <= 100:
        raise PydanticCustomError(
            "percent_range",
            "A percentage must be between 0 and 100, not {value}.",
            {"value": value},
        )
    if measure == Measure.COUNT and value < 0:
        raise PydanticCustomError(
            "negative_count", "A count cannot be negative ({value}).", {"value": value}
        )


class IndicatorBase(SQLModel):
    code: Line = name_field(40)
    name: Line = name_field(300)
    definition: OptionalText = text_field(2000)
    unit: OptionalLine = text_field(40)
    measure: Measure = Field(default=Measure.COUNT, sa_type=enum_column(Measure))
    direction: Direction = Field(default=Direction.UP, sa_type=enum_column(Direction))
    source: OptionalLine = text_field(300)
    source_table: OptionalLine = text_field(120)
    # Where the series comes from in Statistics Norway (issue 19): models.statistics
    ssb_table: SsbTable = text_field(5)
    ssb_selection: SsbSelection = text_field(500)
    frequency: Frequency = Field(default=Frequency.ANNUAL, sa_type=enum_column(Frequency))
    level: IndicatorLevel = Field(
        default=IndicatorLevel.OUTCOME, sa_type=enum_column(IndicatorLevel)
    )
    baseline_value: OptionalFloat = None
    baseline_year: int | None = year_field()
    baseline_note: OptionalText = text_field(500)
    target_value: OptionalFloat = None
    target_year: int | None = year_field()
    tolerance: OptionalFloat = Field(default=None, ge=0)
    note: OptionalText = text_field(2000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_value_for_measure(self.measure, self.baseline_value)
        check_value_for_measure(self.measure, self.target_value)
        if (
            self.baseline_year is not None
            and self.target_year is not None
            and self.target_year < self.baseline_year
        ):
            raise PydanticCustomError(
                "year_range",
                "The end year ({end}) is before the start year ({start}).",
                {"start": self.baseline_year, "end": self.target_year},
            )
        return self


class IndicatorCreate(IndicatorBase):
    mission_id: int
    responsible_org_id: int | None = None
    initiative_id: int | None = None


class IndicatorUpdate(SQLModel):
    name: Line | None = name_field(300, default=None)
    definition: OptionalText = text_field(2000)
    unit: OptionalLine = text_field(40)
    measure: Measure | None = None
    direction: Direction | None = None
    source: OptionalLine = text_field(300)
    source_table: OptionalLine = text_field(120)
    ssb_table: SsbTable = text_field(5)
    ssb_selection: SsbSelection = text_field(500)
    frequency: Frequency | None = None
    level: IndicatorLevel | None = None
    baseline_value: OptionalFloat = None
    baseline_year: int | None = year_field()
    baseline_note: OptionalText = text_field(500)
    target_value: OptionalFloat = None
    target_year: int | None = year_field()
    tolerance: OptionalFloat = Field(default=None, ge=0)
    note: OptionalText = text_field(2000)
    responsible_org_id: int | None = None
    reason: OptionalText = text_field(1000)


class Indicator(IndicatorBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    responsible_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)


class IndicatorGoal(SQLModel, table=True):
    """An indicator that tells about a goal (many-to-many)."""

    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", primary_key=True, index=True)
