"""Administrasjon (secretariat): user accounts, periods, indicators, the audit log, the import,
statistics from SSB, the outbox of e-mails; new missions (the global administrator)."""

import streamlit as st

from dashboard.services.permissions import Action
from dashboard.ui.admin import audit_section, missions_section, periods_section, users_section
from dashboard.ui.auth import require
from dashboard.ui.context import t
from dashboard.ui.data import find_mission
from dashboard.ui.framework import indicators_section
from dashboard.ui.imports import import_section
from dashboard.ui.notifications import outbox_section
from dashboard.ui.statistics import statistics_section
from dashboard.ui.widgets import page_header

actor = require(Action.MANAGE_USERS)
page_header("page.admin", "admin.intro")
names = [
    t("admin.users"),
    t("admin.periods"),
    t("framework.tab"),
    t("admin.audit"),
    t("import.tab"),
    t("statistics.tab"),
    t("outbox.tab"),
]
if actor.global_admin:  # the installation's missions, beside its people
    names.insert(1, t("admin.missions"))
tabs = st.tabs(names)
users_tab, *tabs = tabs
if actor.global_admin:
    with tabs.pop(0):
        missions_section(actor)
periods_tab, indicators_tab, audit_tab, import_tab, statistics_tab, outbox_tab = tabs
with users_tab:
    users_section(actor)
with audit_tab:
    audit_section(actor)
with outbox_tab:
    outbox_section(actor)
mission = find_mission()
for tab, section in (
    (periods_tab, periods_section),
    (indicators_tab, indicators_section),
    (import_tab, import_section),
    (statistics_tab, statistics_section),
):
    with tab:
        if mission is None or mission.id is None:  # an empty database: nothing to administer
            st.warning(t("empty.no_mission"))
        else:
            section(actor, mission.id)
