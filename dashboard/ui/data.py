"""Cached access to the service queries, invalidated by a cheap data-version read."""

import dataclasses
import importlib
import os
import pickle
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlmodel import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.db import commit_count, session_scope
from dashboard.services.common import data_version, mission_by_key
from dashboard.settings import get_settings
from models import Mission

P = ParamSpec("P")
MISSION_KEY = "mission_key"  # the key of the mission this tab shows (dashboard.ui.missions)
MISSION_PARAM = "oppdrag"  # the query parameter that names it in every address
R = TypeVar("R")


@st.cache_resource(show_spinner=False, max_entries=1024)
def _shared(target: str, database: str, version: int, args: tuple[Any, ...], kwargs: Any) -> Any:
    """Run a query function by dotted name; cached per database, data version and arguments.

    Every session gets the same object (st.cache_data would unpickle a copy on every read,
    which was an eighth of a page run's CPU under load, and garbage the collector then walks):
    a page reads a query's result and never changes it. Tests check that (check_shared)."""
    module, name = target.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    with session_scope() as session:
        return function(session, *args, **dict(kwargs))


_RUN_VERSION = "_dashboard_data_version"  # set on the run's ScriptRunContext


def _version() -> int:
    """The data version, read once per page run unless this process committed since (a run
    calls query() a dozen times; a later run, or a run after a save, reads it again)."""
    return _versions()[0]


def _versions() -> tuple[int, int]:
    """The data version now (as _version) and the first one this page run read: they differ
    when a commit moved it during the run (the same two outside a run)."""
    ctx = get_script_run_ctx()
    seen = getattr(ctx, _RUN_VERSION, None) if ctx is not None else None
    commits = commit_count()
    same_run = seen is not None and seen[0] is ctx.cursors  # type: ignore[union-attr]
    if same_run and seen[1] == commits:  # type: ignore[index]
        return int(seen[2]), int(seen[3])  # type: ignore[index]
    with session_scope() as session:
        version = data_version(session)
    first = int(seen[3]) if same_run else version  # type: ignore[index]
    if ctx is not None:
        # the run's own cursors dict (a new one each run) tells the runs apart
        setattr(ctx, _RUN_VERSION, (ctx.cursors, commits, version, first))
    _forget_older(version)
    return version, first


_newest: dict[str, int] = {}  # the newest data version seen, per database


def _forget_older(version: int) -> None:
    """Drop every shared result when the data version has moved on: they are all keyed on
    an older version and would only be dropped one by one as the caches fill up."""
    database = get_settings().database_url
    if version > _newest.get(database, version - 1):
        if database in _newest:
            _shared.clear()
            _derived.clear()
        _newest[database] = version


# SHARED_CHECK=1 (the tests) keeps a copy of each shared result as first read and fails a
# later read that finds it changed: a page that changed it would change every session's.
_copies: dict[int, tuple[str, object, object]] = {}


class SharedResultChanged(AssertionError):
    """A page changed a query result that every session shares."""


def _same(a: object, b: object) -> bool:
    """Whether a and b hold the same data (frames by value, models by their fields)."""
    if isinstance(a, pd.DataFrame | pd.Series):
        if not isinstance(b, type(a)) or not a.index.equals(b.index):
            return False
        columns = list(a.columns) == list(b.columns) if isinstance(a, pd.DataFrame) else True
        return columns and bool(a.equals(b))  # type: ignore[arg-type]
    if isinstance(a, list | tuple):
        return (
            isinstance(b, type(a))
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and list(a) == list(b)
            and all(_same(value, b[key]) for key, value in a.items())
        )
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if hasattr(a, "__dict__") and not isinstance(a, type):
        fields = {k: v for k, v in vars(a).items() if not k.startswith("_sa_")}
        others = {k: v for k, v in vars(b).items() if not k.startswith("_sa_")}
        return type(a) is type(b) and _same(fields, others)
    try:
        return bool(a == b) or (a != a and b != b)  # NaN is itself
    except (TypeError, ValueError):
        return pickle.dumps(a) == pickle.dumps(b)


def check_shared(result: object | None = None, target: str = "") -> None:
    """Raise SharedResultChanged when a shared result (or any, without one) differs from how
    it was first read; keep a copy of result when it is new."""
    if result is not None and id(result) not in _copies:
        _copies[id(result)] = (target, result, pickle.loads(pickle.dumps(result)))
        return
    chosen = [_copies[id(result)]] if result is not None else list(_copies.values())
    for name, value, before in chosen:
        if not _same(value, before):
            raise SharedResultChanged(f"{name}: a shared query result was changed by its reader")


def forget_shared() -> None:
    """Forget the kept copies (the tests, between tests)."""
    _copies.clear()


def query(function: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """The result of a service query, from cache unless data changed since it was cached.

    The result is shared with every session: read it, never change it (copy it first)."""
    target = f"{function.__module__}.{function.__qualname__}"
    settings = get_settings()
    result: R = _shared(
        target, settings.database_url, _version(), args, tuple(sorted(kwargs.items()))
    )
    if os.environ.get("SHARED_CHECK") == "1":
        check_shared(result, target)
    return result


# a view worked out per filter holds up to a few MB at 3,000 initiatives
@st.cache_resource(show_spinner=False, max_entries=192)
def _derived(target: str, database: str, version: int, key: str, _args: tuple[Any, ...]) -> Any:
    """Run a function by dotted name on _args (not hashed: key names what they were made of)."""
    module, name = target.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(*_args)


def derived(function: Callable[..., R], key: Hashable, *args: Any) -> R:
    """function(*args) worked out once per data version and key, and shared like query()'s
    results: for a pure function of query results whose key names everything its arguments
    were made from (the mission, the filter, the language of the labels it writes)."""
    target = f"{function.__module__}.{function.__qualname__}"
    version, first = _versions()
    if version != first:  # the arguments may have been read before a commit: not kept
        return function(*args)
    result: R = _derived(target, get_settings().database_url, version, repr(key), args)
    if os.environ.get("SHARED_CHECK") == "1":
        check_shared(result, target)
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
