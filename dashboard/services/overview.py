"""The mission at a glance: portfolio counts and the latest approved status report."""

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, col, select

from models import Period, ReportStatus, StatusReport


@dataclass
class PortfolioCounts:
    """How the portfolio splits up."""

    total: int
    organisations: int
    by_status: pd.Series
    by_category: pd.Series
    by_focus: pd.Series
    by_scope: pd.Series


def portfolio_counts(frame: pd.DataFrame) -> PortfolioCounts:
    """Counts of a portfolio frame (see services.portfolio.portfolio) by status, category, focus."""
    organisations = {org for ids in frame["organisation_ids"] for org in ids}
    return PortfolioCounts(
        total=len(frame),
        organisations=len(organisations),
        by_status=frame["status"].value_counts(),
        by_category=frame["category"].value_counts(dropna=False).sort_index(),
        by_focus=frame["focus"].explode().value_counts(),
        by_scope=frame["scope"].fillna("unknown").value_counts(),
    )


def last_approved_report(session: Session, mission_id: int) -> tuple[StatusReport, str] | None:
    """The most recently approved status report and its period label, if any."""
    row = session.exec(
        select(StatusReport, Period.label)
        .join(Period, col(Period.id) == StatusReport.period_id)
        .where(StatusReport.mission_id == mission_id, StatusReport.status == ReportStatus.APPROVED)
        .order_by(col(StatusReport.approved_at).desc())
    ).first()
    return (row[0], row[1]) if row else None
