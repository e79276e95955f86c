"""Organisations: ministries, directorates, municipalities, NGOs and others."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import OrganisationKind
from models.fields import Line, OptionalLine, OptionalText, enum_column, name_field, text_field


class OrganisationBase(SQLModel):
    key: Line = name_field(80)
    short_name: Line = name_field(80)
    name: Line = name_field(200)
    name_en: OptionalLine = text_field(200)
    kind: OrganisationKind = Field(
        default=OrganisationKind.OTHER, sa_type=enum_column(OrganisationKind)
    )
    note: OptionalText = text_field(1000)


class OrganisationCreate(OrganisationBase):
    pass


class OrganisationUpdate(SQLModel):
    short_name: Line | None = name_field(80, default=None)
    name: Line | None = name_field(200, default=None)
    name_en: OptionalLine = text_field(200)
    kind: OrganisationKind | None = None
    note: OptionalText = text_field(1000)


class Organisation(OrganisationBase, table=True):
    __table_args__ = (sa.UniqueConstraint("key"),)
    id: int | None = Field(default=None, primary_key=True)
