"""The building blocks of the start pages: sections in boxes, items as links with a line of
detail, and the words for due dates and entries."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n.formatting import date
from dashboard.ui.context import lang, t
from dashboard.ui.navigation import PAGES_DIR
from dashboard.ui.widgets import esc, link_to, page_params

MAX_ITEMS = 8  # per section; the rest is one link away
OVERDUE_ICON = ":material/warning:"


def section(title_key: str, count: int, empty_key: str, **values: object) -> bool:
    """A section heading with its count; False (after one line saying so) when it is empty."""
    st.subheader(f"{t(title_key)} ({count})")
    if count == 0:
        st.caption(t(empty_key, **values))
    return count > 0


def item(
    script: str,
    text: str,
    *,
    icon: str,
    detail: str | None = None,
    **params: object,
) -> None:
    """One item: a link to where it is done (text escaped by the caller), a detail below."""
    st.page_link(
        PAGES_DIR / script,
        label=text,
        icon=icon,
        query_params=page_params(params),
    )
    if detail:
        st.caption(detail)


def cards(count: int) -> list[DeltaGenerator]:
    """count bordered boxes, two to a row (one under the other on a narrow screen)."""
    boxes: list[DeltaGenerator] = []
    for first in range(0, count, 2):
        columns = st.columns(2)
        boxes += [column.container(border=True) for column in columns[: count - first]]
    return boxes


def more(count: int, script: str, link_key: str) -> None:
    """When a section holds more items than it shows: how many, and where they all are."""
    if count > MAX_ITEMS:
        st.caption(t("start.more", count=count - MAX_ITEMS))
        link_to(script, t(link_key))


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dictionaries by column name."""
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def due_text(value: object) -> str:
    """A due date in words ('no due date' for none)."""
    if isinstance(value, dt.date):
        return t("start.due", due=date(value, lang()))
    return t("start.no_due")


def late(text: str, overdue: bool) -> str:
    """Text marked as overdue in words (not by colour alone)."""
    return f"**{t('start.overdue')}**: {text}" if overdue else text


def entry(row: dict[str, Any]) -> tuple[str, str]:
    """A value or check-in as a short link text (the code, or 'Check-in: initiative') and its
    indicator's name for the line below (escaped); long names do not fit a link."""
    if row["kind"] == "check_in":
        return t("start.check_in_of", name=esc(row["name"])), ""
    return esc(row["code"]), esc(row["name"])


def lines(*parts: str) -> str:
    """Caption lines (markdown line breaks), leaving out empty ones."""
    return "  \n".join(part for part in parts if part)
