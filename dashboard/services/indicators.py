"""Queries about indicators, their values and their status against target."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services.common import fetch, frame_of
from dashboard.services.progress import Mark, indicator_progress, thresholds, unapproved
from models import (
    EntryStatus,
    Goal,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Organisation,
    Period,
    ProgressStatus,
)
from models.status import Progress, Thresholds

# What an indicator's status is computed from, besides its latest value.
PROGRESS_INPUTS = (
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "direction",
    "tolerance",
)


class Latest(NamedTuple):
    """An indicator's most recent visible value, its period and workflow state."""

    value: float
    period: str
    status: str
    end: dt.date


LATEST_COLUMNS = {"latest_value": 0, "latest_period": 1, "latest_status": 2, "latest_end": 3}


def visible_statuses(include_unapproved: bool) -> list[EntryStatus]:
    """Which value states a reader may see: partners only approved ones."""
    return list(EntryStatus) if include_unapproved else [EntryStatus.APPROVED]


def indicator_choices(session: Session, mission_id: int) -> list[tuple[str, str]]:
    """(code, name) of every indicator, by code, for a picker."""
    rows = fetch(
        session,
        sa.select(col(Indicator.code), col(Indicator.name))
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code)),
    )
    return [(code, name) for code, name in rows]


def indicator_count(session: Session, mission_id: int) -> int:
    """How many indicators the mission has."""
    return int(
        fetch(
            session,
            sa.select(sa.func.count()).where(col(Indicator.mission_id) == mission_id),
        )[0][0]
    )


def indicator_table(
    session: Session,
    mission_id: int,
    *,
    include_unapproved: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """One row per indicator (the first limit by code): metadata, baseline, target, latest value."""
    metadata = [
        "code",
        "name",
        "unit",
        "measure",
        "direction",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "source",
    ]
    indicators = fetch(
        session,
        sa.select(
            col(Indicator.id),
            col(Organisation.short_name),
            *(col(getattr(Indicator, name)) for name in metadata),
            col(Indicator.tolerance),
        )
        .join(Organisation, col(Organisation.id) == Indicator.responsible_org_id, isouter=True)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code))
        .limit(limit),
    )
    goals: dict[int, list[str]] = {}
    for indicator_id, code in fetch(
        session,
        sa.select(col(IndicatorGoal.indicator_id), col(Goal.code))
        .join(Goal, col(Goal.id) == IndicatorGoal.goal_id)
        .where(col(Goal.mission_id) == mission_id)
        .order_by(col(Goal.code)),
    ):
        goals.setdefault(indicator_id, []).append(code)
    columns = ["id", "responsible", *metadata, "tolerance"]
    frame = frame_of(indicators, columns)
    ids = list(frame.pop("id"))
    latest = latest_values(session, mission_id, include_unapproved, ids if limit else None)
    for column, position in LATEST_COLUMNS.items():
        frame[column] = [latest[i][position] if i in latest else None for i in ids]
    frame["progress"] = _statuses(columns, indicators, latest)
    frame["goals"] = [goals.get(i, []) for i in ids]
    return frame.astype({"baseline_year": "Int64", "target_year": "Int64"})


def indicator_statuses(
    session: Session,
    mission_id: int,
    *,
    include_unapproved: bool = False,
    until: dt.date | None = None,
) -> dict[int, Mark]:
    """Each indicator's status against its target (at its latest value in a period ending by
    until, when given), by indicator id."""
    columns = ["id", *PROGRESS_INPUTS]
    rows = fetch(
        session,
        sa.select(*(col(getattr(Indicator, name)) for name in columns)).where(
            col(Indicator.mission_id) == mission_id
        ),
    )
    latest = latest_values(session, mission_id, include_unapproved, until=until)
    marks = {}
    for row, status in zip(rows, _statuses(columns, rows, latest), strict=True):
        value = latest.get(row[0])
        marks[row[0]] = Mark(ProgressStatus(status), unapproved(value.status if value else None))
    return marks


def progress_of(fields: dict[str, Any], latest: Latest | None, limits: Thresholds) -> Progress:
    """The status of one indicator (its PROGRESS_INPUTS fields) at its latest value."""
    return indicator_progress(
        value=latest.value if latest else None,
        end=latest.end if latest else None,
        baseline=fields["baseline_value"],
        baseline_year=fields["baseline_year"],
        target=fields["target_value"],
        target_year=fields["target_year"],
        direction=fields["direction"],
        tolerance=fields["tolerance"],
        limits=limits,
    )


def _statuses(
    columns: list[str], rows: list[tuple[Any, ...]], latest: dict[int, Latest]
) -> list[str]:
    """The status code of each row (rows start with the indicator id)."""
    limits = thresholds()
    found = []
    for row in rows:
        fields = dict(zip(columns, row, strict=True))
        found.append(progress_of(fields, latest.get(row[0]), limits).status.value)
    return found


def latest_values(
    session: Session,
    mission_id: int,
    include_unapproved: bool,
    only: list[int] | None = None,
    *,
    until: dt.date | None = None,
) -> dict[int, Latest]:
    """The most recent visible value of each (or only these) indicator, in a period that ends
    by until when given."""
    newest = (  # the newest visible value of the outer indicator, found through its index
        sa.select(col(IndicatorValue.id))
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            col(IndicatorValue.indicator_id) == Indicator.id,
            col(IndicatorValue.status).in_(visible_statuses(include_unapproved)),
            col(IndicatorValue.is_correction).is_(False),  # a correction shows once approved
            sa.true() if until is None else col(Period.end) <= until,
        )
        .order_by(col(Period.end).desc(), col(Period.start).desc(), col(IndicatorValue.id).desc())
        .limit(1)
        .correlate(Indicator)
        .scalar_subquery()
    )
    scope = col(Indicator.mission_id) == mission_id
    if only is not None:
        scope = scope & col(Indicator.id).in_(only)
    rows = fetch(
        session,
        sa.select(
            col(Indicator.id),
            col(IndicatorValue.value),
            col(Period.label),
            col(IndicatorValue.status),
            col(Period.end),
        )
        .select_from(Indicator)
        .join(IndicatorValue, col(IndicatorValue.id) == newest)
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(scope),
    )
    return {row[0]: Latest(*row[1:]) for row in rows}


@dataclass
class IndicatorDetail:
    """One indicator with its metadata, goals, visible series and status against its target."""

    indicator: Indicator
    responsible: str | None
    goals: list[tuple[str, str]]
    series: pd.DataFrame
    progress: Progress  # from the last value of series
    thresholds: Thresholds  # the thresholds progress was computed with

    @property
    def latest(self) -> pd.Series | None:
        """The value the status rests on (the last of the series), if any."""
        return None if self.series.empty else self.series.iloc[-1]


def indicator_detail(
    session: Session, mission_id: int, code: str, *, include_unapproved: bool = False
) -> IndicatorDetail | None:
    """The indicator with this code, or None."""
    indicator = session.exec(
        select(Indicator).where(Indicator.mission_id == mission_id, Indicator.code == code)
    ).first()
    if indicator is None or indicator.id is None:
        return None
    org = (
        session.get(Organisation, indicator.responsible_org_id)
        if indicator.responsible_org_id
        else None
    )
    goals = session.exec(
        select(Goal.code, Goal.title)
        .join(IndicatorGoal, col(IndicatorGoal.goal_id) == Goal.id)
        .where(IndicatorGoal.indicator_id == indicator.id)
        .order_by(col(Goal.code))
    ).all()
    series = indicator_series(session, indicator.id, include_unapproved=include_unapproved)
    last = None if series.empty else series.iloc[-1]
    latest = None if last is None else Latest(last.value, last.period, last.status, last.end)
    limits = thresholds()
    return IndicatorDetail(
        indicator=indicator,
        responsible=org.name if org else None,
        goals=[(c, t) for c, t in goals],
        series=series,
        progress=progress_of(
            indicator.model_dump(include=set(PROGRESS_INPUTS), warnings=False), latest, limits
        ),
        thresholds=limits,
    )


def indicator_series(
    session: Session, indicator_id: int, *, include_unapproved: bool = False
) -> pd.DataFrame:
    """The visible values of one indicator in period order."""
    rows = session.exec(
        select(Period, IndicatorValue)
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            IndicatorValue.indicator_id == indicator_id,
            col(IndicatorValue.status).in_(visible_statuses(include_unapproved)),
            col(IndicatorValue.is_correction).is_(False),  # a correction shows once approved
        )
        .order_by(col(Period.end), col(Period.start), col(IndicatorValue.id))
    ).all()
    return pd.DataFrame(
        [
            {
                "period": p.label,
                "start": p.start,
                "end": p.end,
                "value": v.value,
                "status": v.status,
                "comment": v.comment,
                "source_note": v.source_note,
            }
            for p, v in rows
        ],
        columns=["period", "start", "end", "value", "status", "comment", "source_note"],
    )
