"""An ephemeral PostgreSQL cluster for the test session, and one fresh database per test."""

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MISSING = "PostgreSQL server not installed: apt-get install postgresql (see .ci/run)"
SYSTEM_USER = "postgres"  # initdb refuses to run as root
_names = itertools.count(1)


def server_bin() -> Path | None:
    """The directory with initdb/pg_ctl of the newest installed PostgreSQL, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def normalise(url: str) -> str:
    """url with the psycopg (v3) driver, the only PostgreSQL driver installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _as_owner(args: list[str]) -> list[str]:
    """args run as the postgres system user when we are root."""
    return ["runuser", "-u", SYSTEM_USER, "--", *args] if os.geteuid() == 0 else args


@contextmanager
def cluster() -> Iterator[str]:
    """Start a throwaway cluster listening only on a unix socket; yield its admin URL."""
    bindir = server_bin()
    if bindir is None:
        raise RuntimeError(MISSING)
    base = Path(tempfile.mkdtemp(prefix="pgtest-"))
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        shutil.chown(base, SYSTEM_USER)
    run: dict[str, Any] = {"check": True, "capture_output": True, "text": True}
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        try:
            subprocess.run(
                _as_owner([*initdb, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]), **run
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed:\n{exc.stdout}\n{exc.stderr}") from exc
        pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log)]
        try:
            subprocess.run(_as_owner([*pg_ctl, "-o", _options(base), "-w", "start"]), **run)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"PostgreSQL did not start:\n{_tail(log)}") from exc
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={base}"
        finally:
            subprocess.run(_as_owner([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def database(admin_url: str) -> Iterator[str]:
    """Create a new, empty database on the server of admin_url; drop it afterwards."""
    # no pool: a connection kept across a restart of the cluster (stopped()) would be dead
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"test_{os.getpid()}_{next(_names)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def stopped(admin_url: str) -> Iterator[None]:
    """The cluster of admin_url (one cluster() started) shut down, and started again after."""
    bindir = server_bin()
    assert bindir is not None
    base = Path(make_url(admin_url).query["host"])  # type: ignore[arg-type]
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "server.log")]
    run: dict[str, Any] = {"check": True, "capture_output": True, "text": True}
    subprocess.run(_as_owner([*pg_ctl, "-m", "fast", "-w", "stop"]), **run)
    try:
        yield
    finally:
        subprocess.run(_as_owner([*pg_ctl, "-o", _options(base), "-w", "start"]), **run)


def _options(base: Path) -> str:
    """The server's options: a unix socket in base only, no durability (a test cluster)."""
    return f"-k {base} -c listen_addresses='' -c fsync=off -c full_page_writes=off"


def _tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, or a note that it is missing."""
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
