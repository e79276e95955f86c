"""Mål: the goal tree, each goal's indicators and contributing initiatives."""

import pandas as pd
import streamlit as st

from dashboard.services.goals import GoalNode, goal_tree
from dashboard.ui.context import label, labels, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.widgets import empty_state, esc, link_table, note, page_header

mission = current_mission()
assert mission.id is not None
page_header("page.goals", "goals.intro")


def show_goal(node: GoalNode, depth: int) -> None:
    """One goal: description, caveats, indicators and initiatives; then its sub-goals."""
    goal = node.goal
    with st.expander(f"{goal.code} {goal.title}", expanded=depth == 0):
        st.caption(label(goal.level, "GoalLevel"))
        if goal.description:
            st.markdown(esc(goal.description))
        note(goal.note, proposal=goal.proposal)
        st.markdown(f"**{t('goals.indicators')}** ({len(node.indicators)})")
        if node.indicators:
            indicators = pd.DataFrame(node.indicators, columns=[t("col.code"), t("col.indicator")])
            indicators[t("col.open")] = [f"indikatorer?kode={c}" for c, _ in node.indicators]
            link_table(indicators, t("col.open"))
        else:
            st.caption(t("goals.no_indicators"))
        st.markdown(f"**{t('goals.initiatives')}** ({len(node.initiatives)})")
        if not node.initiatives:
            st.caption(t("goals.no_initiatives"))
            return
        if any(proposal for *_, proposal in node.initiatives):
            st.caption(t("goals.contributions_proposed"))
        initiatives = pd.DataFrame(
            {
                t("col.number"): [i[0] for i in node.initiatives],
                t("col.initiative"): [i[1] for i in node.initiatives],
                t("col.contribution"): labels((i[2] for i in node.initiatives), "ContributionKind"),
                t("col.strength"): [i[3] for i in node.initiatives],
                t("col.open"): [f"satsing?nr={i[0]}" for i in node.initiatives],
            }
        )
        link_table(initiatives, t("col.open"))


def walk(node: GoalNode, depth: int) -> None:
    """Show a goal, then its sub-goals (expanders cannot nest)."""
    show_goal(node, depth)
    for child in node.children:
        walk(child, depth + 1)


tree = query(goal_tree, mission.id)
if not tree:
    empty_state("empty.no_goals", "empty.who_admin")
for root in tree:
    walk(root, 0)
