"""Build the benchmark's SQLite databases: the real mission, and it plus synthetic copies."""

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.config import ROOT

COUNTED_TABLES = ("initiative", "initiativeorganisation", "indicator", "indicatorvalue")


@dataclass(frozen=True)
class Database:
    """A built database: its label, location, size and how long building it took."""

    label: str
    path: Path
    synthetic: int
    build_seconds: float
    counts: dict[str, int]

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return f"sqlite:///{self.path}"


def _run(module: str, *args: str, url: str) -> None:
    """Run `python -m module args` in the project against the database at url."""
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m {module} {' '.join(args)} failed:\n{done.stderr}")


def table_counts(path: Path) -> dict[str, int]:
    """Row counts of the tables that grow with the synthetic factor."""
    with sqlite3.connect(path) as conn:
        return {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED_TABLES
        }


def build(directory: Path, label: str, synthetic: int = 0) -> Database:
    """Migrate and seed a new database in directory (with synthetic copies when asked)."""
    path = directory / f"{label.replace(' ', '-')}.db"
    url = f"sqlite:///{path}"
    start = time.perf_counter()
    _run("dashboard.migrate", url=url)
    _run(
        "seed",
        "--demo-accounts",
        *(["--synthetic", str(synthetic)] if synthetic else []),
        url=url,
    )
    seconds = time.perf_counter() - start
    return Database(label, path, synthetic, seconds, table_counts(path))
