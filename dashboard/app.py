"""Entry point: page config, language choice and navigation built per role. Nothing else."""

import streamlit as st

from dashboard.i18n import LANGUAGES, translate
from dashboard.settings import get_settings
from dashboard.ui.context import LANG_KEY, current_actor, role, signed_in, t
from dashboard.ui.navigation import build_navigation
from dashboard.ui.widgets import esc

st.session_state.setdefault(LANG_KEY, get_settings().language)
st.set_page_config(
    page_title=t("app.title"),
    page_icon=":material/diversity_3:",
    layout="wide",
)
with st.sidebar:
    st.selectbox(
        "Språk / Language",
        LANGUAGES,
        key=LANG_KEY,
        format_func=lambda code: translate(code, "app.language_name"),
    )
    if signed_in():
        st.caption(
            t(
                "auth.signed_in_as",
                email=esc(current_actor().email),
                role=t(f"enum.Role.{role().value}"),
            )
        )
    else:
        st.caption(t("app.role_notice", role=t(f"enum.Role.{role().value}")))
closed = not signed_in() and not get_settings().public_read
st.navigation(build_navigation(role(), only_sign_in=closed)).run()
