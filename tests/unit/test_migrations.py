"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL; an
upgrade from every earlier revision keeps every row; a downgrade keeps the data or refuses,
saying why, and the data version never goes backwards."""

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlmodel import SQLModel
from support import pg
from support.databases import url_of
from support.start_world import prepare_start_world
from support.tables import checksums, columns_of, data_version, rows_of

import models  # noqa: F401  (registers the tables)
from dashboard.db import get_engine, make_engine
from dashboard.migrate import DowngradeRefused, alembic_config, upgrade
from dashboard.services import sessions
from seed import load_real
from seed.demo import ensure_demo_accounts


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
    load_real(engine)
    count = "SELECT count(*), sum(value) FROM indicatorvalue"
    with engine.connect() as connection:
        before = tuple(connection.exec_driver_sql(count).one())
    assert before[0] > 0
    with engine.begin() as connection:  # the seeded funding streams refuse the way down
        connection.exec_driver_sql("DELETE FROM initiativefunding")
    with engine.begin() as connection:  # what later revisions refuse to drop (not values)
        for table in ("etatstaskorganisation", "etatstaskinitiative", "etatstask"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql(
            'UPDATE phase SET start = NULL, "end" = NULL, description = NULL, note = NULL'
        )
    config = alembic_config(url_of(engine))
    command.downgrade(config, "6e2a1d3b0c82")  # the revision before corrections
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert tuple(connection.exec_driver_sql(count).one()) == before
        corrections = "SELECT count(*) FROM indicatorvalue WHERE is_correction"
        assert connection.exec_driver_sql(corrections).scalar() == 0


# --- upgrades from every revision and downgrades, with data ------------------------------------

# Oldest first: every revision, and what its downgrade does with the rich data below.
REVISIONS = [
    s.revision
    for s in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
]
DOWNGRADE = {
    "01e1597987e7": "refused",  # would drop every table
    "4a3c1b313c27": "refused",  # the data version would start at 0 again
    "7c2e9d41a0b5": "kept",  # drops the audit triggers only
    "8e01f9c3d386": "refused",  # status reports' snapshots, decisions' follow-up
    "6e2a1d3b0c82": "kept",  # drops sign-in sessions only (everyone signs in again)
    "5d1f0c2a9b71": "kept",  # no correction pending or approved in this data
    "7b4e2c9d1a60": "refused",  # e-mails of the submitted values not sent yet
    "8c5d3f0e2b47": "kept",  # no step assessed and no system level named in this data
    "9d2e4f6a8b10": "kept",  # no involvement of children and young people assessed in this data
    "a3b5c7d9e1f2": "refused",  # the seeded funding streams of Forskningsrådet's portfolios
    "b4c6d8e0f2a3": "refused",  # the seeded agencies' tasks and the phases' dates
    "c5d7e9f1a3b4": "kept",  # no indicator has an SSB source in this data
    "d6e8f0a2b4c5": "kept",  # no SSB breakdown imported in this data
    "f8a0b2c4d6e7": "kept",  # no regional target set in this data
    "a9c1e3f5b7d9": "kept",  # one mission: each person's role there goes back to user.role
}
# Columns a later revision moved elsewhere: (table, column) -> their value in the rich data
# (mission.phase became the phase table; the seeded mission is in its implementation phase).
# (user.role became a role per mission; the copy gives everyone the partner's.)
MOVED = {("mission", "phase"): "implementation", ("user", "role"): "partner"}
SESSIONS_ONLY = {"usersession"}  # what a "kept" downgrade may lose
# What a "kept" downgrade moves back into an older column, or no longer needs: the roles per
# mission (into user.role), who administers the installation (the secretariat's role), and
# the mission of periods, audit rows and mails (the one there is).
MOVED_BACK = {
    "missionrole",
    ("user", "global_admin"),
    ("user", "mission_key"),
    ("period", "mission_id"),
    ("auditevent", "mission_id"),
    ("outbox", "mission_id"),
}


def test_every_revision_has_its_downgrade_rule() -> None:
    assert set(DOWNGRADE) == set(REVISIONS)


@pytest.fixture(scope="module")
def rich(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A database at head with realistic rows: the real mission, the demo accounts, values in
    every state, a published and a submitted status report, a decision, a sign-in session."""
    context: AbstractContextManager[str | None] = (
        nullcontext(f"sqlite:///{tmp_path_factory.mktemp('rich') / 'rich.db'}")
        if backend == "sqlite"
        else pg.database(request.getfixturevalue("pg_admin_url"))
    )
    with context as url:
        assert url
        upgrade(url)
        engine = get_engine(url)
        load_real(engine)
        ensure_demo_accounts(engine)
        prepare_start_world(engine)
        with engine.connect() as connection:
            user = connection.exec_driver_sql('SELECT min(id) FROM "user"').scalar()
        sessions.start(user, user_agent="test", now=dt.datetime.now(dt.UTC), engine=engine)
        yield engine
        engine.dispose()
        get_engine.cache_clear()


def at_revision(revision: str, rich: sa.Engine, url: str) -> sa.Engine:
    """A new database at revision holding the rich database's rows, as far as the schema of
    that revision has room for them (no correction rows before corrections existed)."""
    command.upgrade(alembic_config(url), revision)
    engine = get_engine(url)
    source, target = sa.MetaData(), sa.MetaData()
    source.reflect(rich)
    target.reflect(engine)
    with rich.connect() as read, engine.begin() as write:
        if engine.dialect.name == "sqlite":
            write.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        else:
            write.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        for table in target.sorted_tables:
            if table.name in ("alembic_version", "dataversion"):
                continue
            origin = source.tables[table.name]
            chosen = [c for c in origin.columns if c.name in table.c]
            query = sa.select(*chosen)
            if "is_correction" in origin.c and "is_correction" not in table.c:
                query = query.where(origin.c.is_correction.is_(False))
            rows = [dict(row._mapping) for row in read.execute(query)]
            for (name, column), value in MOVED.items():
                if name == table.name and column in table.c and column not in origin.c:
                    rows = [row | {column: value} for row in rows]
            if rows:
                write.execute(table.insert(), rows)
        if "dataversion" in target.tables:
            version = read.exec_driver_sql("SELECT version FROM dataversion").scalar()
            write.exec_driver_sql(f"UPDATE dataversion SET version = {version}")
    return engine


def _kept(before: dict[str, set[str]], engine: sa.Engine) -> dict[str, str]:
    """Checksums of the tables and columns of before (the data version aside)."""
    return checksums(engine, {t: c for t, c in before.items() if t != "dataversion"})


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrading_from_every_earlier_revision_keeps_every_row(
    revision: str, rich: sa.Engine, empty_url: str
) -> None:
    engine = at_revision(revision, rich, empty_url)
    columns = columns_of(engine)
    moved = {(t, c) for t, c in MOVED if c in columns.get(t, set())}
    for table, column in moved:
        columns[table].discard(column)  # checked below, where it went
    before = _kept(columns, engine)
    version = data_version(engine) if "dataversion" in columns else None
    assert sum(int(v.split()[0]) for v in before.values()) > 500  # realistic: rows everywhere
    upgrade(empty_url)
    assert _kept(columns, engine) == before
    if ("mission", "phase") in moved:  # the mission's phase is now its last phase in order
        with engine.connect() as connection:
            kinds = connection.exec_driver_sql(
                "SELECT kind FROM phase ORDER BY sort_order"
            ).scalars()
            assert list(kinds) == ["design", "implementation"]
    if version is not None:
        assert data_version(engine) > version  # caches of running processes see a change


@pytest.mark.parametrize("revision", REVISIONS)
def test_every_downgrade_keeps_the_data_or_refuses_saying_why(
    revision: str, rich: sa.Engine, empty_url: str
) -> None:
    engine = at_revision(revision, rich, empty_url)
    before = rows_of(engine)
    version = data_version(engine) if "dataversion" in before else None
    config = alembic_config(empty_url)
    if DOWNGRADE[revision] == "refused":
        with pytest.raises(DowngradeRefused, match=f"{revision} refused: it would delete \\d+ "):
            command.downgrade(config, "-1")
        assert rows_of(engine) == before  # nothing changed, the revision included
        return
    command.downgrade(config, "-1")
    after = rows_of(engine)
    dropped = set(before) - set(after) - SESSIONS_ONLY - MOVED_BACK
    assert all(not before[table] for table in dropped), dropped  # a dropped table held nothing
    for table, rows in after.items():
        if table in ("alembic_version", "dataversion"):
            continue
        gone = set(before[table][0]) - set(rows[0]) if rows else set()
        gone -= {c for c in gone if (table, c) in MOVED_BACK}
        # a dropped column held nothing (a correction flag that is false everywhere)
        assert all(not row[c] for row in before[table] for c in gone), (table, gone)
        common = [c for c in rows[0] if c in before[table][0]] if rows else []
        assert [{c: r[c] for c in common} for r in rows] == [
            {c: r[c] for c in common} for r in before[table]
        ]
        assert len(rows) == len(before[table]), table
    if "missionrole" in before and "missionrole" not in after:  # the roles went back
        roles = {r["user_id"]: r["role"] for r in before["missionrole"]}
        expected = {
            u["id"]: "admin" if u["global_admin"] else roles.get(u["id"], "partner")
            for u in before["user"]
        }
        assert {u["id"]: u["role"] for u in after["user"]} == expected
    if version is not None and "dataversion" in after:
        assert data_version(engine) > version
        version = data_version(engine)
    command.upgrade(config, "head")  # and up again: the same rows as before the downgrade
    again = rows_of(engine)
    for table in set(before) - SESSIONS_ONLY - {"alembic_version", "dataversion"}:
        if table in MOVED_BACK:  # made again from what it was moved into: the same roles (and
            # a partner's for an account that had none there, as user.role held one for all)
            same = {(r["user_id"], r["mission_id"], r["role"]) for r in again[table]}
            held = {(r["user_id"], r["mission_id"], r["role"]) for r in before[table]}
            assert held <= same and {role for *_, role in same - held} <= {"partner"}
            continue
        moved = set(MOVED) | MOVED_BACK
        kept = [{c: v for c, v in row.items() if (table, c) not in moved} for row in before[table]]
        assert [{c: r[c] for c in kept[0]} for r in again[table]] == kept or (
            before[table] == again[table] == []
        ), table
    if version is not None:
        assert data_version(engine) > version


def test_a_correction_refuses_the_downgrade_that_has_no_place_for_it(world: Any) -> None:
    """A pending correction, and the reason of an approved one, cannot survive the downgrade
    below corrections: it refuses, saying so, and changes nothing."""
    from dashboard.services.reporting import approve_value, save_value, submit_value

    a, b, engine = world.actors["udir_a"], world.actors["udir_b"], world.engine

    def sent_and_approved(row: Any) -> Any:
        row = submit_value(a, row.id, row.version, engine=engine)
        return approve_value(b, row.id, row.version, engine=engine)

    approved = sent_and_approved(world.save(a, {"value": "10"}))
    correction = save_value(
        a,
        world.indicator,
        world.period,
        {"value": "11"},
        version=approved.version,
        reason="feil i kilden",
        engine=engine,
    )
    config = alembic_config(url_of(engine))

    def below_notifications() -> None:
        """Down to corrections (the mails about the entries sent, so notifications go)."""
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE outbox SET status = 'sent'")
        command.downgrade(config, "5d1f0c2a9b71")

    below_notifications()
    before = rows_of(engine)
    with pytest.raises(DowngradeRefused, match=r"1 pending corrections \(indicatorvalue\)"):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before
    command.upgrade(config, "head")
    sent_and_approved(correction)
    below_notifications()
    with pytest.raises(DowngradeRefused, match=r"1 reasons of approved corrections"):
        command.downgrade(config, "-1")


def test_mails_not_sent_and_peoples_choices_refuse_the_downgrade_below_notifications(
    world: Any,
) -> None:
    """The outbox's waiting mails and a person's notification choices have no place below
    notifications: the downgrade refuses, naming them; once the mails are sent and nobody
    chose anything, it goes through and keeps every other row."""
    from dashboard.services.notification_choices import save_preferences
    from dashboard.services.reporting import submit_value

    a, engine = world.actors["udir_a"], world.engine
    row = world.save(a, {"value": "10"})
    submit_value(a, row.id, row.version, engine=engine)
    save_preferences(world.actors["udir_b"], "en", {}, engine=engine)
    config = alembic_config(url_of(engine))
    command.downgrade(config, "7b4e2c9d1a60")  # the later revisions keep this data
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"7b4e2c9d1a60 refused: it would delete 2 e-mails not sent yet .*; 1 users' "
        r"notification choices",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE outbox SET status = 'sent'")
        connection.exec_driver_sql('UPDATE "user" SET language = NULL, notifications = NULL')
    kept = rows_of(engine)
    command.downgrade(config, "-1")
    after = rows_of(engine)
    assert "outbox" not in after
    for table in set(after) - {"alembic_version", "dataversion", "user"}:
        assert after[table] == kept[table], table
    assert [{c: r[c] for c in after["user"][0]} for r in kept["user"]] == after["user"]


def test_assessed_steps_and_named_levels_refuse_the_downgrade_below_method(world: Any) -> None:
    """A step on the coordination staircase and an initiative's system levels have no place
    below revision 8c5d3f0e2b47: the downgrade refuses, naming them, and changes nothing."""
    from dashboard.services.method import assess_initiative_step, set_system_levels
    from models import StepAssessment, SystemLevel

    a, engine = world.actors["udir_a"], world.engine
    assess_initiative_step(
        a,
        world.initiative,
        world.period,
        StepAssessment(step=2, rationale="Felles møter"),
        seen="",
        engine=engine,
    )
    set_system_levels(a, world.initiative, [SystemLevel.HOW_WE_WORK], seen=[], engine=engine)
    config = alembic_config(url_of(engine))
    command.downgrade(config, "8c5d3f0e2b47")  # the later revisions keep this data
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"8c5d3f0e2b47 refused: it would delete 1 assessed steps \(initiativestep\); "
        r"1 initiatives' system levels",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before


def test_assessed_involvement_refuses_the_downgrade_below_involvement(world: Any) -> None:
    """An initiative's involvement of children and young people has no place below revision
    9d2e4f6a8b10: the downgrade refuses, naming it, and changes nothing."""
    from dashboard.services.involvement import save_involvement
    from models import NoInvolvement

    a, engine = world.actors["udir_a"], world.engine
    save_involvement(a, world.initiative, NoInvolvement(), seen="", engine=engine)
    config = alembic_config(url_of(engine))
    command.downgrade(config, "9d2e4f6a8b10")  # any later revisions keep this data
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"9d2e4f6a8b10 refused: it would delete 1 assessed involvement of children and "
        r"young people \(initiativeinvolvement\)",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before


def test_funding_streams_and_learning_refuse_the_downgrade_below_funding(world: Any) -> None:
    """A funding stream and a learning-log entry have no place below revision a3b5c7d9e1f2:
    the downgrade refuses, naming them, and changes nothing; without them it goes through."""
    from dashboard.services.funding import add_stream, delete_stream
    from dashboard.services.learning import add_entry, delete_entry
    from models import FundingInput, FundingState, FundingStream, LearningInput

    a, engine = world.actors["udir_a"], world.engine
    stream = add_stream(
        a,
        world.initiative,
        FundingInput(stream=FundingStream.GRANT_SCHEME, state=FundingState.APPLIED_FOR),
        engine=engine,
    )
    entry = add_entry(
        a,
        world.initiative,
        LearningInput(learnt="Felles kartlegging sparer tid", learnt_on=dt.date(2025, 3, 1)),
        engine=engine,
    )
    config = alembic_config(url_of(engine))
    command.downgrade(config, "a3b5c7d9e1f2")  # the later revisions keep this data
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"a3b5c7d9e1f2 refused: it would delete 1 funding streams \(initiativefunding\); "
        r"1 learning-log entries \(learningentry\)",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before
    command.upgrade(config, "head")  # where the services' rows fit
    delete_stream(a, stream, version=1, engine=engine)
    delete_entry(a, entry, version=1, engine=engine)
    command.downgrade(config, "a3b5c7d9e1f2")
    command.downgrade(config, "-1")
    assert "initiativefunding" not in rows_of(engine)


def test_an_ssb_source_refuses_the_downgrade_below_statistics(world: Any) -> None:
    """An indicator's SSB table and selection have no place below revision c5d7e9f1a3b4: the
    downgrade refuses, naming them, and changes nothing."""
    from sqlmodel import Session

    from models import Indicator

    engine = world.engine
    with Session(engine) as session:
        indicator = session.get(Indicator, world.indicator)
        assert indicator is not None
        indicator.ssb_table, indicator.ssb_selection = "12345", "Region=0; Tid=*"
        session.add(indicator)
        session.commit()
    config = alembic_config(url_of(engine))
    command.downgrade(config, "c5d7e9f1a3b4")  # no breakdowns: the step above is kept
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"c5d7e9f1a3b4 refused: it would delete 1 indicators' SSB sources",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before


def test_an_ssb_breakdown_refuses_the_downgrade_below_breakdowns(world: Any) -> None:
    """Imported breakdown cells have no place below revision d6e8f0a2b4c5: the downgrade
    refuses, naming them, and changes nothing; without them it drops the two tables."""
    import datetime as dt

    from sqlmodel import Session

    from models import StatisticsBatch, StatisticsCell

    engine = world.engine
    with Session(engine) as session:
        batch = StatisticsBatch(
            indicator_id=world.indicator,
            table_id="99999",
            source="fiktiv.json",
            retrieved_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            cells=1,
        )
        session.add(batch)
        session.flush()
        assert batch.id is not None
        cell = StatisticsCell(
            batch_id=batch.id, region="03", gender="0", age="15-29", year=2024, value=1.0
        )
        session.add(cell)
        session.commit()
        batch_id, cell_id = batch.id, cell.id
    config = alembic_config(url_of(engine))
    command.downgrade(config, "d6e8f0a2b4c5")  # no regional target: the step above is kept
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"d6e8f0a2b4c5 refused: it would delete 1 imports of SSB breakdowns",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before
    with Session(engine) as session:
        session.delete(session.get(StatisticsCell, cell_id))
        session.delete(session.get(StatisticsBatch, batch_id))
        session.commit()
    command.downgrade(config, "-1")
    assert "statisticscell" not in rows_of(engine) and "statisticsbatch" not in rows_of(engine)


def test_a_regional_target_refuses_the_downgrade_below_regional_targets(world: Any) -> None:
    """A region's target has no place below revision f8a0b2c4d6e7: the downgrade refuses,
    naming it, and changes nothing; without one it drops the table."""
    from sqlmodel import Session

    from models import RegionalTarget

    engine = world.engine
    with Session(engine) as session:
        target = RegionalTarget(
            indicator_id=world.indicator, region="03", target_value=10.0, target_year=2030
        )
        session.add(target)
        session.commit()
        target_id = target.id
    config = alembic_config(url_of(engine))
    command.downgrade(config, "f8a0b2c4d6e7")  # below several missions (one mission here)
    before = rows_of(engine)
    with pytest.raises(
        DowngradeRefused,
        match=r"f8a0b2c4d6e7 refused: it would delete 1 regional targets",
    ):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before
    with Session(engine) as session:
        session.delete(session.get(RegionalTarget, target_id))
        session.commit()
    command.downgrade(config, "-1")
    assert "regionaltarget" not in rows_of(engine)


def test_a_second_mission_refuses_the_downgrade_to_one_mission(world: Any) -> None:
    """Below revision a9c1e3f5b7d9 there is one role per person and no way to tell missions'
    periods apart: with two missions the downgrade refuses, saying why, and changes nothing."""
    from sqlmodel import Session

    from models import Mission

    engine = world.engine
    with Session(engine) as session:
        session.add(Mission(key="annet", title="Et annet oppdrag"))
        session.commit()
    config = alembic_config(url_of(engine))
    before = rows_of(engine)
    with pytest.raises(DowngradeRefused, match=r"a9c1e3f5b7d9 refused: it would delete 1 missio"):
        command.downgrade(config, "-1")
    assert rows_of(engine) == before


def test_periods_without_a_mission_refuse_the_upgrade_in_words(empty_url: str) -> None:
    """Periods belong to a mission from revision a9c1e3f5b7d9: a database with periods and no
    mission is refused, saying what to do, and left as it was."""
    config = alembic_config(empty_url)
    command.upgrade(config, "f8a0b2c4d6e7")
    engine = get_engine(empty_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            'INSERT INTO period (label, kind, start, "end", locked) '
            "VALUES ('2025', 'annual', '2025-01-01', '2025-12-31', false)"
        )
    before = rows_of(engine)
    with pytest.raises(DowngradeRefused, match=r"1 reporting periods but no mission"):
        command.upgrade(config, "head")
    assert rows_of(engine) == before
