"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from dashboard.db import make_engine
from dashboard.migrate import upgrade


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    engine.dispose()


def test_the_data_version_row_exists_after_migrating(engine: Engine) -> None:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id, version FROM dataversion").all()
    assert [tuple(r) for r in rows] == [(1, 0)]


def test_the_corrections_migration_keeps_every_value_and_check_in(engine: Engine) -> None:
    from alembic import command

    from dashboard.migrate import alembic_config
    from seed import load_real

    load_real(engine)
    count = "SELECT count(*), sum(value) FROM indicatorvalue"
    with engine.connect() as connection:
        before = tuple(connection.exec_driver_sql(count).one())
    assert before[0] > 0
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    command.downgrade(config, "6e2a1d3b0c82")  # the revision before corrections
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert tuple(connection.exec_driver_sql(count).one()) == before
        corrections = "SELECT count(*) FROM indicatorvalue WHERE is_correction"
        assert connection.exec_driver_sql(corrections).scalar() == 0
