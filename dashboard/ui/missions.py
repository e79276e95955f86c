"""Which mission the app shows: ?oppdrag=KEY in every address, a choice in the sidebar, and the
person's last choice when no link names one."""

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.db import DatabaseBusy, session_scope
from dashboard.services.missions import list_missions, remember_mission
from dashboard.services.users import remembered_mission
from dashboard.settings import get_settings
from dashboard.ui.context import current_actor, t
from dashboard.ui.data import MISSION_KEY, MISSION_PARAM, query
from dashboard.ui.widgets import esc
from models import Mission

LOG = logging.getLogger("dashboard")
UNKNOWN_KEY = "mission_unknown"  # a key a link named that no mission has
SWITCHED_KEY = "mission_switched"  # the person chose another mission on this run
CHOICE_KEY = "mission_choice"
DEFAULTED_KEY = "mission_defaulted"  # the tab shows the default: no link or person chose it


def _missions() -> list[Mission]:
    """Every mission; none while the database cannot be read (the page that needs data then
    says so itself, and one that needs none, the sign-in, still works)."""
    try:
        missions: list[Mission] = query(list_missions)
    except (DatabaseBusy, SQLAlchemyError):
        LOG.warning("The missions could not be read", exc_info=True)
        return []
    return missions


def resolve_mission() -> Mission | None:
    """The mission of this run, kept in the session and the address: the link's, else this
    tab's, else the person's last choice, else the installation's default."""
    missions = _missions()
    if not missions:
        return None
    by_key = {m.key: m for m in missions}
    asked = st.query_params.get(MISSION_PARAM)
    st.session_state[UNKNOWN_KEY] = asked if asked is not None and asked not in by_key else None
    current = st.session_state.get(MISSION_KEY)
    # a default is only held until the person is known: then their own last choice wins
    defaulted = st.session_state.get(DEFAULTED_KEY, False)
    chosen = None
    if asked in by_key and not (defaulted and asked == current):
        chosen = asked
    elif current in by_key and not defaulted:
        chosen = current
    elif (person := current_actor().id) is not None:
        with session_scope() as session:  # not cached: a choice does not change the data
            chosen = remembered_mission(session, person)
    st.session_state[DEFAULTED_KEY] = chosen not in by_key
    if chosen not in by_key:
        default = get_settings().mission_key
        chosen = default if default in by_key else missions[0].key
    st.session_state[MISSION_KEY] = chosen
    if st.query_params.get(MISSION_PARAM) != chosen:
        st.query_params[MISSION_PARAM] = chosen
    return by_key[chosen]


def _chosen() -> None:
    key = st.session_state.get(CHOICE_KEY)
    if isinstance(key, str) and key != st.session_state.get(MISSION_KEY):
        st.session_state[MISSION_KEY] = key
        st.session_state[DEFAULTED_KEY] = False
        st.session_state[SWITCHED_KEY] = True
        st.query_params[MISSION_PARAM] = key
        remember_mission(current_actor(), key)


def mission_choice(mission: Mission | None) -> None:
    """The sidebar's choice of mission (when there is more than one), and a warning when a
    link named one that does not exist."""
    missions = _missions()
    unknown = st.session_state.get(UNKNOWN_KEY)
    if unknown and mission is not None:
        shown = esc(mission.short_title or mission.title)
        st.warning(t("mission.unknown", name=esc(unknown), shown=shown))
    if mission is None or len(missions) < 2:
        return
    titles = {m.key: m.short_title or m.title for m in missions}
    st.session_state[CHOICE_KEY] = mission.key
    st.selectbox(
        t("mission.choose"),
        list(titles),
        key=CHOICE_KEY,
        format_func=lambda key: titles[key],
        on_change=_chosen,
        placeholder=t("common.choose_one"),
    )


def just_switched() -> bool:
    """Whether the person chose another mission on this run (once)."""
    return bool(st.session_state.pop(SWITCHED_KEY, False))
