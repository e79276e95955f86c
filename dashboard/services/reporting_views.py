"""What the Rapportering page reads: open periods, one organisation's grid, the approval queue."""

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from models import EntryStatus, Indicator, IndicatorValue, Period, User

GRID_COLUMNS = [
    "indicator_id",
    "code",
    "name",
    "unit",
    "measure",
    "previous",
    "previous_period",
    "value_id",
    "value",
    "status",
    "version",
    "comment",
    "return_reason",
]
QUEUE_COLUMNS = [
    "value_id",
    "code",
    "name",
    "unit",
    "measure",
    "period",
    "value",
    "comment",
    "entered_by_id",
    "entered_by",
    "version",
]


def open_periods(session: Session) -> list[tuple[int, str]]:
    """(id, label) of the periods that take values, newest first."""
    query = (
        sa.select(col(Period.id), col(Period.label))
        .where(col(Period.locked).is_(False))
        .order_by(col(Period.end).desc())
    )
    return [(int(pid), str(label)) for pid, label in fetch(session, query)]


def entry_grid(
    session: Session, mission_id: int, period_id: int, organisation_id: int
) -> pd.DataFrame:
    """The indicators an organisation reports, with this period's entry and the value before.

    The value before is the latest approved value of an earlier period, shown beside the cell.
    """
    period = session.get(Period, period_id)
    if period is None:
        return frame_of([], GRID_COLUMNS)
    earlier = (
        sa.select(
            col(IndicatorValue.indicator_id),
            col(IndicatorValue.value),
            col(Period.label),
            sa.func.row_number()
            .over(partition_by=col(IndicatorValue.indicator_id), order_by=col(Period.end).desc())
            .label("n"),
        )
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            col(IndicatorValue.status) == EntryStatus.APPROVED,
            col(Period.end) < period.end,
        )
        .subquery()
    )
    current = sa.select(IndicatorValue).where(col(IndicatorValue.period_id) == period_id).subquery()
    query = (
        sa.select(
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(Indicator.measure),
            earlier.c.value,
            earlier.c.label,
            current.c.id,
            current.c.value,
            current.c.status,
            current.c.version,
            current.c.comment,
            current.c.return_reason,
        )
        .outerjoin(earlier, sa.and_(earlier.c.indicator_id == Indicator.id, earlier.c.n == 1))
        .outerjoin(current, current.c.indicator_id == Indicator.id)
        .where(
            col(Indicator.mission_id) == mission_id,
            col(Indicator.responsible_org_id) == organisation_id,
        )
        .order_by(col(Indicator.code))
    )
    return frame_of(fetch(session, query), GRID_COLUMNS)


def approval_queue(session: Session, mission_id: int) -> pd.DataFrame:
    """Every submitted value of the mission, oldest period first, with who entered it."""
    query = (
        sa.select(
            col(IndicatorValue.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(Indicator.measure),
            col(Period.label),
            col(IndicatorValue.value),
            col(IndicatorValue.comment),
            col(IndicatorValue.entered_by_id),
            col(User.email),
            col(IndicatorValue.version),
        )
        .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .outerjoin(User, col(User.id) == IndicatorValue.entered_by_id)
        .where(
            col(Indicator.mission_id) == mission_id,
            col(IndicatorValue.status) == EntryStatus.SUBMITTED,
        )
        .order_by(col(Period.end), col(Indicator.code))
    )
    return frame_of(fetch(session, query), QUEUE_COLUMNS)
