"""Queries about the mission and its goal tree."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services.common import fetch
from models import Contribution, Goal, Indicator, IndicatorGoal, Initiative


@dataclass
class GoalNode:
    """A goal with its indicators, contributing initiatives and sub-goals."""

    goal: Goal
    indicators: list[tuple[str, str]] = field(default_factory=list)
    initiatives: list[tuple[int, str, str, int, bool]] = field(default_factory=list)
    children: list["GoalNode"] = field(default_factory=list)


def goal_tree(session: Session, mission_id: int) -> list[GoalNode]:
    """The mission's goals as a tree (roots first), each with indicators and initiatives."""
    goals = session.exec(
        select(Goal)
        .where(Goal.mission_id == mission_id)
        .order_by(col(Goal.sort_order), col(Goal.code))
    ).all()
    nodes = {g.id: GoalNode(goal=g) for g in goals}
    for goal_id, code, name in fetch(
        session,
        sa.select(col(IndicatorGoal.goal_id), col(Indicator.code), col(Indicator.name))
        .join(Indicator, col(Indicator.id) == IndicatorGoal.indicator_id)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code)),
    ):
        if goal_id in nodes:
            nodes[goal_id].indicators.append((code, name))
    for goal_id, *initiative in fetch(
        session,
        sa.select(
            col(Contribution.goal_id),
            col(Initiative.number),
            col(Initiative.name),
            col(Contribution.kind),
            col(Contribution.strength),
            col(Contribution.proposal),
        )
        .join(Initiative, col(Initiative.id) == Contribution.initiative_id)
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number)),
    ):
        if goal_id in nodes:
            nodes[goal_id].initiatives.append(tuple(initiative))
    roots = []
    for goal in goals:
        node = nodes[goal.id]
        if goal.parent_id in nodes:
            nodes[goal.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots
