"""Status reports (progress snapshots), their frozen rows, and steering-group decisions."""

import datetime as dt
from typing import Self

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import DecisionStatus, EntryStatus, ProgressStatus, Rag, ReportStatus
from models.fields import CleanText, Line, OptionalText, enum_column, name_field, text_field
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
    # when the rows were last taken from the approved values and check-ins
    generated_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    returned_by_id: int | None = Field(default=None, foreign_key="user.id")
    returned_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, ge=1)


JUSTIFICATION_MAX_LENGTH = 2000  # the override_justification column's length


class Justification(SQLModel):
    """Why the steering group overrides a goal's computed status, validated like every other
    text: no NUL, control characters or bidirectional controls, not too long."""

    justification: CleanText = Field(min_length=1, max_length=JUSTIFICATION_MAX_LENGTH)


class SnapshotGoal(SQLModel, table=True):
    """A goal as it stood when its report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    code: str = Field(max_length=20)
    title: str = Field(max_length=300)
    depth: int = 0  # 0 for the main goal
    indicators: int = 0  # indicators linked to the goal or below it
    initiatives: int = 0  # initiatives contributing to the goal or below it
    computed_status: ProgressStatus = Field(sa_type=enum_column(ProgressStatus))
    override_status: ProgressStatus | None = Field(
        default=None, sa_type=enum_column(ProgressStatus)
    )
    override_justification: str | None = Field(default=None, max_length=JUSTIFICATION_MAX_LENGTH)
    override_by_id: int | None = Field(default=None, foreign_key="user.id")
    override_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class SnapshotIndicator(SQLModel, table=True):
    """An indicator's value and status as they stood when the report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id")
    code: str = Field(max_length=40)
    name: str = Field(max_length=300)
    measure: str | None = Field(default=None, max_length=10)
    unit: str | None = Field(default=None, max_length=40)
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    value: float | None = None
    value_period: str | None = Field(default=None, max_length=20)
    value_status: EntryStatus | None = Field(default=None, sa_type=enum_column(EntryStatus))
    progress_status: ProgressStatus = Field(sa_type=enum_column(ProgressStatus))
    direction: str | None = Field(default=None, max_length=10)
    responsible: str | None = Field(default=None, max_length=60)
    # the state of the value for the report's own period (completeness); None: not expected
    period_state: str | None = Field(default=None, max_length=20)
    # a value the previous approved report showed that has been changed since
    corrected_period: str | None = Field(default=None, max_length=20)
    corrected_from: float | None = None
    corrected_to: float | None = None


class SnapshotInitiative(SQLModel, table=True):
    """An initiative's state and latest check-in as they stood when the report was approved."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id")
    number: int
    name: str = Field(max_length=300)
    status: str = Field(max_length=20)
    start_year: int | None = None
    end_year: int | None = None
    responsible: str | None = Field(default=None, max_length=300)
    rag: Rag | None = Field(default=None, sa_type=enum_column(Rag))
    confidence: str | None = Field(default=None, max_length=10)
    check_in_period: str | None = Field(default=None, max_length=20)  # where the RAG comes from
    check_in_state: str | None = Field(default=None, max_length=20)  # this period's check-in
    progress: str | None = Field(default=None, max_length=2000)
    next_steps: str | None = Field(default=None, max_length=2000)
    risks: str | None = Field(default=None, max_length=2000)
    help_needed: str | None = Field(default=None, max_length=2000)
    step: int | None = None  # on the coordination staircase, latest assessed by the period's end
    step_period: str | None = Field(default=None, max_length=20)  # where the step comes from
    system_levels: str | None = Field(default=None, max_length=200)  # codes, comma-separated
    # children's and young people's involvement as assessed when the report was taken: None not
    # assessed, False none; the rung on Hart's ladder of participation (1-8) where they take part
    youth_involved: bool | None = None
    participation_rung: int | None = None


class SnapshotLink(SQLModel, table=True):
    """A link between two initiatives and its step on the coordination staircase as they
    stood when the report was approved (link_id is no foreign key: a link may be removed)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    link_id: int
    from_number: int
    to_number: int
    kind: str = Field(max_length=30)
    step: int | None = None
    step_period: str | None = Field(default=None, max_length=20)


class SnapshotDecision(SQLModel, table=True):
    """A steering-group decision as it stood when the report was approved (its follow-up)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="decision.id")
    title: str = Field(max_length=300)
    owner: str | None = Field(default=None, max_length=60)
    decided_on: dt.date | None = None
    due: dt.date | None = None
    status: DecisionStatus = Field(sa_type=enum_column(DecisionStatus))
    follow_up: str | None = Field(default=None, max_length=2000)
    goals: str | None = Field(default=None, max_length=500)  # goal codes, comma-separated
    initiatives: str | None = Field(default=None, max_length=500)  # initiative numbers


class DecisionBase(SQLModel):
    title: Line = name_field(300)
    description: OptionalText = text_field(5000)
    decided_on: dt.date | None = None
    due: dt.date | None = None
    status: DecisionStatus = Field(default=DecisionStatus.OPEN, sa_type=enum_column(DecisionStatus))
    follow_up: OptionalText = text_field(2000)
    owner_org_id: int | None = Field(default=None, foreign_key="organisation.id")


class DecisionCreate(DecisionBase):
    """A decision as the steering group records it, with the goals and initiatives it concerns."""

    report_id: int | None = None
    goal_ids: list[int] = Field(default_factory=list)
    initiative_ids: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _due_after_decision(self) -> Self:
        if self.due and self.decided_on and self.due < self.decided_on:
            raise PydanticCustomError(
                "date_range",
                "The due date ({end}) is before the decision date ({start}).",
                {"start": str(self.decided_on), "end": str(self.due)},
            )
        return self


class DecisionUpdate(DecisionCreate):
    version: int = Field(ge=1)


class Decision(DecisionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="statusreport.id")
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1, ge=1)


class DecisionGoal(SQLModel, table=True):
    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", primary_key=True)


class DecisionInitiative(SQLModel, table=True):
    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
