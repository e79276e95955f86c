"""Entry point: page config, who is signed in, language choice and navigation per role."""

import streamlit as st

from dashboard.i18n import LANGUAGES, translate
from dashboard.memory import collect_garbage, freeze_start_up_objects
from dashboard.settings import get_settings
from dashboard.ui.a11y import page_language
from dashboard.ui.auth import (
    cookie_request,
    land_after_sign_in,
    oidc_refused,
    refresh_actor,
    refuse_page,
    resolve_session,
)
from dashboard.ui.context import LANG_KEY, current_actor, label, lang, role, signed_in, t
from dashboard.ui.missions import just_switched, mission_choice, resolve_mission
from dashboard.ui.navigation import allowed_paths, build_navigation, home_page
from dashboard.ui.style import focus_style
from dashboard.ui.widgets import esc

st.session_state.setdefault(LANG_KEY, get_settings().language)
st.set_page_config(
    page_title=t("app.title"),
    page_icon=":material/diversity_3:",
    layout="wide",
)
focus_style()
resolve_session()
mission = resolve_mission()
refresh_actor()  # the role in the mission chosen (the same one on most runs: no query)
closed = not signed_in() and not get_settings().public_read
# expanded: every page in the menu, none behind a «View more» button (in English)
page = st.navigation(build_navigation(role(), refuse_page, only_sign_in=closed), expanded=True)
land_after_sign_in()  # before anything is drawn: the landing page's run draws it all
if just_switched() and page.url_path not in allowed_paths(role()):
    st.switch_page(home_page(role()))  # the new mission's role may not open this page
cookie_request()  # after the landing: a switch of page would drop what this run draws
with st.sidebar:
    mission_choice(mission)
    st.selectbox(
        "Språk / Language",
        LANGUAGES,
        key=LANG_KEY,
        format_func=lambda code: translate(code, "app.language_name"),
        placeholder=t("common.choose_one"),
    )
    if signed_in():
        st.caption(
            t("auth.signed_in_as", email=esc(current_actor().email), role=label(role(), "Role"))
        )
    else:
        st.caption(t("app.role_notice", role=label(role(), "Role")))
    if oidc_refused():
        st.warning(t("auth.oidc_no_access", email=esc(st.user.get("email") or "")))
    page_language(lang())
page.run()
freeze_start_up_objects(page.url_path)  # once per page, after its first run has imported it
collect_garbage()  # when due: Streamlit's collection after every run is off (config.toml)
