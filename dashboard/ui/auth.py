"""Who is signed in: the sign-in form, sign-out and the guard every restricted page starts with."""

import streamlit as st

from dashboard.services.users import (
    SignInFailed,
    WeakPassword,
    authenticate,
    change_own_password,
)
from dashboard.ui.context import ACTOR_KEY, current_actor, t
from models.users import PASSWORD_MIN_LENGTH


def sign_in_form() -> None:
    """E-mail and password; one message for every failure, so no account can be guessed."""
    with st.form("sign-in"):
        email = st.text_input(t("auth.email"), autocomplete="username")
        password = st.text_input(
            t("auth.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        try:
            st.session_state[ACTOR_KEY] = authenticate(email, password)
        except SignInFailed:
            st.error(t("auth.failed"))
            return
        st.rerun()


def sign_out() -> None:
    """Forget the signed-in actor (and everything else this session held)."""
    st.session_state.clear()


def password_form() -> None:
    """Change one's own password, proving the current one."""
    with st.form("password", clear_on_submit=True):
        current = st.text_input(t("auth.current_password"), type="password")
        new = st.text_input(
            t("auth.new_password"),
            type="password",
            help=t("auth.password_rule", length=PASSWORD_MIN_LENGTH),
        )
        submitted = st.form_submit_button(t("auth.change_password"))
    if not submitted:
        return
    try:
        change_own_password(current_actor(), current, new)
    except WeakPassword:
        st.error(t("auth.password_rule", length=PASSWORD_MIN_LENGTH))
        return
    except SignInFailed:
        st.error(t("auth.wrong_current_password"))
        return
    st.success(t("auth.password_changed"))
