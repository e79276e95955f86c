"""Run the app as a real Streamlit server on a fresh, migrated and seeded SQLite database."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import server as bench_server
from bench.server import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_MISSING = f"Chromium not installed at {CHROMIUM}: apt-get install chromium (see .ci/run)"


def chromium_missing() -> bool:
    """True when the Chromium binary the browser tests drive is not there."""
    return not os.access(CHROMIUM, os.X_OK)


@contextmanager
def app_server(timeout: float = 60.0) -> Iterator[str]:
    """Migrate and seed a temp SQLite database, serve the app on it, yield the base URL."""
    base = Path(tempfile.mkdtemp(prefix="apptest-"))
    try:
        with _serve(base, timeout) as url:
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _serve(base: Path, timeout: float) -> Iterator[str]:
    """Prepare the database in base, then serve the app on it (with the production config)."""
    database_url = f"sqlite:///{base / 'dashboard.db'}"
    env = {**os.environ, "DATABASE_URL": database_url}
    for module in ("dashboard.migrate", "seed"):
        subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True)
    with bench_server.app_server(database_url, base / "streamlit.log", timeout) as (url, _pid):
        yield url
