"""The agencies' cooperation (etatssamarbeidet) and the mission's phases in the UI: the task
list with its forms on Styring, the phases with their deliverables (and a form to edit a
phase), Oversikt's line naming the current phase, and Satsing's note of a linked task."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.i18n.formatting import date
from dashboard.services.agencies import (
    create_task,
    delete_task,
    initiative_tasks,
    mission_phases,
    phase_deliverables,
    phase_now,
    phase_seen,
    pick_current,
    task_choices,
    tasks,
    update_phase,
    update_task,
)
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.portfolio_edit import StaleRow
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.progress import today
from dashboard.ui.refusals import FAILURES, refusal
from dashboard.ui.widgets import (
    data_table,
    downloads,
    esc,
    link_table,
    mission_text,
    note,
    page_href,
)
from models import DatePrecision, Phase, PhaseUpdate, TaskEnd, TaskInput, TaskStatus

OWN_CODES = {"no_task", "no_phase", "unknown_organisation"}
DONE = "agencies_done"  # what the last save did, shown on the run after it
SEEN = "agencies_seen"  # form key -> the fingerprint of the row when its form first showed it


def when(value: Any, precision: Any) -> str:
    """A date as precise as it is known: '1. mai 2025', 'juli 2024', '2024'."""
    if value is None or pd.isna(value):
        return ""
    if str(precision) == DatePrecision.YEAR:
        return str(value.year)
    return date(value, lang(), month_only=str(precision) == DatePrecision.MONTH)


def duration(kind: Any, end: Any, precision: Any) -> str:
    """A task's duration: its end, «løpende», or «ikke oppgitt»."""
    if str(kind) == TaskEnd.DATE and when(end, precision):
        return when(end, precision)
    return t(f"agencies.end.{TaskEnd(str(kind)).value}")


def span(phase: Phase) -> str:
    """A phase's span: '2023–2024', 'fra 2024', 'til mai 2024', or ''."""
    start = when(phase.start, phase.start_precision)
    end = when(phase.end, phase.end_precision)
    if start and end:
        return start if start == end else f"{start}–{end}"
    if start:
        return t("agencies.span.from", start=start)
    if end:
        return t("agencies.span.until", end=end)
    return ""


def phase_name(phase: Phase) -> str:
    return label(phase.kind, "MissionPhase")


def _why(exc: Exception) -> list[str]:
    return refusal(exc, OWN_CODES, "agencies")


def _fail(exc: Exception) -> None:
    st.error("\n\n".join(f"- {esc(m)}" for m in _why(exc)))


def _seen(form: str, current: str) -> str:
    """The fingerprint of the row as its form first showed it (what the person saw), kept
    until a save: a save over a colleague's change since is refused."""
    seen: dict[str, str] = st.session_state.setdefault(SEEN, {})
    if f"{form}-note" not in st.session_state:  # shown afresh (its widgets hold nothing yet)
        seen[form] = current
    return seen.setdefault(form, current)


def _forget(form: str) -> None:
    """The form starts again from what is stored: its fingerprint and its widgets' state."""
    st.session_state.get(SEEN, {}).pop(form, None)
    for name in [k for k in st.session_state if str(k).startswith(f"{form}-")]:
        del st.session_state[name]


def show_done() -> None:
    """What the last save did, once (after the rerun it asked for)."""
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")


# --- Oversikt and Satsing ----------------------------------------------------------------------


def phase_line(mission_id: int) -> None:
    """Oversikt: the current phase, its span and the state of its deliverables."""
    now = query(phase_now, mission_id, today())
    if now is None:
        st.markdown(t("agencies.phase_line_none"))
        return
    when_text = span(now.phase)
    line = t(
        "agencies.phase_line",
        phase=phase_name(now.phase).lower(),
        span=f" ({when_text})" if when_text else "",
    )
    if now.deliverables:
        delivered = now.by_status.get("delivered", 0)
        line += " · " + t("agencies.phase_delivered", count=now.deliverables, done=delivered)
    else:
        line += " · " + t("agencies.phase_no_deliverables")
    st.markdown(line)


def initiative_tasks_note(initiative_id: int) -> None:
    """Satsing: the agencies' tasks that are the same work as this initiative."""
    found = query(initiative_tasks, initiative_id)
    if found:
        st.markdown(
            t("agencies.same_work", tasks=", ".join(f"«{esc(x)}»" for x in found))
            + " "
            + t("agencies.see_styring")
        )


# --- Styring: phases ---------------------------------------------------------------------------


def phases_section(actor: Actor, mission_id: int) -> None:
    """The mission's phases in order, each with its deliverables; the current one marked."""
    st.header(t("agencies.phases"))
    st.caption(t("agencies.phases_help"))
    phases = query(mission_phases, mission_id)
    if not phases:
        st.caption(t("agencies.no_phases"))
        return
    current = pick_current(phases, today())
    grouped = query(phase_deliverables, mission_id)
    may_edit = allowed(actor, Action.MANAGE_PORTFOLIO)
    for phase in phases:
        with st.container(border=True):
            title = phase_name(phase)
            if when_text := span(phase):
                title += f" · {when_text}"
            st.subheader(title)
            if current is not None and phase.id == current.id:
                st.markdown(f":blue-badge[{t('agencies.current')}]")
            if phase.description:
                mission_text(phase.description)
            note(phase.note)
            items = grouped.get(phase.id)
            if items is None or items.empty:
                st.caption(t("agencies.phase_no_deliverables"))
            else:
                data_table(
                    pd.DataFrame(
                        {
                            t("col.number"): items["number"],
                            t("col.deliverable"): items["title"],
                            t("col.status"): [
                                label(s, "DeliverableStatus") for s in items["status"]
                            ],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                )
            if may_edit:
                with st.expander(t("agencies.edit_phase", phase=phase_name(phase))):
                    _phase_form(actor, phase)


def _date_inputs(key: str, value: dt.date | None, precision: str, what: str) -> tuple[Any, Any]:
    left, right = st.columns([2, 1])
    chosen = left.date_input(
        t(f"agencies.{what}_date"),
        value=value if isinstance(value, dt.date) else None,
        min_value=dt.date(2000, 1, 1),
        max_value=dt.date(2100, 12, 31),
        key=f"{key}-{what}",
        format="DD.MM.YYYY",
    )
    options = [p.value for p in DatePrecision]
    exact = right.selectbox(
        t("agencies.precision"),
        options,
        index=options.index(str(precision)),
        format_func=lambda p: t(f"agencies.precision.{p}"),
        placeholder=t("common.choose_one"),
        key=f"{key}-{what}-precision",
    )
    return chosen, exact


def _phase_form(actor: Actor, phase: Phase) -> None:
    key = f"phase-{phase.id}"
    seen = _seen(key, phase_seen(phase))
    with st.form(key):
        description = st.text_area(
            t("agencies.description"),
            value=phase.description or "",
            max_chars=2000,
            key=f"{key}-description",
        )
        start, start_precision = _date_inputs(key, phase.start, phase.start_precision, "start")
        end, end_precision = _date_inputs(key, phase.end, phase.end_precision, "end")
        text = st.text_area(
            t("col.note"), value=phase.note or "", max_chars=2000, key=f"{key}-note"
        )
        saved = st.form_submit_button(t("agencies.save_phase"), icon=":material/save:")
    if not saved:
        return
    try:
        data = PhaseUpdate(
            description=description,
            start=start,
            start_precision=start_precision,
            end=end,
            end_precision=end_precision,
            note=text,
        )
        assert phase.id is not None
        changed = update_phase(actor, phase.id, data, seen=seen)
    except FAILURES as exc:
        if isinstance(exc, StaleRow):
            st.session_state[SEEN].pop(key, None)  # a retry saves over it, knowingly
        _fail(exc)
        return
    _forget(key)
    if not changed:
        st.info(t("agencies.unchanged"), icon=":material/info:")
        return
    st.session_state[DONE] = t("agencies.phase_saved", phase=phase_name(phase))
    st.rerun()


# --- Styring: the agencies' tasks --------------------------------------------------------------


def tasks_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The task list as readers see it (with a link to the first initiative of the same work)."""
    return pd.DataFrame(
        {
            t("agencies.col.task"): frame["title"],
            t("agencies.col.lead"): [", ".join(x) or "–" for x in frame["leads"]],
            t("agencies.col.participants"): [", ".join(x) or "–" for x in frame["participants"]],
            t("agencies.col.involved"): frame["involved"].fillna(""),
            t("agencies.col.duration"): [
                duration(k, e, p)
                for k, e, p in zip(
                    frame["end_kind"], frame["end"], frame["end_precision"], strict=True
                )
            ],
            t("col.status"): [label(s, "TaskStatus") for s in frame["status"]],
            t("agencies.col.initiatives"): [
                ", ".join(f"{n}. {name}" for _, n, name in found) for found in frame["initiatives"]
            ],
            t("col.note"): frame["note"].fillna(""),
            t("col.open"): [
                page_href("satsing", nr=found[0][1]) if found else None
                for found in frame["initiatives"]
            ],
        }
    )


def tasks_section(actor: Actor, mission_id: int) -> None:
    """The agencies' cooperation: the task list, and for those allowed forms to add, edit and
    remove a task."""
    st.header(t("agencies.tasks"))
    st.caption(t("agencies.tasks_help"))
    frame = query(tasks, mission_id)
    if frame.empty:
        st.caption(t("agencies.no_tasks"))
    else:
        shown = tasks_table(frame)
        link_table(shown, t("col.open"))
        downloads(shown.drop(columns=[t("col.open")]), "etatssamarbeidet", key="agency-tasks")
    if not allowed(actor, Action.MANAGE_PORTFOLIO):
        return
    st.subheader(t("agencies.manage"))
    orgs, initiatives = query(task_choices, mission_id)
    with st.expander(t("agencies.add"), icon=":material/add:"):
        got = _task_form("task-new", None, orgs, initiatives)
        if got is not None:
            _save(
                lambda: create_task(actor, mission_id, got),
                t("agencies.added", title=esc(got.title)),
                form="task-new",
            )
    if frame.empty:
        return
    rows: dict[int, dict[str, Any]] = {
        int(r["id"]): {str(k): _cell(v) for k, v in r.items()} for r in frame.to_dict("records")
    }
    with st.expander(t("agencies.edit"), icon=":material/edit:"):
        chosen = st.selectbox(
            t("agencies.col.task"),
            list(rows),
            format_func=lambda i: rows[i]["title"],
            index=None,
            placeholder=t("common.choose_one"),
            key="task-edit-pick",
        )
        if chosen is not None:
            row = rows[chosen]
            form = f"task-edit-{chosen}"
            seen = _seen(form, row["seen"])
            changed = _task_form(form, row, orgs, initiatives)
            if changed is not None:
                _save(
                    lambda: update_task(actor, chosen, changed, seen=seen),
                    t("agencies.saved", title=esc(changed.title)),
                    nothing=t("agencies.unchanged"),
                    form=form,
                )
            with st.form(f"task-delete-{chosen}"):
                sure = st.checkbox(t("agencies.confirm_delete", title=esc(row["title"])))
                gone = st.form_submit_button(t("agencies.delete"), icon=":material/delete:")
            if gone:
                if not sure:
                    st.error(t("agencies.confirm_first"))
                else:
                    _save(
                        lambda: delete_task(actor, chosen, seen=seen),
                        t("agencies.deleted", title=esc(row["title"])),
                        form=form,
                    )


def _cell(value: Any) -> Any:
    """A cell of the task frame as a form shows it: None for a blank (pandas' NaN, NaT), so a
    task without a note or «involvert» does not show (and save) «nan»."""
    if isinstance(value, list | tuple):
        return value
    return None if pd.isna(value) else value


def _save(action: Any, message: str, *, form: str, nothing: str | None = None) -> None:
    """Run a save from the form with this key; on success say so after a rerun, with the form
    emptied (it shows what is stored), else say why nothing was saved (what was typed stays;
    after a colleague's change, a retry saves over it, as the message says)."""
    try:
        changed = action()
    except FAILURES as exc:
        if isinstance(exc, StaleRow):
            st.session_state.get(SEEN, {}).pop(form, None)
        _fail(exc)
        return
    if changed is False and nothing:
        st.info(nothing, icon=":material/info:")
        return
    _forget(form)
    st.session_state[DONE] = message
    st.rerun()


def _task_form(
    key: str,
    row: dict[str, Any] | None,
    orgs: dict[int, str],
    initiatives: dict[int, str],
) -> TaskInput | None:
    """A task's fields (filled from row when editing); the checked input when submitted."""
    row = row or {}
    kinds = [k.value for k in TaskEnd]
    statuses = [s.value for s in TaskStatus]
    with st.form(key):
        title = st.text_input(
            t("agencies.col.task"),
            value=row.get("title", ""),
            max_chars=300,
            key=f"{key}-title",
        )
        description = st.text_area(
            t("agencies.description"),
            value=row.get("description") or "",
            max_chars=2000,
            key=f"{key}-description",
        )
        leads = st.multiselect(
            t("agencies.col.lead"),
            list(orgs),
            default=[o for o in row.get("lead_ids", []) if o in orgs],
            format_func=lambda o: orgs.get(o, str(o)),
            placeholder=t("agencies.none"),
            key=f"{key}-leads",
        )
        participants = st.multiselect(
            t("agencies.col.participants"),
            list(orgs),
            default=[o for o in row.get("participant_ids", []) if o in orgs],
            format_func=lambda o: orgs.get(o, str(o)),
            placeholder=t("agencies.none"),
            key=f"{key}-participants",
        )
        involved = st.text_input(
            t("agencies.col.involved"),
            value=row.get("involved") or "",
            max_chars=300,
            key=f"{key}-involved",
        )
        end_kind = st.selectbox(
            t("agencies.col.duration"),
            kinds,
            index=kinds.index(str(row.get("end_kind", TaskEnd.UNKNOWN))),
            format_func=lambda k: t(f"agencies.end_kind.{k}"),
            placeholder=t("common.choose_one"),
            key=f"{key}-end-kind",
        )
        end, precision = _date_inputs(
            key, row.get("end"), str(row.get("end_precision", DatePrecision.DAY)), "end"
        )
        status = st.selectbox(
            t("col.status"),
            statuses,
            index=statuses.index(str(row.get("status", TaskStatus.UNKNOWN))),
            format_func=lambda s: label(s, "TaskStatus"),
            placeholder=t("common.choose_one"),
            key=f"{key}-status",
        )
        same_work = st.multiselect(
            t("agencies.col.initiatives"),
            list(initiatives),
            default=[i for i in row.get("initiative_ids", []) if i in initiatives],
            format_func=lambda i: initiatives.get(i, str(i)),
            placeholder=t("agencies.none"),
            key=f"{key}-initiatives",
        )
        text = st.text_area(
            t("col.note"), value=row.get("note") or "", max_chars=2000, key=f"{key}-note"
        )
        submitted = st.form_submit_button(t("agencies.save_task"), icon=":material/save:")
    if not submitted:
        return None
    try:
        return TaskInput(
            title=title,
            description=description,
            involved=involved,
            end_kind=TaskEnd(end_kind),
            end=end if end_kind == TaskEnd.DATE else None,
            end_precision=precision,
            status=TaskStatus(status),
            note=text,
            lead_ids=leads,
            participant_ids=participants,
            initiative_ids=same_work,
        )
    except ValidationError as exc:
        _fail(exc)
        return None
