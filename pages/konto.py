"""Konto: sign in; or, signed in, see who you are, change your password and sign out."""

import streamlit as st

from dashboard.ui.auth import password_form, sign_in_form, sign_out
from dashboard.ui.context import current_actor, label, signed_in, t
from dashboard.ui.widgets import esc, page_header

page_header("page.account")
if not signed_in():
    st.caption(t("auth.intro"))
    sign_in_form()
    st.stop()

actor = current_actor()
st.markdown(t("auth.signed_in_as", email=esc(actor.email), role=label(actor.role, "Role")))
st.subheader(t("auth.change_password"))
password_form()
st.subheader(t("auth.sign_out"))
if st.button(t("auth.sign_out"), icon=":material/logout:"):
    sign_out()
    st.rerun()
