"""Cached access to the service queries, invalidated by a cheap data-version read."""

import importlib
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st
from sqlmodel import Session

from dashboard.db import session_scope
from dashboard.services.common import data_version, mission_by_key
from dashboard.settings import get_settings
from models import Mission

P = ParamSpec("P")
MISSION_KEY = "mission_key"  # the key of the mission this tab shows (dashboard.ui.missions)
MISSION_PARAM = "oppdrag"  # the query parameter that names it in every address
R = TypeVar("R")


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(target: str, database: str, version: int, args: tuple[Any, ...], kwargs: Any) -> Any:
    """Run a query function by dotted name; cached per database, data version and arguments."""
    module, name = target.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    with session_scope() as session:
        return function(session, *args, **dict(kwargs))


def _version() -> int:
    with session_scope() as session:
        return data_version(session)


def query(function: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """The result of a service query, from cache unless data changed since it was cached."""
    target = f"{function.__module__}.{function.__qualname__}"
    settings = get_settings()
    result: R = _cached(
        target, settings.database_url, _version(), args, tuple(sorted(kwargs.items()))
    )
    return result


def mission_key() -> str:
    """The key of the mission this tab shows (the installation's default before the first
    run has chosen one)."""
    chosen = st.session_state.get(MISSION_KEY)
    return chosen if isinstance(chosen, str) else get_settings().mission_key


def find_mission() -> Mission | None:
    """The mission this tab shows, or None when the database has none."""
    mission: Mission | None = query(mission_by_key, mission_key())
    return mission if mission is not None and mission.id is not None else None


def current_mission() -> Mission:
    """The mission this app shows; stops the page with a message when the database is empty."""
    mission = find_mission()
    if mission is None:
        from dashboard.ui.context import t

        st.warning(t("empty.no_mission"))
        st.stop()
    return mission
