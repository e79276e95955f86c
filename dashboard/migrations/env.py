"""Alembic environment: runs migrations on the configured engine.

All steps of one run are one transaction (rolled back as a whole when a step fails or a
downgrade refuses). On SQLite, foreign keys are off while the steps rebuild tables (batch mode
drops and re-creates a table other rows point at) and checked before the commit, as SQLite's
own procedure for schema changes prescribes. A run that changes the revision of a database that
already has a data version raises it, so caches of running app processes never take the
migrated data for data they saw before.
"""

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from dashboard.db import BUMP_DATA_VERSION, get_engine
from dashboard.migrate import DowngradeRefused

target_metadata = SQLModel.metadata


def _has_data_version(connection: sa.Connection) -> bool:
    return sa.inspect(connection).has_table("dataversion")


def _sqlite_foreign_keys(connection: sa.Connection, on: bool) -> None:
    """Switch SQLite's foreign keys; only takes effect outside a transaction, so on the driver
    connection directly (SQLAlchemy would begin one first)."""
    driver: Any = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: sa.Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        rows = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in broken)
        raise DowngradeRefused(f"Migration refused: rows would point at nothing ({rows}).")


def run_migrations_online() -> None:
    """Run migrations on a live connection (SQLite needs batch mode for ALTER)."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
    engine = get_engine(url or None)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            # Our transaction around the whole run: Alembic then opens none of its own (on
            # SQLite it would otherwise commit after each step).
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=sqlite,
                    compare_type=True,
                )
                migration = context.get_context()
                before = migration.get_current_heads()
                had_version = _has_data_version(connection)
                with context.begin_transaction():
                    context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
                changed = migration.get_current_heads() != before
                if changed and had_version and _has_data_version(connection):
                    connection.execute(BUMP_DATA_VERSION)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


run_migrations_online()
