"""The only place an engine is made; session_scope() for reads and writes."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from dashboard.settings import get_settings


def make_engine(url: str) -> Engine:
    """An engine for url; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs.

    A PostgreSQL connection attempt gives up after DATABASE_CONNECT_TIMEOUT_S seconds, so a page
    or the health check answers when the server is away instead of hanging. A SQLite file this
    process may not write is opened read-only (see sqlite_read_only): pages read it, and a
    write fails as «attempt to write a readonly database», which the pages word.
    """
    if not url.startswith("sqlite"):
        timeout_s = get_settings().database_connect_timeout_s
        own = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": timeout_s}
        return create_engine(url, pool_pre_ping=True, connect_args=own)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    read_only = None
    if not memory:
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if read_only := sqlite_read_only(path):
            url = f"sqlite:///{path.resolve().as_uri()}?{read_only}&uri=true"
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=StaticPool if memory else None,
    )
    timeout = get_settings().database_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        for pragma in ("foreign_keys=ON", f"busy_timeout={timeout}", "synchronous=NORMAL"):
            dbapi_conn.execute(f"PRAGMA {pragma}")
        if not (memory or read_only):  # a read-only file keeps the journal mode it has
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def sqlite_read_only(path: Path) -> str | None:
    """The URI options that open the SQLite file at path read-only, or None when this process
    may write it (or it does not exist yet).

    mode=ro when the file or its directory is read-only to us (permissions, or a read-only
    file system). A WAL database also needs its shared-memory file (-shm) beside it: where
    that neither exists nor can be created, SQLite reads the file only as immutable, which
    assumes that nobody changes the file while the app runs.
    """
    if not path.exists():
        return None
    directory_writable = os.access(path.parent, os.W_OK)
    if directory_writable and os.access(path, os.W_OK):
        return None
    if directory_writable or path.with_name(f"{path.name}-shm").exists():
        return "mode=ro"
    return "mode=ro&immutable=1"


_commits = 0  # commits by any engine of this process (see commit_count)


@event.listens_for(Engine, "commit")
def _count_commit(_conn: Any) -> None:
    global _commits
    _commits += 1


def commit_count() -> int:
    """How many transactions this process has committed: a page run that saw this number
    unchanged since it read the data version may go on using that version."""
    return _commits


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The engine for url (default: the configured DATABASE_URL), made once per process."""
    return make_engine(url or get_settings().database_url)


# Raised in every write transaction, so caches keyed on it never serve data older than a commit.
# It is the first statement of the transaction, which also makes writers take turns.
BUMP_DATA_VERSION = text("UPDATE dataversion SET version = version + 1 WHERE id = 1")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait
READ_ONLY_TRANSACTION = "25006"  # PostgreSQL's SQLSTATE for a write on a standby or read-only
# SQLSTATEs (PostgreSQL) and messages (SQLite) of a table or column the code expects but the
# database does not have: a database that is empty or older than the code.
_UNDEFINED = {"42P01", "42703"}
_SQLITE_UNDEFINED = ("no such table", "no such column")


class DatabaseBusy(Exception):
    """Another write held the database for longer than a write waits (SQLite's busy timeout,
    PostgreSQL's lock timeout); nothing of this write was saved. Try again in a moment."""


def busy(exc: BaseException) -> bool:
    """Whether exc is a write that gave up waiting for another one (PostgreSQL's lock
    timeout; SQLite's «database is locked» after its busy timeout)."""
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == LOCK_NOT_AVAILABLE or (
        "database is locked" in str(orig).lower()
    )


def schema_missing(error: BaseException) -> bool:
    """Whether a database error says a table or column the code uses does not exist."""
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in _UNDEFINED:
        return True
    return any(words in str(error.orig).lower() for words in _SQLITE_UNDEFINED)


def read_only(error: BaseException) -> bool:
    """Whether a database error says the database may be read but not written (a read-only
    SQLite file or volume; a PostgreSQL standby or read-only transaction)."""
    if not isinstance(error, DBAPIError):
        return False
    return (
        getattr(error.orig, "sqlstate", None) == READ_ONLY_TRANSACTION
        or "readonly database" in str(error.orig).lower()
    )


@contextmanager
def session_scope(
    *, write: bool = False, engine: Engine | None = None, data: bool = True
) -> Iterator[Session]:
    """A session; with write=True, one BEGIN IMMEDIATE transaction committed at the end.

    data=False is for writes that change none of the data pages show (sign-in sessions): they
    leave the data version, and so every cache keyed on it, alone.

    A write waits for the one before it at most the busy timeout (SQLite) or as long as a
    lock timeout of the same length (PostgreSQL), then raises DatabaseBusy, rolled back.
    """
    bind = engine or get_engine()
    if write:
        bind = bind.execution_options(sqlite_begin="IMMEDIATE")
    with Session(bind, expire_on_commit=False) as session:
        if not write:
            yield session
            return
        try:
            with session.begin():
                if bind.dialect.name == "postgresql":
                    timeout = get_settings().database_busy_timeout_ms
                    session.execute(text(f"SET LOCAL lock_timeout = {int(timeout)}"))
                # First, so write transactions take turns on PostgreSQL too (as BEGIN IMMEDIATE
                # makes them on SQLite): a command's reads, such as its version check, then see
                # every write committed before it, and no update is lost between its read and
                # its write.
                if data:
                    session.execute(BUMP_DATA_VERSION)
                yield session
        except OperationalError as exc:
            if busy(exc):
                raise DatabaseBusy(str(exc.orig)) from exc
            raise
