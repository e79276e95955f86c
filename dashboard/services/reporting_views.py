"""What the Rapportering page reads: open periods, one organisation's grid and check-ins, and
the approval queues."""

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
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
from models.jumps import unlikely_jumps

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
    "approved",
    "correction_reason",
]
RETURNED_COLUMNS = [
    "kind",
    "entry_id",
    "period",
    "code",
    "name",
    "return_reason",
    "reviewer",
    "reviewed_at",
    "is_correction",
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
    "approved",
    "correction_reason",
    "baseline",
    "baseline_year",
    "target",
    "target_year",
    "previous",
    "previous_period",
    "change",
    "jumps",
]


def open_periods(session: Session, mission_id: int) -> list[tuple[int, str]]:
    """(id, label) of the mission's periods that take values, newest first."""
    query = (
        sa.select(col(Period.id), col(Period.label))
        .where(col(Period.mission_id) == mission_id, col(Period.locked).is_(False))
        .order_by(col(Period.end).desc())
    )
    return [(int(pid), str(label)) for pid, label in fetch(session, query)]


def entry_grid(
    session: Session, mission_id: int, period_id: int, organisation_id: int
) -> pd.DataFrame:
    """The indicators an organisation reports, with this period's entry and the value before.

    The value before is the latest approved value of an earlier period, shown beside the cell.
    The entry is the one a save changes: the pending correction of an approved value when there
    is one (approved then holds the approved value, correction_reason why it is corrected).
    """
    period = session.get(Period, period_id)
    if period is None or period.mission_id != mission_id:
        return frame_of([], GRID_COLUMNS)
    earlier = _last_approved_before(IndicatorValue.indicator_id, IndicatorValue.value, period)
    current, pending, entry = _current(IndicatorValue, period_id)
    query = (
        sa.select(
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(Indicator.measure),
            earlier.c.shown,
            earlier.c.label,
            *(entry(name) for name in ("id", "value", "status", "version", "comment")),
            entry("return_reason"),
            _approved(current, "value"),
            pending.c.correction_reason,
        )
        .outerjoin(earlier, earlier.c.subject == Indicator.id)
        .outerjoin(current, current.c.indicator_id == Indicator.id)
        .outerjoin(pending, pending.c.indicator_id == Indicator.id)
        .where(
            col(Indicator.mission_id) == mission_id,
            col(Indicator.responsible_org_id) == organisation_id,
        )
        .order_by(col(Indicator.code))
    )
    return frame_of(fetch(session, query), GRID_COLUMNS)


def approval_queue(session: Session, mission_id: int) -> pd.DataFrame:
    """Every submitted value of the mission, oldest period first, with who entered it and what
    an approver judges it against: the indicator's baseline and target, the last approved value
    of an earlier period, the change from it, and the reasons the value looks unlikely."""
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
        "value",
    ).add_columns(
        col(Indicator.baseline_value),
        col(Indicator.baseline_year),
        col(Indicator.target_value),
        col(Indicator.target_year),
        col(Indicator.id),
        col(Period.end),
    )
    rows = fetch(session, query)
    history = _approved_history(session, {row[-2] for row in rows})
    queue = []
    for *row, indicator_id, end in rows:
        value, measure = float(row[6]), str(row[4])
        previous, label = _latest_before(history.get(indicator_id, []), end)
        if row[11] is not None:  # a correction: judged against the figure it would replace
            previous, label = float(row[11]), str(row[5])
        change = None if previous is None else value - previous
        queue.append((*row, previous, label, change, unlikely_jumps(value, previous, measure)))
    return frame_of(queue, QUEUE_COLUMNS)


Approved = list[tuple[dt.date, str, float]]  # (period end, period label, value), oldest first


def _approved_history(session: Session, indicator_ids: set[int]) -> dict[int, Approved]:
    """The approved values of these indicators, per indicator, oldest period first."""
    if not indicator_ids:
        return {}
    rows = fetch(
        session,
        sa.select(
            col(IndicatorValue.indicator_id),
            col(Period.end),
            col(Period.label),
            col(IndicatorValue.value),
        )
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            col(IndicatorValue.indicator_id).in_(indicator_ids),
            col(IndicatorValue.status) == EntryStatus.APPROVED,
        )
        .order_by(col(Period.end)),
    )
    history: dict[int, Approved] = {}
    for indicator_id, end, label, value in rows:
        history.setdefault(indicator_id, []).append((end, label, float(value)))
    return history


def _latest_before(history: Approved, end: dt.date) -> tuple[float | None, str | None]:
    """The value and period label of the latest approved value of a period ending before end."""
    earlier = [(label, value) for ended, label, value in history if ended < end]
    return (earlier[-1][1], earlier[-1][0]) if earlier else (None, None)


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
    "approved",
    "correction_reason",
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
    "approved",
    "correction_reason",
]


def check_in_list(
    session: Session, mission_id: int, period_id: int, organisation_id: int
) -> pd.DataFrame:
    """The initiatives an organisation is responsible for, with this period's check-in and the
    RAG status of the latest approved check-in of an earlier period. As in entry_grid, the
    check-in is the pending correction when there is one (approved: the approved RAG status)."""
    period = session.get(Period, period_id)
    if period is None or period.mission_id != mission_id:
        return frame_of([], CHECK_IN_COLUMNS)
    earlier = _last_approved_before(CheckIn.initiative_id, CheckIn.rag, period)
    current, pending, entry = _current(CheckIn, period_id)
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
            *(entry(name) for name in CHECK_IN_COLUMNS[5:15]),
            _approved(current, "rag"),
            pending.c.correction_reason,
        )
        .outerjoin(earlier, earlier.c.subject == Initiative.id)
        .outerjoin(current, current.c.initiative_id == Initiative.id)
        .outerjoin(pending, pending.c.initiative_id == Initiative.id)
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
        "rag",
    )
    return frame_of(fetch(session, query), CHECK_IN_QUEUE_COLUMNS)


def _current(model: Any, period_id: int) -> tuple[sa.Subquery, sa.Subquery, Any]:
    """The period's entries of model (IndicatorValue or CheckIn) and their pending corrections,
    and a function naming a column of the one a save changes (the correction when there is
    one, labelled as the column; "id" for the check-in list is "check_in_id")."""
    in_period = col(model.period_id) == period_id
    current = sa.select(model).where(in_period, col(model.is_correction).is_(False)).subquery()
    pending = sa.select(model).where(in_period, col(model.is_correction).is_(True)).subquery()

    def entry(name: str) -> Any:
        column = "id" if name == "check_in_id" else name
        pick = sa.case((pending.c.id.is_not(None), pending.c[column]), else_=current.c[column])
        return pick.label(name)

    return current, pending, entry


def _approved(current: sa.Subquery, name: str) -> Any:
    """The approved figure of the entry in current (None when it is not approved)."""
    approved = current.c.status == EntryStatus.APPROVED
    return sa.case((approved, current.c[name]), else_=None).label("approved")


def returned_to(session: Session, mission_id: int, actor_id: int) -> pd.DataFrame:
    """Every value and check-in of the mission this person entered that a reviewer returned,
    newest return first: kind ("value" or "check_in"), entry id, period, the indicator's code
    (none for a check-in), the indicator's or initiative's name, the reason, who returned it
    and when, and whether it is a correction of an approved entry (which still stands)."""
    rows: list[tuple[Any, ...]] = []
    sources: list[tuple[str, Any, Any, Any]] = [
        ("value", IndicatorValue.indicator_id, Indicator, col(Indicator.code)),
        ("check_in", CheckIn.initiative_id, Initiative, sa.null()),
    ]
    for kind, link, subject, code in sources:
        entry = link.class_
        query = (
            sa.select(
                sa.literal(kind),
                entry.id,
                col(Period.label),
                code,
                subject.name,
                entry.return_reason,
                col(User.email),
                entry.reviewed_at,
                entry.is_correction,
            )
            .join(subject, col(subject.id) == link)
            .join(Period, col(Period.id) == entry.period_id)
            .outerjoin(User, col(User.id) == entry.reviewed_by_id)
            .where(
                entry.entered_by_id == actor_id,
                entry.status == EntryStatus.RETURNED,
                subject.mission_id == mission_id,
            )
        )
        rows += fetch(session, query)
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda row: _aware(row[7]) or oldest, reverse=True)
    return frame_of(rows, RETURNED_COLUMNS)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as UTC-aware (SQLite gives it back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


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
    link: Any,
    subject: type[Indicator] | type[Initiative],
    columns: list[Any],
    mission_id: int,
    figure: str,
) -> sa.Select[Any]:
    """The submitted entries of a mission, linked to their subject by link (the indicator_id or
    initiative_id column of IndicatorValue or CheckIn): id, columns, who entered them and the
    version, oldest period first, then in columns' first order. A correction also has the
    approved entry's figure (the column named figure) and its reason; other entries None."""
    entry = link.class_
    approved = aliased(entry)
    return (
        sa.select(
            col(entry.id),
            *columns,
            entry.entered_by_id,
            col(User.email),
            entry.version,
            getattr(approved, figure),
            entry.correction_reason,
        )
        .join(subject, col(subject.id) == link)
        .join(Period, col(Period.id) == entry.period_id)
        .outerjoin(User, col(User.id) == entry.entered_by_id)
        .outerjoin(
            approved,
            sa.and_(
                col(entry.is_correction).is_(True),
                getattr(approved, link.key) == link,
                approved.period_id == entry.period_id,
                col(approved.is_correction).is_(False),
            ),
        )
        .where(col(subject.mission_id) == mission_id, entry.status == EntryStatus.SUBMITTED)
        .order_by(col(Period.end), columns[0])
    )
