"""Kunnskapsgrunnlag: the 2023 mapping's five main findings and sub-findings A-W."""

import streamlit as st

from dashboard.services.governance import findings
from dashboard.ui.context import label, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.url_state import url_multiselect
from dashboard.ui.widgets import empty_state, esc, page_header

mission = current_mission()
assert mission.id is not None
page_header("page.knowledge", "knowledge.intro")

frame = query(findings, mission.id)
if frame.empty:
    empty_state("empty.no_findings", "empty.who_admin")
    st.stop()

themes = sorted(frame["theme"].unique())
chosen = url_multiselect(
    st.container(),
    t("knowledge.theme"),
    themes,
    key="tema",
    format_func=lambda theme: label(theme, "FindingTheme"),
    pills=True,
)
shown = frame[frame["theme"].isin(chosen)] if chosen else frame
st.caption(t("knowledge.count", main=shown["main_number"].nunique(), sub=len(shown)))
if shown["theme_inferred"].any():
    st.caption(t("knowledge.theme_inferred"))
for number, group in shown.groupby("main_number", sort=True):
    first = group.iloc[0]
    st.header(f"{number}. {esc(first.main_title)}")
    st.caption(label(first.theme, "FindingTheme"))
    for row in group.itertuples():
        st.markdown(f"**{esc(row.letter)}** – {esc(row.title)}")
