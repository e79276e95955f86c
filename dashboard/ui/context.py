"""Who is looking, in which language: the per-session context every page reads."""

from collections.abc import Iterable
from enum import Enum
from typing import Any

import streamlit as st

from dashboard.i18n import LANGUAGES, category, enum_key, translate
from dashboard.services.permissions import ANONYMOUS, Actor
from dashboard.services.permissions import sees_suppressed as role_sees_suppressed
from dashboard.settings import get_settings
from models import Role

LANG_KEY = "lang"
ACTOR_KEY = "actor"


def lang() -> str:
    """The UI language chosen in this session (default from settings)."""
    chosen = st.session_state.get(LANG_KEY)
    return chosen if chosen in LANGUAGES else get_settings().language


def t(key: str, **values: Any) -> str:
    """The message for key in the session's language."""
    return translate(lang(), key, **values)


def category_label(text: str | None) -> str:
    """A category written in the mission's data («Designfasen 2023/2024»), in the session's
    language when the catalogue has it."""
    return category(lang(), text) if text else ""


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


def current_actor() -> Actor:
    """The signed-in actor of this session, or the anonymous visitor."""
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else ANONYMOUS


def signed_in() -> bool:
    """Whether someone has signed in in this session (an account, or a provider's e-mail)."""
    return current_actor().email is not None


def role() -> Role:
    """The role of the current visitor (partner when nobody has signed in)."""
    return current_actor().role


def sees_suppressed() -> bool:
    """Whether the current visitor sees the values small-number suppression hides from
    publication (marked), or «:» in their place."""
    return role_sees_suppressed(current_actor())


def sees_unapproved() -> bool:
    """Whether the current visitor may see values that are not approved yet."""
    return role() != Role.PARTNER
