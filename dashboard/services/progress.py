"""Status against target for the pages (design section 6), and reporting completeness per period.

Indicator status: the latest value the reader may see (approved only for partners; for the
internal roles the latest in any state, marked with that state when it is not approved)
against the straight line from baseline to target (models/status.py), taken at the end of
that value's period as a decimal year. The thresholds come from the settings.

Goal status (roll-up): the weakest status among the indicators linked to the goal or to a goal
below it that have a measured status (reached, on track, some progress, off track, worsening),
because one indicator moving away from its target is reason enough to look at the goal; the
number of indicators in each status is kept beside it. Without a measured indicator the goal
has no target when an indicator has a value but no target, no baseline when an indicator has
a value but no baseline with a year, and no data otherwise. The roll-up
is provisional when one of its measured indicators rests on a value that is not approved.

Completeness of a period: the indicators expected in it are those whose frequency is the
period's kind (annual indicators in annual periods, tertial in tertial, quarterly in
quarterly; irregular ones in none), plus any indicator that has a value in it all the same.
Each is missing, draft, submitted (awaiting approval), returned or approved, and overdue when
it is not approved and the period's due date has passed.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.settings import get_settings
from models import (
    Direction,
    EntryStatus,
    Frequency,
    Indicator,
    IndicatorValue,
    Organisation,
    Period,
    ProgressStatus,
)
from models.status import Progress, Thresholds, decimal_year, progress

P = ProgressStatus
# The measured statuses, weakest first: the roll-up takes the first one present.
WEAKEST_FIRST = (P.WORSENING, P.OFF_TRACK, P.SOME_PROGRESS, P.ON_TRACK, P.REACHED)
MISSING = "missing"  # the completeness state of an expected indicator without a value
STATES = (MISSING, *(s.value for s in EntryStatus))
COMPLETENESS_COLUMNS = [
    "indicator_id",
    "code",
    "name",
    "measure",
    "unit",
    "organisation_id",
    "organisation",
    "expected",
    "value",
    "state",
    "overdue",
]


def thresholds() -> Thresholds:
    """The status thresholds of this installation (STATUS_ON_TRACK, STATUS_SOME_PROGRESS)."""
    return get_settings().thresholds


def indicator_progress(
    *,
    value: float | None,
    end: dt.date | None,
    baseline: float | None,
    baseline_year: int | None,
    target: float | None,
    target_year: int | None,
    direction: Direction | str,
    tolerance: float | None,
    limits: Thresholds | None = None,
) -> Progress:
    """An indicator's status from its latest value and the end of that value's period."""
    return progress(
        value=value,
        year=decimal_year(end) if end is not None and value is not None else None,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
        direction=Direction(direction),
        tolerance=tolerance,
        thresholds=limits or thresholds(),
    )


def unapproved(state: object) -> EntryStatus | None:
    """The state of a value that is not approved (None for an approved value or none at all)."""
    if state is None or (isinstance(state, float) and pd.isna(state)):
        return None
    status = EntryStatus(str(state))
    return None if status == EntryStatus.APPROVED else status


class Mark(NamedTuple):
    """An indicator's status against its target, and the state of the value it rests on."""

    status: ProgressStatus
    unapproved: EntryStatus | None = None  # None: the value is approved (or there is none)


@dataclass(frozen=True)
class GoalProgress:
    """A goal's status rolled up from its indicators, with the count per indicator status."""

    status: ProgressStatus
    counts: dict[ProgressStatus, int] = field(default_factory=dict)
    provisional: bool = False  # a measured indicator rests on a value that is not approved

    @property
    def measured(self) -> int:
        """How many indicators have a measured status."""
        return sum(self.counts.get(s, 0) for s in WEAKEST_FIRST)

    @property
    def total(self) -> int:
        """How many indicators the goal's status was rolled up from, measured or not."""
        return sum(self.counts.values())

    @property
    def on_course(self) -> int:
        """How many indicators are on track or have reached their target."""
        return self.counts.get(P.ON_TRACK, 0) + self.counts.get(P.REACHED, 0)


def roll_up(marks: Iterable[Mark]) -> GoalProgress:
    """A goal's status from its indicators' statuses."""
    counts: Counter[ProgressStatus] = Counter()
    provisional = False
    for mark in marks:
        counts[mark.status] += 1
        provisional |= mark.unapproved is not None and mark.status in WEAKEST_FIRST
    weakest = next((s for s in WEAKEST_FIRST if counts[s]), None)
    if weakest is None:
        unmeasured = (P.NO_TARGET, P.NO_BASELINE)  # values without what a status needs
        weakest = next((s for s in unmeasured if counts[s]), P.NO_DATA)
    return GoalProgress(weakest, {s: counts[s] for s in ProgressStatus if counts[s]}, provisional)


def status_counts(marks: Iterable[Mark]) -> pd.DataFrame:
    """How many indicators have each status, and how many of those rest on unapproved values
    (every status in enum order, zeros included; index: status, columns: count, provisional).
    """
    counts: Counter[ProgressStatus] = Counter()
    provisional: Counter[ProgressStatus] = Counter()
    for mark in marks:
        counts[mark.status] += 1
        provisional[mark.status] += mark.unapproved is not None
    return pd.DataFrame(
        {
            "count": [counts[s] for s in ProgressStatus],
            "provisional": [provisional[s] for s in ProgressStatus],
        },
        index=pd.Index([s.value for s in ProgressStatus], name="status"),
        dtype="int64",
    )


# --- completeness ------------------------------------------------------------------------------


def completeness(session: Session, mission_id: int, period_id: int, today: dt.date) -> pd.DataFrame:
    """Each indicator expected in the period (or with a value in it) and how far its value got."""
    period = session.get(Period, period_id)
    if period is None or period.mission_id != mission_id:
        return frame_of([], COMPLETENESS_COLUMNS)
    entry = (
        sa.select(
            col(IndicatorValue.indicator_id), col(IndicatorValue.value), col(IndicatorValue.status)
        )
        .where(
            col(IndicatorValue.period_id) == period_id,
            col(IndicatorValue.is_correction).is_(False),  # the approved value counts
        )
        .subquery()
    )
    expected = col(Indicator.frequency) == Frequency(str(period.kind))
    rows = fetch(
        session,
        sa.select(
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.measure),
            col(Indicator.unit),
            col(Indicator.responsible_org_id),
            col(Organisation.short_name),
            expected,
            entry.c.value,
            entry.c.status,
        )
        .outerjoin(entry, entry.c.indicator_id == Indicator.id)
        .outerjoin(Organisation, col(Organisation.id) == Indicator.responsible_org_id)
        .where(
            col(Indicator.mission_id) == mission_id,
            sa.or_(expected, entry.c.indicator_id.is_not(None)),
        )
        .order_by(col(Organisation.short_name), col(Indicator.code)),
    )
    late = period.due is not None and today > period.due
    frame = frame_of(
        [(*row[:7], bool(row[7]), row[8], str(row[9] or MISSING)) for row in rows],
        COMPLETENESS_COLUMNS[:-1],
    )
    frame["overdue"] = late & (frame["state"] != EntryStatus.APPROVED.value)
    return frame.astype({"expected": bool, "overdue": bool})


def completeness_counts(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Rows per state and overdue (one row, or one per value of column by, e.g. organisation)."""
    keys = frame[by].fillna("–") if by else pd.Series("", index=frame.index)
    counts = pd.crosstab(keys, frame["state"]).reindex(columns=list(STATES), fill_value=0)
    counts.insert(0, "total", counts.sum(axis=1))
    counts["overdue"] = frame.groupby(keys)["overdue"].sum().reindex(counts.index, fill_value=0)
    if counts.empty:
        counts = pd.DataFrame(0, index=[""], columns=["total", *STATES, "overdue"])
    counts.index.name = by
    return counts.astype("int64")


@dataclass
class PeriodCompleteness:
    """An open period and the state of its expected values."""

    period_id: int
    label: str
    due: dt.date | None
    rows: pd.DataFrame


def period_completeness(
    session: Session, mission_id: int, period_id: int, today: dt.date
) -> PeriodCompleteness | None:
    """One period's label, due date and completeness, or None when the mission has no such
    period."""
    period = session.get(Period, period_id)
    if period is None or period.id is None or period.mission_id != mission_id:
        return None
    rows = completeness(session, mission_id, period.id, today)
    return PeriodCompleteness(period.id, period.label, period.due, rows)


def open_completeness(
    session: Session, mission_id: int, today: dt.date
) -> list[PeriodCompleteness]:
    """The completeness of every open period of the mission that has started, the earliest due
    date first."""
    periods = fetch(
        session,
        sa.select(col(Period.id), col(Period.label), col(Period.due))
        .where(
            col(Period.mission_id) == mission_id,
            col(Period.locked).is_(False),
            col(Period.start) <= today,
        )
        .order_by(col(Period.due).is_(None), col(Period.due), col(Period.end).desc()),
    )
    return [
        PeriodCompleteness(pid, label, due, completeness(session, mission_id, pid, today))
        for pid, label, due in periods
    ]
