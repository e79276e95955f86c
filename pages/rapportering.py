"""Rapportering (operative group): enter and submit values and check-ins; approve or return
colleagues'."""

import streamlit as st

from dashboard.services.permissions import Action
from dashboard.ui.auth import require
from dashboard.ui.check_ins import check_in_queue_section, check_in_section
from dashboard.ui.context import t
from dashboard.ui.data import current_mission
from dashboard.ui.imports import import_section
from dashboard.ui.notices import returned_notice
from dashboard.ui.progress import completeness_section
from dashboard.ui.reporting import choose_period, entry_section, queue_section, show_messages
from dashboard.ui.statistics import batch_queue_section, statistics_section
from dashboard.ui.widgets import page_header

actor = require(Action.APPROVE_VALUES)
mission = current_mission()
assert mission.id is not None
page_header("page.reporting", "reporting.intro")
show_messages()
returned_notice(actor, mission.id)
period_id = choose_period(mission.id)
tabs = st.tabs(
    [
        t("reporting.entry"),
        t("check_in.header"),
        t("reporting.queue"),
        t("reporting.completeness"),
        t("import.tab"),
        t("statistics.tab"),
    ]
)
values_tab, check_ins_tab, queue_tab, completeness_tab, import_tab, statistics_tab = tabs
with values_tab:
    entry_section(actor, mission.id, period_id)
with check_ins_tab:
    check_in_section(actor, mission.id, period_id)
with queue_tab:
    st.header(t("reporting.queue_values"))
    queue_section(actor, mission.id)
    st.header(t("check_in.queue"))
    check_in_queue_section(actor, mission.id)
    st.header(t("statistics.queue.header"))
    batch_queue_section(actor, mission.id)
with completeness_tab:
    if period_id is not None:
        completeness_section(actor, mission.id, period_id)
with import_tab:
    import_section(actor, mission.id)
with statistics_tab:
    statistics_section(actor, mission.id)
