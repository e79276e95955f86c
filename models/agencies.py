"""The mission's phases (design phase 2023/2024, implementation from 2024; seed 004) and the
agencies' cooperation tasks (etatssamarbeidet's two tables of ongoing tasks; seed 000).

A phase's start and end are dates with a precision (a year: the 1st of January of it; a month:
its 1st day); the current phase is derived from them (dashboard.services.agencies), never
stored. A task's duration is an end date with a precision, «løpende» (no end), or not given.
"""

import datetime as dt
from typing import Self

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import DatePrecision, MissionPhase, TaskEnd, TaskRole, TaskStatus
from models.fields import Line, OptionalLine, OptionalText, enum_column, name_field, text_field


def span_end(end: dt.date | None, precision: DatePrecision) -> dt.date | None:
    """The last day a date with a precision covers (31 Dec for a year, a month's last day)."""
    if end is None or precision == DatePrecision.DAY:
        return end
    if precision == DatePrecision.YEAR:
        return dt.date(end.year, 12, 31)
    following = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def check_span(
    start: dt.date | None,
    start_precision: DatePrecision,
    end: dt.date | None,
    end_precision: DatePrecision,
) -> None:
    """Refuse an end before the start (compared as far as the precisions allow)."""
    last = span_end(end, end_precision)
    if start is not None and last is not None and last < start:
        raise PydanticCustomError(
            "date_range",
            "The end date ({end}) is before the start date ({start}).",
            {"start": str(start), "end": str(end)},
        )


class PhaseFields(SQLModel):
    description: OptionalText = text_field(2000)
    start: dt.date | None = None
    start_precision: DatePrecision = Field(
        default=DatePrecision.DAY, sa_type=enum_column(DatePrecision)
    )
    end: dt.date | None = None
    end_precision: DatePrecision = Field(
        default=DatePrecision.DAY, sa_type=enum_column(DatePrecision)
    )
    note: OptionalText = text_field(2000)


class PhaseUpdate(PhaseFields):
    """A phase as a person edits it (its kind and order stay)."""

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        check_span(self.start, self.start_precision, self.end, self.end_precision)
        return self


class Phase(PhaseFields, table=True):
    """One of the mission's phases, in order; deliverables belong to one."""

    __table_args__ = (sa.UniqueConstraint("mission_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    kind: MissionPhase = Field(sa_type=enum_column(MissionPhase))
    sort_order: int = Field(default=0, ge=0)


SOURCE_TABLES = (1, 2)  # seed 000's first table (oppgaver) and second (oppdrag)


class TaskFields(SQLModel):
    title: Line = name_field(300)
    description: OptionalText = text_field(2000)
    involved: OptionalLine = text_field(300)  # free text: «Sekretariat»
    end_kind: TaskEnd = Field(default=TaskEnd.UNKNOWN, sa_type=enum_column(TaskEnd))
    end: dt.date | None = None
    end_precision: DatePrecision = Field(
        default=DatePrecision.DAY, sa_type=enum_column(DatePrecision)
    )
    status: TaskStatus = Field(default=TaskStatus.UNKNOWN, sa_type=enum_column(TaskStatus))
    note: OptionalText = text_field(2000)


class TaskInput(TaskFields):
    """A task as a person creates or edits it, with its organisations and initiatives."""

    lead_ids: list[int] = Field(default_factory=list)
    participant_ids: list[int] = Field(default_factory=list)
    initiative_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _end_matches_kind(self) -> Self:
        if (self.end_kind == TaskEnd.DATE) != (self.end is not None):
            raise PydanticCustomError(
                "task_end",
                "An end date is given exactly when the duration is a date.",
                {},
            )
        return self


class EtatsTask(TaskFields, table=True):
    """One task of the agencies' cooperation (etatssamarbeidet)."""

    __table_args__ = (sa.UniqueConstraint("mission_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    key: str = Field(max_length=80)  # the seed's natural key; a person's task gets one too
    source_table: int | None = Field(default=None, ge=1, le=2)  # SOURCE_TABLES; None: added
    sort_order: int = Field(default=0, ge=0)


class EtatsTaskOrganisation(SQLModel, table=True):
    """An organisation's part in a task (a task may have two leads, or none)."""

    task_id: int = Field(foreign_key="etatstask.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    role: TaskRole = Field(sa_type=enum_column(TaskRole), primary_key=True)


class EtatsTaskInitiative(SQLModel, table=True):
    """A task that is the same work as an initiative (Digi-Ung is initiative 13)."""

    task_id: int = Field(foreign_key="etatstask.id", primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)


class SnapshotTask(SQLModel, table=True):
    """A task's status and end as they stood when the report was approved (task_id is no
    foreign key: a task may be removed)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    task_id: int
    title: str = Field(max_length=300)
    status: str = Field(max_length=10)
    end_kind: str = Field(max_length=10)
    end: dt.date | None = None
    end_precision: str = Field(max_length=5)


class SnapshotPhase(SQLModel, table=True):
    """The mission's current phase when the report was approved (one row, or none)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    kind: str = Field(max_length=14)
    start: dt.date | None = None
    start_precision: str = Field(max_length=5)
