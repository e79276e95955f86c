"""Queries about indicators and their values."""

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services.common import fetch, frame_of
from models import EntryStatus, Goal, Indicator, IndicatorGoal, IndicatorValue, Organisation, Period


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
    frame = frame_of(indicators, ["id", "responsible", *metadata])
    ids = list(frame.pop("id"))
    latest = _latest_values(session, mission_id, include_unapproved, ids if limit else None)
    none = (None, None, None)
    for position, column in enumerate(["latest_value", "latest_period", "latest_status"]):
        frame[column] = [latest.get(i, none)[position] for i in ids]
    frame["goals"] = [goals.get(i, []) for i in ids]
    return frame.astype({"baseline_year": "Int64", "target_year": "Int64"})


def _latest_values(
    session: Session, mission_id: int, include_unapproved: bool, only: list[int] | None = None
) -> dict[int, tuple[float | None, str | None, str | None]]:
    """The most recent visible (value, period label, status) of each (or only these) indicator."""
    newest = (  # the newest visible value of the outer indicator, found through its index
        sa.select(col(IndicatorValue.id))
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            col(IndicatorValue.indicator_id) == Indicator.id,
            col(IndicatorValue.status).in_(visible_statuses(include_unapproved)),
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
        )
        .select_from(Indicator)
        .join(IndicatorValue, col(IndicatorValue.id) == newest)
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(scope),
    )
    return {indicator_id: (value, label, status) for indicator_id, value, label, status in rows}


@dataclass
class IndicatorDetail:
    """One indicator with its metadata, goals and visible series."""

    indicator: Indicator
    responsible: str | None
    goals: list[tuple[str, str]]
    series: pd.DataFrame


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
    return IndicatorDetail(
        indicator=indicator,
        responsible=org.name if org else None,
        goals=[(c, t) for c, t in goals],
        series=indicator_series(session, indicator.id, include_unapproved=include_unapproved),
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
        )
        .order_by(col(Period.end))
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
