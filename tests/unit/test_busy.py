"""Long writes must not break other people's work (issue 14): a save made while another write
holds the database waits and succeeds, or is refused as busy (DatabaseBusy, which the pages
word as «prøv igjen om litt»), never with the driver's OperationalError, and nothing saved is
lost. A 5,000-row import commits while a colleague keeps saving. On SQLite and PostgreSQL.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, Engine, event, func
from sqlmodel import Session, select
from support.databases import url_of

from bench.imports import (
    MAX_ROWS,
    ImportWorld,
    build_world,
    commit,
    expected_versions,
    import_frame,
)
from dashboard.db import DatabaseBusy, make_engine, session_scope
from dashboard.i18n import catalogue
from dashboard.services.reporting import save_value
from dashboard.settings import get_settings
from dashboard.ui import errors
from models import AuditEvent, IndicatorValue

HELD_SECONDS = 3.0  # how long the other write holds the database
SHORT_WAIT_MS = 300  # the wait of the refused save, well below HELD_SECONDS


@contextmanager
def held(engine: Engine) -> Iterator[None]:
    """Another write transaction, in another thread, holding the database for HELD_SECONDS
    (or until the block ends, whichever is first)."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with session_scope(write=True, engine=engine):
            holding.set()
            release.wait(HELD_SECONDS)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.fixture
def world(engine: Engine) -> ImportWorld:
    """A mission with 1,000 indicators and 5 open periods, a file of them all has 5,000 rows,
    and one more open period."""
    return build_world(url_of(engine))


def stored(engine: Engine, indicator_id: int, period_id: int) -> IndicatorValue | None:
    with Session(engine) as session:
        return session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator_id, IndicatorValue.period_id == period_id
            )
        ).first()


def test_a_save_that_waits_longer_than_allowed_is_refused_as_busy_and_saves_nothing(
    world: ImportWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", str(SHORT_WAIT_MS))
    get_settings.cache_clear()
    quick = make_engine(url_of(world.engine))  # SQLite reads the busy timeout on connect
    indicator, period = world.indicators[0], world.other_period
    audits = _count(world.engine, AuditEvent)
    try:
        with held(world.engine), pytest.raises(DatabaseBusy):
            save_value(
                world.colleague, indicator, period, {"value": "7"}, version=None, engine=quick
            )
        assert stored(world.engine, indicator, period) is None
        assert _count(world.engine, AuditEvent) == audits
        # once the other write is done, the same save goes through
        save_value(world.colleague, indicator, period, {"value": "7"}, version=None, engine=quick)
    finally:
        quick.dispose()
        get_settings.cache_clear()
    value = stored(world.engine, indicator, period)
    assert value is not None and value.value == 7


def test_a_save_that_waits_less_than_allowed_waits_and_succeeds(world: ImportWorld) -> None:
    indicator, period = world.indicators[1], world.other_period
    with held(world.engine):  # released after HELD_SECONDS, within the default 5 s wait
        save_value(
            world.colleague, indicator, period, {"value": "8"}, version=None, engine=world.engine
        )
    value = stored(world.engine, indicator, period)
    assert value is not None and value.value == 8


@contextmanager
def import_transaction(
    engine: Engine, thread: threading.Thread, holding: threading.Event
) -> Iterator[dict[str, float]]:
    """When thread's write transaction on engine took the database (its first statement,
    raising the data version, is done: holding is set then) and when it began to commit, as
    perf_counter times."""
    times: dict[str, float] = {}

    def executed(conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if threading.current_thread() is thread and "UPDATE dataversion" in statement:
            times.setdefault("holding", time.perf_counter())
            holding.set()

    def committing(conn: Connection) -> None:
        if threading.current_thread() is thread and "holding" in times:
            times.setdefault("committing", time.perf_counter())

    event.listen(engine, "after_cursor_execute", executed)
    event.listen(engine, "commit", committing)
    try:
        yield times
    finally:
        event.remove(engine, "after_cursor_execute", executed)
        event.remove(engine, "commit", committing)


def test_a_colleague_saves_while_a_5000_row_import_commits(world: ImportWorld) -> None:
    frame = import_frame(world, 1)
    assert len(frame) == MAX_ROWS
    expected = expected_versions(world, frame)
    done: dict[str, object] = {}

    def run_import() -> None:
        try:
            done["counts"] = commit(world, frame, expected)
        except Exception as exc:  # the assertion below names it
            done["error"] = exc

    thread = threading.Thread(target=run_import)
    # each save: when it started, and the indicator saved (None: refused as busy)
    saves: list[tuple[float, int | None]] = []
    period = world.other_period  # the colleague's values are not in the file
    holding = threading.Event()
    with import_transaction(world.engine, thread, holding) as times:
        thread.start()
        assert holding.wait(60), done  # the colleague saves once the import holds the database
        while thread.is_alive() or not saves:
            indicator, start = world.indicators[len(saves)], time.perf_counter()
            try:
                value = save_value(
                    world.colleague,
                    indicator,
                    period,
                    {"value": str(len(saves))},
                    version=_version(world.engine, indicator, period),
                    engine=world.engine,
                )
                saves.append((start, value.indicator_id))
            except DatabaseBusy:  # worded on the page; anything else fails the test
                saves.append((start, None))
        thread.join()
    assert "error" not in done, done.get("error")
    counts = done["counts"]
    assert isinstance(counts, dict) and counts["create"] == MAX_ROWS
    # a save started while the import held the database, waited for it and went through
    assert "holding" in times and "committing" in times, times
    overlapping = [
        saved for start, saved in saves if times["holding"] < start < times["committing"]
    ]
    assert any(saved is not None for saved in overlapping), overlapping
    # what the colleague saved is stored as they saved it
    saved = [indicator for _, indicator in saves if indicator is not None]
    for position, indicator in enumerate(saved):
        value = stored(world.engine, indicator, period)
        assert value is not None and value.entered_by_id == world.colleague.id, position
    assert _count(world.engine, IndicatorValue) == MAX_ROWS + len(saved)
    with Session(world.engine) as session:  # every imported value audited
        imported = select(func.count()).where(AuditEvent.action == "import")
        assert session.exec(imported).one() == MAX_ROWS


def _version(engine: Engine, indicator_id: int, period_id: int) -> int | None:
    value = stored(engine, indicator_id, period_id)
    return value.version if value else None


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_busy_database_that_reaches_a_page_run_is_worded_as_busy(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(errors.st, "warning", lambda text, **_: shown.append(text))
    monkeypatch.setattr(errors.st, "error", lambda text, **_: shown.append(f"error: {text}"))
    monkeypatch.setattr(errors, "t", lambda key: catalogue(language)[key])
    assert errors.script_error(DatabaseBusy("canceling statement due to lock timeout"))
    assert shown == [catalogue(language)["app.database_busy"]]
    assert ("om litt" if language == "nb" else "in a moment") in shown[0]
