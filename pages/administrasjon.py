"""Administrasjon (secretariat): user accounts, periods, indicators, the audit log, the import."""

import streamlit as st

from dashboard.services.permissions import Action
from dashboard.ui.admin import audit_section, periods_section, users_section
from dashboard.ui.auth import require
from dashboard.ui.context import t
from dashboard.ui.data import current_mission
from dashboard.ui.framework import indicators_section
from dashboard.ui.imports import import_section
from dashboard.ui.widgets import page_header

actor = require(Action.MANAGE_USERS)
page_header("page.admin", "admin.intro")
users_tab, periods_tab, indicators_tab, audit_tab, import_tab = st.tabs(
    [t("admin.users"), t("admin.periods"), t("framework.tab"), t("admin.audit"), t("import.tab")]
)
with users_tab:
    users_section(actor)
with periods_tab:
    periods_section(actor)
with audit_tab:
    audit_section(actor)
with import_tab:  # last: with no mission in the database, current_mission stops the page here
    mission = current_mission()
    assert mission.id is not None
    import_section(actor, mission.id)
with indicators_tab:  # filled after the audit log, which needs no mission
    indicators_section(actor, mission.id)
