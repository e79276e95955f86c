"""Statusrapporter: the period's status report, drafted by the operative group, reviewed and
approved by the steering group, published to everyone; compare two reports; the review pack."""

import streamlit as st

from dashboard.services.permissions import Action, allowed
from dashboard.ui.context import current_actor, sees_unapproved, t
from dashboard.ui.data import current_mission
from dashboard.ui.reporting import show_messages
from dashboard.ui.status_reports import (
    choose_report,
    compare_section,
    detail_or_stop,
    drift_notice,
    lifecycle,
    new_draft_section,
    report_view,
    review_section,
)
from dashboard.ui.widgets import page_header

actor = current_actor()
internal = sees_unapproved()
mission = current_mission()
assert mission.id is not None
page_header("page.reports", "report.intro" if internal else "report.intro_public")
show_messages()
if allowed(actor, Action.DRAFT_REPORT):
    new_draft_section(actor, mission.id)
report_id = choose_report(mission.id, internal=internal)
if report_id is None:
    st.stop()
detail = detail_or_stop(report_id, internal=internal)
lifecycle(detail)
drift_notice(actor, detail)
names = [t("report.tab.report"), t("report.tab.compare")]
if internal:
    names.append(t("report.tab.review"))
tabs = st.tabs(names)
with tabs[0]:
    report_view(detail, mission.title)
with tabs[1]:
    compare_section(mission.id, detail, internal=internal)
if internal:
    with tabs[2]:
        review_section(actor, mission.id, detail)
