"""The start page of partners and visitors: the latest published report's summary and what
changed since the one before."""

import streamlit as st

from dashboard.i18n.formatting import date, local_date
from dashboard.services.start.partner import latest_published
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.status_reports import changes_view
from dashboard.ui.widgets import esc, link_to


def partner_view(mission_id: int) -> None:
    """The latest published report's summary and what changed since the one before."""
    detail = query(latest_published, mission_id)
    if detail is None:
        st.header(t("start.latest_none_title"))
        st.caption(t("start.latest_none"))
        return
    st.header(t("start.latest", period=esc(detail.period)))
    approved = local_date(detail.report.approved_at)
    if approved:
        st.caption(t("start.approved_on", when=date(approved, lang())))
    st.markdown(esc(detail.report.summary) if detail.report.summary else t("start.no_summary"))
    link_to("statusrapporter.py", t("start.open_report"), rapport=detail.report.id)
    if detail.changes is None or detail.previous_period is None:
        st.header(t("start.changes_title"))
        st.caption(t("start.first_report"))
        return
    st.header(t("start.changes_since", period=esc(detail.previous_period)))
    changes_view(detail.changes)
