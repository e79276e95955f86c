"""Alembic environment: runs migrations on the configured engine."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from dashboard.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection (SQLite needs batch mode for ALTER)."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
    engine = get_engine(url or None)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
