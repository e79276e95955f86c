"""Rapportering (operative group): enter and submit values; approve or return colleagues'."""

import streamlit as st

from dashboard.services.permissions import Action
from dashboard.ui.auth import require
from dashboard.ui.context import t
from dashboard.ui.data import current_mission
from dashboard.ui.reporting import entry_section, queue_section
from dashboard.ui.widgets import page_header

actor = require(Action.APPROVE_VALUES)
mission = current_mission()
assert mission.id is not None
page_header("page.reporting", "reporting.intro")
st.header(t("reporting.entry"))
entry_section(actor, mission.id)
st.header(t("reporting.queue"))
queue_section(actor, mission.id)
