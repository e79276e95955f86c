"""The mission's own way of working in the UI: steps on the coordination staircase (assessed in
the period's check-in, their history on Satsing, the portfolio by step on Portefølje) and the
system levels an initiative works on (edited on Satsing)."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.services.method import (
    LEVELS,
    StepNow,
    assess_initiative_step,
    assess_link_step,
    check_in_steps,
    initiative_levels,
    portfolio_by_step,
    set_system_levels,
    step_history,
)
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.portfolio_edit import PortfolioRefused, StaleRow
from dashboard.services.reporting_views import open_periods as open_periods_of
from dashboard.ui.context import label, t
from dashboard.ui.data import query
from dashboard.ui.refusals import FAILURES, refusal
from dashboard.ui.widgets import data_table, downloads, esc
from models import STEPS, StepAssessment

OWN_CODES = {"no_period", "period_locked", "no_link", "unknown_level"}
DONE = "method_done"  # what the last save did, shown on the run after it


def step_text(step: object) -> str:
    """A step as '3. Trekke i samme retning', or «ikke vurdert»."""
    if not isinstance(step, int) or step not in STEPS:
        return t("method.not_assessed")
    return f"{step}. {t(f'method.step.{step}')}"


def levels_text(levels: list[str]) -> str:
    """The system levels named, in the iceberg's order, or «ikke vurdert»."""
    named = [label(v, "SystemLevel") for v in LEVELS if v in {str(x) for x in levels}]
    return ", ".join(named) or t("method.not_assessed")


def _why(exc: Exception) -> list[str]:
    """Why a change was not saved, in the UI language."""
    return refusal(exc, OWN_CODES, "method")


# --- the check-in: steps of the initiative and its links ----------------------------------------


def _link_label(item: StepNow) -> str:
    other, kind = item.label.rsplit("|", 1)
    return t("method.link_label", other=esc(other), kind=label(kind, "LinkKind"))


def _step_inputs(key: str, title: str, item: StepNow) -> tuple[int | None, str]:
    """A step and its rationale for one subject, filled with what is stored."""
    st.markdown(f"**{title}**")
    if item.previous is not None:
        st.caption(t("method.previous", step=step_text(item.previous)))
    step = st.selectbox(
        t("method.step"),
        list(STEPS),
        index=STEPS.index(item.step) if item.step in STEPS else None,
        format_func=step_text,
        key=f"{key}-step",
        placeholder=t("method.not_assessed"),
        help=t("method.step_help"),
    )
    rationale = st.text_input(
        t("method.rationale"),
        value=item.rationale or "",
        max_chars=500,
        key=f"{key}-rationale",
        help=t("method.rationale_help"),
    )
    return step, rationale


def check_in_steps_section(
    actor: Actor, initiative_id: int, period_id: int, *, heading: bool = True, done_key: str = DONE
) -> None:
    """The period's steps on the coordination staircase: the initiative's and its links'
    (under a heading of its own, or none inside another section); what a save did goes to
    done_key."""
    if not allowed(actor, Action.MANAGE_PORTFOLIO):
        return
    try:
        mine, links = query(check_in_steps, initiative_id, period_id)
    except PortfolioRefused:
        return
    key = f"steps-{period_id}-{initiative_id}"
    if heading:
        st.header(t("method.staircase"))
    st.caption(t("method.staircase_help"))
    with st.form(key):
        chosen: list[tuple[Callable[..., bool], StepNow, tuple[int | None, str]]] = [
            (assess_initiative_step, mine, _step_inputs(f"{key}-i", t("method.this"), mine))
        ]
        for item in links:
            inputs = _step_inputs(f"{key}-l{item.subject_id}", _link_label(item), item)
            chosen.append((assess_link_step, item, inputs))
        saved = st.form_submit_button(t("method.save_steps"), icon=":material/stairs:")
    if saved:
        _save_steps(actor, period_id, chosen, done_key)


def steps_edit_section(
    actor: Actor, mission_id: int, initiative_id: int, key: str, done_key: str
) -> None:
    """On Satsing: the steps of an open period of the mission, for those who may change the
    portfolio and report no check-in themselves (the secretariat) or assess another
    organisation's."""
    open_periods = dict(query(open_periods_of, mission_id))
    if not open_periods:
        st.caption(t("method.no_open_period"))
        return
    period_id = st.selectbox(
        t("col.period"),
        list(open_periods),
        format_func=lambda i: open_periods.get(i, ""),
        key=f"{key}-period",
        placeholder=t("common.choose_one"),
    )
    if period_id is not None:
        check_in_steps_section(actor, initiative_id, period_id, heading=False, done_key=done_key)


def _save_steps(
    actor: Actor,
    period_id: int,
    chosen: list[tuple[Callable[..., bool], StepNow, tuple[int | None, str]]],
    done_key: str,
) -> None:
    problems: list[str] = []
    changed = 0
    for assess, item, (step, rationale) in chosen:
        if step is None and not rationale.strip():
            continue  # not assessed, and nothing typed
        if step == item.step and rationale.strip() == (item.rationale or ""):
            continue
        if step is None:
            problems.append(t("method.step_missing"))
            continue
        try:
            data = StepAssessment(step=step, rationale=rationale)
            changed += assess(actor, item.subject_id, period_id, data, seen=item.seen)
        except FAILURES as exc:
            problems.extend(_why(exc))
    if problems:
        st.error("\n\n".join(f"- {esc(p)}" for p in dict.fromkeys(problems)))
        return
    if not changed:
        st.info(t("method.unchanged"), icon=":material/info:")
        return
    st.session_state[done_key] = t("method.steps_saved", count=changed)
    st.rerun()


def show_steps_saved() -> None:
    """What the last save of steps did, once (after the rerun it asked for)."""
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")


# --- Satsing: the history, and the system levels -------------------------------------------------


def step_history_section(initiative_id: int) -> None:
    """The initiative's and its links' steps, period by period, with the movement."""
    st.subheader(t("method.staircase"))
    history = query(step_history, initiative_id)
    if history.empty:
        st.caption(t("method.no_history"))
        return
    data_table(
        pd.DataFrame(
            {
                t("col.period"): history["period"],
                t("method.subject"): [
                    t("method.this")
                    if not s
                    else t("method.link_label", other=s, kind=label(k, "LinkKind"))
                    for s, k in zip(history["subject"], history["kind"], strict=True)
                ],
                t("method.step"): [step_text(int(s)) for s in history["step"]],
                t("method.change"): [_movement(int(c)) for c in history["change"]],
                t("method.rationale"): history["rationale"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _movement(change: int) -> str:
    if change > 0:
        return t("method.moved_up", count=change)
    if change < 0:
        return t("method.moved_down", count=-change)
    return "–"


def levels_edit_section(actor: Actor, initiative_id: int, key: str, done_key: str) -> None:
    """The system levels the initiative works on, for those who may change the portfolio;
    what a save did goes to done_key (shown above the edit forms on the next run)."""
    levels = query(initiative_levels, initiative_id)
    shown: dict[int, list[str]] = st.session_state.setdefault("method_levels_seen", {})
    seen = shown.setdefault(initiative_id, levels)
    st.caption(t("method.levels_help"))
    with st.form(f"levels-{key}"):
        chosen = st.multiselect(
            t("method.levels"),
            LEVELS,
            default=levels,
            format_func=lambda v: label(v, "SystemLevel"),
            placeholder=t("method.not_assessed"),
            key=f"levels-{key}-pick",
        )
        saved = st.form_submit_button(t("method.save_levels"), icon=":material/save:")
    if not saved:
        return
    try:
        changed = set_system_levels(actor, initiative_id, chosen, seen=seen)
    except FAILURES as exc:
        if isinstance(exc, StaleRow):
            shown[initiative_id] = levels  # a retry saves over it, knowingly
        st.error("\n\n".join(f"- {esc(m)}" for m in _why(exc)))
        return
    shown.pop(initiative_id, None)
    if not changed:
        st.info(t("method.unchanged"), icon=":material/info:")
        return
    st.session_state[done_key] = t("method.levels_saved")
    st.rerun()


# --- Portefølje: the portfolio by step ---------------------------------------------------------


def by_step_view(selected: pd.DataFrame, mission_id: int) -> None:
    """How many of the chosen initiatives, and of their links, stand on each step now."""
    st.header(t("method.by_step"))
    st.caption(t("method.by_step_help"))
    numbers = tuple(int(n) for n in selected["number"])
    table = query(portfolio_by_step, mission_id, numbers)
    shown = pd.DataFrame(
        {
            t("method.step"): [step_text(s) for s in table["step"]],
            t("method.initiatives"): table["initiatives"],
            t("method.links"): table["links"],
        }
    )
    data_table(shown, hide_index=True, width="stretch")
    downloads(shown, "samordningstrappen", key="by-step")
