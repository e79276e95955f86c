"""Run the app as a real Streamlit server on a fresh, migrated and seeded SQLite database."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bench import server as bench_server
from bench.server import CHROMIUM
from dashboard.db import make_engine
from seed.demo import ensure_demo_accounts

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_MISSING = f"Chromium not installed at {CHROMIUM}: apt-get install chromium (see .ci/run)"


def chromium_missing() -> bool:
    """True when the Chromium binary the browser tests drive is not there."""
    return not os.access(CHROMIUM, os.X_OK)


@contextmanager
def app_server(
    timeout: float = 60.0,
    *,
    prepare: Callable[[str], None] | None = None,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    database_url: str | None = None,
) -> Iterator[str]:
    """Migrate and seed a temp SQLite database (or the empty one at database_url), serve the
    app on it, yield the base URL.

    prepare(database_url) runs after seeding and before the server starts (e.g. to add users).
    """
    base = Path(tempfile.mkdtemp(prefix="apptest-"))
    database_url = database_url or f"sqlite:///{base / 'dashboard.db'}"
    environment = {**os.environ, "DATABASE_URL": database_url}
    try:
        for module in ("dashboard.migrate", "seed"):
            subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=environment, check=True)
        if prepare:
            prepare(database_url)
        with bench_server.app_server(
            database_url, base / "streamlit.log", timeout, extra_args, port=port, env=env
        ) as (url, _pid):
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class FreshApp:
    """A served app's base URL, database and demo passwords."""

    url: str = ""
    database_url: str = ""
    passwords: dict[str, str] = field(default_factory=dict)


@contextmanager
def demo_app(
    prepare: Callable[[Engine], None] | None = None,
    *,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[FreshApp]:
    """A freshly served app with the demo accounts (their passwords kept), and whatever
    prepare(engine) adds before the server starts; skipped without Chromium. database_url: an
    empty database to use (PostgreSQL) instead of a new SQLite file; env: the server's extra
    environment (e.g. LANGUAGE)."""
    if chromium_missing():
        pytest.skip(CHROMIUM_MISSING)
    app = FreshApp()

    def ready(database_url: str) -> None:
        app.database_url = database_url
        engine = make_engine(database_url)
        app.passwords = {email: pw for _role, email, pw in ensure_demo_accounts(engine)}
        if prepare:
            prepare(engine)
        engine.dispose()

    with app_server(prepare=ready, database_url=database_url, env=env) as url:
        app.url = url
        yield app
