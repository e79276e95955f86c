"""The database fixtures themselves: migrated, empty and seeded databases on both backends."""

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

import models
from dashboard.db import session_scope


def test_engine_is_migrated_and_empty(engine: sa.Engine, backend: str) -> None:
    """Every table exists, the migration is recorded, and no table holds rows but the counter."""
    assert engine.dialect.name == {"sqlite": "sqlite", "pg": "postgresql"}[backend]
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = 1 if table.name == "dataversion" else 0  # the migration's one counter row
            assert conn.scalar(sa.select(sa.func.count()).select_from(table)) == rows, table.name


def test_engine_is_fresh_per_test(engine: sa.Engine) -> None:
    """Each test (and backend) gets its own database: after one write, exactly one row."""
    with session_scope(write=True, engine=engine) as session:
        session.add(models.Organisation(key="TEST", short_name="TEST", name="Test"))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(models.Organisation)).one() == 1


def test_seeded_engine_has_the_real_mission(seeded_engine: sa.Engine) -> None:
    """The real mission and its initiatives are loaded."""
    with Session(seeded_engine) as session:
        assert session.exec(select(models.Mission.key)).all() == ["inkludering-barn-unge"]
        names = session.exec(select(models.Initiative.name)).all()
    assert "0-24-samarbeidet" in names
