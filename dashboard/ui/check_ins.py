"""The Rapportering page's check-ins: RAG status, confidence and the narrative of each initiative
the user's organisation is responsible for, and the queue of colleagues' check-ins to review."""

from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import (
    StaleVersion,
    WorkflowRefused,
    approve_check_in,
    return_check_in,
    save_check_in,
    submit_check_in,
)
from dashboard.services.reporting_views import check_in_list, check_in_queue
from dashboard.ui import corrections
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.method import check_in_steps_section, show_steps_saved
from dashboard.ui.reporting import (
    EDITOR_KEY,
    MESSAGES_KEY,
    REVIEW_ERRORS,
    kept_pick,
    pick_entry,
    problems,
    review_failed,
    reviewed,
)
from dashboard.ui.widgets import data_table, esc
from models import Confidence, Rag

SHOWN_KEY = "check_in_shown"  # (period id, initiative id) -> the version the form was shown with
TEXTS = ("progress", "next_steps", "risks", "help_needed")
RAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}  # Streamlit's markdown colours


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _rag(value: Any) -> str:
    """A RAG status in words, for tables."""
    return label(value, "Rag") if isinstance(value, str) else "–"


def _rag_markdown(value: Any) -> str:
    """A RAG status as a coloured dot and the word (never colour alone), for markdown."""
    if not isinstance(value, str):
        return "–"
    return f":{RAG_COLOURS.get(value, 'gray')}[●] {label(value, 'Rag')}"


def _overview(rows: pd.DataFrame) -> None:
    data_table(
        pd.DataFrame(
            {
                t("col.number"): rows["number"],
                t("col.initiative"): rows["name"],
                t("check_in.previous"): [
                    f"{_rag(r)} ({p})" if isinstance(p, str) else "–"
                    for r, p in zip(rows["previous_rag"], rows["previous_period"], strict=True)
                ],
                t("col.rag"): [_rag(r) for r in rows["rag"]],
                t("col.status"): [
                    corrections.status_text(s, r) if isinstance(s, str) else t("check_in.missing")
                    for s, r in zip(rows["status"], rows["correction_reason"], strict=True)
                ],
                t("correction.approved_now"): [
                    _rag(r) if isinstance(r, str) else "" for r in rows["approved"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def check_in_section(actor: Actor, mission_id: int, period_id: int | None) -> None:
    """The organisation's initiatives for the period: pick one, write or update its check-in."""
    if actor.organisation_id is None:
        st.info(t("reporting.no_organisation"), icon=":material/info:")
        return
    if period_id is None:
        return
    rows = query(check_in_list, mission_id, period_id, actor.organisation_id)
    if rows.empty:
        st.info(t("check_in.nothing"), icon=":material/info:")
        return
    _overview(rows)
    by_id = {int(i): position for position, i in enumerate(rows["initiative_id"])}
    initiative_id = st.selectbox(
        t("check_in.choose"),
        list(by_id),
        format_func=lambda i: f"{rows.iloc[by_id[i]]['number']} · {rows.iloc[by_id[i]]['name']}",
        key=f"check-in-pick-{period_id}",
        placeholder=t("common.choose_one"),
    )
    row = rows.iloc[by_id[initiative_id]]
    stored_version = None if pd.isna(row["version"]) else int(row["version"])
    shown = st.session_state.setdefault(SHOWN_KEY, {})
    version = shown.setdefault((period_id, initiative_id), stored_version)
    if isinstance(row["return_reason"], str) and row["status"] == "returned":
        st.warning(t("check_in.returned_because", reason=esc(row["return_reason"])))
    _corrections(actor, row, period_id, rows)
    data = _form(row, period_id, initiative_id)
    show_steps_saved()
    check_in_steps_section(actor, initiative_id, period_id)
    if data is None:
        return
    submit = data.pop("_submit")
    reason = data.pop("_reason")
    stored = {name: _text(row[name]) for name in TEXTS} | {
        "rag": _text(row["rag"]),
        "confidence": _text(row["confidence"]),
    }
    check_in_id, status = row["check_in_id"], row["status"]
    changed = data != stored or pd.isna(check_in_id)
    if not changed and not (submit and status in ("draft", "returned")):
        st.info(t("check_in.unchanged"), icon=":material/info:")
        return
    try:
        if changed:
            saved = save_check_in(
                actor, initiative_id, period_id, data, version=version, reason=reason
            )
            check_in_id, version, status = saved.id, saved.version, saved.status
        if submit and status in ("draft", "returned"):
            submit_check_in(actor, int(check_in_id), int(version or 0))
    except StaleVersion as exc:
        shown[(period_id, initiative_id)] = exc.version  # a retry saves over it, knowingly
        who = exc.changed_by or t("workflow.someone")
        st.error(t("check_in.stale", who=esc(who), when=local_time(exc.changed_at, lang())))
        _stored_now(row)
        return
    except (ValidationError, WorkflowRefused, PermissionDenied, DatabaseBusy) as exc:
        st.error("\n\n".join(f"- {esc(p)}" for p in problems(exc)))
        return
    shown.pop((period_id, initiative_id), None)
    st.session_state.pop(corrections.reason_key("check_in", period_id), None)
    done = "check_in.submitted" if submit else "check_in.saved"
    st.session_state[MESSAGES_KEY] = [("success", t(done, name=esc(row["name"])))]
    st.rerun()


def _corrections(actor: Actor, row: pd.Series, period_id: int, rows: pd.DataFrame) -> None:
    """For an approved check-in: that saving starts a correction, the pending one (to withdraw),
    and the initiatives' approved corrections of the period."""
    if isinstance(row["correction_reason"], str):
        st.info(
            t(
                "correction.check_in_pending",
                rag=_rag_markdown(row["approved"]),
                status=label(row["status"], "EntryStatus"),
                reason=esc(row["correction_reason"]),
            ),
            icon=":material/edit_note:",
        )
        pending = {
            int(row["check_in_id"]): (f"{row['number']} · {row['name']}", int(row["version"]))
        }
        if corrections.discard_section(actor, "check_in", pending, f"discard-check-in-{period_id}"):
            reviewed("correction.discarded")
    elif isinstance(row["approved"], str):
        st.info(t("correction.check_in_notice"), icon=":material/edit_note:")
    names = {
        int(i): f"{n} · {name}"
        for i, n, name in zip(rows["initiative_id"], rows["number"], rows["name"], strict=True)
    }
    corrections.history_section(
        "check_in", period_id, names, lambda _, figures: _rag(figures.get("rag"))
    )


def _stored_now(row: pd.Series) -> None:
    """The check-in as it is stored now, beside the form that keeps what the person typed."""
    with st.container(border=True):
        st.markdown(f"**{t('check_in.stored_now')}**")
        st.markdown(f"**{t('col.rag')}:** {_rag_markdown(row['rag'])}")
        st.markdown(
            f"**{t('col.confidence')}:** {label(_text(row['confidence']) or None, 'Confidence')}"
        )
        for name in TEXTS:
            st.markdown(f"**{t(f'col.{name}')}:** {esc(_text(row[name])) or '–'}")


def _form(row: pd.Series, period_id: int, initiative_id: int) -> dict[str, Any] | None:
    """The check-in form, filled with what is stored; what was typed, or None if not sent."""
    key = f"check-in-{period_id}-{initiative_id}"
    rags, confidences = [r.value for r in Rag], [c.value for c in Confidence]
    current_rag = _text(row["rag"])
    with st.form(key):
        rag = st.radio(
            t("col.rag"),
            rags,
            index=rags.index(current_rag) if current_rag in rags else None,
            format_func=_rag_markdown,
            horizontal=True,
            key=f"{key}-rag",
        )
        confidence = st.selectbox(
            t("col.confidence"),
            confidences,
            index=confidences.index(_text(row["confidence"]) or Confidence.MEDIUM.value),
            format_func=lambda c: label(c, "Confidence"),
            help=t("check_in.confidence_help"),
            key=f"{key}-confidence",
            placeholder=t("common.choose_one"),
        )
        texts = {
            name: st.text_area(
                t(f"col.{name}"),
                value=_text(row[name]),
                max_chars=2000,
                help=t(f"check_in.{name}_help"),
                key=f"{key}-{name}",
            )
            for name in TEXTS
        }
        correcting = isinstance(row["approved"], str)
        reason = corrections.reason_input("check_in", period_id) if correcting else None
        left, right = st.columns(2)
        save = left.form_submit_button(t("reporting.save"), type="primary", icon=":material/save:")
        send = right.form_submit_button(t("reporting.submit"), icon=":material/send:")
    if not (save or send):
        return None
    chosen = {"rag": rag} if rag else {}  # none chosen: "must be filled in"
    return chosen | {"confidence": confidence, **texts, "_submit": bool(send), "_reason": reason}


def check_in_queue_section(actor: Actor, mission_id: int) -> None:
    """Submitted check-ins, to approve or return with a reason; one's own are listed apart."""
    queue = query(check_in_queue, mission_id)
    others = queue[queue["entered_by_id"] != actor.id]
    kept = kept_pick("check-in-queue-pick", {int(i) for i in others["check_in_id"]})
    if queue.empty:
        st.caption(t("check_in.queue_empty"))
    else:
        own = queue[queue["entered_by_id"] == actor.id]
        data_table(
            pd.DataFrame(
                {
                    t("col.initiative"): [
                        f"{n} · {name}"
                        for n, name in zip(queue["number"], queue["name"], strict=True)
                    ],
                    t("col.period"): queue["period"],
                    t("col.rag"): [_rag(r) for r in queue["rag"]],
                    t("col.confidence"): [label(c, "Confidence") for c in queue["confidence"]],
                    t("col.progress"): queue["progress"].fillna(""),
                    t("col.help_needed"): queue["help_needed"].fillna(""),
                    t("reporting.entered_by"): queue["entered_by"].fillna(""),
                }
                | corrections.queue_columns(queue, [_rag(r) for r in queue["approved"]])
            ),
            hide_index=True,
            width="stretch",
        )
        if not own.empty:
            st.caption(t("check_in.own_entries", count=len(own)))
    if others.empty and not kept:  # a choice that left the queue is kept, to answer its click
        return
    rows = {int(row["check_in_id"]): row for row in others.to_dict("records")}
    entries = {
        i: (f"{r['number']} · {r['name']} · {r['period']} ({r['entered_by']})", int(r["version"]))
        for i, r in rows.items()
    }
    pick = pick_entry(t("check_in.choose_entry"), entries, "check-in-queue-pick")
    if pick is None:
        return
    if pick.waiting:
        entry = rows[pick.id]
        with st.container(border=True):
            st.markdown(f"**{t('col.rag')}:** {_rag_markdown(entry['rag'])}")
            for name in TEXTS:
                st.markdown(f"**{t(f'col.{name}')}:** {esc(_text(entry[name])) or '–'}")
    reason = st.text_input(
        t("reporting.return_reason_input"),
        max_chars=1000,
        key=f"check-in-queue-reason-{st.session_state.get(EDITOR_KEY, 0)}-{pick.id}",
    )
    left, right = st.columns(2)
    try:
        if left.button(
            t("reporting.approve"), type="primary", icon=":material/check:", key="check-in-approve"
        ):
            approve_check_in(actor, pick.id, pick.version)
            reviewed("check_in.approved")
        if right.button(t("reporting.return"), icon=":material/undo:", key="check-in-return"):
            return_check_in(actor, pick.id, pick.version, reason)
            reviewed("check_in.returned")
    except REVIEW_ERRORS as exc:
        review_failed(
            exc, pick, "check-in-queue-pick", "check_in.queue_stale", "check_in.queue_refused"
        )
