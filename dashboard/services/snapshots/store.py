"""Storing and loading a snapshot: a report's rows written to its snapshot tables, and read
back in the order they were taken.
"""

from collections import defaultdict
from collections.abc import Collection

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.overview import summaries_from
from dashboard.services.progress import Mark
from dashboard.services.snapshots.rows import TABLES, Snapshot, blank
from models import ProgressStatus, StatusReport


def store(session: Session, report_id: int, snapshot: Snapshot) -> None:
    """Write a snapshot's rows for a report (replacing any it had)."""
    for name, frame in snapshot.frames().items():
        store_rows(session, report_id, name, frame)


def store_rows(session: Session, report_id: int, name: str, frame: pd.DataFrame) -> None:
    """Write one of a snapshot's tables (goals, indicators, ...) for a report, replacing it."""
    table, columns = TABLES[name]
    report = col(table.report_id)  # type: ignore[attr-defined]
    session.execute(sa.delete(table).where(report == report_id))
    records = [
        {"report_id": report_id}
        | {c: (None if blank(v) else v) for c, v in zip(columns, values, strict=True)}
        for values in frame[columns].itertuples(index=False, name=None)
    ]
    if records:
        session.execute(sa.insert(table), records)


def load(
    session: Session,
    report_id: int,
    *,
    indicators: Collection[int] | None = None,
    initiatives: Collection[int] | None = None,
) -> Snapshot:
    """The stored rows of a report, in the order they were taken (of the indicators and
    initiatives with these ids only, when given)."""
    only: dict[str, tuple[str, Collection[int] | None]] = {
        "indicators": ("indicator_id", indicators),
        "initiatives": ("initiative_id", initiatives),
    }
    frames = {}
    for name, (table, columns) in TABLES.items():
        scope = col(table.report_id) == report_id  # type: ignore[attr-defined]
        key, ids = only.get(name, ("", None))
        if ids is not None:
            scope = scope & col(getattr(table, key)).in_(list(ids))
        rows = fetch(
            session,
            sa.select(*(col(getattr(table, c)) for c in columns))
            .where(scope)
            .order_by(col(table.id)),  # type: ignore[attr-defined]
        )
        frames[name] = frame_of(rows, columns)
    if indicators is None:  # the counts need every indicator of the report
        measured = measured_per_goal(session, report_id, frames["indicators"])
        frames["goals"]["measured"] = frames["goals"]["code"].map(measured)
    return Snapshot(**frames)


def measured_per_goal(session: Session, report_id: int, indicators: pd.DataFrame) -> pd.Series:
    """For a stored report, how many of each goal's indicators had a measured status, by goal
    code. Reports do not store this count: it is worked out from the report's frozen indicator
    statuses and today's links between goals and indicators."""
    report = session.get(StatusReport, report_id)
    if report is None:
        return pd.Series(dtype="int64")
    marks: defaultdict[int, Mark] = defaultdict(lambda: Mark(ProgressStatus.NO_DATA))
    for indicator_id, status in zip(
        indicators["indicator_id"], indicators["progress_status"], strict=True
    ):
        if not blank(indicator_id):
            marks[int(indicator_id)] = Mark(ProgressStatus(status))
    summaries = summaries_from(session, report.mission_id, 99, marks)
    return pd.Series({s.goal.code: s.progress.measured for s in summaries}, dtype="int64")
