"""Checksums of a database's tables, to tell whether a backup, restore or migration kept every
row: each table's rows in primary-key order, hashed."""

import hashlib
from collections.abc import Mapping, Set

import sqlalchemy as sa


def columns_of(engine: sa.Engine) -> dict[str, set[str]]:
    """Each table's column names (without Alembic's own table)."""
    inspector = sa.inspect(engine)
    return {
        name: {column["name"] for column in inspector.get_columns(name)}
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }


def checksums(engine: sa.Engine, columns: Mapping[str, Set[str]] | None = None) -> dict[str, str]:
    """A hash of every table's rows (only the tables and columns in columns, when given)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    wanted = columns if columns is not None else columns_of(engine)
    found = {}
    with engine.connect() as connection:
        for name in sorted(wanted):
            table = metadata.tables[name]
            chosen = [c for c in table.columns if c.name in wanted[name]]
            order = list(table.primary_key.columns) or chosen
            rows = connection.execute(sa.select(*chosen).order_by(*order)).all()
            text = repr([c.name for c in chosen]) + repr([tuple(row) for row in rows])
            found[name] = f"{len(rows)} rows {hashlib.sha256(text.encode()).hexdigest()[:16]}"
    return found


def data_version(engine: sa.Engine) -> int:
    """The data version of a migrated database."""
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT version FROM dataversion").scalar() or 0)


def rows_of(engine: sa.Engine) -> dict[str, list[dict[str, object]]]:
    """Every table's rows (as column -> value), in primary-key order."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    found = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            query = sa.select(table).order_by(*order)
            found[name] = [dict(row._mapping) for row in connection.execute(query)]
    return found
