"""Åpne data: the open-data API explained (what it serves, the licence, example calls)."""

import streamlit as st

from dashboard.settings import get_settings
from dashboard.statistics.suppression import threshold
from dashboard.ui.context import t
from dashboard.ui.data import current_mission
from dashboard.ui.open_data import api_base, endpoints, examples, licence, tables
from dashboard.ui.widgets import page_header

mission = current_mission()
base = api_base()
page_header("page.open_data", "open_data.intro")
st.markdown(t("open_data.what_text"))
st.markdown(t("open_data.withheld", below=threshold()))
st.header(t("open_data.licence"))
st.markdown(licence())
st.header(t("open_data.endpoints"))
st.markdown(endpoints(base, mission.key))
st.header(t("open_data.tables"))
st.markdown(tables())
st.header(t("open_data.examples"))
for title_key, (language, code) in examples(base, mission.key).items():
    st.markdown(t(title_key))
    # wrapped: a block that scrolls sideways is a region a keyboard cannot reach (axe)
    st.code(code, language=language, wrap_lines=True)
st.header(t("open_data.rules"))
st.markdown(t("open_data.rules_text", per_minute=get_settings().open_data_requests_per_minute))
