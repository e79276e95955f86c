"""The Rapportering page's parts: the entry grid of one's organisation and the approval queue."""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time
from dashboard.i18n.validation import describe
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import (
    StaleVersion,
    WorkflowRefused,
    approve_value,
    return_value,
    save_value,
    submit_value,
)
from dashboard.services.reporting_views import approval_queue, entry_grid, open_periods
from dashboard.ui import corrections
from dashboard.ui.context import lang, t
from dashboard.ui.data import derived, query
from dashboard.ui.notices import no_open_period_notice
from dashboard.ui.queue_table import blank, queue_display, shown, warning
from dashboard.ui.url_state import url_selectbox
from dashboard.ui.widgets import data_editor, data_table, esc

PENDING_KEY = "reporting_pending"  # (period id, indicator id) -> (value, comment) not saved
MESSAGES_KEY = "reporting_messages"  # (kind, text) to show after the rerun
EDITOR_KEY = "reporting_editor_round"  # a new editor after each save, built from fresh data
Pending = dict[int, tuple[str, str]]  # indicator id -> (value, comment) as typed


def _typed(value: Any, measure: str) -> str:
    """A stored value as a person would type it back ('' for none)."""
    return "" if blank(value) else shown(value, measure)


def problems(exc: Exception) -> list[str]:
    """What went wrong with one save, in the UI language."""
    if isinstance(exc, ValidationError):
        return describe(exc, lang())
    if isinstance(exc, StaleVersion):
        who = exc.changed_by or t("workflow.someone")
        return [t("workflow.stale", who=who, when=local_time(exc.changed_at, lang()))]
    if isinstance(exc, WorkflowRefused):
        return [t(f"workflow.{exc.code}")]
    if isinstance(exc, DatabaseBusy):
        return [t("app.database_busy")]
    return [t("auth.not_allowed")]


def show_messages() -> None:
    """What the last save or review did (it was done before the rerun)."""
    for kind, text in st.session_state.pop(MESSAGES_KEY, []):
        getattr(st, kind)(text)


def seen_versions(key: str, current: dict[int, int]) -> dict[int, int]:
    """The versions of the entries as the previous run showed them, which is what the person
    saw before clicking; remembers the current ones for the next click."""
    previous: dict[int, int] = st.session_state.get(key, current)
    st.session_state[key] = current
    return previous


Shown = dict[int, tuple[str, int]]  # a queue's entries as a run showed them: id -> (label, version)


@dataclass(frozen=True)
class Pick:
    """The entry of an approval queue a click acts on: its version as the person saw it
    (approving what changed since is refused as stale), and whether it still waits."""

    id: int
    version: int
    waiting: bool


def pick_entry(label: str, entries: Shown, key: str) -> Pick | None:
    """A selectbox over an approval queue's waiting entries, acting on the one seen chosen.

    Streamlit moves a selectbox whose chosen option has left its list to the first option: an
    entry a colleague approved meanwhile would give its place to the next one, and the click
    that follows (approve, or return with the reason written for the first) would act on an
    entry the person never looked at. Here the entry chosen stays chosen, marked as no longer
    waiting, however many reruns come in between (typing the reason is one), until the person
    chooses another; a click on it is refused as stale, naming who handled it and when (see
    review_failed, which lets go of it then: nothing is chosen after, not the next entry).
    """
    memory, release = f"{key}:shown", f"{key}:release"
    shown: Shown = st.session_state.get(memory, entries)
    if st.session_state.pop(release, False):
        st.session_state[key] = None  # before the widget: an empty choice, not the next entry
    picked = st.session_state.get(key)
    options = dict(entries)
    if picked in shown and picked not in entries:
        # in its old place: the options' order is part of what identifies the selectbox
        options = {
            i: entries[i] if i in entries else shown[i]
            for i in shown
            if i in entries or i == picked
        } | options
    # the browser names the choice by its label: two alike would be one entry to Streamlit
    alike = Counter(text for text, _ in options.values())
    labels = {i: f"{text} · #{i}" if alike[text] > 1 else text for i, (text, _) in options.items()}
    chosen: int | None = st.selectbox(
        label,
        list(options),
        format_func=lambda i: labels[i] if i in entries else t("queue.gone_label", entry=labels[i]),
        key=key,
        placeholder=t("common.choose_one"),
    )
    st.session_state[memory] = options
    if chosen is None:
        return None
    if chosen not in entries:
        st.warning(t("queue.gone"), icon=":material/sync_problem:")
    return Pick(chosen, shown.get(chosen, options[chosen])[1], chosen in entries)


def kept_pick(key: str, entries: Collection[int]) -> bool:
    """Whether the entry chosen when the queue was last shown has left it and is kept chosen
    (so the queue's choice is shown, to answer a click on it, even when nothing waits)."""
    picked = st.session_state.get(key)
    return (
        picked is not None
        and picked in st.session_state.get(f"{key}:shown", {})
        and picked not in entries
        and not st.session_state.get(f"{key}:release")  # its click was answered: let go
    )


def review_failed(
    exc: Exception, pick: Pick, key: str, stale_key: str, refusals: str | None = None
) -> None:
    """Why an approval or return changed nothing, worded for what the queue holds: stale_key
    names who changed the entry and when; refusals, the prefix of the queue's own wording of
    no_value, not_submitted and own_entry (the value's wording otherwise). An entry no longer
    waiting is let go of: the next run chooses nothing rather than the next entry."""
    if not pick.waiting:
        st.session_state[f"{key}:release"] = True
    if isinstance(exc, StaleVersion):
        who = exc.changed_by or t("workflow.someone")
        when = local_time(exc.changed_at, lang())
        st.error(t(stale_key, who=esc(who), when=when), icon=":material/sync_problem:")
    elif isinstance(exc, WorkflowRefused) and refusals and exc.code in REVIEW_REFUSALS:
        st.error(t(f"{refusals}.{exc.code}"), icon=":material/block:")
    else:
        for problem in problems(exc):
            st.error(esc(problem))


REVIEW_REFUSALS = ("no_value", "not_submitted", "own_entry")  # worded per queue (refusals)
REVIEW_ERRORS = (ValidationError, StaleVersion, WorkflowRefused, PermissionDenied, DatabaseBusy)


def reviewed(message_key: str) -> None:
    """After an approval or return: say so, and start the next review with an empty reason."""
    st.session_state[MESSAGES_KEY] = [("success", t(message_key))]
    st.session_state[EDITOR_KEY] = st.session_state.get(EDITOR_KEY, 0) + 1
    st.rerun()


def choose_period(mission_id: int) -> int | None:
    """The mission's open period to report for (None, with what to do, when there is none)."""
    periods = dict(query(open_periods, mission_id))
    if not periods:
        no_open_period_notice(mission_id)
        return None
    # in the URL (?periode=ID), so a link (from an e-mail, say) opens the period it names
    return int(
        url_selectbox(
            t("col.period"),
            list(periods),
            key="periode",
            format_func=lambda p: periods[p],
            parse=int,
            default=next(iter(periods)),
        )
    )


def grid_frame(grid: pd.DataFrame, pending: Pending) -> pd.DataFrame:
    """What the grid shows: the stored entry (or what was typed and not saved) and, beside it,
    the last approved value with its period ('–' when there is none); for an approved value,
    the approved figure, and the reason of its pending correction.
    """
    return pd.DataFrame(
        {
            "code": grid["code"],
            "name": grid["name"],
            "previous": [
                f"{_typed(v, m)} ({p})" if isinstance(p, str) else "–"
                for v, m, p in zip(
                    grid["previous"], grid["measure"], grid["previous_period"], strict=True
                )
            ],
            "value": [
                pending.get(i, (_typed(v, m), ""))[0]
                for i, v, m in zip(
                    grid["indicator_id"], grid["value"], grid["measure"], strict=True
                )
            ],
            "unit": grid["unit"].fillna(""),
            "comment": [
                pending[i][1] if i in pending else (c if isinstance(c, str) else "")
                for i, c in zip(grid["indicator_id"], grid["comment"], strict=True)
            ],
            "status": [
                corrections.status_text(s, r)
                for s, r in zip(grid["status"], grid["correction_reason"], strict=True)
            ],
            "approved": [
                _typed(v, m) for v, m in zip(grid["approved"], grid["measure"], strict=True)
            ],
            "correction_reason": grid["correction_reason"].fillna(""),
            "return_reason": grid["return_reason"].fillna(""),
        }
    )


def entry_section(actor: Actor, mission_id: int, period_id: int | None) -> None:
    """The organisation's indicators for the period as an editable grid."""
    if actor.organisation_id is None:
        st.info(t("reporting.no_organisation"), icon=":material/info:")
        return
    if period_id is None:
        return
    grid = query(entry_grid, mission_id, period_id, actor.organisation_id)
    if grid.empty:
        st.info(t("reporting.nothing_to_report"), icon=":material/info:")
        return
    pending: Pending = {
        indicator: typed
        for (period, indicator), typed in st.session_state.get(PENDING_KEY, {}).items()
        if period == period_id
    }
    round_ = st.session_state.get(EDITOR_KEY, 0)
    editor_key = f"reporting-grid-{period_id}-{round_}"
    grid, seen = _as_shown(editor_key, grid)
    reason = corrections.grid_notice(grid, period_id)
    shown = grid_frame(grid, pending)
    edited = data_editor(
        shown,
        key=editor_key,
        hide_index=True,
        width="stretch",
        read_only=[
            "code",
            "name",
            "previous",
            "unit",
            "status",
            "approved",
            "correction_reason",
            "return_reason",
        ],
        column_config={
            "code": st.column_config.TextColumn(t("col.code")),
            "name": st.column_config.TextColumn(t("col.indicator")),
            "previous": st.column_config.TextColumn(t("reporting.previous")),
            "value": st.column_config.TextColumn(t("col.value"), help=t("reporting.value_help")),
            "unit": st.column_config.TextColumn(t("col.unit")),
            "comment": st.column_config.TextColumn(t("col.comment"), max_chars=1000),
            "status": st.column_config.TextColumn(t("col.status")),
            "approved": st.column_config.TextColumn(t("correction.approved_now")),
            "correction_reason": st.column_config.TextColumn(t("correction.reason")),
            "return_reason": st.column_config.TextColumn(t("reporting.return_reason")),
        },
    )
    left, right = st.columns(2)
    for column, key, icon, submit in (
        (left, "reporting.save", ":material/save:", False),
        (right, "reporting.submit", ":material/send:", True),
    ):
        if column.button(t(key), type="primary" if not submit else "secondary", icon=icon):
            done = save_rows(actor, seen, edited, period_id, submit=submit, reason=reason)
            _after_save(period_id, *done)
    _corrections(actor, grid, period_id)


def _corrections(actor: Actor, grid: pd.DataFrame, period_id: int) -> None:
    """Withdrawing the grid's pending corrections, and the period's approved ones."""
    pending = grid[grid["correction_reason"].notna()]
    options = {
        int(i): (f"{code} · {_typed(v, m)}", int(version))
        for i, code, v, m, version in zip(
            pending["value_id"],
            pending["code"],
            pending["value"],
            pending["measure"],
            pending["version"],
            strict=True,
        )
    }
    if corrections.discard_section(actor, "value", options, f"discard-values-{period_id}"):
        reviewed("correction.discarded")
    measures = dict(zip(grid["indicator_id"].astype(int), grid["measure"], strict=True))
    names = {
        int(i): f"{code} · {name}"
        for i, code, name in zip(grid["indicator_id"], grid["code"], grid["name"], strict=True)
    }
    corrections.history_section(
        "value",
        period_id,
        names,
        lambda subject, figures: _typed(figures.get("value"), str(measures[subject])),
    )


def _as_shown(editor_key: str, grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid to show, and the grid the person saw before this run (what they act on).

    While the person has edits in the grid, it keeps showing the grid as they first saw it.
    A save or submit goes against the versions they saw, so somebody else's newer entry is
    told about, never overwritten or submitted unseen.
    """
    base_key = f"{editor_key}-base"
    seen: pd.DataFrame | None = st.session_state.get(base_key)
    edits = st.session_state.get(editor_key) or {}
    shown = seen if seen is not None and edits.get("edited_rows") else grid
    for key in [k for k in st.session_state if str(k).endswith("-base") and k != base_key]:
        del st.session_state[key]  # earlier rounds' grids
    st.session_state[base_key] = shown
    if seen is None or list(seen["indicator_id"]) != list(shown["indicator_id"]):
        seen = shown  # the rows changed (an indicator added): act on what is shown now
    return shown, seen


def _after_save(period_id: int, messages: list[tuple[str, str]], pending: Pending) -> None:
    """Show a fresh grid with the problems and what was typed in the rows that failed (and the
    reason for a correction, until every row is saved)."""
    st.session_state[MESSAGES_KEY] = messages
    if not pending:
        st.session_state.pop(corrections.reason_key("value", period_id), None)
    st.session_state[PENDING_KEY] = {(period_id, i): typed for i, typed in pending.items()}
    st.session_state[EDITOR_KEY] = st.session_state.get(EDITOR_KEY, 0) + 1
    st.rerun()


def save_rows(
    actor: Actor,
    grid: pd.DataFrame,
    edited: pd.DataFrame,
    period_id: int,
    *,
    submit: bool,
    reason: str | None = None,
) -> tuple[list[tuple[str, str]], Pending]:
    """Save every row that differs from what is stored (each on its own); with submit, send
    the drafts for approval. A changed approved value becomes a correction for reason.

    Returns the messages (kind, text), every problem named with its indicator, and what was
    typed in the rows that failed, so nothing typed is lost and a retry saves it again.
    """
    messages: list[tuple[str, str]] = []
    pending: Pending = {}
    saved = submitted = 0
    for position in range(len(grid)):
        row = grid.iloc[position]
        indicator_id = int(row["indicator_id"])
        value, comment = str(edited.iloc[position]["value"] or ""), edited.iloc[position]["comment"]
        comment = str(comment or "")
        before = "" if pd.isna(row["comment"]) else str(row["comment"])
        changed = (value, comment) != (_typed(row["value"], row["measure"]), before)
        version = None if pd.isna(row["version"]) else int(row["version"])
        value_id = None if pd.isna(row["value_id"]) else int(row["value_id"])
        status = row["status"]
        try:
            if changed:  # an emptied value is refused with a message, not skipped
                stored = save_value(
                    actor,
                    indicator_id,
                    period_id,
                    {"value": value, "comment": comment},
                    version=version,
                    reason=reason,
                )
                saved += 1
                value_id, version, status = stored.id, stored.version, stored.status
            if submit and status in ("draft", "returned") and value_id and version:
                submit_value(actor, value_id, version)
                submitted += 1
        except (
            ValidationError,
            StaleVersion,
            WorkflowRefused,
            PermissionDenied,
            DatabaseBusy,
        ) as exc:
            pending[indicator_id] = (value, comment)
            for problem in problems(exc):
                messages.append(("error", f"{esc(row['code'])}: {esc(problem)}"))
    if saved or submitted:
        done = [
            t(f"reporting.{key}_count", count=n)
            for key, n in (("saved", saved), ("submitted", submitted))
            if n
        ]
        messages.insert(0, ("success", " ".join(done)))
    elif not messages:
        messages.append(("info", t("reporting.nothing_changed")))
    return messages, pending


def queue_section(actor: Actor, mission_id: int) -> None:
    """Submitted values, to approve or return with a reason; one's own are listed apart."""
    queue = query(approval_queue, mission_id)
    others = queue[queue["entered_by_id"] != actor.id]
    kept = kept_pick("queue-pick", {int(i) for i in others["value_id"]})
    if queue.empty:
        st.caption(t("reporting.queue_empty"))
    else:
        own = queue[queue["entered_by_id"] == actor.id]
        # the same for every approver in this language (shared, derived)
        table = derived(queue_display, (mission_id, lang()), queue)
        data_table(table, hide_index=True, width="stretch")
        if not own.empty:
            st.caption(t("reporting.own_entries", count=len(own)))
    if others.empty and not kept:  # a choice that left the queue is kept, to answer its click
        return
    entries = {
        int(value_id): (f"{code} · {period} · {_typed(value, str(measure))} ({who})", int(version))
        for value_id, code, period, value, measure, who, version in zip(
            others["value_id"],
            others["code"],
            others["period"],
            others["value"],
            others["measure"],
            others["entered_by"],
            others["version"],
            strict=True,
        )
    }
    pick = pick_entry(t("reporting.choose_entry"), entries, "queue-pick")
    if pick is None:
        return
    if pick.waiting:
        jumps = others.loc[others["value_id"] == pick.id, "jumps"].iloc[0]
        if jumps:
            st.warning(t("reporting.jump_check", reasons=warning(jumps)), icon=":material/warning:")
    reason = st.text_input(
        t("reporting.return_reason_input"),
        max_chars=1000,
        # empty after each review, and for each entry: a reason is never carried to another
        key=f"queue-reason-{st.session_state.get(EDITOR_KEY, 0)}-{pick.id}",
    )
    left, right = st.columns(2)
    try:
        if left.button(t("reporting.approve"), type="primary", icon=":material/check:"):
            approve_value(actor, pick.id, pick.version)
            reviewed("reporting.approved")
        if right.button(t("reporting.return"), icon=":material/undo:"):
            return_value(actor, pick.id, pick.version, reason)
            reviewed("reporting.returned")
    except REVIEW_ERRORS as exc:
        review_failed(exc, pick, "queue-pick", "reporting.queue_stale")
