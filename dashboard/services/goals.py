"""Queries about the mission and its goal tree, with each goal's status rolled up."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.services.common import fetch
from dashboard.services.indicators import indicator_statuses
from dashboard.services.progress import GoalProgress, Mark, roll_up
from models import Contribution, Goal, Indicator, IndicatorGoal, Initiative, ProgressStatus


@dataclass
class GoalNode:
    """A goal with its indicators, contributing initiatives and sub-goals, and its status."""

    goal: Goal
    indicators: list[tuple[str, str]] = field(default_factory=list)
    initiatives: list[tuple[int, str, str, int, bool]] = field(default_factory=list)
    children: list["GoalNode"] = field(default_factory=list)
    marks: dict[str, Mark] = field(default_factory=dict)  # its indicators' statuses, by code
    # rolled up from the indicators of this goal and of the goals below it (services.progress)
    progress: GoalProgress = field(default_factory=lambda: GoalProgress(ProgressStatus.NO_DATA))


def goal_tree(
    session: Session, mission_id: int, *, include_unapproved: bool = False
) -> list[GoalNode]:
    """The mission's goals as a tree (roots first), each with indicators, initiatives, status."""
    goals = session.exec(
        select(Goal)
        .where(Goal.mission_id == mission_id)
        .order_by(col(Goal.sort_order), col(Goal.code))
    ).all()
    nodes = {g.id: GoalNode(goal=g) for g in goals}
    statuses = indicator_statuses(session, mission_id, include_unapproved=include_unapproved)
    linked: dict[int | None, set[int]] = {}  # goal id -> ids of the indicators linked to it
    for goal_id, indicator_id, code, name in fetch(
        session,
        sa.select(
            col(IndicatorGoal.goal_id),
            col(Indicator.id),
            col(Indicator.code),
            col(Indicator.name),
        )
        .join(Indicator, col(Indicator.id) == IndicatorGoal.indicator_id)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code)),
    ):
        if goal_id in nodes:
            nodes[goal_id].indicators.append((code, name))
            nodes[goal_id].marks[code] = statuses[indicator_id]
            linked.setdefault(goal_id, set()).add(indicator_id)
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

    def roll(node: GoalNode) -> set[int]:
        """Set the node's status from its subtree's indicators; return their ids."""
        below = set(linked.get(node.goal.id, set()))
        for child in node.children:
            below |= roll(child)
        node.progress = roll_up(statuses[i] for i in below)
        return below

    for root in roots:
        roll(root)
    return roots
