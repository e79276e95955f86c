"""Funding streams and the learning log in the UI: both on Satsing (read by everyone, edited by
those who may change the portfolio), the portfolio by stream on Portefølje, and both in the
status report."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.services.funding import (
    STATES,
    STREAMS,
    Stream,
    add_stream,
    delete_stream,
    funder_choices,
    initiative_streams,
    portfolio_by_stream,
    update_stream,
)
from dashboard.services.learning import (
    Entry,
    add_entry,
    delete_entry,
    initiative_entries,
    update_entry,
)
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.portfolio_edit import StaleRow
from dashboard.services.snapshots.rows import Snapshot
from dashboard.ui.charts import split_bar_chart
from dashboard.ui.context import label, lang, sees_unapproved, t
from dashboard.ui.data import query
from dashboard.ui.framework import _who
from dashboard.ui.refusals import FAILURES, refusal
from dashboard.ui.report_tables import Words, funding_table, learning_table, stream_words
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    downloads,
    empty_state,
    esc,
    link_table,
    page_href,
)
from models import FundingInput, LearningInput
from models.funding import LEARNT_MAX_LENGTH, NOTE_MAX_LENGTH, SHARED_MAX_LENGTH

OWN_CODES = {"no_funder", "duplicate_stream", "no_organisation"}
DONE = "funding_done"  # what the last save of a stream did, shown on the run after it
LEARNING_DONE = "learning_done"  # the same for the learning log
SEEN = "funding_seen"  # row key -> the version the form showed
NEW = 0  # the choice «new stream» / «new entry» in the pickers


def stream_text(stream: Any, state: Any, funder: Any = None) -> str:
    """'Statsbudsjettet (tildelt), fra Forskningsrådet'."""
    return stream_words(Words(lang()), stream, state, funder)


def _why(exc: Exception) -> list[str]:
    return refusal(exc, OWN_CODES, "funding")


def _seen(key: str, version: int) -> int:
    """The version of a row as the form first showed it (kept until a save)."""
    seen: dict[str, int] = st.session_state.setdefault(SEEN, {})
    return seen.setdefault(key, version)


def _attempt(
    action: Callable[[], object],
    message: str,
    form: str,
    key: str | None = None,
    done: str = DONE,
) -> None:
    """Run a change from the form with this key; on success say so after a rerun (and empty
    the form), else say why nothing was saved (what was typed stays). key: the row's key in
    SEEN, when the form showed a stored row."""
    try:
        changed = action()
    except FAILURES as exc:
        if isinstance(exc, StaleRow) and key is not None:
            st.session_state.get(SEEN, {}).pop(key, None)  # a retry saves over it, knowingly
        st.error("\n\n".join(f"- {esc(m)}" for m in _why(exc)))
        return
    if key is not None:
        st.session_state.get(SEEN, {}).pop(key, None)
    if changed is False:
        st.info(t("method.unchanged"), icon=":material/info:")
        return
    for name in [k for k in st.session_state if str(k).startswith(f"{form}-")]:
        del st.session_state[name]  # the next form starts from what is stored
    st.session_state[done] = message
    st.rerun()


def _show_done(done: str = DONE) -> None:
    if message := st.session_state.pop(done, None):
        st.success(message, icon=":material/check_circle:")


# --- Satsing: funding streams ------------------------------------------------------------------


def funding_section(actor: Actor, initiative_id: int) -> None:
    """The initiative's funding streams, and for those allowed, a form to add, change or
    remove one."""
    st.subheader(t("funding.title"))
    st.caption(t("funding.help"))
    _show_done()
    streams = query(initiative_streams, initiative_id)
    if not streams:
        st.markdown(t("funding.none"))
    else:
        data_table(
            pd.DataFrame(
                {
                    t("funding.stream"): [label(s.stream, "FundingStream") for s in streams],
                    t("funding.state"): [label(s.state, "FundingState") for s in streams],
                    t("funding.funder"): [s.funder or "–" for s in streams],
                    t("col.note"): [s.note or "" for s in streams],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if allowed(actor, Action.MANAGE_PORTFOLIO):
        with st.expander(t("funding.edit"), icon=":material/payments:"):
            _stream_form(actor, initiative_id, streams)


def _stream_form(actor: Actor, initiative_id: int, streams: list[Stream]) -> None:
    by_id = {s.id: s for s in streams}
    picked = st.selectbox(
        t("funding.pick"),
        [NEW, *by_id],
        format_func=lambda i: (
            t("funding.new")
            if i == NEW
            else stream_text(by_id[i].stream, by_id[i].state, by_id[i].funder)
        ),
        key=f"funding-{initiative_id}-pick",
        placeholder=t("common.choose_one"),
    )
    row = by_id.get(picked)
    funders = dict(query(funder_choices))
    key = f"funding-{initiative_id}-{picked}"
    version = _seen(key, row.version) if row else 0
    with st.form(key):
        stream = st.selectbox(
            t("funding.stream"),
            STREAMS,
            index=STREAMS.index(row.stream) if row else None,
            format_func=lambda v: label(v, "FundingStream"),
            placeholder=t("common.choose_one"),
            key=f"{key}-stream",
        )
        state = st.radio(
            t("funding.state"),
            STATES,
            index=STATES.index(row.state) if row else None,  # chosen, never assumed
            format_func=lambda v: label(v, "FundingState"),
            horizontal=True,
            key=f"{key}-state",
            help=t("funding.state_help"),
        )
        funder = st.selectbox(
            t("funding.funder"),
            list(funders),
            index=list(funders).index(row.funder_id) if row and row.funder_id in funders else None,
            format_func=lambda i: funders.get(i, ""),
            placeholder=t("funding.funder_none"),
            key=f"{key}-funder",
            help=t("funding.funder_help"),
        )
        note = st.text_input(
            t("col.note"),
            value=(row.note or "") if row else "",
            max_chars=NOTE_MAX_LENGTH,
            key=f"{key}-note",
        )
        save = st.form_submit_button(t("funding.save"), icon=":material/save:")
        remove = (
            st.form_submit_button(t("funding.delete"), icon=":material/delete:") if row else False
        )
    if not (save or remove):
        return
    if remove and row is not None:
        _attempt(
            lambda: delete_stream(actor, row.id, version=version),
            t("funding.deleted"),
            key,
            key,
        )
        return
    if stream is None:
        st.error(t("funding.stream_missing"))
        return
    if state is None:
        st.error(t("funding.state_missing"))
        return
    try:
        data = FundingInput.model_validate(
            {"stream": stream, "state": state, "funder_id": funder, "note": note}
        )
    except ValidationError as exc:
        st.error("\n\n".join(f"- {esc(m)}" for m in _why(exc)))
        return
    if row is None:
        _attempt(lambda: add_stream(actor, initiative_id, data), t("funding.saved"), key)
    else:
        _attempt(
            lambda: update_stream(actor, row.id, data, version=version),
            t("funding.saved"),
            key,
            key,
        )


# --- Satsing: the learning log -----------------------------------------------------------------


def learning_section(actor: Actor, initiative_id: int) -> None:
    """The initiative's learning log, newest first, and for those allowed, forms to add, change
    or remove an entry."""
    st.subheader(t("learning.title"))
    st.caption(t("learning.help"))
    _show_done(LEARNING_DONE)
    entries = query(initiative_entries, initiative_id, internal=sees_unapproved())
    if not entries:
        st.caption(t("learning.none"))
    else:
        data_table(
            pd.DataFrame(
                {
                    t("learning.when"): [e.learnt_on.strftime("%d.%m.%Y") for e in entries],
                    t("col.period"): [", ".join(e.periods) or "–" for e in entries],
                    t("learning.learnt"): [e.learnt for e in entries],
                    t("learning.shared_with"): [_shared(e) for e in entries],
                    t("learning.recorded_by"): [
                        _who(e.recorded_by, e.recorder_role, e.recorder_org) for e in entries
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if allowed(actor, Action.MANAGE_PORTFOLIO):
        with st.expander(t("learning.edit"), icon=":material/school:"):
            _entry_form(actor, initiative_id, entries)


def _shared(entry: Entry) -> str:
    parts = [", ".join(entry.organisations)] if entry.organisations else []
    if entry.shared_with:
        parts.append(entry.shared_with)
    return "; ".join(parts) or "–"


def _entry_form(actor: Actor, initiative_id: int, entries: list[Entry]) -> None:
    by_id = {e.id: e for e in entries}
    picked = st.selectbox(
        t("learning.pick"),
        [NEW, *by_id],
        format_func=lambda i: (
            t("learning.new")
            if i == NEW
            else f"{by_id[i].learnt_on.strftime('%d.%m.%Y')}: {by_id[i].learnt[:60]}"
        ),
        key=f"learning-{initiative_id}-pick",
        placeholder=t("common.choose_one"),
    )
    row = by_id.get(picked)
    organisations = dict(query(funder_choices))
    key = f"learning-{initiative_id}-{picked}"
    version = _seen(key, row.version) if row else 0
    with st.form(key):
        learnt = st.text_area(
            t("learning.learnt"),
            value=row.learnt if row else "",
            max_chars=LEARNT_MAX_LENGTH,
            key=f"{key}-learnt",
            help=t("learning.learnt_help"),
        )
        chosen = st.multiselect(
            t("learning.organisations"),
            list(organisations),
            default=[o for o in row.organisation_ids if o in organisations] if row else [],
            format_func=lambda i: organisations.get(i, ""),
            placeholder=t("learning.organisations_none"),
            key=f"{key}-orgs",
        )
        shared = st.text_input(
            t("learning.shared_text"),
            value=(row.shared_with or "") if row else "",
            max_chars=SHARED_MAX_LENGTH,
            key=f"{key}-shared",
            help=t("learning.shared_help"),
        )
        when = st.date_input(
            t("learning.when"),
            value=row.learnt_on if row else dt.date.today(),
            format="DD.MM.YYYY",
            key=f"{key}-when",
            help=t("learning.when_help"),
        )
        save = st.form_submit_button(t("learning.save"), icon=":material/save:")
        remove = (
            st.form_submit_button(t("learning.delete"), icon=":material/delete:") if row else False
        )
    if not (save or remove):
        return
    if remove and row is not None:
        _attempt(
            lambda: delete_entry(actor, row.id, version=version),
            t("learning.deleted"),
            key,
            key,
            LEARNING_DONE,
        )
        return
    try:
        data = LearningInput(
            learnt=learnt, shared_with=shared, organisation_ids=chosen, learnt_on=when
        )
    except ValidationError as exc:
        st.error("\n\n".join(f"- {esc(m)}" for m in _why(exc)))
        return
    if row is None:
        _attempt(
            lambda: add_entry(actor, initiative_id, data),
            t("learning.saved"),
            key,
            None,
            LEARNING_DONE,
        )
    else:
        _attempt(
            lambda: update_entry(actor, row.id, data, version=version),
            t("learning.saved"),
            key,
            key,
            LEARNING_DONE,
        )


# --- Portefølje: the portfolio by stream --------------------------------------------------------


def by_stream_view(selected: pd.DataFrame, mission_id: int) -> None:
    """How many of the chosen initiatives each stream carries, allocated and applied for, and
    the initiatives with no stream recorded."""
    st.header(t("funding.by_stream"))
    st.caption(t("funding.by_stream_help"))
    if selected.empty:  # else an empty chart, and «every initiative chosen has a stream»
        empty_state("empty.no_match", "empty.who_filters")
        return
    numbers = tuple(int(n) for n in selected["number"])
    counts, missing = query(portfolio_by_stream, mission_id, numbers)
    stream_labels = [label(s, "FundingStream") for s in counts["stream"]]
    state_labels = [label(s, "FundingState") for s in STATES]
    table = pd.DataFrame(
        {
            t("funding.stream"): stream_labels,
            **{
                name: counts[state].astype(int)
                for name, state in zip(state_labels, STATES, strict=True)
            },
        }
    )
    recorded = int(counts[STATES].to_numpy().sum())
    if recorded:
        long = pd.DataFrame(
            [
                {"stream": s, "state": name, "count": int(row[state])}
                for s, row in zip(stream_labels, counts.to_dict("records"), strict=True)
                for name, state in zip(state_labels, STATES, strict=True)
                if int(row[state])  # no sliver of outline for a stream that carries none
            ]
        )
        spec = chart_spec(
            split_bar_chart,
            frame=long,
            label="stream",
            value="count",
            split="state",
            order=state_labels,
            labels=stream_labels,
            title=t("funding.chart_title"),
            lang=lang(),
        )
        carried = len(numbers) - len(missing)
        chart_with_table(spec, t("funding.chart_alt", carried=carried, total=len(numbers)), table)
    else:
        data_table(table, hide_index=True, width="stretch")
    downloads(table, "finansiering", key="by-stream")
    st.subheader(t("funding.not_assessed_title", count=len(missing)))
    if missing.empty:
        st.caption(t("funding.all_assessed"))
        return
    st.caption(t("funding.not_assessed_help"))
    link_table(
        pd.DataFrame(
            {
                t("col.number"): missing["number"],
                t("col.initiative"): missing["name"],
                t("col.open"): [page_href("satsing", nr=n) for n in missing["number"]],
            }
        ),
        t("col.open"),
    )


# --- the status report ---------------------------------------------------------------------------


def report_sections(snapshot: Snapshot, period: str) -> None:
    """The report's funding streams per initiative and its period's learning-log entries."""
    w = Words(lang())
    st.header(t("funding.title"))
    streams = funding_table(snapshot, w)
    if streams.empty:
        st.caption(t("funding.report_none"))
    else:
        st.caption(t("funding.report_help"))
        data_table(streams, hide_index=True, width="stretch")
    st.header(t("learning.title"))
    if snapshot.learning.empty:
        st.caption(t("learning.report_none", period=esc(period)))
    else:
        st.caption(t("learning.report_help", period=esc(period)))
        data_table(learning_table(snapshot, w), hide_index=True, width="stretch")
