"""Administrasjon (secretariat): user accounts and the audit log."""

import streamlit as st

from dashboard.services.permissions import Action
from dashboard.ui.admin import audit_section, periods_section, users_section
from dashboard.ui.auth import require
from dashboard.ui.context import t
from dashboard.ui.widgets import page_header

actor = require(Action.MANAGE_USERS)
page_header("page.admin", "admin.intro")
users_tab, periods_tab, audit_tab = st.tabs(
    [t("admin.users"), t("admin.periods"), t("admin.audit")]
)
with users_tab:
    users_section(actor)
with periods_tab:
    periods_section(actor)
with audit_tab:
    audit_section(actor)
