"""The operative group's start page: what to enter, what was returned, what colleagues sent for
approval, one's own drafts not sent yet, and corrections waiting."""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import local_time
from dashboard.services.permissions import Actor
from dashboard.services.start.operative import operative_start
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.progress import today
from dashboard.ui.start.blocks import (
    MAX_ITEMS,
    OVERDUE_ICON,
    cards,
    due_text,
    entry,
    item,
    late,
    lines,
    more,
    rows,
    section,
)
from dashboard.ui.widgets import esc


def operative_view(actor: Actor, mission_id: int) -> None:
    """What to enter, what was returned, what to approve, drafts not sent."""
    start = query(operative_start, mission_id, actor.id, actor.organisation_id, today())
    st.header(t("start.group.yours"))
    enter_box, returned_box, approve_box, drafts_box, corrections_box = cards(5)
    with enter_box:
        to_enter_section(start.to_enter, has_organisation=actor.organisation_id is not None)
    with returned_box:
        returned_section(start.returned)
    with approve_box:
        to_approve_section(start.to_approve)
    with drafts_box:
        drafts_section(start.drafts)
    with corrections_box:
        corrections_section(start.corrections)


def to_enter_section(to_enter: pd.DataFrame, *, has_organisation: bool) -> None:
    """Per open period: values and check-ins not sent yet, overdue periods first."""
    if not has_organisation:
        section("start.to_enter", 0, "start.no_organisation")
    elif section("start.to_enter", len(to_enter), "start.to_enter_none"):
        for row in rows(to_enter.head(MAX_ITEMS)):
            text = t("start.to_enter_item", period=esc(row["period"]), due=due_text(row["due"]))
            detail = t("start.to_enter_detail", values=row["values"], check_ins=row["check_ins"])
            icon = OVERDUE_ICON if row["overdue"] else ":material/edit_note:"
            item("rapportering.py", late(text, bool(row["overdue"])), icon=icon, detail=detail)


def returned_section(returned: pd.DataFrame) -> None:
    """What reviewers returned to this person, with their reason."""

    def describe(row: dict[str, Any]) -> tuple[str, str]:
        what, name = entry(row)
        reason = t(
            "start.returned_detail",
            reason=esc(row["return_reason"]),
            who=esc(row["reviewer"]),
            when=local_time(row["reviewed_at"], lang()),
        )
        return f"{what} · {esc(row['period'])}", lines(name, reason)

    entry_list(returned, "start.returned", ":material/undo:", "start.to_reporting", describe)


def to_approve_section(to_approve: pd.DataFrame) -> None:
    """Colleagues' values and check-ins waiting for this person's approval."""

    def describe(row: dict[str, Any]) -> tuple[str, str]:
        what, name = entry(row)
        text = t("start.to_approve_item", what=what, period=esc(row["period"]))
        return text, lines(name, t("start.from", who=esc(row["who"])))

    entry_list(to_approve, "start.to_approve", ":material/rule:", "start.to_queue", describe)


def drafts_section(drafts: pd.DataFrame) -> None:
    """This person's drafts not sent yet, the earliest due first."""

    def describe(row: dict[str, Any]) -> tuple[str, str]:
        what, name = entry(row)
        return f"{what} · {esc(row['period'])} · {due_text(row['due'])}", name

    entry_list(drafts, "start.drafts", ":material/draft:", "start.to_reporting", describe)


def corrections_section(corrections: pd.DataFrame) -> None:
    """Corrections to approved figures not approved yet: their state, who proposed them, why."""

    def describe(row: dict[str, Any]) -> tuple[str, str]:
        what, name = entry(row)
        state = label(row["status"], "EntryStatus")
        detail = lines(
            name,
            t("start.correction_detail", who=esc(row["who"]), reason=esc(row["reason"])),
            t("start.correction_locked") if row["locked"] else "",
        )
        return f"{what} · {esc(row['period'])} · {state}", detail

    entry_list(
        corrections, "start.corrections", ":material/edit_note:", "start.to_reporting", describe
    )


def entry_list(
    frame: pd.DataFrame,
    title_key: str,
    icon: str,
    more_key: str,
    describe: Callable[[dict[str, Any]], tuple[str, str]],
) -> None:
    """A section of entries, each a link to Rapportering (describe gives its text and detail);
    its empty line is title_key + '_none'."""
    if section(title_key, len(frame), f"{title_key}_none"):
        for row in rows(frame.head(MAX_ITEMS)):
            text, detail = describe(row)
            item("rapportering.py", text, icon=icon, detail=detail)
        more(len(frame), "rapportering.py", more_key)
