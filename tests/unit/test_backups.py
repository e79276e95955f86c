"""`python -m dashboard.backup` and `python -m dashboard.restore`, on SQLite and PostgreSQL: a
backup taken while people save restores to one consistent moment (every table's checksum and
the Rapportering page's data), a file that is not a backup of the right kind is refused, a
database holding data is replaced only with --force, and the data version never goes back."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from reporting_world import World
from sqlmodel import Session, SQLModel
from support.databases import url_of
from support.tables import checksums, data_version

from dashboard import backup as backup_cli
from dashboard import backups
from dashboard import restore as restore_cli
from dashboard.backup import backup
from dashboard.backups import BackupError
from dashboard.migrate import alembic_config, upgrade
from dashboard.restore import restore
from dashboard.services.reporting_views import check_in_list, entry_grid

SAVES_BEFORE, SAVES_AFTER = 4, 4  # each writer's saves before the backup starts, and after


def page_text(engine: sa.Engine, world: World) -> str:
    """What Rapportering shows Udir for the period: the indicator grid and the check-ins."""
    udir = world.actors["udir_a"].organisation_id or 0
    with Session(engine) as session:
        grid = entry_grid(session, world.mission, world.period, udir)
        check_ins = check_in_list(session, world.mission, world.period, udir)
    return grid.to_csv() + check_ins.to_csv()


class Writer(threading.Thread):
    """Saves one entry again and again through the services, logging the row after each save
    (the row is only ever changed by this writer, so the read after the commit is exact)."""

    def __init__(self, world: World, name: str, save: Callable[[int, int | None], Any]) -> None:
        super().__init__(name=name, daemon=True)
        self.world, self.save = world, save
        self.table = "checkin" if name == "check_in" else "indicatorvalue"
        self.stop = threading.Event()
        self.states: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.row_id, self.version = 0, None
        self.step()  # the first save, before any backup

    def step(self) -> None:
        row = self.save(len(self.states) + 1, self.version)
        self.row_id, self.version = row.id, row.version
        table = sa.Table(self.table, sa.MetaData(), autoload_with=self.world.engine)
        with self.world.engine.connect() as connection:
            query = sa.select(table).where(table.c.id == self.row_id)
            self.states.append(dict(connection.execute(query).one()._mapping))

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.step()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, saves: int) -> None:
        while len(self.states) < saves and self.is_alive():
            self.stop.wait(0.01)


def writers(world: World) -> list[Writer]:
    actor = world.actors["udir_a"]

    def count(n: int, version: int | None) -> Any:
        return world.save(actor, {"value": str(1000 + n)}, version)

    def share(n: int, version: int | None) -> Any:
        return world.save(actor, {"value": f"{n % 100},5"}, version, indicator=world.percent)

    def check_in(n: int, version: int | None) -> Any:
        return world.check_in(actor, {"rag": "green", "progress": f"Steg {n}"}, version)

    return [
        Writer(world, "count", count),
        Writer(world, "share", share),
        Writer(world, "check_in", check_in),
    ]


def roll_back_to(engine: sa.Engine, restored: sa.Engine, running: list[Writer]) -> None:
    """Undo, on the source, what the writers committed after the backup's moment: the audit
    rows after the restored ones, each written row back to its state then, and the data
    version to the restored one (so the two databases can be compared table by table)."""
    entity = {"indicatorvalue": "indicator_value", "checkin": "check_in"}
    with restored.connect() as connection:
        last_audit = connection.exec_driver_sql("SELECT max(id) FROM auditevent").scalar()
        version = connection.exec_driver_sql("SELECT version FROM dataversion").scalar()
        kept = {
            w.name: connection.execute(
                sa.text("SELECT count(*) FROM auditevent WHERE entity = :e AND entity_id = :i"),
                {"e": entity[w.table], "i": str(w.row_id)},
            ).scalar()
            for w in running
        }
    metadata = sa.MetaData()
    metadata.reflect(engine, only=["indicatorvalue", "checkin"])
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql("DROP TRIGGER auditevent_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE auditevent DISABLE TRIGGER USER")
        connection.execute(sa.text("DELETE FROM auditevent WHERE id > :i"), {"i": last_audit})
        if sqlite:
            connection.exec_driver_sql(
                "CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
            )
        else:
            connection.exec_driver_sql("ALTER TABLE auditevent ENABLE TRIGGER USER")
        for w in running:
            assert kept[w.name], "the backup holds each writer's first save"
            table = metadata.tables[w.table]
            state = w.states[kept[w.name] - 1]
            connection.execute(table.update().where(table.c.id == w.row_id).values(**state))
        connection.execute(sa.text("UPDATE dataversion SET version = :v"), {"v": version})


def test_a_backup_taken_while_people_save_restores_one_consistent_moment(
    world: World, empty_url: str, tmp_path: Path
) -> None:
    running = writers(world)
    before = data_version(world.engine)
    for writer in running:
        writer.start()
    for writer in running:
        writer.wait_for(SAVES_BEFORE)
    file = tmp_path / "backup"
    backup(file, url_of(world.engine))
    at_backup = [len(w.states) for w in running]
    for writer, seen in zip(running, at_backup, strict=True):
        writer.wait_for(seen + SAVES_AFTER)
    for writer in running:
        writer.stop.set()
        writer.join(30)
        assert writer.error is None, writer.error
    restore(file, empty_url)
    restored = sa.create_engine(empty_url)
    try:
        roll_back_to(world.engine, restored, running)
        assert checksums(world.engine) == checksums(restored)
        assert page_text(world.engine, world) == page_text(restored, world)
        # the backup is a moment between the writers' saves: some saves in, not all of them
        saves_in = data_version(restored) - 1 - before  # the restore raises it by one
        assert 3 * SAVES_BEFORE - 3 <= saves_in < sum(len(w.states) for w in running) - 3
    finally:
        restored.dispose()


def test_restore_onto_a_database_holding_data_needs_force_and_raises_its_version(
    world: World, empty_url: str, tmp_path: Path
) -> None:
    world.save(world.actors["udir_a"], {"value": "12"}, None)
    file = tmp_path / "backup"
    assert "written to" in backup(file, url_of(world.engine))
    restore(file, empty_url)
    restored = sa.create_engine(empty_url)
    try:
        with restored.begin() as connection:  # the replaced database went further
            connection.exec_driver_sql("UPDATE dataversion SET version = version + 50")
        replaced, content = data_version(restored), checksums(restored)
        with pytest.raises(BackupError, match=r"holds data .* --force"):
            restore(file, empty_url)
        assert checksums(restored) == content  # refused: nothing changed
        assert "data version now" in restore(file, empty_url, force=True)
        assert data_version(restored) == replaced + 1
        expected = checksums(world.engine)
        got = checksums(restored)
        assert {t: got[t] for t in got if t != "dataversion"} == {
            t: expected[t] for t in expected if t != "dataversion"
        }
    finally:
        restored.dispose()


def test_a_file_that_is_not_a_backup_of_the_right_kind_is_refused(
    world: World, empty_url: str, tmp_path: Path, backend: str
) -> None:
    file = tmp_path / "backup"
    backup(file, url_of(world.engine))
    other = "PGDMP" if backend == "sqlite" else "SQLite format 3\x00"
    cases = {
        "notes.txt": (b"hello", "is not a backup made by python -m dashboard.backup"),
        "other-engine": (other.encode() + b"\x00" * 100, "is a backup of a"),
        "truncated": (file.read_bytes()[: file.stat().st_size // 2], "damaged|failed"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(BackupError, match=message):
            restore(path, empty_url)
    assert backups.rows_in(empty_url) == 0  # nothing was restored
    with pytest.raises(BackupError, match="exists already"):
        backup(file, url_of(world.engine))


def test_the_commands_exit_with_1_and_a_message(
    world: World,
    empty_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dashboard.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url_of(world.engine))
    get_settings.cache_clear()
    try:
        file = tmp_path / "backup"
        assert backup_cli.main([str(file)]) == 0
        assert "written to" in capsys.readouterr().out
        assert restore_cli.main([str(file)]) == 1  # the database holds data
        assert "--force" in capsys.readouterr().err
        junk = tmp_path / "junk"
        junk.write_text("x")
        assert restore_cli.main([str(junk), "--force"]) == 1
        assert "not a backup" in capsys.readouterr().err
        assert restore_cli.main([str(file), "--force"]) == 0
    finally:
        get_settings.cache_clear()


def test_missing_or_too_old_postgresql_programs_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(backups, "PG_BIN_ROOT", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"pg_dump is not installed.*postgresql-client-16"):
        backups.pg_program("pg_dump", 16)
    old = tmp_path / "13" / "bin" / "pg_dump"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.2'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"PostgreSQL 13, but the server runs PostgreSQL 16"):
        backups.pg_program("pg_dump", 16)
    assert backups.pg_program("pg_dump", 13) == old


def test_a_backup_from_before_the_data_version_gets_one_above_the_replaced(
    world: World, empty_url: str, tmp_path: Path
) -> None:
    command.upgrade(alembic_config(empty_url), backups.FIRST_REVISION)  # no dataversion table
    old = sa.create_engine(empty_url)
    try:
        with old.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organisation (id, key, short_name, name, kind) "
                "VALUES (7, 'Gammel', 'Gammel', 'Den gamle', 'directorate')"
            )
    finally:
        old.dispose()
    file = tmp_path / "backup"
    backup(file, empty_url)
    target = url_of(world.engine)
    world.save(world.actors["udir_a"], {"value": "12"}, None)
    with world.engine.begin() as connection:  # the replaced database went far
        connection.exec_driver_sql("UPDATE dataversion SET version = version + 50")
    replaced = data_version(world.engine)
    done = restore(file, target, force=True)
    assert f"brought to revision {backups.DATA_VERSION_REVISION}" in done
    assert data_version(world.engine) == replaced + 1
    upgrade(target)  # to head, from the revision that added the data version: raised again
    assert data_version(world.engine) == replaced + 2
    with world.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT key FROM organisation").scalars().all() == [
            "Gammel"
        ]
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        assert revision.scalar() == backups.head_revision()
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []  # the schema a migration makes
