"""`python -m dashboard.backup FILE`: a consistent backup of DATABASE_URL, taken while the app
runs (see README, "Backup and restore")."""

import argparse
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from dashboard import backups
from dashboard.backups import BackupError


def backup(file: Path, url: str | None = None) -> str:
    """Write a backup of the database at url (default: DATABASE_URL) to file, which must not
    exist yet; what was written, in words. The file appears only once it is complete."""
    url = backups.database_url(url)
    if file.exists():
        raise BackupError(f"{file} exists already; give the backup a new name.")
    kind = backups.engine_kind(url)
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=file.parent, prefix=".backup-") as work:
        partial = Path(work) / "backup"
        if kind == "sqlite":
            revision = _backup_sqlite(backups.sqlite_path(url), partial)
        else:
            revision = _backup_postgresql(url, partial)
        partial.replace(file)
    return f"Backup of the {backups.NAMES[kind]} database (revision {revision}) written to {file}."


def _backup_sqlite(database: Path, target: Path) -> str:
    """Copy the SQLite database into target through the online backup API; its revision."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source:
        if backups.sqlite_revision(source) is None:
            raise BackupError(f"{database} is not a database of this app (no schema revision).")
        backups.copy_sqlite(source, target)
    return backups.check_backup(target, "sqlite", f"sqlite:///{database}")


def _backup_postgresql(url: str, target: Path) -> str:
    """pg_dump the database in custom format into target; its revision."""
    program = backups.pg_program("pg_dump", backups.server_major(url))
    dbname, env = backups.libpq_target(url)
    backups.run(
        [program, "--format=custom", f"--file={target}", f"--dbname={dbname}"], env, "pg_dump"
    )
    return backups.check_backup(target, "postgresql", url)  # the check a restore makes


def main(argv: list[str] | None = None) -> int:
    """The command line; exit code 0 when the backup is written, 1 with a message when not."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.backup", description=__doc__)
    parser.add_argument("file", type=Path, help="the backup file to write (must not exist)")
    args = parser.parse_args(argv)
    return backups.cli(lambda: backup(args.file))


if __name__ == "__main__":
    raise SystemExit(main())
