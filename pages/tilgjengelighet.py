"""Tilgjengelighet: the accessibility statement (conformance, how it is tested, the known
exceptions, and how to report a problem)."""

import streamlit as st

from dashboard.settings import get_settings
from dashboard.ui.context import t
from dashboard.ui.widgets import esc, page_header

EXCEPTIONS = ("framework_english", "grid", "mission_names", "phone_sidebar")

page_header("page.accessibility", "accessibility.intro")
st.header(t("accessibility.conformance"))
st.markdown(t("accessibility.conformance_text"))
st.header(t("accessibility.testing"))
st.markdown(t("accessibility.testing_text"))
st.header(t("accessibility.exceptions"))
st.markdown("\n".join(f"- {t(f'accessibility.exception.{name}')}" for name in EXCEPTIONS))
st.header(t("accessibility.report"))
contact = get_settings().accessibility_contact
if contact:
    target = contact if contact.startswith(("https://", "http://")) else f"mailto:{contact}"
    st.markdown(t("accessibility.report_to", contact=f"[{esc(contact)}]({target})"))
else:
    st.markdown(t("accessibility.report_secretariat"))
st.markdown(t("accessibility.complaint"))
st.caption(t("accessibility.updated"))
