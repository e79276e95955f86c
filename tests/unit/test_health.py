"""GET /healthz: 200 when the database answers and is migrated, 503 otherwise, in bounded time;
on SQLite and PostgreSQL, through Starlette's test client."""

import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support import pg
from support.caches import clear_caches
from support.databases import url_of

from dashboard.db import make_engine, read_only, schema_missing
from dashboard.health import HEALTH_PATH, HEALTH_ROUTE, DatabaseState, database_state


def health(url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, str], str]:
    """Status, JSON body and Cache-Control of GET /healthz with DATABASE_URL=url."""
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    try:
        with TestClient(Starlette(routes=[HEALTH_ROUTE])) as client:
            answer = client.get(HEALTH_PATH)
    finally:
        clear_caches()
    return answer.status_code, answer.json(), answer.headers.get("cache-control", "")


def test_a_migrated_database_is_healthy(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert health(url_of(engine), monkeypatch) == (200, {"status": "ok"}, "no-store")


def test_an_empty_database_is_unhealthy_and_not_created_by_the_check(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, body, _ = health(empty_url, monkeypatch)
    assert (status, body) == (503, {"status": "unavailable", "database": "not_migrated"})
    # the failed SELECT left nothing behind that a later migration would trip over
    probe = make_engine(empty_url)
    try:
        assert database_state(probe) is DatabaseState.NOT_MIGRATED
    finally:
        probe.dispose()


def test_a_database_behind_the_code_is_not_migrated(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
    status, body, _ = health(url_of(engine), monkeypatch)
    assert (status, body) == (503, {"status": "unavailable", "database": "not_migrated"})


def test_a_database_that_is_not_there_is_unreachable(
    backend: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if backend == "sqlite":  # a path SQLite cannot open: a directory
        (tmp_path / "a-directory").mkdir()
        url = f"sqlite:///{tmp_path / 'a-directory'}"
    else:  # a port nobody listens on
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/dashboard"
    status, body, _ = health(url, monkeypatch)
    assert (status, body) == (503, {"status": "unavailable", "database": "unreachable"})


@pytest.mark.pg
def test_a_server_that_never_answers_is_unreachable_within_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL host that takes the connection and never answers (a hung server or a
    half-open network) used to keep the page, and the health check, waiting for good."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts; nobody ever speaks
    port = silent.getsockname()[1]
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT_S", "2")
    answers: list[tuple[int, dict[str, str], str]] = []
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/dashboard"
    started = time.monotonic()
    worker = threading.Thread(target=lambda: answers.append(health(url, monkeypatch)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    elapsed = time.monotonic() - started
    silent.close()
    assert answers, f"/healthz still waiting after {elapsed:.0f} s"
    assert answers[0][:2] == (503, {"status": "unavailable", "database": "unreachable"})
    assert elapsed < 10


@pytest.mark.pg
def test_a_write_to_a_read_only_postgresql_is_told_as_read_only(pg_admin_url: str) -> None:
    """A standby, or a read-only role, refuses with SQLSTATE 25006; the pages word it as
    read-only (dashboard/ui/errors.py), like a read-only SQLite file."""
    with pg.database(pg_admin_url) as url:
        standby = make_engine(f"{url}&options=-c%20default_transaction_read_only%3Don")
        try:
            with pytest.raises(DBAPIError) as refused, standby.begin() as conn:
                conn.execute(text("CREATE TABLE anything (id integer)"))
        finally:
            standby.dispose()
    assert read_only(refused.value)
    assert not schema_missing(refused.value)
