"""Konto: sign in; or, signed in, see who you are, change your password, choose your e-mail
notifications and sign out."""

import streamlit as st

from dashboard.ui.auth import (
    oidc_refused,
    oidc_signed_in,
    password_form,
    sign_in_choices,
    sign_out,
)
from dashboard.ui.context import current_actor, label, signed_in, t
from dashboard.ui.notifications import notification_form
from dashboard.ui.widgets import esc, page_header


def sign_out_button() -> None:
    """Sign out of this app (and of the identity provider's session with it)."""
    if st.button(t("auth.sign_out"), icon=":material/logout:"):
        sign_out()


page_header("page.account")
if oidc_refused():
    st.error(t("auth.oidc_no_access", email=esc(st.user.get("email") or "")))
    sign_out_button()
    st.stop()
if not signed_in():
    st.caption(t("auth.intro"))
    sign_in_choices()
    st.stop()

actor = current_actor()
st.markdown(t("auth.signed_in_as", email=esc(actor.email), role=label(actor.role, "Role")))
if actor.id is not None and not oidc_signed_in():
    st.header(t("auth.change_password"))
    password_form()
if actor.id is not None:
    st.header(t("notify.header"))
    notification_form(actor)
st.header(t("auth.sign_out"))
sign_out_button()
