"""Who is signed in: sign-in (local or OpenID Connect), sign-out, and the page guards."""

from typing import TYPE_CHECKING

import streamlit as st

from dashboard.services.commands import authorize, record_refusal
from dashboard.services.permissions import Action, Actor, PermissionDenied
from dashboard.services.users import (
    SignInFailed,
    WeakPassword,
    authenticate,
    change_own_password,
    current_actor_of,
    identity_actor,
)
from dashboard.settings import get_settings
from dashboard.ui.context import ACTOR_KEY, current_actor, signed_in, t
from dashboard.ui.data import query
from models.users import PASSWORD_MIN_LENGTH

if TYPE_CHECKING:
    from dashboard.ui.navigation import PageSpec

OIDC_REFUSED_KEY = "oidc_refused"
JUST_SIGNED_IN_KEY = "just_signed_in"


def oidc_enabled() -> bool:
    """Whether an OpenID Connect provider is configured ([auth] in Streamlit's secrets)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def oidc_signed_in() -> bool:
    """Whether this browser is signed in with the identity provider."""
    return oidc_enabled() and bool(st.user.is_logged_in)


def resolve_session() -> None:
    """Bring this session's actor up to date, at the start of every run.

    A local account is re-read, so a deactivation or a new role takes effect at once. After an
    OpenID Connect sign-in, the e-mail the provider vouched for is looked up in our users.
    """
    actor = current_actor()
    if actor.id is not None:
        fresh = query(current_actor_of, actor.id)
        if fresh != actor:
            _set_actor(fresh)
    if oidc_signed_in() and not signed_in() and not st.session_state.get(OIDC_REFUSED_KEY):
        email = st.user.get("email")
        found = identity_actor(
            email if isinstance(email, str) else None,
            unknown=get_settings().oidc_unknown_users,
        )
        if found is None:
            st.session_state[OIDC_REFUSED_KEY] = True
        _set_actor(found)


def _set_actor(actor: Actor | None) -> None:
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor


def oidc_refused() -> bool:
    """Whether the provider's user has no access here (unknown e-mail or deactivated)."""
    return bool(st.session_state.get(OIDC_REFUSED_KEY))


def require(action: Action) -> Actor:
    """The guard a restricted page starts with: the actor, or a refusal (logged) and a stop."""
    actor = current_actor()
    try:
        authorize(actor, action)
    except PermissionDenied:
        _refusal_message()
        st.stop()
    return actor


def refuse_page(spec: "PageSpec") -> None:
    """What a page the visitor may not open shows instead of itself; the attempt is logged."""
    record_refusal(current_actor(), spec.action or "page", {"page": spec.url_path})
    _refusal_message()


def _refusal_message() -> None:
    from dashboard.ui.navigation import PAGES_DIR

    st.error(t("auth.not_allowed"), icon=":material/block:")
    if signed_in():
        st.page_link(PAGES_DIR / "oversikt.py", label=t("auth.to_overview"), icon=":material/home:")
    else:
        st.info(t("auth.sign_in_for_more"))
        st.page_link(PAGES_DIR / "konto.py", label=t("auth.to_sign_in"), icon=":material/login:")


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
            actor = authenticate(email, password)
        except SignInFailed:
            st.error(t("auth.failed"))
            return
        st.session_state[ACTOR_KEY] = actor
        st.session_state[JUST_SIGNED_IN_KEY] = True
        st.rerun()


def land_after_sign_in() -> None:
    """Right after a sign-in (once the navigation for the new role is built): go to the
    role's start page; partners stay where they signed in."""
    from dashboard.ui.navigation import PAGES_DIR, landing_page

    if not st.session_state.pop(JUST_SIGNED_IN_KEY, False):
        return
    page = landing_page(current_actor().role)
    if page is not None:
        st.switch_page(PAGES_DIR / page.script)


def sign_out() -> None:
    """Forget the signed-in actor (and all this session held), also at the identity provider."""
    leaving_provider = oidc_signed_in()
    st.session_state.clear()
    if leaving_provider:
        st.logout()  # the browser goes to the provider and comes back in a new session
        st.stop()  # a rerun here could drop the redirect
    st.rerun()


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
