"""The mission at a glance: portfolio counts, goals and indicators with their status, the latest
approved report.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services.common import fetch
from dashboard.services.indicators import indicator_statuses
from dashboard.services.progress import GoalProgress, Mark, roll_up, status_counts
from models import (
    Contribution,
    Goal,
    IndicatorGoal,
    Initiative,
    InitiativeOrganisation,
)


@dataclass
class PortfolioCounts:
    """How the portfolio splits up."""

    total: int
    organisations: int
    by_status: pd.Series
    by_category: pd.Series
    by_focus: pd.Series


def _counts(session: Session, mission_id: int, column: Any) -> pd.Series:
    """Number of the mission's initiatives per value of column (None as its own value)."""
    rows = fetch(
        session,
        sa.select(column, sa.func.count())
        .where(col(Initiative.mission_id) == mission_id)
        .group_by(column)
        .order_by(column),
    )
    return pd.Series(dict(rows), dtype="int64")


def portfolio_counts(session: Session, mission_id: int) -> PortfolioCounts:
    """Counts of the mission's initiatives by status, goal category, kind of work and scope."""
    focus = Counter(
        kind
        for (kinds,) in fetch(
            session,
            sa.select(col(Initiative.focus)).where(col(Initiative.mission_id) == mission_id),
        )
        for kind in kinds or []
    )
    organisations = fetch(
        session,
        sa.select(sa.func.count(sa.distinct(col(InitiativeOrganisation.organisation_id))))
        .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
        .where(col(Initiative.mission_id) == mission_id),
    )[0][0]
    by_status = _counts(session, mission_id, col(Initiative.status))
    return PortfolioCounts(
        total=int(by_status.sum()),
        organisations=int(organisations),
        by_status=by_status.sort_values(ascending=False),
        by_category=_counts(session, mission_id, col(Initiative.category)),
        by_focus=pd.Series(dict(focus.most_common()), dtype="int64"),
    )


@dataclass
class GoalSummary:
    """A goal with the number of distinct indicators and initiatives in its subtree, and its
    status rolled up from those indicators.
    """

    goal: Goal
    indicators: int
    initiatives: int
    progress: GoalProgress
    depth: int = 0  # 0 for the main goal


def goal_summaries(
    session: Session, mission_id: int, depth: int = 1, *, include_unapproved: bool = False
) -> list[GoalSummary]:
    """The main goal and the goals down to depth, each counted over its whole subtree."""
    statuses = indicator_statuses(session, mission_id, include_unapproved=include_unapproved)
    return summaries_from(session, mission_id, depth, statuses)


@dataclass
class StatusOverview:
    """The goals down to depth 1 with their status, and how many indicators have each status."""

    goals: list[GoalSummary]
    counts: pd.DataFrame  # see progress.status_counts


def status_overview(
    session: Session, mission_id: int, *, include_unapproved: bool = False
) -> StatusOverview:
    """Goal summaries and status counts from one reading of the indicators' statuses."""
    statuses = indicator_statuses(session, mission_id, include_unapproved=include_unapproved)
    return StatusOverview(
        summaries_from(session, mission_id, 1, statuses), status_counts(statuses.values())
    )


def summaries_from(
    session: Session, mission_id: int, depth: int, statuses: dict[int, Mark]
) -> list[GoalSummary]:
    """The goal summaries down to depth, with the indicators' statuses given."""
    goals = session.exec(
        select(Goal).where(Goal.mission_id == mission_id).order_by(col(Goal.code))
    ).all()
    parent = {g.id: g.parent_id for g in goals}

    def ancestors(goal_id: int | None) -> list[int | None]:
        chain: list[int | None] = []
        while goal_id is not None:
            chain.append(goal_id)
            goal_id = parent.get(goal_id)
        return chain

    def per_subtree(goal_column: Any, item_column: Any) -> dict[int | None, set[int]]:
        """The distinct items linked to each goal or to any goal below it."""
        found: dict[int | None, set[int]] = {}
        for goal_id, item_id in fetch(
            session,
            sa.select(goal_column, item_column)
            .join(Goal, col(Goal.id) == goal_column)
            .where(col(Goal.mission_id) == mission_id),
        ):
            for goal in ancestors(goal_id):
                found.setdefault(goal, set()).add(item_id)
        return found

    indicators = per_subtree(col(IndicatorGoal.goal_id), col(IndicatorGoal.indicator_id))
    initiatives = per_subtree(col(Contribution.goal_id), col(Contribution.initiative_id))
    return [
        GoalSummary(
            goal=g,
            indicators=len(indicators.get(g.id, ())),
            initiatives=len(initiatives.get(g.id, ())),
            progress=roll_up(statuses[i] for i in indicators.get(g.id, ())),
            depth=len(ancestors(g.id)) - 1,
        )
        for g in goals
        if len(ancestors(g.id)) <= depth + 1
    ]
