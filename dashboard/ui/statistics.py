"""Statistics from SSB (issue 19): fetch an indicator's table from PxWebApi v2 or upload a file
from Statistikkbanken, see the dry run year by year, and import the whole-country series as
submitted for a colleague to approve. On Administrasjon (the secretariat: every indicator) and
Rapportering (the operative group: their organisation's indicators).

As on the import tab, the button commits against the dry run the person saw: the stored
versions it found are kept in the session under the file's fingerprint.
"""

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time, number
from dashboard.services.imports.run import ImportRefused, ImportStale
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed
from dashboard.statistics.breakdowns import (
    approve_batch,
    batch_queue,
    return_batch,
    returned_batches,
)
from dashboard.statistics.fetch import Unreachable, fetch_table
from dashboard.statistics.importing import (
    PartlyImported,
    Source,
    StatisticsCheck,
    UnknownIndicator,
    cell_lines,
    check_table,
    commit_table,
    importable_sources,
)
from dashboard.statistics.ssb import StatisticsRefused, read_table
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.imports import show_check, stale_message
from dashboard.ui.reporting import (
    EDITOR_KEY,
    REVIEW_ERRORS,
    kept_pick,
    pick_entry,
    review_failed,
    reviewed,
)
from dashboard.ui.widgets import data_table, esc
from models.statistics import parse_selection

FILE_MAX_BYTES = 10 * 1024 * 1024  # an uploaded SSB file
FETCH_TRIES = 2  # a person waits for the button: fewer tries than the command makes
ROUND_KEY = "ssb_round"  # a new, empty uploader after each import
DONE_KEY = "ssb_done"
FETCHED_KEY = "ssb_fetched"  # (indicator code, url, bytes, retrieved at) of the last fetch
SHOWN_KEY = "ssb_shown"  # (fingerprint, stored versions) of the dry run shown
MESSAGE_KEY = "ssb_message"  # why the last click imported nothing


def statistics_section(actor: Actor, mission_id: int) -> None:
    """Choose an indicator, fetch its SSB table or upload a file, see the dry run, import."""
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(done, icon=":material/check_circle:")
    secretariat = allowed(actor, Action.IMPORT)
    if not secretariat and actor.organisation_id is None:
        st.info(t("import.no_organisation"), icon=":material/info:")
        return
    st.caption(t("statistics.intro"))
    returned_batches_notice(actor, mission_id)
    scope = None if secretariat else actor.organisation_id
    sources = {s.code: s for s in query(importable_sources, mission_id, scope)}
    if not sources:
        st.info(t("statistics.no_indicators"), icon=":material/info:")
        return
    code = st.selectbox(
        t("statistics.indicator"),
        list(sources),
        format_func=lambda c: f"{c} – {sources[c].name}",
        key="ssb-indicator",
        placeholder=t("common.choose_one"),
    )
    if code is None:
        return
    source = sources[code]
    _describe_source(source)
    round_ = st.session_state.get(ROUND_KEY, 0)
    if st.button(
        t("statistics.fetch"),
        icon=":material/cloud_download:",
        help=t("statistics.fetch_help"),
        disabled=source.table is None,
        key="ssb-fetch",
    ):
        _fetch(source)
    upload = st.file_uploader(
        t("statistics.upload"),
        type=["json", "csv"],
        help=t("statistics.upload_help", max_mb=FILE_MAX_BYTES // 2**20),
        key=f"ssb-file-{round_}",
    )
    if upload is not None:
        st.session_state.pop(FETCHED_KEY, None)  # the file chosen last is the one shown
        now = dt.datetime.now(dt.UTC)
        _check(actor, mission_id, code, upload.name, upload.getvalue(), upload.name, now)
        return
    fetched = st.session_state.get(FETCHED_KEY)
    if fetched is not None and fetched[0] == code:
        _, url, data, retrieved_at = fetched
        _check(actor, mission_id, code, "ssb.json", data, url, retrieved_at)


def returned_batches_notice(actor: Actor, mission_id: int) -> None:
    """The breakdowns this person imported that a colleague returned, each with the reason,
    until the indicator is imported again."""
    if actor.id is None:
        return
    returned = query(returned_batches, mission_id, actor.id)
    if returned.empty:
        return
    lines = [t("statistics.returned", count=len(returned))]
    for row in returned.to_dict("records"):
        who = row["reviewer"]
        line = t(
            "statistics.returned_line",
            code=esc(row["code"]),
            name=esc(row["name"]),
            table=esc(row["table"]),
            cells=number(row["cells"], lang()),
            reason=esc(row["reason"]),
            who=esc(who) if isinstance(who, str) else t("workflow.someone"),
            when=local_time(row["reviewed_at"], lang()),
        )
        lines.append(f"- {line}")
    st.warning("\n".join(lines), icon=":material/undo:")


def _describe_source(source: Source) -> None:
    if source.table is None:
        st.info(t("statistics.no_source"), icon=":material/info:")
        return
    selection = source.selection or t("statistics.source_all")
    st.markdown(t("statistics.source", table=source.table, selection=esc(selection)))


def _fetch(source: Source) -> None:
    """Ask SSB for the indicator's table; keep the answer for the dry run, or say why not."""
    assert source.table is not None
    try:
        fetched = fetch_table(source.table, parse_selection(source.selection), tries=FETCH_TRIES)
    except Unreachable as exc:
        st.session_state.pop(FETCHED_KEY, None)
        message = t(f"statistics.unreachable.{exc.reason}", url=esc(exc.url), detail=exc.detail)
        st.error(message, icon=":material/cloud_off:")
        return
    st.session_state[FETCHED_KEY] = (source.code, fetched.url, fetched.data, fetched.retrieved_at)


def _fingerprint(actor: Actor, code: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest}:{code}:{actor.id}:{st.session_state.get(ROUND_KEY, 0)}"


def _check(
    actor: Actor,
    mission_id: int,
    code: str,
    filename: str,
    data: bytes,
    source: str,
    retrieved_at: dt.datetime,
) -> None:
    """Read and dry-run the table, show it, and offer the import when it can go ahead."""
    fingerprint = _fingerprint(actor, code, data)
    shown = st.session_state.pop(SHOWN_KEY, None)
    seen = shown[1] if shown and shown[0] == fingerprint else None
    if len(data) > FILE_MAX_BYTES:
        st.error(t("statistics.too_large", max_mb=FILE_MAX_BYTES // 2**20), icon=":material/block:")
        return
    try:
        table = read_table(filename, data)
        result = check_table(
            actor, mission_id, code, table, source=source, retrieved_at=retrieved_at
        )
    except StatisticsRefused as exc:
        values = {k: esc(v) for k, v in exc.values.items()}
        st.error(t(f"statistics.refused.{exc.code}", **values), icon=":material/block:")
        return
    except UnknownIndicator:
        st.error(t("statistics.unknown_indicator", code=esc(code)))
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    # the dry run shown: the series' stored versions it found ({} for a breakdown alone)
    st.session_state[SHOWN_KEY] = (
        fingerprint,
        result.check.versions() if result.check is not None else {},
    )
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.error(message, icon=":material/sync_problem:")
    show_statistics_check(result)
    if not result.ok:
        if result.check is not None and not result.check.ok:
            show_check(result.check)
        elif not result.problems:
            st.info(t("statistics.nothing_to_import"), icon=":material/info:")
        return
    writes, cells = result.writes(), len(result.cells)
    if not writes and not cells:
        st.info(t("statistics.nothing_to_import"), icon=":material/info:")
        return
    if writes and cells:
        label = t("statistics.commit_both", count=writes, cells=cells)
    elif cells:
        label = t("statistics.commit_cells", count=cells)
    else:
        label = t("statistics.commit", count=writes)
    if not st.button(
        label,
        type="primary",
        icon=":material/upload:",
        key="ssb-commit",
    ):
        return
    if seen is None:  # no dry run of this very table was shown before the click
        st.session_state[MESSAGE_KEY] = t("import.check_again")
        st.rerun()
    try:
        done = commit_table(actor, mission_id, result, expected=seen)
    except ImportStale as exc:
        st.session_state[MESSAGE_KEY] = stale_message(exc)
        st.rerun()
    except ImportRefused as exc:
        st.error(t("import.changed_since"), icon=":material/error:")
        show_check(exc.check)
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    except PartlyImported as exc:
        st.warning(
            t(
                "statistics.partly_imported",
                table=result.table_id or "?",
                code=esc(code),
                **exc.done,
            ),
            icon=":material/hourglass_top:",
        )
        return
    except DatabaseBusy:
        st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
        return
    messages = []
    if writes:
        messages.append(t("statistics.done", table=result.table_id or "?", code=esc(code), **done))
    if done["cells"]:
        messages.append(
            t("statistics.done_cells", table=result.table_id or "?", code=esc(code), **done)
        )
    st.session_state[DONE_KEY] = " ".join(messages)
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(FETCHED_KEY, None)
    st.rerun()


def _symbol(status: str | None, meaning: str | None) -> str:
    if not status:
        return ""
    return f"«{status}» {t(f'statistics.symbol.{meaning}')}" if meaning else f"«{status}»"


def show_statistics_check(result: StatisticsCheck) -> None:
    """The dry run: where it was read from, each year with its value, SSB's symbol and its
    meaning and what happens to it, the breakdown cells not stored yet, the problems."""
    when = local_time(result.retrieved_at, lang())
    st.caption(
        t(
            "statistics.read_from",
            source=esc(result.source),
            table=esc(result.table_id or "?"),
            when=when,
        )
    )
    for problem in result.problems:
        values = {k: esc(v) for k, v in problem.values.items()}
        if "dimension" in values:
            values["dimension"] = t(f"statistics.dimension.{problem.values['dimension']}")
        st.error(t(f"statistics.problem.{problem.code}", **values), icon=":material/error:")
    if result.years:
        table = pd.DataFrame(
            {
                t("statistics.col.year"): [y.time for y in result.years],
                t("statistics.col.value"): [
                    number(y.value, lang()) if y.value is not None else "" for y in result.years
                ],
                t("statistics.col.symbol"): [_symbol(y.status, y.symbol) for y in result.years],
                t("statistics.col.outcome"): [
                    t(
                        f"statistics.outcome.{y.outcome}",
                        meaning=t(f"statistics.symbol.{y.symbol}") if y.symbol else y.status,
                        year=y.year,
                        time=y.time,
                    )
                    for y in result.years
                ],
            }
        )
        data_table(table, hide_index=True, width="stretch")
    elif not result.problems:
        st.info(t("statistics.no_years"), icon=":material/info:")
    for line in cell_lines(result, t, escape=esc):
        st.info(line, icon=":material/table_view:")


def batch_queue_section(actor: Actor, mission_id: int) -> None:
    """Breakdowns from SSB waiting for approval: each batch approved or returned as a whole, by
    somebody other than the person who imported it (four eyes)."""
    queue = query(batch_queue, mission_id)
    others = queue[queue["submitted_by_id"] != actor.id]
    kept = kept_pick("ssb-queue-pick", {int(i) for i in others["id"]})
    if queue.empty:
        st.caption(t("statistics.queue.empty"))
    else:
        table = pd.DataFrame(
            {
                t("statistics.queue.col.indicator"): [
                    f"{c} – {n}" for c, n in zip(queue["code"], queue["name"], strict=True)
                ],
                t("statistics.queue.col.table"): queue["table"],
                t("statistics.queue.col.source"): queue["source"],
                t("statistics.queue.col.retrieved"): [
                    local_time(w, lang()) for w in queue["retrieved_at"]
                ],
                t("statistics.queue.col.cells"): [number(c, lang()) for c in queue["cells"]],
                t("statistics.queue.col.submitted_by"): queue["submitted_by"].fillna(""),
                t("statistics.queue.col.submitted_at"): [
                    local_time(w, lang()) for w in queue["submitted_at"]
                ],
            }
        )
        data_table(table, hide_index=True, width="stretch")
        own = queue[queue["submitted_by_id"] == actor.id]
        if not own.empty:
            st.caption(t("statistics.queue.own", count=len(own)))
    if others.empty and not kept:  # a choice that left the queue is kept, to answer its click
        return
    entries = {
        int(row["id"]): (
            t(
                "statistics.queue.label",
                code=row["code"],
                table=row["table"],
                cells=number(row["cells"], lang()),
                who=row["submitted_by"] or "–",
                when=local_time(row["submitted_at"], lang()),
            ),
            int(row["version"]),
        )
        for row in others.to_dict("records")
    }
    # the batch shown chosen stays chosen when a colleague approves it meanwhile, rather than
    # the next one taking its place (a click on it is then worded as stale: who, when)
    pick = pick_entry(t("statistics.queue.choose"), entries, "ssb-queue-pick")
    if pick is None:
        return
    reason = st.text_input(
        t("statistics.queue.reason"),
        max_chars=1000,
        key=f"ssb-queue-reason-{st.session_state.get(EDITOR_KEY, 0)}-{pick.id}",  # its own
    )
    left, right = st.columns(2)
    try:
        if left.button(
            t("statistics.queue.approve"), type="primary", icon=":material/check:", key="ssb-ok"
        ):
            approve_batch(actor, pick.id, pick.version)
            reviewed("statistics.queue.approved")
        if right.button(t("statistics.queue.return"), icon=":material/undo:", key="ssb-return"):
            return_batch(actor, pick.id, pick.version, reason)
            reviewed("statistics.queue.returned")
    except REVIEW_ERRORS as exc:
        review_failed(
            exc, pick, "ssb-queue-pick", "statistics.queue.stale", "statistics.queue.refused"
        )
