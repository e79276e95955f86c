"""Mål: the goal tree, each goal's indicators and contributing initiatives."""

import streamlit as st

from dashboard.ui.context import label, lang, sees_unapproved, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.progress import goal_status, goal_status_text
from dashboard.ui.tables import goal_tables
from dashboard.ui.widgets import empty_state, esc, link_table, mission_text, note, page_header

mission = current_mission()
assert mission.id is not None
page_header("page.goals", "goals.intro")

goals = query(goal_tables, mission.id, lang(), include_unapproved=sees_unapproved())
if not goals:
    empty_state("empty.no_goals", "empty.who_admin")
else:
    st.caption(t("progress.goal_rule"))
for item in goals:  # in tree order; expanders cannot nest, so depth shows in the code
    goal = item.goal
    status = goal_status_text(item.progress)
    with st.expander(
        f"{esc(goal.code)} {esc(goal.title)} · {esc(status)}", expanded=item.depth == 0
    ):
        st.caption(label(goal.level, "GoalLevel"))
        goal_status(item.progress)
        if goal.description:
            mission_text(goal.description)
        note(goal.note, proposal=goal.proposal)
        st.markdown(f"**{t('goals.indicators')}** ({len(item.indicators)})")
        if item.indicators.empty:
            st.caption(t("goals.no_indicators"))
        else:
            link_table(item.indicators, t("col.open"))
        st.markdown(f"**{t('goals.initiatives')}** ({len(item.initiatives)})")
        if item.initiatives.empty:
            st.caption(t("goals.no_initiatives"))
            continue
        if item.proposed:
            st.caption(t("goals.contributions_proposed"))
        link_table(item.initiatives, t("col.open"))
