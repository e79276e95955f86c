"""The Statusrapporter page's parts: choosing a report, reading it, comparing two, the review
pack, and the operative group's and the steering group's actions on it."""

from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time
from dashboard.i18n.validation import describe
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed
from dashboard.services.reporting import WorkflowRefused
from dashboard.services.snapshots.compare import Comparison, holds_agencies
from dashboard.services.snapshots.rows import Snapshot
from dashboard.services.status_reports import (
    EDITABLE,
    UNDER_REVIEW,
    ReportDetail,
    approve_report,
    compare_reports,
    create_draft,
    draft_drift,
    override_goal,
    periods_without_report,
    refresh_draft,
    report_detail,
    report_list,
    return_report,
    submit_report,
    update_texts,
)
from dashboard.ui.charts import bar_chart
from dashboard.ui.context import label, lang, sees_suppressed, sees_unapproved, t
from dashboard.ui.data import derived, query
from dashboard.ui.decisions import decision_form
from dashboard.ui.funding import report_sections
from dashboard.ui.progress import badge_markdown, today
from dashboard.ui.report_tables import (
    Words,
    change_tables,
    completeness_table,
    decisions_table,
    goals_table,
    indicators_table,
    initiatives_table,
    measured_counts,
    phase_text,
    rag_counts,
    status_counts,
    tasks_report_table,
)
from dashboard.ui.reporting import EDITOR_KEY, MESSAGES_KEY, seen_versions
from dashboard.ui.review_pack import review_excel, review_pdf, status_line
from dashboard.ui.suppression import REPORT_VALUES, changes_hide, frame_hides
from dashboard.ui.url_state import url_selectbox
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    empty_state,
    esc,
    mission_text,
    suppression_caption,
)
from models import ProgressStatus, ReportStatus

VERSIONS_KEY = "report_versions"
STATUS_COLOURS = {"draft": "gray", "submitted": "orange", "returned": "red", "approved": "green"}


def _done(message: str, *, fresh_forms: bool = True) -> None:
    """Say message after the rerun; with fresh_forms, the forms start from the stored report."""
    st.session_state[MESSAGES_KEY] = [("success", message)]
    if fresh_forms:
        st.session_state[EDITOR_KEY] = st.session_state.get(EDITOR_KEY, 0) + 1
    st.rerun()


def _refused(exc: Exception) -> None:
    """Say why a step was refused; nothing was saved."""
    if isinstance(exc, ValidationError):
        for problem in describe(exc, lang()):
            st.error(problem)
    elif isinstance(exc, WorkflowRefused):
        st.error(t(f"workflow.{exc.code}"))
    elif isinstance(exc, DatabaseBusy):
        st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
    else:
        st.error(t("auth.not_allowed"))


def _attempt(step: Callable[[], Any], message: str, *, fresh_forms: bool = True) -> None:
    """Run one command; on success say message after the rerun, else say what went wrong
    (what was typed stays in the forms, whose widgets are keyed)."""
    try:
        step()
    except (ValidationError, WorkflowRefused, PermissionDenied, DatabaseBusy) as exc:
        _refused(exc)
        return
    _done(message, fresh_forms=fresh_forms)


def status_badge(status: str) -> str:
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{label(status, 'ReportStatus')}]"


# --- choosing --------------------------------------------------------------------------------


def new_draft_section(actor: Actor, mission_id: int) -> None:
    """The operative group starts a period's report."""
    free = query(periods_without_report, mission_id)
    with st.expander(t("report.new"), icon=":material/add:"):
        if not free:
            st.caption(t("report.no_free_period"))
            return
        periods = dict(free)
        with st.form("report-new"):
            period_id = st.selectbox(
                t("col.period"),
                list(periods),
                format_func=lambda p: periods[p],
                placeholder=t("common.choose_one"),
            )
            st.caption(t("report.new_help"))
            sent = st.form_submit_button(t("report.create"), type="primary")
        if sent:
            _attempt(
                lambda: _create(actor, mission_id, int(period_id)),
                t("report.created", period=esc(periods[period_id])),
            )


def _create(actor: Actor, mission_id: int, period_id: int) -> None:
    report = create_draft(actor, mission_id, period_id, today=today())
    st.query_params["rapport"] = str(report.id)
    st.session_state.pop("url:rapport", None)


def report_names(reports: pd.DataFrame) -> dict[int, str]:
    """Each report by its period (its status is shown beside the chosen one: a status in the
    option's text stayed as it was in the open list after the report was approved)."""
    return {int(i): str(p) for i, p in zip(reports["id"], reports["period"], strict=True)}


def choose_report(mission_id: int, *, internal: bool) -> int | None:
    """The report to show, from ?rapport=ID (default: the newest)."""
    reports = query(report_list, mission_id, include_unpublished=internal)
    if reports.empty:
        empty_state("report.none" if internal else "report.none_published", "empty.who_reports")
        return None
    ids = [int(i) for i in reports["id"]]
    names = report_names(reports)
    chosen: int = url_selectbox(
        t("report.choose"),
        ids,
        key="rapport",
        format_func=lambda i: names[i],
        parse=int,
        default=ids[0],
    )
    return chosen


# --- reading ---------------------------------------------------------------------------------


def lifecycle(detail: ReportDetail) -> None:
    """Who made, sent, returned and approved the report, and when."""
    report, people = detail.report, detail.people
    line = status_line(detail, Words(lang())) if detail.frozen else t("report.not_approved")
    st.markdown(f"{status_badge(str(report.status))} {esc(line)}")
    parts = [
        t(
            "report.created_by",
            who=esc(people["created_by"] or "–"),
            when=local_time(report.created_at, lang()),
        ),
        t("report.generated_line", when=local_time(report.generated_at, lang())),
    ]
    if report.submitted_at:
        parts.append(
            t(
                "report.submitted_by",
                who=esc(people["submitted_by"] or "–"),
                when=local_time(report.submitted_at, lang()),
            )
        )
    st.caption(" · ".join(parts))
    if report.status == ReportStatus.RETURNED and report.return_reason:
        st.warning(
            t(
                "report.returned_because",
                who=esc(people["returned_by"] or "–"),
                reason=esc(report.return_reason),
            )
        )
    if not detail.frozen:
        st.info(t("report.not_published"), icon=":material/lock_open:")


def drift_notice(actor: Actor, detail: ReportDetail) -> None:
    """For a report under review: say when the approved data changed since its rows were taken."""
    if detail.frozen or detail.report.id is None:
        return
    drift = query(draft_drift, detail.report.id, today())
    if drift is None or drift.total == 0:
        return
    st.warning(t("report.drift", count=drift.total), icon=":material/update:")
    if allowed(actor, Action.DRAFT_REPORT) and detail.report.status in EDITABLE:
        st.caption(t("report.drift_refresh"))
    with st.expander(t("report.drift_what")):
        changes_view(drift)


def report_view(detail: ReportDetail, mission_title: str) -> None:
    """The report as the steering group reads it."""
    w = Words(lang(), internal=sees_suppressed())
    report, snapshot = detail.report, detail.snapshot
    st.header(t("report.summary"))
    if report.summary:
        mission_text(report.summary)
    else:
        st.markdown(f"_{t('report.no_summary')}_")
    if report.decisions_requested:
        st.subheader(t("report.decisions_requested"))
        mission_text(report.decisions_requested)

    st.header(t("report.goals"))
    st.caption(t("report.goals_help"))
    goals = snapshot.goals
    goals = goals.assign(measured=measured_counts(goals))
    for row in goals[goals["depth"] <= 1].to_dict("records"):
        computed = badge_markdown(
            row["computed_status"],
            w.goal_status(row["computed_status"], row["measured"], row["indicators"]),
        )
        line = (
            f"**{esc(row['code'])} {esc(row['title'])}** · {t('report.col.computed')}: {computed}"
        )
        if isinstance(row["override_status"], str):
            chosen = badge_markdown(
                row["override_status"], label(row["override_status"], "ProgressStatus")
            )
            who = detail.override_by.get(str(row["code"]), "–")
            line += f" · {t('report.col.override')}: {chosen}  \n"
            line += t("report.override_line", who=esc(who), why=esc(row["override_justification"]))
        st.markdown(line)
    # the tables are the same for every reader of this report in this language and role
    # group: worked out once and shared (dashboard.ui.data.derived)
    shared = (detail.report.id, detail.frozen, w.lang, w.internal, sees_unapproved())
    with st.expander(t("report.all_goals", count=len(goals))):
        data_table(derived(goals_table, shared, goals, w), hide_index=True, width="stretch")

    st.header(t("report.indicators"))
    count_chart(shared, status_counts, snapshot, w, "report.chart.statuses", "indicators")
    shown = derived(indicators_table, shared, snapshot.indicators, w)
    data_table(shown, hide_index=True, width="stretch")
    suppression_caption(frame_hides(snapshot.indicators, REPORT_VALUES))

    st.header(t("report.initiatives"))
    count_chart(shared, rag_counts, snapshot, w, "report.chart.rag", "initiatives")
    shown = derived(initiatives_table, shared, snapshot.initiatives, w)
    data_table(shown, hide_index=True, width="stretch")
    report_sections(snapshot, detail.period)

    st.header(t("report.completeness"))
    st.caption(t("report.completeness_help", period=esc(detail.period)))
    shown = derived(completeness_table, shared, snapshot, w)
    data_table(shown, hide_index=True, width="stretch")

    st.header(t("report.decisions"))
    if snapshot.decisions.empty:
        st.caption(t("report.no_decisions" if detail.frozen else "report.decisions_at_approval"))
    else:
        shown = derived(decisions_table, shared, snapshot.decisions, w)
        data_table(shown, hide_index=True, width="stretch")

    agencies_report_section(snapshot, w)

    st.header(t("report.changes"))
    if detail.changes is None:
        st.caption(t("report.no_previous"))
    else:
        st.caption(
            t(
                "report.changes_since",
                period=esc(detail.previous_period or "–"),
                count=detail.changes.total,
            )
        )
        changes_view(detail.changes, shared=("report", detail.report.id, sees_unapproved()))
    pack_downloads(detail, mission_title)


def agencies_report_section(snapshot: Snapshot, w: Words) -> None:
    """The mission's phase and the agencies' cooperation tasks as the report froze them."""
    st.header(t("agencies.report"))
    if not holds_agencies(snapshot):
        st.caption(t("agencies.not_in_report"))
        return
    st.markdown(t("agencies.report_phase", phase=esc(phase_text(snapshot.phase, w))))
    if snapshot.tasks.empty:
        st.caption(t("agencies.no_tasks"))
    else:
        data_table(tasks_report_table(snapshot.tasks, w), hide_index=True, width="stretch")


def count_view(
    counter: Callable[[Snapshot, Words], pd.DataFrame],
    snapshot: Snapshot,
    w: Words,
    title: str,
    rows: str,
) -> tuple[dict[str, Any], str, pd.DataFrame]:
    """A bar chart of what counter counts among the report's rows (its indicators or
    initiatives; label and count columns): its spec, text alternative and table."""
    counts = counter(snapshot, w)
    label_column, count_column = counts.columns
    spec = chart_spec(
        bar_chart,
        frame=counts,
        label=label_column,
        value=count_column,
        title=t(title),
        lang=lang(),
    )
    return spec, t(f"{title}_alt", total=len(getattr(snapshot, rows))), counts


def count_chart(
    shared: Hashable,
    counter: Callable[[Snapshot, Words], pd.DataFrame],
    snapshot: Snapshot,
    w: Words,
    title: str,
    rows: str,
) -> None:
    """count_view's chart with its text alternative and table, worked out once per report,
    language and role group (shared) and shared."""
    spec, alt_text, counts = derived(count_view, (shared, title), counter, snapshot, w, title, rows)
    chart_with_table(spec, alt_text, counts)


def changes_view(changes: Comparison, shared: Hashable = None) -> None:
    """The differences as one table per kind (a line when there are none). shared names
    what changes were read from (a shared query result, dashboard.ui.data.derived): the
    tables are then worked out once for every reader in the same language and role group."""
    words = Words(lang(), internal=sees_suppressed())
    if shared is None:
        tables = change_tables(changes, words)
    else:
        tables = derived(change_tables, (shared, words.lang, words.internal), changes, words)
    if not tables:
        st.caption(t("report.no_changes"))
    for key, frame in tables.items():
        st.markdown(f"**{t(key)}** ({len(frame)})")
        data_table(frame, hide_index=True, width="stretch")
    suppression_caption(bool(tables) and changes_hide(changes))


def pack_downloads(detail: ReportDetail, mission_title: str) -> None:
    """The review pack as PDF and Excel, built when clicked."""
    st.header(t("report.pack"))
    st.caption(t("report.pack_help"))
    name = f"statusrapport-{detail.period}"
    left, right = st.columns(2)
    left.download_button(
        t("report.pdf"),
        data=partial(review_pdf, detail, mission_title, lang(), internal=sees_suppressed()),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="report-pdf",
    )
    right.download_button(
        t("download.excel"),
        data=partial(review_excel, detail, mission_title, lang(), internal=sees_suppressed()),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="report-xlsx",
    )


# --- comparing -------------------------------------------------------------------------------


def compare_section(mission_id: int, detail: ReportDetail, *, internal: bool) -> None:
    """Any two reports side by side; by default this one against the approved one before it."""
    reports = query(report_list, mission_id, include_unpublished=internal)
    ids = [int(i) for i in reports["id"]]
    names = report_names(reports)
    if len(ids) < 2:
        st.info(t("report.compare_needs_two"), icon=":material/info:")
        return
    this = detail.report.id
    older = [i for i in ids if i != this]
    left, right = st.columns(2)
    with left:
        earlier = url_selectbox(
            t("report.compare_from"),
            ids,
            key="fra",
            format_func=lambda i: names[i],
            parse=int,
            default=detail.previous_id if detail.previous_id in ids else older[0],
        )
    with right:
        later = url_selectbox(
            t("report.compare_to"),
            ids,
            key="til",
            format_func=lambda i: names[i],
            parse=int,
            default=this,
        )
    if earlier == later:
        st.info(t("report.compare_same"), icon=":material/info:")
        return
    ends = dict(zip(reports["id"], reports["period_end"], strict=True))
    if ends[earlier] > ends[later]:  # changes run from the earlier report to the later one
        st.caption(t("report.compare_swapped"))
        earlier, later = later, earlier
    changes = query(compare_reports, int(earlier), int(later), include_unpublished=internal)
    if changes is None:
        st.warning(t("workflow.no_report"))
        return
    cols = st.columns(5)
    cols[0].metric(t("report.changes.indicators"), len(changes.indicators))
    cols[1].metric(t("report.changes.goals"), len(changes.goals))
    cols[2].metric(t("report.changes.initiatives"), len(changes.initiatives))
    cols[3].metric(t("report.changes.decisions"), len(changes.decisions))
    way_of_working = (changes.steps, changes.involvement, changes.funding, changes.tasks)
    cols[4].metric(
        t("report.changes.way_of_working"),
        sum(len(frame) for frame in way_of_working) + len(changes.phase),
        help=t("report.changes.way_of_working_help"),
    )
    changes_view(changes)


# --- acting ----------------------------------------------------------------------------------


def _version(detail: ReportDetail) -> int:
    """The version of the report as the person saw it before clicking."""
    report_id = int(detail.report.id or 0)
    seen = seen_versions(VERSIONS_KEY, {report_id: detail.report.version})
    return seen.get(report_id, detail.report.version)


def review_section(actor: Actor, mission_id: int, detail: ReportDetail) -> None:
    """What the signed-in person may do with the report now."""
    report = detail.report
    report_id = int(report.id or 0)
    version = _version(detail)
    if detail.frozen:
        st.success(t("report.frozen"), icon=":material/lock:")
    acted = False
    if allowed(actor, Action.DRAFT_REPORT) and report.status in EDITABLE:
        acted = True
        _operative_form(actor, report_id, version, detail)
    if allowed(actor, Action.APPROVE_REPORT) and report.status in UNDER_REVIEW:
        acted = True
        _override_form(actor, report_id, version, detail)
        if report.status == ReportStatus.SUBMITTED:
            _decide_form(actor, report_id, version)
        else:
            st.info(t("report.wait_for_submit"), icon=":material/info:")
    if allowed(actor, Action.RECORD_DECISION):
        acted = True
        st.header(t("decision.record"))
        st.caption(t("report.decision_help"))
        decision_form(actor, mission_id, report_id, key=f"report-decision-{report_id}")
    if not acted and not detail.frozen:
        st.info(t("report.nothing_to_do"), icon=":material/info:")


def _operative_form(actor: Actor, report_id: int, version: int, detail: ReportDetail) -> None:
    st.header(t("report.write"))
    round_ = st.session_state.get(EDITOR_KEY, 0)
    form = f"report-texts-{report_id}-{round_}"
    with st.form(form):
        summary = st.text_area(
            t("report.summary"),
            value=detail.report.summary or "",
            max_chars=10000,
            height=160,
            key=f"{form}-summary",
        )
        requested = st.text_area(
            t("report.decisions_requested"),
            value=detail.report.decisions_requested or "",
            max_chars=5000,
            help=t("report.decisions_requested_help"),
            key=f"{form}-requested",
        )
        left, right = st.columns(2)
        save = left.form_submit_button(t("report.save"))
        send = right.form_submit_button(t("report.submit"), type="primary")
    if save or send:
        data = {"summary": summary, "decisions_requested": requested, "version": version}

        def step() -> None:
            saved = update_texts(actor, report_id, data)
            # the texts are saved even when sending is refused: a retry starts from them
            st.session_state.setdefault(VERSIONS_KEY, {})[report_id] = saved.version
            if send:
                submit_report(actor, report_id, saved.version)

        _attempt(step, t("report.submitted" if send else "report.saved"))
    st.caption(t("report.refresh_help"))
    if st.button(t("report.refresh"), icon=":material/refresh:", key=f"refresh-{report_id}"):
        _attempt(
            lambda: refresh_draft(actor, report_id, version, today=today()),
            t("report.refreshed"),
            fresh_forms=False,  # text typed and not saved yet stays in the form
        )


def _override_form(actor: Actor, report_id: int, version: int, detail: ReportDetail) -> None:
    st.header(t("report.override"))
    st.caption(t("report.override_help"))
    goals = detail.snapshot.goals
    codes = [str(c) for c in goals["code"]]
    w = Words(lang())
    names = {
        str(c): f"{c} {title} ({w.goal_status(s, m, n)})"
        for c, title, s, m, n in zip(
            goals["code"],
            goals["title"],
            goals["computed_status"],
            measured_counts(goals),
            goals["indicators"],
            strict=True,
        )
    }
    statuses: list[str | None] = [None, *(s.value for s in ProgressStatus)]
    round_ = st.session_state.get(EDITOR_KEY, 0)
    with st.form(f"report-override-{report_id}-{round_}"):
        code = st.selectbox(
            t("col.goal"), codes, format_func=lambda c: names[c], placeholder=t("common.choose_one")
        )
        status = st.selectbox(
            t("report.col.override"),
            statuses,
            format_func=lambda s: (
                t("report.use_computed") if s is None else label(s, "ProgressStatus")
            ),
            placeholder=t("common.choose_one"),
        )
        justification = st.text_area(t("report.col.justification"), max_chars=2000)
        sent = st.form_submit_button(t("report.save_override"))
    if sent:
        _attempt(
            lambda: override_goal(actor, report_id, version, code, status, justification),
            t("report.override_saved", code=esc(code)),
        )


def _decide_form(actor: Actor, report_id: int, version: int) -> None:
    st.header(t("report.decide"))
    round_ = st.session_state.get(EDITOR_KEY, 0)
    with st.form(f"report-decide-{report_id}-{round_}"):
        confirm = st.checkbox(t("report.approve_confirm"))
        approve = st.form_submit_button(t("report.approve"), type="primary")
        reason = st.text_area(t("report.return_reason"), max_chars=1000)
        send_back = st.form_submit_button(t("report.return"))
    if approve:
        if not confirm:
            st.error(t("report.confirm_first"))
            return
        _attempt(lambda: approve_report(actor, report_id, version), t("report.approved"))
    if send_back:
        _attempt(lambda: return_report(actor, report_id, version, reason), t("report.returned"))


def detail_or_stop(report_id: int, *, internal: bool) -> ReportDetail:
    """The report, or a message and stop when the reader may not see it."""
    detail = query(report_detail, report_id, include_unpublished=internal)
    if detail is None:
        st.warning(t("workflow.no_report"))
        st.stop()
    return detail
