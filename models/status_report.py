"""Status reports (progress snapshots), their frozen rows, and steering-group decisions."""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import DecisionStatus, EntryStatus, ProgressStatus, Rag, ReportStatus
from models.fields import Line, OptionalText, enum_column, name_field, text_field
from models.reporting import utcnow


class StatusReportBase(SQLModel):
    summary: OptionalText = text_field(10000)
    decisions_requested: OptionalText = text_field(5000)


class StatusReportCreate(StatusReportBase):
    mission_id: int
    period_id: int


class StatusReportUpdate(StatusReportBase):
    version: int = Field(ge=1)


class StatusReport(StatusReportBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    period_id: int = Field(foreign_key="period.id")
    status: ReportStatus = Field(default=ReportStatus.DRAFT, sa_type=enum_column(ReportStatus))
    return_reason: str | None = Field(default=None, max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, ge=1)


class SnapshotGoal(SQLModel, table=True):
    """A goal as it stood when its report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    code: str = Field(max_length=20)
    title: str = Field(max_length=300)
    computed_status: ProgressStatus = Field(sa_type=enum_column(ProgressStatus))
    override_status: ProgressStatus | None = Field(
        default=None, sa_type=enum_column(ProgressStatus)
    )
    override_justification: str | None = Field(default=None, max_length=2000)


class SnapshotIndicator(SQLModel, table=True):
    """An indicator's value and status as they stood when the report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id")
    code: str = Field(max_length=40)
    name: str = Field(max_length=300)
    unit: str | None = Field(default=None, max_length=40)
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    value: float | None = None
    value_period: str | None = Field(default=None, max_length=20)
    value_status: EntryStatus | None = Field(default=None, sa_type=enum_column(EntryStatus))
    progress_status: ProgressStatus = Field(sa_type=enum_column(ProgressStatus))


class SnapshotInitiative(SQLModel, table=True):
    """An initiative's state and latest check-in as they stood when the report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id")
    number: int
    name: str = Field(max_length=300)
    status: str = Field(max_length=20)
    rag: Rag | None = Field(default=None, sa_type=enum_column(Rag))
    progress: str | None = Field(default=None, max_length=2000)
    help_needed: str | None = Field(default=None, max_length=2000)


class DecisionBase(SQLModel):
    title: Line = name_field(300)
    description: OptionalText = text_field(5000)
    decided_on: dt.date | None = None
    due: dt.date | None = None
    status: DecisionStatus = Field(default=DecisionStatus.OPEN, sa_type=enum_column(DecisionStatus))


class DecisionCreate(DecisionBase):
    mission_id: int
    owner_org_id: int | None = None
    report_id: int | None = None


class DecisionUpdate(SQLModel):
    title: Line | None = name_field(300, default=None)
    description: OptionalText = text_field(5000)
    due: dt.date | None = None
    status: DecisionStatus | None = None
    owner_org_id: int | None = None


class Decision(DecisionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    owner_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    report_id: int | None = Field(default=None, foreign_key="statusreport.id")


class DecisionGoal(SQLModel, table=True):
    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", primary_key=True)


class DecisionInitiative(SQLModel, table=True):
    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
