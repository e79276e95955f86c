"""Governance bodies, their members, the design-phase deliverables and the mapping's findings."""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import BodyKind, DatePrecision, DeliverableStatus, FindingTheme
from models.fields import Line, OptionalLine, OptionalText, enum_column, name_field, text_field


class GovernanceBodyBase(SQLModel):
    key: Line = name_field(80)
    name: Line = name_field(200)
    kind: BodyKind = Field(sa_type=enum_column(BodyKind))
    phase: OptionalLine = text_field(120)
    description: OptionalText = text_field(2000)
    note: OptionalText = text_field(2000)
    sort_order: int = Field(default=0, ge=0)


class GovernanceBodyCreate(GovernanceBodyBase):
    mission_id: int


class GovernanceBodyUpdate(SQLModel):
    name: Line | None = name_field(200, default=None)
    phase: OptionalLine = text_field(120)
    description: OptionalText = text_field(2000)
    note: OptionalText = text_field(2000)


class GovernanceBody(GovernanceBodyBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)


class BodyMember(SQLModel, table=True):
    """An organisation's seat in a governance body."""

    body_id: int = Field(foreign_key="governancebody.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    lead: bool = False
    note: str | None = Field(default=None, max_length=1000)


class DeliverableBase(SQLModel):
    number: int = Field(ge=1)
    title: Line = name_field(300)
    description: OptionalText = text_field(2000)
    due: dt.date | None = None
    delivered: dt.date | None = None
    date_precision: DatePrecision = Field(
        default=DatePrecision.DAY, sa_type=enum_column(DatePrecision)
    )
    status: DeliverableStatus = Field(
        default=DeliverableStatus.PLANNED, sa_type=enum_column(DeliverableStatus)
    )
    note: OptionalText = text_field(2000)


class DeliverableCreate(DeliverableBase):
    mission_id: int


class DeliverableUpdate(SQLModel):
    title: Line | None = name_field(300, default=None)
    description: OptionalText = text_field(2000)
    due: dt.date | None = None
    delivered: dt.date | None = None
    status: DeliverableStatus | None = None
    note: OptionalText = text_field(2000)


class Deliverable(DeliverableBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    phase_id: int | None = Field(default=None, foreign_key="phase.id", index=True)


class MainFinding(SQLModel, table=True):
    """One of the five main findings of the 2023 mapping."""

    __table_args__ = (sa.UniqueConstraint("mission_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)
    number: int = Field(ge=1)
    theme: FindingTheme = Field(sa_type=enum_column(FindingTheme))
    theme_inferred: bool = False
    title: str = Field(max_length=500)


class Finding(SQLModel, table=True):
    """One of the sub-findings A-W, under a main finding."""

    __table_args__ = (sa.UniqueConstraint("main_finding_id", "letter"),)
    id: int | None = Field(default=None, primary_key=True)
    main_finding_id: int = Field(foreign_key="mainfinding.id", index=True)
    letter: str = Field(max_length=2)
    title: str = Field(max_length=500)
