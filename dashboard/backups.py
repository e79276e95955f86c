"""What `python -m dashboard.backup` and `python -m dashboard.restore` share.

A backup of SQLite is a SQLite file copied through SQLite's online backup API (one consistent
snapshot, however much is being written); a backup of PostgreSQL is a `pg_dump` archive in
custom format (also one snapshot). The file's first bytes say which it is.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import make_url

from dashboard.migrate import alembic_config
from dashboard.settings import get_settings

Kind = Literal["sqlite", "postgresql"]
MAGIC: dict[Kind, bytes] = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}
NAMES: dict[Kind, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PG_BIN_ROOT = Path("/usr/lib/postgresql")  # Debian's place for each major version's programs
FIRST_REVISION = "01e1597987e7"  # the initial schema, the only one without a data version
DATA_VERSION_REVISION = "4a3c1b313c27"  # the migration that adds the dataversion table


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def database_url(url: str | None) -> str:
    """url, or the configured DATABASE_URL."""
    return url or get_settings().database_url


def engine_kind(url: str) -> Kind:
    """Which engine a database URL names."""
    name = make_url(url).get_backend_name()
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL databases, not {name}.")


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL (an in-memory database has none to back up)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has no file to back up or restore.")
    return Path(database)


def file_kind(path: Path) -> Kind | None:
    """Which kind of backup path is, from its first bytes; None when it is neither."""
    with path.open("rb") as file:
        head = file.read(len(MAGIC["sqlite"]))
    return next((kind for kind, magic in MAGIC.items() if head.startswith(magic)), None)


def known_revision(revision: str | None) -> bool:
    """Whether revision is one of this app's migrations."""
    if not revision:
        return False
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def has_data_version(revision: str) -> bool:
    """Whether a database at (known) revision has the dataversion table."""
    script = ScriptDirectory.from_config(alembic_config())
    return any(
        step.revision == DATA_VERSION_REVISION
        for step in script.iterate_revisions(revision, "base")
    )


def head_revision() -> str:
    """The newest migration of this app."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def sqlite_revision(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision stored in a SQLite database, or None without one."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def sqlite_has_data_version(connection: sqlite3.Connection) -> bool:
    """Whether a SQLite database has the dataversion table."""
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dataversion'"
    return connection.execute(query).fetchone() is not None


def sqlite_data_version(connection: sqlite3.Connection) -> int:
    """The data version of a SQLite database (0 without the table)."""
    try:
        row = connection.execute("SELECT version FROM dataversion WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0]) if row else 0


def copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    """Copy source into a new, self-contained file (no -wal beside it) through the backup API."""
    with sqlite3.connect(target) as copy:
        source.backup(copy)  # every page in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")
    copy.close()


def rows_in(url: str) -> int:
    """How many rows the database at url holds, beyond its schema revision and data version."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            tables -= {"alembic_version", "dataversion"}
            return sum(
                connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() or 0
                for t in sorted(tables)
            )
    finally:
        engine.dispose()


def check_backup(file: Path, kind: Kind, url: str) -> str:
    """The schema revision of backup file, after checking it is a complete backup of this app
    for a database of kind (at url); BackupError saying what is wrong otherwise."""
    if not file.is_file():
        raise BackupError(f"There is no file {file}.")
    found = file_kind(file)
    if found is None:
        raise BackupError(f"{file} is not a backup made by python -m dashboard.backup.")
    if found != kind:
        raise BackupError(
            f"{file} is a backup of a {NAMES[found]} database, but DATABASE_URL is "
            f"{NAMES[kind]}; restore it onto a {NAMES[found]} database."
        )
    revision = _sqlite_backup_revision(file) if kind == "sqlite" else _pg_backup_revision(file, url)
    if revision is None:
        raise BackupError(f"{file} is not a backup of this app's database (no schema revision).")
    if not known_revision(revision):
        raise BackupError(
            f"{file} has schema revision {revision}, which this version of the app does not "
            "know: it was made by a newer version; restore it with that version."
        )
    return revision


def _sqlite_backup_revision(file: Path) -> str | None:
    try:
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as copy:
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{file} is damaged (SQLite's integrity check fails).")
            return sqlite_revision(copy)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is damaged or incomplete: {exc}.") from exc


def _pg_backup_revision(file: Path, url: str) -> str | None:
    program = pg_program("pg_restore", server_major(url))
    listing = run([program, "--list", file], dict(os.environ), f"Reading {file}")
    if not re.search(r"TABLE DATA public alembic_version ", listing):
        return None
    data = run(
        [program, "--data-only", "--table=alembic_version", "--file=-", file],
        dict(os.environ),
        f"Reading {file}",
    )
    found = re.search(r"^COPY public\.alembic_version .*?;\n(\w+)\n", data, re.MULTILINE)
    return found.group(1) if found else None


# --- PostgreSQL's own programs -----------------------------------------------------------------


def server_major(url: str) -> int:
    """The major version of the PostgreSQL server at url."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            number = connection.exec_driver_sql("SHOW server_version_num").scalar()
    except sa.exc.OperationalError as exc:
        raise BackupError(f"Cannot reach the database: {exc.orig}") from exc
    finally:
        engine.dispose()
    return int(str(number)) // 10000


def pg_data_version(url: str) -> int:
    """The data version of the PostgreSQL database at url."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version FROM dataversion").scalar()
    finally:
        engine.dispose()
    return int(version or 0)


def _major_of(program: Path) -> int:
    """The major version a PostgreSQL program reports (pg_dump (PostgreSQL) 15.8 -> 15)."""
    out = subprocess.run([str(program), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(found.group(1)) if found else 0


def pg_program(name: str, major: int) -> Path:
    """PostgreSQL's program name (pg_dump, pg_restore, psql) for a server of version major.

    Like tests/support/pg.py finds initdb: Debian's /usr/lib/postgresql/<version>/bin, the
    server's own version first, else a newer one; else the one on PATH.
    """
    installed = {
        int(path.parts[-3]): path
        for path in PG_BIN_ROOT.glob(f"*/bin/{name}")
        if path.parts[-3].isdigit()
    }
    newer = sorted(v for v in installed if v >= major)
    found = installed[newer[0]] if newer else shutil.which(name)
    if found is None and installed:
        found = installed[max(installed)]  # too old, as the check below says
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL {major}'s client programs "
            f"(Debian: apt-get install postgresql-client-{major})."
        )
    program = Path(found)
    if (version := _major_of(program)) < major:
        raise BackupError(
            f"{program} is from PostgreSQL {version}, but the server runs PostgreSQL {major}; "
            f"{name} must be of the server's version or newer "
            f"(Debian: apt-get install postgresql-client-{major})."
        )
    return program


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The connection string PostgreSQL's programs take for url, and their environment (the
    password goes in PGPASSWORD, never on a command line other users can read)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    target = parsed.set(drivername="postgresql", password=None)
    return target.render_as_string(hide_password=False), env


def run(args: Sequence[str | Path], env: dict[str, str], what: str, stdin: Any = None) -> str:
    """Run a PostgreSQL program; its output, or BackupError with what it said."""
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, stdin=stdin
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def cli(action: Callable[[], str]) -> int:
    """Run action for a command line: its message on stdout and 0, or the error on stderr and 1."""
    try:
        print(action())
    except BackupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0
