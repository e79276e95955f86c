"""Bookkeeping of the database itself."""

from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    """One row whose counter every write transaction raises; caches are keyed on it."""

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, ge=0)
