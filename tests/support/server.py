"""Run the app as a real Streamlit server on a fresh, migrated and seeded SQLite database."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_MISSING = f"Chromium not installed at {CHROMIUM}: apt-get install chromium (see .ci/run)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_missing() -> bool:
    """True when the Chromium binary the browser tests drive is not there."""
    return not os.access(CHROMIUM, os.X_OK)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    """True when the Streamlit server at url answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except OSError:
        return False


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
    """Prepare the database in base, start Streamlit on a free port, stop it afterwards."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{base / 'dashboard.db'}"}
    for module in ("dashboard.migrate", "seed"):
        subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = base / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py"]
    command += ["--server.headless", "true", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Streamlit did not come up at {url}:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
