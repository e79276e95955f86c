"""What the Rapportering page reads: open periods, one organisation's grid and check-ins, and
the approval queues."""

from typing import Any

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
    earlier = _last_approved_before(IndicatorValue.indicator_id, IndicatorValue.value, period)
    current = sa.select(IndicatorValue).where(col(IndicatorValue.period_id) == period_id).subquery()
    query = (
        sa.select(
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(Indicator.measure),
            earlier.c.shown,
            earlier.c.label,
            current.c.id,
            current.c.value,
            current.c.status,
            current.c.version,
            current.c.comment,
            current.c.return_reason,
        )
        .outerjoin(earlier, earlier.c.subject == Indicator.id)
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
    query = _submitted(
        IndicatorValue.indicator_id,
        Indicator,
        [
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(Indicator.measure),
            col(Period.label),
            col(IndicatorValue.value),
            col(IndicatorValue.comment),
        ],
        mission_id,
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
    earlier = _last_approved_before(CheckIn.initiative_id, CheckIn.rag, period)
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
            earlier.c.shown,
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
        .outerjoin(earlier, earlier.c.subject == Initiative.id)
        .outerjoin(current, current.c.initiative_id == Initiative.id)
        .where(col(Initiative.mission_id) == mission_id, col(Initiative.id).in_(responsible))
        .order_by(col(Initiative.number))
    )
    return frame_of(fetch(session, query), CHECK_IN_COLUMNS)


def check_in_queue(session: Session, mission_id: int) -> pd.DataFrame:
    """Every submitted check-in of the mission, oldest period first, with who entered it."""
    query = _submitted(
        CheckIn.initiative_id,
        Initiative,
        [
            col(Initiative.number),
            col(Initiative.name),
            col(Period.label),
            col(CheckIn.rag),
            col(CheckIn.confidence),
            col(CheckIn.progress),
            col(CheckIn.next_steps),
            col(CheckIn.risks),
            col(CheckIn.help_needed),
        ],
        mission_id,
    )
    return frame_of(fetch(session, query), CHECK_IN_QUEUE_COLUMNS)


RETURNED_COLUMNS = [
    "kind",
    "entry_id",
    "period",
    "code",
    "name",
    "return_reason",
    "reviewer",
    "reviewed_at",
]


def returned_to(session: Session, actor_id: int) -> pd.DataFrame:
    """The values ("value") and check-ins ("check_in") that person entered and a reviewer
    returned, with the reason, who returned them and when: the latest returned first.
    A check-in has no code; its name is the initiative's."""
    rows: list[tuple[Any, ...]] = []
    for kind, entry, subject, code, link in (
        ("value", IndicatorValue, Indicator, col(Indicator.code), IndicatorValue.indicator_id),
        ("check_in", CheckIn, Initiative, sa.null(), CheckIn.initiative_id),
    ):
        rows += fetch(
            session,
            sa.select(
                sa.literal(kind),
                col(entry.id),
                col(Period.label),
                code,
                col(subject.name),
                col(entry.return_reason),
                col(User.email),
                col(entry.reviewed_at),
            )
            .join(subject, col(subject.id) == link)
            .join(Period, col(Period.id) == entry.period_id)
            .outerjoin(User, col(User.id) == entry.reviewed_by_id)
            .where(
                col(entry.entered_by_id) == actor_id,
                col(entry.status) == EntryStatus.RETURNED,
            ),
        )
    rows.sort(key=lambda row: (row[7] is not None, row[7]), reverse=True)
    return frame_of(rows, RETURNED_COLUMNS)


def _last_approved_before(subject: Any, shown: Any, period: Period) -> sa.Subquery:
    """Per subject (an indicator or initiative id column of IndicatorValue or CheckIn), the
    shown column and period label of its latest approved entry of a period ending before
    period: columns subject, shown, label."""
    entry = subject.class_
    ranked = (
        sa.select(
            subject.label("subject"),
            shown.label("shown"),
            col(Period.label),
            sa.func.row_number()
            .over(partition_by=subject, order_by=col(Period.end).desc())
            .label("n"),
        )
        .join(Period, col(Period.id) == entry.period_id)
        .where(entry.status == EntryStatus.APPROVED, col(Period.end) < period.end)
        .subquery()
    )
    return (
        sa.select(ranked.c.subject, ranked.c.shown, ranked.c.label)
        .where(ranked.c.n == 1)
        .subquery()
    )


def _submitted(
    link: Any, subject: type[Indicator] | type[Initiative], columns: list[Any], mission_id: int
) -> sa.Select[Any]:
    """The submitted entries of a mission, linked to their subject by link (the indicator_id or
    initiative_id column of IndicatorValue or CheckIn): id, columns, who entered them and the
    version, oldest period first, then in columns' first order."""
    entry = link.class_
    return (
        sa.select(col(entry.id), *columns, entry.entered_by_id, col(User.email), entry.version)
        .join(subject, col(subject.id) == link)
        .join(Period, col(Period.id) == entry.period_id)
        .outerjoin(User, col(User.id) == entry.entered_by_id)
        .where(col(subject.mission_id) == mission_id, entry.status == EntryStatus.SUBMITTED)
        .order_by(col(Period.end), columns[0])
    )
