"""A 5,000-row import on SQLite and PostgreSQL: how long its commit takes (new values, then
changed values), and how long a colleague's save waits while an import commits.

Each engine gets a fresh database of its own: one mission with IMPORT_INDICATORS indicators of
one organisation and IMPORT_PERIODS open periods, so a file of every indicator and period has
MAX_ROWS rows. PostgreSQL is an ephemeral cluster (tests/support/pg.py), like the tests use.
"""

import datetime as dt
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import col, select

from bench.stats import Summary, summarise
from dashboard.db import DatabaseBusy, get_engine, session_scope
from dashboard.migrate import upgrade
from dashboard.services.imports.run import Versions, commit_import, dry_run
from dashboard.services.imports.upload import MAX_ROWS
from dashboard.services.missions import set_role
from dashboard.services.permissions import Actor
from dashboard.services.reporting import save_value
from dashboard.services.users import actor_in
from models import Indicator, IndicatorValue, Mission, Organisation, Period, Role, User

IMPORT_PERIODS = 5
IMPORT_INDICATORS = MAX_ROWS // IMPORT_PERIODS


@dataclass
class ImportTiming:
    """What one engine measured."""

    engine: str  # "SQLite" or "PostgreSQL"
    rows: int
    create_ms: float  # the commit of MAX_ROWS new values (dry run not included)
    update_ms: float  # the commit of MAX_ROWS changed values
    # a colleague's saves, one after the other, while a third import commits
    saves_during: Summary | None = None
    saves_refused: int = 0  # saves that got the busy refusal instead of waiting
    during_import_ms: float = 0.0  # how long that third import's commit took
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportWorld:
    """The database the import is measured on."""

    engine: Engine
    mission_id: int
    importer: Actor  # the secretariat
    colleague: Actor  # an operative of the indicators' organisation
    indicators: list[int]
    periods: dict[str, int]  # label -> id: the periods the import fills
    other_period: int  # an open period the import leaves alone, where the colleague saves


def build_world(url: str) -> ImportWorld:
    """Migrate url and give it the mission, indicators, periods and two people."""
    upgrade(url)
    engine = get_engine(url)
    with session_scope(write=True, engine=engine) as session:
        org = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        mission = Mission(key="bench-import", title="Import")
        session.add_all([org, mission])
        session.flush()
        assert mission.id is not None and org.id is not None
        indicators = [
            Indicator(
                mission_id=mission.id,
                code=f"I{n:04d}",
                name=f"Antall {n}",
                responsible_org_id=org.id,
            )
            for n in range(IMPORT_INDICATORS)
        ]
        periods = [
            Period(
                mission_id=mission.id,
                label=str(year),
                start=dt.date(year, 1, 1),
                end=dt.date(year, 12, 31),
            )
            for year in range(2019, 2020 + IMPORT_PERIODS)
        ]
        people = [
            User(email="sekretariat@bench.invalid", name="S"),
            User(email="operativ@bench.invalid", name="O", organisation_id=org.id),
        ]
        session.add_all([*indicators, *periods, *people])
        session.flush()
        for person, role in zip(people, (Role.ADMIN, Role.OPERATIVE), strict=True):
            set_role(session, person.id or 0, mission.id, role)
        importer, colleague = (actor_in(session, person, mission.id) for person in people)
        return ImportWorld(
            engine,
            mission.id,
            importer,
            colleague,
            [i.id or 0 for i in indicators],
            {p.label: p.id or 0 for p in periods[1:]},
            periods[0].id or 0,
        )


def import_frame(world: ImportWorld, round_: int) -> pd.DataFrame:
    """A file (as read_upload returns it) with a value for every indicator and period."""
    with session_scope(engine=world.engine) as session:
        codes = list(session.exec(select(Indicator.code).order_by(col(Indicator.id))))
    records = [
        {
            "indikator": code,
            "periode": label,
            "verdi": str(n + round_),
            "kommentar": f"runde {round_}",
        }
        for label in world.periods
        for n, code in enumerate(codes)
    ]
    return pd.DataFrame(records, index=range(2, len(records) + 2), dtype=object)


def expected_versions(world: ImportWorld, frame: pd.DataFrame) -> Versions:
    """The versions the secretariat's dry run of frame saw (what the commit expects)."""
    return dry_run(world.importer, world.mission_id, frame, engine=world.engine).versions()


def commit(world: ImportWorld, frame: pd.DataFrame, expected: Versions) -> dict[str, int]:
    """Commit frame as the secretariat, after a dry run that saw expected; its counts."""
    return commit_import(
        world.importer,
        world.mission_id,
        frame,
        source="bench.csv",
        expected=expected,
        engine=world.engine,
    )


def timed_import(world: ImportWorld, frame: pd.DataFrame) -> float:
    """Dry-run then commit frame as the secretariat; the commit's time in ms."""
    expected = expected_versions(world, frame)
    start = time.perf_counter()
    commit(world, frame, expected)
    return (time.perf_counter() - start) * 1000


def measure_world(label: str, world: ImportWorld) -> ImportTiming:
    """Create, update, and update again with a colleague saving meanwhile."""
    create_ms = timed_import(world, import_frame(world, 1))
    update_ms = timed_import(world, import_frame(world, 2))
    timing = ImportTiming(label, MAX_ROWS, create_ms, update_ms)
    frame = import_frame(world, 3)
    expected = expected_versions(world, frame)
    started, finished = threading.Event(), threading.Event()
    result: dict[str, float] = {}

    def run_import() -> None:
        start = time.perf_counter()
        started.set()
        try:
            commit(world, frame, expected)
            result["ms"] = (time.perf_counter() - start) * 1000
        except Exception as exc:  # reported, not raised: the bench goes on
            timing.problems.append(f"import during saves failed: {exc!r}")
        finally:
            finished.set()

    thread = threading.Thread(target=run_import)
    thread.start()
    started.wait()
    seconds, n = [], 0
    period = world.other_period
    while not finished.is_set() or n == 0:  # at least one save, during or just after
        indicator = world.indicators[n % len(world.indicators)]
        start = time.perf_counter()
        try:
            save_value(
                world.colleague,
                indicator,
                period,
                {"value": str(n)},
                version=_version(world, indicator, period),
                engine=world.engine,
            )
        except DatabaseBusy:
            timing.saves_refused += 1
        except Exception as exc:  # reported, not raised: the bench goes on
            timing.problems.append(f"save during import failed: {exc!r}")
        seconds.append(time.perf_counter() - start)
        n += 1
    thread.join()
    timing.saves_during = summarise(seconds)
    timing.during_import_ms = result.get("ms", 0.0)
    return timing


def _version(world: ImportWorld, indicator_id: int, period_id: int) -> int | None:
    """The stored version of a value, as the grid would have shown it."""
    with session_scope(engine=world.engine) as session:
        return session.exec(
            select(IndicatorValue.version).where(
                IndicatorValue.indicator_id == indicator_id,
                IndicatorValue.period_id == period_id,
                IndicatorValue.is_correction == False,  # noqa: E712
            )
        ).first()


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A new SQLite file."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as directory:
        yield f"sqlite:///{Path(directory) / 'import.db'}"


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A new database on an ephemeral PostgreSQL cluster; None when PostgreSQL is missing."""
    from tests.support import pg

    if pg.server_bin() is None:
        yield None
        return
    with pg.cluster() as admin, pg.database(admin) as url:
        yield url


def measure() -> list[ImportTiming]:
    """The import figures on SQLite and, when installed, PostgreSQL."""
    timings = []
    for label, make_url in (("SQLite", sqlite_url), ("PostgreSQL", postgres_url)):
        with make_url() as url:
            if url is None:
                timings.append(ImportTiming(label, 0, 0, 0, problems=["PostgreSQL not installed"]))
                continue
            world = build_world(url)
            try:
                timings.append(measure_world(label, world))
            finally:
                world.engine.dispose()
                get_engine.cache_clear()
    return timings


def summary(timing: ImportTiming) -> str:
    """One line for the bench's progress log."""
    if timing.problems:
        return "; ".join(timing.problems)
    saves = timing.saves_during
    during = (
        f"{saves.n} saves meanwhile, median {saves.median_ms:.0f} ms, slowest "
        f"{max(saves.samples_ms):.0f} ms, {timing.saves_refused} refused as busy"
        if saves
        else "no saves"
    )
    return f"commit new {timing.create_ms:.0f} ms, changed {timing.update_ms:.0f} ms; {during}"
