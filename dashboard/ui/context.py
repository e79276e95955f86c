"""Who is looking, in which language: the per-session context every page reads."""

from collections.abc import Iterable
from enum import Enum
from typing import Any

import streamlit as st

from dashboard.i18n import LANGUAGES, enum_key, translate
from dashboard.settings import get_settings
from models import Role

LANG_KEY = "lang"


def lang() -> str:
    """The UI language chosen in this session (default from settings)."""
    chosen = st.session_state.get(LANG_KEY)
    return chosen if chosen in LANGUAGES else get_settings().language


def t(key: str, **values: Any) -> str:
    """The message for key in the session's language."""
    return translate(lang(), key, **values)


def label(value: Enum | str | None, kind: str | None = None) -> str:
    """The translated label of an enum value ('–' for none)."""
    if value is None or (isinstance(value, float)):
        return "–"
    return t(enum_key(value, kind))


def labels(values: Iterable[Any], kind: str) -> list[str]:
    """Labels for a column of enum values, translating each distinct value once."""
    known: dict[Any, str] = {}
    result = []
    for value in values:
        if value not in known:
            known[value] = label(value, kind)
        result.append(known[value])
    return result


def role() -> Role:
    """The role of the current visitor; every visitor is a partner until sign-in exists."""
    return Role.PARTNER


def sees_unapproved() -> bool:
    """Whether the current visitor may see values that are not approved yet."""
    return role() != Role.PARTNER
