"""Who is signed in: sign-in (local or OpenID Connect), sign-out, and the page guards."""

import json
import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.services import sessions
from dashboard.services.commands import authorize, record_refusal
from dashboard.services.permissions import Action, Actor, PermissionDenied
from dashboard.services.users import (
    SignInFailed,
    TooManyAttempts,
    WeakPassword,
    authenticate,
    change_own_password,
    current_actor_of,
    identity_actor,
)
from dashboard.settings import get_settings
from dashboard.ui.context import ACTOR_KEY, current_actor, signed_in, t
from dashboard.ui.data import find_mission, mission_key, query
from models.users import EMAIL_MAX_LENGTH, PASSWORD_MIN_LENGTH

if TYPE_CHECKING:
    from dashboard.ui.navigation import PageSpec

OIDC_REFUSED_KEY = "oidc_refused"
# The server-side session this tab is signed in with (dashboard/services/sessions.py).
SESSION_KEY = "session_id"
# What the browser is to do with the cookie on this run: (path, body) to POST, once.
COOKIE_KEY = "cookie_request"
JUST_SIGNED_IN_KEY = "just_signed_in"
# The sign-in throttle's key for every browser Streamlit gives no address for (localhost).
NO_ADDRESS = "no-address"
# When this session's refusal of each page was last written to the audit log.
REFUSALS_KEY = "refusals_logged"
REFUSAL_EVERY = 60.0  # seconds: at most one audit row per session, page and minute


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

    A tab signed in with a server-side session stays signed in while that session lives: once
    it ends (sign-out in another tab, deactivation, timeout) the tab is anonymous. A tab that
    nobody signed in to takes the session its browser's cookie names (reload, new tab). A
    local account is re-read, so a deactivation or a new role takes effect at once. After an
    OpenID Connect sign-in, the e-mail the provider vouched for is looked up in our users.
    """
    _follow_server_session()
    refresh_actor()
    if oidc_signed_in() and not signed_in() and not st.session_state.get(OIDC_REFUSED_KEY):
        email = st.user.get("email")
        found = identity_actor(
            email if isinstance(email, str) else None,
            unknown=get_settings().oidc_unknown_users,
            mission_id=find_mission_id(),
        )
        if found is None:
            st.session_state[OIDC_REFUSED_KEY] = True
        _set_actor(found)


def refresh_actor() -> None:
    """Re-read the signed-in account, with its role in the mission this tab shows."""
    actor = current_actor()
    if actor.id is not None:
        fresh = query(current_actor_of, actor.id, mission_key())
        if fresh != actor:
            _set_actor(fresh)
    elif actor.email is not None:  # a provider's e-mail without an account: a partner anywhere
        mission = find_mission_id()
        if actor.mission_id != mission:
            _set_actor(replace(actor, mission_id=mission))


def find_mission_id() -> int | None:
    """The id of the mission this tab shows (None: the database has none)."""
    mission = find_mission()
    return mission.id if mission is not None else None


def _follow_server_session() -> None:
    """Drop the actor once the tab's session has ended; take the cookie's session if none."""
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        if sessions.resolve(session_id) is None:
            st.session_state.pop(SESSION_KEY, None)
            _set_actor(None)
        return
    token = st.context.cookies.get(sessions.COOKIE)
    if signed_in() or not isinstance(token, str) or not token:
        return
    if live := sessions.resolve_cookie(token):
        st.session_state[SESSION_KEY] = live.session_id
        _set_actor(query(current_actor_of, live.user_id, mission_key()))


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
    """What a page the visitor may not open shows instead of itself; the attempt is logged,
    once a minute at most for the same page in the same session (every rerun, a click in the
    sign-in form included, runs this again)."""
    logged: dict[str, float] = st.session_state.setdefault(REFUSALS_KEY, {})
    now = time.monotonic()
    if now - logged.get(spec.url_path, -math.inf) >= REFUSAL_EVERY:
        logged[spec.url_path] = now
        record_refusal(current_actor(), spec.action or "page", {"page": spec.url_path})
    _refusal_message()


def _refusal_message() -> None:
    from dashboard.ui.navigation import PAGES_DIR
    from dashboard.ui.widgets import page_params

    st.error(t("auth.not_allowed"), icon=":material/block:")
    if signed_in():
        overview = PAGES_DIR / "oversikt.py"
        home = t("auth.to_overview")
        st.page_link(overview, label=home, icon=":material/home:", query_params=page_params())
    else:
        # Signed in here, the rerun opens this very address (query string included).
        st.info(t("auth.sign_in_to_open"))
        sign_in_choices(land=False)


def sign_in_choices(*, land: bool = True) -> None:
    """The provider's sign-in (when configured) and the local account's form; with land, a
    local sign-in goes on to the role's start page (else it stays on this address)."""
    if oidc_enabled():
        provider = get_settings().oidc_provider
        if st.button(t("auth.sign_in_oidc"), type="primary", icon=":material/login:"):
            st.login(provider)
        st.caption(t("auth.or_local"))
    sign_in_form(land=land)


def sign_in_form(*, land: bool = True) -> None:
    """E-mail and password; one message for every failure, so no account can be guessed.

    A correct password starts a new server-side session (a new id at every sign-in); the
    browser exchanges its one-time grant for the session cookie on the next run.
    """
    with st.form("sign-in"):
        email = st.text_input(t("auth.email"), autocomplete="username", max_chars=EMAIL_MAX_LENGTH)
        password = st.text_input(
            t("auth.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        device = st.context.cookies.get(sessions.DEVICE_COOKIE)
        try:
            actor = authenticate(
                email,
                password,
                client=_client(),
                device=device if isinstance(device, str) else None,
            )
        except TooManyAttempts as exc:
            st.error(_try_again(exc.retry_after), icon=":material/timer:")
            return
        except SignInFailed:
            st.error(t("auth.failed"))
            return
        started = sessions.start(actor.id or 0, user_agent=st.context.headers.get("User-Agent"))
        st.session_state[ACTOR_KEY] = actor
        st.session_state[SESSION_KEY] = started.session_id
        st.session_state[COOKIE_KEY] = (sessions.START_PATH, started.grant)
        st.session_state[JUST_SIGNED_IN_KEY] = land
        st.rerun()


def _client() -> str:
    """Who the sign-in throttle counts this attempt against: the browser's IP address as
    Streamlit gives it, or NO_ADDRESS, one key shared by every browser it gives none for
    (127.0.0.1 and ::1: on this host, or through a reverse proxy on it). A key per session
    would give every new session, and so anyone, a fresh allowance."""
    address = st.context.ip_address
    if isinstance(address, str) and address:  # (a stand-in object under AppTest)
        return f"ip:{address}"
    return NO_ADDRESS


def _try_again(seconds: float) -> str:
    """Too many failed sign-ins from here: when to try again, in seconds or minutes."""
    wait = max(1, math.ceil(seconds))
    if wait < 60:
        return t("auth.throttled_seconds", count=wait)
    return t("auth.throttled_minutes", count=math.ceil(wait / 60))


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
    """Sign out: the server-side session ends for every tab, this tab forgets all it held, the
    browser drops the cookie; after a provider's sign-in, the provider is left too."""
    leaving_provider = oidc_signed_in()
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        sessions.end(session_id)
    st.session_state.clear()
    if session_id is not None:
        st.session_state[COOKIE_KEY] = (sessions.END_PATH, "")
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
        change_own_password(
            current_actor(), current, new, keep_session=st.session_state.get(SESSION_KEY)
        )
    except WeakPassword as exc:
        st.error(t(f"auth.password_{exc.reason}", length=PASSWORD_MIN_LENGTH))
        return
    except SignInFailed:
        st.error(t("auth.wrong_current_password"))
        return
    st.success(t("auth.password_changed"))


def cookie_request() -> None:
    """Have the browser POST what this run owes its cookie (a grant, or a sign-out), once.

    The fetch goes to this same origin, carries nothing in the URL, and the route's answer
    sets or clears the HttpOnly cookie, which no script on the page can read.
    """
    pending = st.session_state.pop(COOKIE_KEY, None)
    if pending is None:
        return
    path, body = pending
    script = (
        f"fetch({json.dumps(path)}, {{method: 'POST', body: {json.dumps(body)}, "
        "credentials: 'same-origin', headers: {'Content-Type': 'text/plain'}});"
    )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
