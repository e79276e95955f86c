"""How database failures are told apart (dashboard.db) and what a refused visitor meets when
the database takes no write: the refusal, never the database's state. SQLite and PostgreSQL."""

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url
from sqlalchemy.exc import OperationalError
from support.caches import clear_caches
from test_permissions import rows
from test_structure import ROOT, imports

from dashboard.db import BUMP_DATA_VERSION, make_engine
from dashboard.i18n import catalogue
from dashboard.services.commands import authorize, record_refusal
from dashboard.services.permissions import ANONYMOUS, Action, PermissionDenied
from dashboard.settings import Settings
from dashboard.ui import errors
from models import AuditEvent

WAIT_MS = 200


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@contextmanager
def held(engine: Engine) -> Iterator[None]:
    """Another transaction holds the write turn (the data version row) until the block ends."""
    with engine.execution_options(sqlite_begin="IMMEDIATE").connect() as other:
        transaction = other.begin()
        other.execute(BUMP_DATA_VERSION)
        try:
            yield
        finally:
            transaction.rollback()


def read_only_engine(engine: Engine) -> Engine:
    """An engine on the same database whose every connection may read but not write."""
    url = make_url(url_of(engine))
    if url.get_backend_name() == "postgresql":
        options = {"options": "-c default_transaction_read_only=on"}
        return make_engine(url.update_query_dict(options).render_as_string(hide_password=False))
    refusing = make_engine(url_of(engine))

    @event.listens_for(refusing, "connect")
    def _query_only(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")  # «attempt to write a readonly database»

    return refusing


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Writes wait WAIT_MS for another write (the setting's new name)."""
    monkeypatch.setenv("DATABASE_BUSY_TIMEOUT_MS", str(WAIT_MS))
    clear_caches()
    yield
    monkeypatch.delenv("DATABASE_BUSY_TIMEOUT_MS")
    clear_caches()


@pytest.mark.usefixtures("short_wait")
def test_a_refusal_on_a_busy_database_is_logged_and_still_a_refusal(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # record_refusal raised DatabaseBusy: a refused visitor read «opptatt» instead of «ingen
    # tilgang», after the whole wait
    waiting = make_engine(url_of(engine))  # connects with the short wait
    before = rows(engine, AuditEvent)
    with held(engine), caplog.at_level(logging.WARNING, logger="dashboard"):
        started = time.monotonic()
        with pytest.raises(PermissionDenied):
            authorize(ANONYMOUS, Action.MANAGE_USERS, engine=waiting)
        record_refusal(ANONYMOUS, "page", {"page": "administrasjon"}, engine=waiting)
        took = time.monotonic() - started
    assert took < 2 * (2 * WAIT_MS / 1000 + 0.5)
    assert rows(engine, AuditEvent) == before
    logged = [r.getMessage() for r in caplog.records if "audit log" in r.getMessage()]
    assert len(logged) == 2 and all("busy" in line for line in logged)
    assert "'administrasjon'" in logged[1]


def test_a_refusal_on_a_read_only_database_is_logged_and_still_a_refusal(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    refusing = read_only_engine(engine)
    with caplog.at_level(logging.WARNING, logger="dashboard"):
        with pytest.raises(PermissionDenied):  # not «attempt to write a readonly database»
            authorize(ANONYMOUS, Action.MANAGE_USERS, engine=refusing)
        record_refusal(ANONYMOUS, "page", {"page": "administrasjon\nforfalsket"}, engine=refusing)
    assert rows(engine, AuditEvent) == 0
    logged = [r.getMessage() for r in caplog.records if "audit log" in r.getMessage()]
    assert len(logged) == 2 and all("read-only" in line for line in logged)
    assert "\n" not in logged[1]  # what was typed cannot forge a line of the log


def test_a_refusal_still_fails_loudly_when_the_database_is_otherwise_wrong(
    tmp_path: Path,
) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'nobody-migrated.db'}")
    with pytest.raises(OperationalError, match="no such table"):
        record_refusal(ANONYMOUS, "page", {}, engine=empty)


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("database is locked", "app.database_busy"),
        # SQLite's SQLITE_LOCKED (a table in a shared cache) is no wait that ran out
        ("database table is locked: dataversion", "app.database_unavailable"),
    ],
)
def test_a_page_run_words_a_busy_database_by_the_one_rule(
    message: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ui/errors.py had its own looser test («locked» anywhere in the message)
    shown: list[str] = []
    monkeypatch.setattr(errors.st, "warning", lambda text, **_: shown.append(text))
    monkeypatch.setattr(errors.st, "error", lambda text, **_: shown.append(text))
    monkeypatch.setattr(errors, "t", lambda k: catalogue("nb")[k])
    failure = OperationalError("UPDATE dataversion", {}, sqlite3.OperationalError(message))
    assert errors.script_error(failure)
    assert shown == [catalogue("nb")[key]]


def test_the_busy_wait_has_a_name_for_both_engines_and_keeps_its_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DATABASE_BUSY_TIMEOUT_MS", "SQLITE_BUSY_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).database_busy_timeout_ms == 5000  # type: ignore[call-arg]
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", "700")
    assert Settings(_env_file=None).database_busy_timeout_ms == 700  # type: ignore[call-arg]
    monkeypatch.setenv("DATABASE_BUSY_TIMEOUT_MS", "900")  # the new name wins
    assert Settings(_env_file=None).database_busy_timeout_ms == 900  # type: ignore[call-arg]
    assert Settings(database_busy_timeout_ms=300).database_busy_timeout_ms == 300


def test_services_tell_database_errors_apart_without_the_web_server() -> None:
    # services/sessions.py took read_only from dashboard/health.py (Starlette, Alembic)
    for path in ROOT.glob("dashboard/services/*.py"):
        assert "dashboard.health" not in imports(path), path.name
