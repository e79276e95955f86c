"""Shared fixtures: migrated databases on SQLite and PostgreSQL, the app's env, a live server."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from support import pg, server
from support.caches import clear_caches

from dashboard.db import get_engine
from dashboard.migrate import upgrade

# every page run in the tests checks that no page changes a query result all sessions share
os.environ["SHARED_CHECK"] = "1"

BACKENDS = ["sqlite", pytest.param("pg", marks=pytest.mark.pg)]


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on: "sqlite" or "pg"."""
    return str(request.param)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server: TEST_DATABASE_URL, or a cluster for this session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield pg.normalise(url)
        return
    if pg.server_bin() is None:
        pytest.skip(pg.MISSING)
    with pg.cluster() as url:
        yield url


@contextmanager
def _new_database(backend: str, request: pytest.FixtureRequest, tmp: Path) -> Iterator[str]:
    """URL of a new, empty database on backend (a file in tmp for SQLite)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'test.db'}"
        return
    with pg.database(request.getfixturevalue("pg_admin_url")) as url:
        yield url


@contextmanager
def _migrated(url: str) -> Iterator[Engine]:
    """The engine of url after migrating it to head; disposed (and uncached) afterwards."""
    upgrade(url)
    engine = get_engine(url)  # the engine the migration used
    try:
        yield engine
    finally:
        engine.dispose()
        get_engine.cache_clear()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty, migrated database for this test."""
    with _new_database(backend, request, tmp_path) as url, _migrated(url) as eng:
        yield eng


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of another new, empty database on the test's backend, nobody migrated (the
    engine the app cached for it is disposed afterwards)."""
    tmp = tmp_path / "empty"
    tmp.mkdir()
    with _new_database(backend, request, tmp) as url:
        yield url
        get_engine(url).dispose()


@pytest.fixture(scope="session")
def seeded_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database with the real mission loaded, shared by the session (read-only!)."""
    from seed import load_real

    tmp = tmp_path_factory.mktemp(f"seeded-{backend}")
    with _new_database(backend, request, tmp) as url, _migrated(url) as eng:
        load_real(eng)
        yield eng


# --- the app ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def app_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a migrated, seeded SQLite file, built once for all AppTest tests."""
    from seed import load_real

    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'dashboard.db'}"
    with _migrated(url) as eng:
        load_real(eng)
    return url


@pytest.fixture
def app_env(app_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL set to the seeded app database for this test (for Streamlit AppTest)."""
    monkeypatch.setenv("DATABASE_URL", app_database_url)
    clear_caches()
    yield app_database_url
    clear_caches()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of the app served by `streamlit run` on a fresh seeded SQLite database."""
    if server.chromium_missing():
        pytest.skip(server.CHROMIUM_MISSING)
    if url := os.environ.get("TEST_APP_URL"):  # an app someone already runs
        yield url.rstrip("/")
        return
    with server.app_server() as url:
        yield url


# --- CI: a skipped test is a failed run --------------------------------------------------------


def _in_ci() -> bool:
    """True when env CI asks for a strict run (CI=true, as CI services and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skips(session: pytest.Session) -> list[pytest.TestReport]:
    """The reports of skipped tests so far."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI, turn a green run with skips into a failed one."""
    if _in_ci() and _skips(session) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under CI, list the skipped tests that fail the run."""
    skips = terminalreporter.stats.get("skipped", [])
    if not (_in_ci() and skips):
        return
    terminalreporter.section("skips fail the run under CI", sep="=", red=True, bold=True)
    for report in skips:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        terminalreporter.line(f"SKIPPED {report.nodeid}: {reason}", red=True)
    terminalreporter.line("Install what is missing (see .ci/run) or remove the skip.", red=True)
