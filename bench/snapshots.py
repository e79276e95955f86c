"""Status report snapshots on a benchmark database: creating a draft (taking and storing every
row), refreshing it, reading it back with its comparison, approving it. The approved report
stays, so the pages measured afterwards show a published report."""

import datetime as dt
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bench.stats import Summary, summarise
from dashboard.db import get_engine, session_scope
from dashboard.services.common import mission_by_key
from dashboard.services.permissions import Actor
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    refresh_draft,
    report_detail,
    submit_report,
    update_texts,
)
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from models import IndicatorValue, Period, StatusReport, User


@dataclass
class SnapshotTiming:
    """How long a report's snapshot takes on one database, and how big it is."""

    period: str
    rows: dict[str, int]  # goals, indicators, initiatives, decisions
    create_ms: float  # one draft: take every row and store it
    refresh: Summary  # take every row again and replace the stored ones
    read: Summary  # load a report and compare it with the one before
    approve_ms: float  # freeze, copy the decisions, lock the period


def _latest_period(session: Session) -> Period:
    """The latest period that has a value and no report yet."""
    period = session.exec(
        select(Period)
        .where(
            col(Period.id).in_(sa.select(col(IndicatorValue.period_id)).distinct()),
            col(Period.id).not_in(sa.select(col(StatusReport.period_id))),
        )
        .order_by(col(Period.end).desc())
    ).first()
    assert period is not None, "the benchmark database has no values"
    return period


def measure(repetitions: int) -> SnapshotTiming:
    """Draft, refresh (repetitions times), read (repetitions times) and approve one report."""
    operative = actor_of_email("operativ@demo.invalid")
    steering = actor_of_email("styringsgruppe@demo.invalid")
    today = dt.date.today()
    with session_scope() as session:
        mission = mission_by_key(session, get_settings().mission_key)
        assert mission is not None and mission.id is not None
        period = _latest_period(session)
        mission_id, period_id, label = mission.id, period.id or 0, period.label
    start = time.perf_counter()
    report = create_draft(operative, mission_id, period_id, today=today)
    create_ms = (time.perf_counter() - start) * 1000
    refreshes = []
    for _ in range(repetitions):
        start = time.perf_counter()
        report = refresh_draft(operative, report.id or 0, report.version, today=today)
        refreshes.append(time.perf_counter() - start)
    reads = []
    rows: dict[str, int] = {}
    for _ in range(repetitions):
        start = time.perf_counter()
        with Session(get_engine()) as session:
            detail = report_detail(session, report.id or 0, include_unpublished=True)
        reads.append(time.perf_counter() - start)
        assert detail is not None
        rows = {name: len(frame) for name, frame in detail.snapshot.frames().items()}
    data = {"summary": "Benchmark", "version": report.version}
    report = update_texts(operative, report.id or 0, data)
    report = submit_report(operative, report.id or 0, report.version)
    start = time.perf_counter()
    approve_report(steering, report.id or 0, report.version)
    approve_ms = (time.perf_counter() - start) * 1000
    return SnapshotTiming(
        label, rows, create_ms, summarise(refreshes), summarise(reads), approve_ms
    )


def actor_of_email(email: str) -> Actor:
    """The demo account with this e-mail as an actor."""
    with session_scope() as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())
