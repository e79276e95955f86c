"""`python -m dashboard.restore FILE [--force]`: replace DATABASE_URL's data with a backup made
by `python -m dashboard.backup` (see README, "Backup and restore")."""

import argparse
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from alembic import command

from dashboard import backups
from dashboard.backups import BackupError
from dashboard.db import get_engine
from dashboard.migrate import alembic_config
from dashboard.settings import get_settings

ATTEMPTS = 5  # SQLite: restores again when someone wrote between reading the version and it

# PostgreSQL: in the restore's one transaction, before the backup's objects are created. Holds
# off writers (each starts by raising dataversion), keeps the version being replaced, and drops
# this app's objects from the public schema.
PG_BEFORE = """
CREATE TEMP TABLE restore_replaced (version bigint NOT NULL) ON COMMIT DROP;
DO $$
DECLARE item record;
BEGIN
  IF to_regclass('public.dataversion') IS NOT NULL THEN
    LOCK TABLE public.dataversion IN EXCLUSIVE MODE;
    INSERT INTO pg_temp.restore_replaced SELECT version FROM public.dataversion;
  END IF;
  FOR item IN SELECT c.relname, c.relkind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
  LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, item.relname);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.name);
  END LOOP;
END $$;
"""
# After them: a backup from before the data version gets it as its migration adds it
# (4a3c1b313c27: the table, its one row, the revision); then the restored version goes above
# both its own and the replaced one.
PG_AFTER = f"""
DO $$
BEGIN
  IF to_regclass('public.dataversion') IS NULL THEN
    CREATE TABLE public.dataversion (id INTEGER NOT NULL, version INTEGER NOT NULL,
      PRIMARY KEY (id));
    INSERT INTO public.dataversion (id, version) VALUES (1, 0);
    UPDATE public.alembic_version SET version_num = '{backups.DATA_VERSION_REVISION}'
      WHERE version_num = '{backups.FIRST_REVISION}';
  END IF;
  UPDATE public.dataversion SET version = 1 + GREATEST(version,
    COALESCE((SELECT max(version) FROM pg_temp.restore_replaced), 0));
END $$;
"""


def restore(file: Path, url: str | None = None, *, force: bool = False) -> str:
    """Replace the database at url (default: DATABASE_URL) with backup file; what was done.

    Refuses a file that is not a complete backup of this app for the database's engine, and a
    database holding data unless force. The restored data version is above the replaced one;
    a backup from before the data version is given it (brought to the revision that adds it).
    """
    url = backups.database_url(url)
    kind = backups.engine_kind(url)
    revision = backups.check_backup(file, kind, url)
    if not force and (rows := backups.rows_in(url)):
        raise BackupError(
            f"The database holds data ({rows} rows). A restore replaces all of it with the "
            "backup; app processes still running see the restored data on their next click. "
            "Take a backup of it first if you may need it, then run again with --force."
        )
    carry = not backups.has_data_version(revision)
    if kind == "sqlite":
        version = _restore_sqlite(file, backups.sqlite_path(url), carry=carry)
    else:
        version = _restore_postgresql(file, url)
    done = f"Restored {file} (revision {revision}); data version now {version}."
    if carry:
        revision = backups.DATA_VERSION_REVISION
        done += (
            " The backup is from before the app kept a data version: the restored database "
            f"was brought to revision {revision}, which adds it."
        )
    head = backups.head_revision()
    if revision != head:
        done += (
            f" This app's schema is at revision {head}: run python -m dashboard.migrate "
            "(make migrate) before starting it."
        )
    return done


def _restore_sqlite(file: Path, database: Path, *, carry: bool) -> int:
    """Copy backup file over the SQLite database through the online backup API, in one step
    (readers see the old data or the new, never a mix); the restored data version. carry: the
    backup has no data version yet, and gets it from its migration first."""
    database.parent.mkdir(parents=True, exist_ok=True)
    timeout = get_settings().database_busy_timeout_ms
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as work:
        staged = Path(work) / "staged.db"
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as source:
            backups.copy_sqlite(source, staged)
        if carry:
            _add_data_version(f"sqlite:///{staged}")
        with closing(sqlite3.connect(staged, isolation_level=None)) as stage:
            if not backups.sqlite_has_data_version(stage):  # though its revision has one
                raise BackupError(f"{file} is damaged: it has no data version table.")
            own = backups.sqlite_data_version(stage)
            for _ in range(ATTEMPTS):
                with closing(sqlite3.connect(database, isolation_level=None)) as target:
                    target.execute(f"PRAGMA busy_timeout={timeout}")
                    seen = target.execute("PRAGMA data_version").fetchone()[0]
                    version = 1 + max(own, backups.sqlite_data_version(target))
                    stage.execute("UPDATE dataversion SET version = ? WHERE id = 1", (version,))
                    stage.backup(target)
                    # Unchanged: nobody committed between reading the version and the copy.
                    if target.execute("PRAGMA data_version").fetchone()[0] == seen:
                        return version
    raise BackupError(
        "The database kept changing during the restore (it was restored, but its data version "
        "may repeat one the app has seen): stop the app and restore again."
    )


def _add_data_version(url: str) -> None:
    """Migrate the (staged) database at url up to the revision that adds the data version."""
    command.upgrade(alembic_config(url), backups.DATA_VERSION_REVISION)
    get_engine(url).dispose()  # the engine the migration used


def _restore_postgresql(file: Path, url: str) -> int:
    """pg_restore file into the database in one transaction (psql --single-transaction):
    readers see the old data or the new; the restored data version."""
    major = backups.server_major(url)
    pg_restore = backups.pg_program("pg_restore", major)
    psql = backups.pg_program("psql", major)
    dbname, env = backups.libpq_target(url)
    with tempfile.TemporaryDirectory(prefix="dashboard-restore-") as work:
        # The whole script first: psql would commit whatever part of it a failing pg_restore
        # had written before it stopped.
        script = Path(work) / "restore.sql"
        backups.run(
            [pg_restore, "--no-owner", "--no-acl", f"--file={script}", file],
            env,
            f"Reading {file} (nothing was changed)",
        )
        backups.run(
            [
                psql,
                *("-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"),
                f"--dbname={dbname}",
                *("-c", PG_BEFORE, "-f", script, "-c", PG_AFTER),
            ],
            env,
            "Restoring (nothing was changed)",
        )
    return backups.pg_data_version(url)


def main(argv: list[str] | None = None) -> int:
    """The command line; exit code 0 when restored, 1 with a message when refused or failed."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.restore", description=__doc__)
    parser.add_argument("file", type=Path, help="a backup made by python -m dashboard.backup")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a database that holds data (everything in it is replaced by the backup)",
    )
    args = parser.parse_args(argv)
    return backups.cli(lambda: restore(args.file, force=args.force))


if __name__ == "__main__":
    raise SystemExit(main())
