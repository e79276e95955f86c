"""Initiatives (satsinger), their organisations, contributions to goals and mutual links."""

from typing import Self

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from models.enums import (
    Arena,
    CategoryConfidence,
    CategoryScope,
    ContributionKind,
    FocusType,
    InitiativeStatus,
    LinkKind,
    OrganisationRole,
    Orientation,
    Scope,
    SystemLevel,
)
from models.fields import (
    Line,
    OptionalFloat,
    OptionalLine,
    OptionalText,
    check_year_range,
    enum_column,
    name_field,
    text_field,
    year_field,
)


class GoalCategory(SQLModel, table=True):
    """One of Halogen's nine goal categories (reference data)."""

    number: int = Field(primary_key=True, ge=1, le=9)
    title: str = Field(max_length=300)
    scope: CategoryScope = Field(sa_type=enum_column(CategoryScope))
    description: str | None = Field(default=None, max_length=2000)


class InitiativeBase(SQLModel):
    number: int = Field(ge=1)
    name: Line = name_field(300)
    description: OptionalText = text_field(1000)
    status: InitiativeStatus = Field(
        default=InitiativeStatus.UNKNOWN, sa_type=enum_column(InitiativeStatus)
    )
    start_year: int | None = year_field()
    end_year: int | None = year_field()
    scope: Scope | None = Field(default=None, sa_type=enum_column(Scope))
    region: OptionalLine = text_field(120)
    category: int | None = Field(default=None, ge=1, le=9, foreign_key="goalcategory.number")
    category_confidence: CategoryConfidence = Field(
        default=CategoryConfidence.HIGH, sa_type=enum_column(CategoryConfidence)
    )
    focus: list[FocusType] = Field(default_factory=list, sa_type=sa.JSON)
    orientation: Orientation | None = Field(default=None, sa_type=enum_column(Orientation))
    arenas: list[Arena] = Field(default_factory=list, sa_type=sa.JSON)
    # The system levels the initiative works on; empty: not assessed (ikke vurdert).
    system_levels: list[SystemLevel] = Field(default_factory=list, sa_type=sa.JSON)
    budget_nok: OptionalFloat = Field(default=None, ge=0)
    link: OptionalLine = text_field(500)
    note: OptionalText = text_field(2000)

    @model_validator(mode="after")
    def _years_in_order(self) -> Self:
        check_year_range(self.start_year, self.end_year)
        return self


class InitiativeCreate(InitiativeBase):
    mission_id: int


class InitiativeUpdate(SQLModel):
    name: Line | None = name_field(300, default=None)
    description: OptionalText = text_field(1000)
    status: InitiativeStatus | None = None
    start_year: int | None = year_field()
    end_year: int | None = year_field()
    scope: Scope | None = None
    region: OptionalLine = text_field(120)
    category: int | None = Field(default=None, ge=1, le=9)
    focus: list[FocusType] | None = None
    orientation: Orientation | None = None
    arenas: list[Arena] | None = None
    budget_nok: OptionalFloat = Field(default=None, ge=0)
    link: OptionalLine = text_field(500)
    note: OptionalText = text_field(2000)

    @model_validator(mode="after")
    def _years_in_order(self) -> Self:
        check_year_range(self.start_year, self.end_year)
        return self


class Initiative(InitiativeBase, table=True):
    __table_args__ = (sa.UniqueConstraint("mission_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", index=True)


class InitiativeOrganisation(SQLModel, table=True):
    """An organisation's part in an initiative: responsible or involved."""

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)
    role: OrganisationRole = Field(
        sa_type=enum_column(OrganisationRole), primary_key=True, default=OrganisationRole.INVOLVED
    )


class ContributionBase(SQLModel):
    kind: ContributionKind = Field(
        default=ContributionKind.INDIRECT, sa_type=enum_column(ContributionKind)
    )
    strength: int = Field(default=1, ge=1, le=3)
    rationale: OptionalText = text_field(2000)
    proposal: bool = Field(default=False)


class ContributionCreate(ContributionBase):
    initiative_id: int
    goal_id: int


class ContributionUpdate(SQLModel):
    kind: ContributionKind | None = None
    strength: int | None = Field(default=None, ge=1, le=3)
    rationale: OptionalText = text_field(2000)
    proposal: bool | None = None


class Contribution(ContributionBase, table=True):
    __table_args__ = (sa.UniqueConstraint("initiative_id", "goal_id"),)
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)


class InitiativeLinkBase(SQLModel):
    kind: LinkKind = Field(sa_type=enum_column(LinkKind))
    note: OptionalText = text_field(1000)


class InitiativeLinkCreate(InitiativeLinkBase):
    from_id: int
    to_id: int

    @model_validator(mode="after")
    def _not_to_itself(self) -> Self:
        if self.from_id == self.to_id:
            raise PydanticCustomError("self_link", "An initiative cannot be linked to itself.")
        return self


class InitiativeLinkUpdate(SQLModel):
    kind: LinkKind | None = None
    note: OptionalText = text_field(1000)


class InitiativeLink(InitiativeLinkBase, table=True):
    __table_args__ = (
        sa.UniqueConstraint("from_id", "to_id", "kind"),
        sa.CheckConstraint("from_id <> to_id", name="no_self_link"),
    )
    id: int | None = Field(default=None, primary_key=True)
    from_id: int = Field(foreign_key="initiative.id", index=True)
    to_id: int = Field(foreign_key="initiative.id", index=True)
