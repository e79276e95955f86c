"""Breakdowns of official statistics (issue 19): an SSB table's cells by region, gender, age and
year, stored in batches that a colleague approves or returns as a whole (four eyes)."""

import datetime as dt
from typing import Self

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from models.enums import EntryStatus
from models.fields import (
    YEAR_MAX,
    YEAR_MIN,
    EnteredNumber,
    Line,
    check_year_range,
    enum_column,
    year_field,
)
from models.reporting import REASON_MAX_LENGTH, utcnow

BATCH_SOURCE_MAX = 1000
REGION_MAX = 10  # "0", "03", "3101", or SSB's "K-3101"
CODE_MAX = 20  # Kjonn and Alder codes ("0", "15-29", "999D")


class StatisticsBatch(SQLModel, table=True):
    """One import of an SSB table's breakdown cells for an indicator: approved or returned as a
    whole by somebody other than the one who submitted it (four eyes). The cell of the approved
    batch imported last wins over an older one's for the same region, gender, age and year."""

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    table_id: str | None = Field(default=None, max_length=5)
    source: str = Field(max_length=BATCH_SOURCE_MAX)  # the file's name or the API's address
    retrieved_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    age_total: str | None = Field(default=None, max_length=CODE_MAX)  # the headline age code
    # the regions' names as the file gives them, as JSON {code: name}
    region_labels: str | None = Field(default=None, sa_type=sa.Text)
    cells: int = 0
    status: EntryStatus = Field(default=EntryStatus.SUBMITTED, sa_type=enum_column(EntryStatus))
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    return_reason: str | None = Field(default=None, max_length=REASON_MAX_LENGTH)
    version: int = Field(default=1, ge=1)


class StatisticsCell(SQLModel, table=True):
    """A cell of a batch: SSB's region code as the file gives it (the 2024 reform's mapping is
    applied when it is shown, dashboard.statistics.regions), Kjonn and Alder codes, the year,
    the number or SSB's symbol, and base: the number of persons the value is computed from
    (the count itself for counts, the denominator for shares when the file gives it)."""

    __table_args__ = (
        sa.UniqueConstraint("batch_id", "region", "gender", "age", "year", name="uq_statcell"),
    )
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="statisticsbatch.id")
    region: str = Field(max_length=REGION_MAX)
    gender: str = Field(max_length=CODE_MAX)
    age: str = Field(max_length=CODE_MAX)
    year: int
    value: float | None = None
    base: float | None = None
    symbol: str | None = Field(default=None, max_length=3)


class RegionalTarget(SQLModel, table=True):
    """A target for one region of an indicator (issue 19): the status of that region's own
    series is measured against it (the whole country's against the indicator's own target).
    region is an SSB code of a county or municipality; the baseline value is the region's
    approved cell of baseline_year (total gender, the indicator's headline age), not typed."""

    __table_args__ = (sa.UniqueConstraint("indicator_id", "region", name="uq_regionaltarget"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    region: str = Field(max_length=REGION_MAX)
    target_value: float
    target_year: int
    baseline_year: int | None = None


class RegionalTargetInput(SQLModel):
    """A region's target as typed: the region code (checked against SSB's codes by the
    service), the target value and year, optionally the baseline year."""

    region: Line = Field(min_length=1, max_length=REGION_MAX)
    target_value: EnteredNumber
    target_year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    baseline_year: int | None = year_field()

    @model_validator(mode="after")
    def _years(self) -> Self:
        check_year_range(self.baseline_year, self.target_year)
        return self
