"""The steering group's start page: reports waiting for approval, open decisions, goals off
track, red and amber initiatives with the help they ask for, and headline indicators with the
change since the last approved report."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.decisions import decision_log
from dashboard.services.indicators import latest_values
from dashboard.services.overview import GoalSummary, status_overview
from dashboard.services.snapshots.rows import OPEN_DECISIONS
from dashboard.services.snapshots.take import current_initiatives
from dashboard.services.status_reports import report_list
from models import (
    EntryStatus,
    Indicator,
    IndicatorLevel,
    IndicatorValue,
    ProgressStatus,
    Rag,
    ReportStatus,
    SnapshotIndicator,
)

HEADLINE_COUNT = 6
OFF_TRACK = (ProgressStatus.WORSENING, ProgressStatus.OFF_TRACK)
WARNING_RAG = (Rag.RED.value, Rag.AMBER.value)  # red first
HEADLINE_COLUMNS = [
    "indicator_id",
    "code",
    "name",
    "measure",
    "unit",
    "value",
    "period",
    "before",
    "before_period",
    "change",
]


@dataclass
class SteeringStart:
    """The steering group's lists, each most urgent first."""

    reports: pd.DataFrame  # report_list columns: submitted, waiting for approval
    decisions: pd.DataFrame  # decision_log columns: open or in progress, overdue first
    goals: list[GoalSummary]  # worsening or off track
    initiatives: pd.DataFrame  # current_initiatives columns: red or amber, red first
    headline: pd.DataFrame  # HEADLINE_COLUMNS
    last_approved: int | None  # the id of the last approved report (the comparison base)
    pack_report: int | None  # the report whose review pack the page offers

    @property
    def total(self) -> int:
        """How many items ask for the steering group's attention."""
        return len(self.reports) + len(self.decisions) + len(self.goals) + len(self.initiatives)


def steering_start(session: Session, mission_id: int, today: dt.date) -> SteeringStart:
    """What needs the steering group now."""
    reports = report_list(session, mission_id, include_unpublished=True)
    waiting = reports[reports["status"] == ReportStatus.SUBMITTED.value]
    waiting = waiting.sort_values("submitted_at", kind="stable", na_position="last")
    approved = reports[reports["status"] == ReportStatus.APPROVED.value]
    last_approved = int(approved["id"].iloc[0]) if len(approved) else None
    pack = int(waiting["id"].iloc[0]) if len(waiting) else last_approved
    return SteeringStart(
        reports=waiting.reset_index(drop=True),
        decisions=open_decisions(session, mission_id, today),
        goals=[
            g
            for g in status_overview(session, mission_id, include_unapproved=True).goals
            if g.progress.status in OFF_TRACK
        ],
        initiatives=warning_initiatives(session, mission_id),
        headline=headline_indicators(session, mission_id, last_approved),
        last_approved=last_approved,
        pack_report=pack,
    )


def open_decisions(session: Session, mission_id: int, today: dt.date) -> pd.DataFrame:
    """Decisions open or in progress: the overdue first, then by due date (none last)."""
    log = decision_log(session, mission_id, today)
    log = log[log["status"].isin(OPEN_DECISIONS)].copy()
    log["_no_due"] = log["due"].isna()
    log = log.sort_values(["overdue", "_no_due", "due"], ascending=[False, True, True])
    return log.drop(columns="_no_due").reset_index(drop=True)


def warning_initiatives(session: Session, mission_id: int) -> pd.DataFrame:
    """Initiatives whose latest approved check-in is red or amber: red first, then by number."""
    rows = current_initiatives(session, mission_id)
    rows = rows[rows["rag"].isin(WARNING_RAG)].copy()
    rows["_order"] = rows["rag"].map({rag: i for i, rag in enumerate(WARNING_RAG)})
    return rows.sort_values(["_order", "number"]).drop(columns="_order").reset_index(drop=True)


def headline_indicators(
    session: Session, mission_id: int, report_id: int | None, count: int = HEADLINE_COUNT
) -> pd.DataFrame:
    """The first count outcome indicators (by code) with an approved value, their latest
    approved value and the value the last approved report showed (report_id; none: no
    comparison), with the change between the two."""
    has_value = (
        sa.select(col(IndicatorValue.id))
        .where(
            col(IndicatorValue.indicator_id) == Indicator.id,
            col(IndicatorValue.status) == EntryStatus.APPROVED,
        )
        .exists()
    )
    chosen = fetch(
        session,
        sa.select(
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.measure),
            col(Indicator.unit),
        )
        .where(
            col(Indicator.mission_id) == mission_id,
            col(Indicator.level) == IndicatorLevel.OUTCOME,
            has_value,
        )
        .order_by(col(Indicator.code))
        .limit(count),
    )
    ids = [row[0] for row in chosen]
    latest = latest_values(session, mission_id, False, ids)
    before: dict[int, tuple[float | None, str | None]] = {}
    if report_id is not None and ids:
        before = {
            row[0]: (row[1], row[2])
            for row in fetch(
                session,
                sa.select(
                    col(SnapshotIndicator.indicator_id),
                    col(SnapshotIndicator.value),
                    col(SnapshotIndicator.value_period),
                ).where(
                    col(SnapshotIndicator.report_id) == report_id,
                    col(SnapshotIndicator.indicator_id).in_(ids),
                ),
            )
        }
    rows = []
    for indicator_id, code, name, measure, unit in chosen:
        now = latest.get(indicator_id)
        value, period = (now.value, now.period) if now else (None, None)
        then, then_period = before.get(indicator_id, (None, None))
        change = value - then if value is not None and then is not None else None
        rows.append(
            (indicator_id, code, name, str(measure), unit, value, period, then, then_period, change)
        )
    return frame_of(rows, HEADLINE_COLUMNS)
