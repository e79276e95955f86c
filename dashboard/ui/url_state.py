"""Widgets whose value lives in the URL as plain codes, so a shared link opens the same view."""

from collections.abc import Callable, Collection, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.ui.context import t


def _stale(key: str) -> bool:
    """Whether the widget must be set from the URL: first run, or a link changed the URL."""
    seen = st.session_state.get(f"url-seen:{key}")
    return f"url:{key}" not in st.session_state or seen != st.query_params.get_all(key)


def _sync(key: str, values: Sequence[str]) -> None:
    """Write the chosen codes to the URL (or remove the parameter when none are chosen)."""
    if list(values) != st.query_params.get_all(key):
        if values:
            st.query_params[key] = list(values)
        else:
            st.query_params.pop(key, None)
    st.session_state[f"url-seen:{key}"] = list(values)


def url_multiselect(
    where: DeltaGenerator,
    label: str,
    options: Sequence[str],
    *,
    key: str,
    format_func: Callable[[Any], str],
    pills: bool = False,
    **kwargs: Any,
) -> list[str]:
    """A multiselect (or pills) initialised from ?key=a&key=b and kept in the URL."""
    state_key = f"url:{key}"
    if _stale(key):
        st.session_state[state_key] = [v for v in st.query_params.get_all(key) if v in options]
    if pills:
        chosen = where.pills(
            label,
            options,
            selection_mode="multi",
            key=state_key,
            format_func=format_func,
            **kwargs,
        )
    else:
        kwargs.setdefault("placeholder", t("common.choose_many"))
        chosen = where.multiselect(label, options, key=state_key, format_func=format_func, **kwargs)
    _sync(key, chosen)
    return list(chosen)


def url_selectbox(
    label: str,
    options: Sequence[Any],
    *,
    key: str,
    format_func: Callable[[Any], str],
    parse: Callable[[str], Any] = str,
    default: Any = None,
    widget: Callable[..., Any] = st.selectbox,
    **kwargs: Any,
) -> Any:
    """A selectbox (or other single-choice widget) set from ?key=value and kept in the URL."""
    state_key = f"url:{key}"
    if _stale(key):
        raw = st.query_params.get(key)
        try:
            requested = parse(raw) if raw is not None else None
        except ValueError:
            requested = None
        st.session_state[state_key] = requested if requested in options else default
    if widget is st.selectbox:
        kwargs.setdefault("placeholder", t("common.choose_one"))
    chosen = widget(label, options, key=state_key, format_func=format_func, **kwargs)
    _sync(key, [str(chosen)] if chosen is not None else [])
    return chosen


def url_value_unknown(
    key: str, options: Collection[Any], parse: Callable[[str], Any] = str
) -> bool:
    """Whether the URL asks for a value of key that is not among the options."""
    raw = st.query_params.get(key)
    if raw is None:
        return False
    try:
        return parse(raw) not in options
    except ValueError:
        return True


def clear_button(label: str, *, key: str) -> None:
    """A button that empties the URL-bound selection key (e.g. back from one item to the list)."""

    def clear() -> None:
        st.session_state[f"url:{key}"] = None

    st.button(label, on_click=clear, icon=":material/arrow_back:")
