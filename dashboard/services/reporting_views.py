"""What the Rapportering page reads: open periods, one organisation's grid and check-ins, and
the approval queues."""

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from models import (
    CheckIn,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    OrganisationRole,
    Period,
    User,
)

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


CHECK_IN_COLUMNS = [
    "initiative_id",
    "number",
    "name",
    "previous_rag",
    "previous_period",
    "check_in_id",
    "rag",
    "confidence",
    "progress",
    "next_steps",
    "risks",
    "help_needed",
    "status",
    "version",
    "return_reason",
]
CHECK_IN_QUEUE_COLUMNS = [
    "check_in_id",
    "number",
    "name",
    "period",
    "rag",
    "confidence",
    "progress",
    "next_steps",
    "risks",
    "help_needed",
    "entered_by_id",
    "entered_by",
    "version",
]


def check_in_list(
    session: Session, mission_id: int, period_id: int, organisation_id: int
) -> pd.DataFrame:
    """The initiatives an organisation is responsible for, with this period's check-in and the
    RAG status of the latest approved check-in of an earlier period."""
    period = session.get(Period, period_id)
    if period is None:
        return frame_of([], CHECK_IN_COLUMNS)
    earlier = (
        sa.select(
            col(CheckIn.initiative_id),
            col(CheckIn.rag),
            col(Period.label),
            sa.func.row_number()
            .over(partition_by=col(CheckIn.initiative_id), order_by=col(Period.end).desc())
            .label("n"),
        )
        .join(Period, col(Period.id) == CheckIn.period_id)
        .where(col(CheckIn.status) == EntryStatus.APPROVED, col(Period.end) < period.end)
        .subquery()
    )
    current = sa.select(CheckIn).where(col(CheckIn.period_id) == period_id).subquery()
    responsible = sa.select(col(InitiativeOrganisation.initiative_id)).where(
        col(InitiativeOrganisation.organisation_id) == organisation_id,
        col(InitiativeOrganisation.role) == OrganisationRole.RESPONSIBLE,
    )
    query = (
        sa.select(
            col(Initiative.id),
            col(Initiative.number),
            col(Initiative.name),
            earlier.c.rag,
            earlier.c.label,
            current.c.id,
            current.c.rag,
            current.c.confidence,
            current.c.progress,
            current.c.next_steps,
            current.c.risks,
            current.c.help_needed,
            current.c.status,
            current.c.version,
            current.c.return_reason,
        )
        .outerjoin(earlier, sa.and_(earlier.c.initiative_id == Initiative.id, earlier.c.n == 1))
        .outerjoin(current, current.c.initiative_id == Initiative.id)
        .where(col(Initiative.mission_id) == mission_id, col(Initiative.id).in_(responsible))
        .order_by(col(Initiative.number))
    )
    return frame_of(fetch(session, query), CHECK_IN_COLUMNS)


def check_in_queue(session: Session, mission_id: int) -> pd.DataFrame:
    """Every submitted check-in of the mission, oldest period first, with who entered it."""
    query = (
        sa.select(
            col(CheckIn.id),
            col(Initiative.number),
            col(Initiative.name),
            col(Period.label),
            col(CheckIn.rag),
            col(CheckIn.confidence),
            col(CheckIn.progress),
            col(CheckIn.next_steps),
            col(CheckIn.risks),
            col(CheckIn.help_needed),
            col(CheckIn.entered_by_id),
            col(User.email),
            col(CheckIn.version),
        )
        .join(Initiative, col(Initiative.id) == CheckIn.initiative_id)
        .join(Period, col(Period.id) == CheckIn.period_id)
        .outerjoin(User, col(User.id) == CheckIn.entered_by_id)
        .where(
            col(Initiative.mission_id) == mission_id,
            col(CheckIn.status) == EntryStatus.SUBMITTED,
        )
        .order_by(col(Period.end), col(Initiative.number))
    )
    return frame_of(fetch(session, query), CHECK_IN_QUEUE_COLUMNS)
