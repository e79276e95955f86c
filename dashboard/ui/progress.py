"""Status against target and reporting completeness as the pages show them (services.progress)."""

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard.i18n import enum_key, translate
from dashboard.i18n.formatting import OSLO, date, measured, number, percent
from dashboard.services.indicators import IndicatorDetail
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.progress import (
    MISSING,
    GoalProgress,
    PeriodCompleteness,
    completeness_counts,
    open_completeness,
    period_completeness,
    unapproved,
)
from dashboard.statistics.suppression import hidden_count
from dashboard.ui.context import label, lang, sees_suppressed, t
from dashboard.ui.data import query
from dashboard.ui.report_tables import coverage
from dashboard.ui.suppression import shown_value
from dashboard.ui.widgets import data_table, downloads, esc
from models import EntryStatus, ProgressStatus

P = ProgressStatus
# A colour and an icon per status; the words are always there too, so colour is never the only cue.
Colour = Literal["blue", "green", "yellow", "orange", "red", "gray"]
LOOK: dict[ProgressStatus, tuple[Colour, str]] = {
    P.REACHED: ("blue", ":material/flag:"),
    P.ON_TRACK: ("green", ":material/check_circle:"),
    P.SOME_PROGRESS: ("yellow", ":material/timelapse:"),
    P.OFF_TRACK: ("orange", ":material/warning:"),
    P.WORSENING: ("red", ":material/trending_flat:"),
    P.NO_TARGET: ("gray", ":material/remove:"),
    P.NO_BASELINE: ("gray", ":material/remove:"),
    P.NO_DATA: ("gray", ":material/help:"),
}


def today() -> dt.date:
    """Today's date in Norway (due dates are Norwegian dates)."""
    return dt.datetime.now(OSLO).date()


def status_text(status: ProgressStatus | str, state: object, lang: str) -> str:
    """A status's label, marked as provisional when it rests on a value that is not approved."""
    text = translate(lang, enum_key(ProgressStatus(status)))
    pending = unapproved(state)
    if pending is None:
        return text
    state_text = translate(lang, enum_key(pending)).lower()
    return translate(lang, "progress.provisional", status=text, state=state_text)


def status_column(statuses: Iterable[object], states: Iterable[object], lang: str) -> list[str]:
    """Status labels for a table column (states: the workflow state each status rests on)."""
    known: dict[tuple[object, object], str] = {}
    result = []
    for pair in zip(statuses, states, strict=True):
        if pair not in known:
            known[pair] = status_text(str(pair[0]), pair[1], lang)
        result.append(known[pair])
    return result


def state_column(states: Iterable[object]) -> list[str]:
    """Workflow states as labels ('–' where there is no value)."""
    return [
        label(EntryStatus(str(s)), "EntryStatus") if isinstance(s, str) else "–" for s in states
    ]


def status_badge(status: ProgressStatus | str, state: object = None) -> None:
    """The status as a coloured badge with an icon and its words."""
    colour, icon = LOOK[ProgressStatus(status)]
    st.badge(status_text(status, state, lang()), icon=icon, color=colour)


def _fmt(value: float | None, detail: IndicatorDetail) -> str:
    """A value of the indicator with its unit, escaped for markdown."""
    ind = detail.indicator
    return esc(measured(value, ind.measure, ind.unit, lang()))


def _plain(value: float) -> str:
    """A number with at most two decimals, no unit (a change, a number of years)."""
    shown = round(value, 2)
    return number(shown, lang(), 0 if float(shown).is_integer() else 2)


def _year(year: int | None) -> str:
    return str(year) if year is not None else "–"


def _share(value: float) -> str:
    """A ratio as a percentage ('87 %')."""
    return percent(value * 100, lang(), 0)


def _shown(value: float | None, detail: IndicatorDetail) -> str:
    """A measured value (baseline, latest) of the indicator as the reader sees it: «:» for
    partners where it is a suppressed small number, marked for the internal roles."""
    ind = detail.indicator
    return esc(shown_value(value, ind.measure, ind.unit, lang(), internal=sees_suppressed()))


def explain_status(detail: IndicatorDetail) -> None:
    """An expander that shows how the indicator's status was computed, with its numbers (for
    partners and visitors without a suppressed small number, nor what would give it back)."""
    ind, result, limits = detail.indicator, detail.progress, detail.thresholds
    hides = not sees_suppressed() and (
        hidden_count(ind.baseline_value, ind.measure) or hidden_count(result.value, ind.measure)
    )
    shares = {"on_track": _share(limits.on_track), "some_progress": _share(limits.some_progress)}
    lines = [
        t(
            "progress.explain.baseline",
            value=_shown(ind.baseline_value, detail),
            year=_year(ind.baseline_year),
        )
        if ind.baseline_value is not None
        else t("progress.explain.no_baseline"),
        t(
            "progress.explain.target",
            value=_fmt(ind.target_value, detail),
            year=_year(ind.target_year),
        )
        if ind.target_value is not None
        else t("progress.explain.no_target"),
    ]
    latest, year = detail.latest, result.year
    if latest is not None and year is not None:
        latest_line = t(
            "progress.explain.latest",
            value=_shown(result.value, detail),
            period=esc(latest["period"]),
        )
        lines.append(latest_line)
        start, end = ind.baseline_year, ind.target_year
        # for partners, the expected value and the change would give a hidden number back
        if (
            not hides
            and result.reason in ("ratio", "at_baseline")
            and start is not None
            and end is not None
        ):
            expected = t(
                "progress.explain.expected",
                elapsed=_plain(year - start),
                span=_plain(end - start),
                value=_fmt(result.expected, detail),
            )
            lines.append(expected)
        if (
            not hides
            and result.ratio is not None
            and result.value is not None
            and result.expected is not None
        ):
            base = ind.baseline_value or 0.0
            actual, wanted = result.value - base, result.expected - base
            lines.append(
                t(
                    "progress.explain.ratio",
                    actual=esc(_plain(actual)),
                    expected=esc(_plain(wanted)),
                    ratio=_share(result.ratio),
                )
            )
    if ind.tolerance:
        lines.append(t("progress.explain.tolerance", value=_fmt(ind.tolerance, detail)))
    lines.append(t("progress.explain.thresholds", **shares))
    status = label(result.status, "ProgressStatus")
    with st.expander(t("progress.explain")):
        st.markdown(t("progress.method", **shares))
        st.markdown("\n".join(f"- {line}" for line in lines))
        st.markdown(t(f"progress.reason.{result.reason}", status=status))


def indicator_status(detail: IndicatorDetail) -> None:
    """The indicator's status as a badge, a note when it rests on a value that is not approved
    (only the internal roles see such values), and how it was computed.
    """
    latest = detail.latest
    pending = None if latest is None else unapproved(latest["status"])
    status_badge(detail.progress.status, pending)
    if latest is not None and pending is not None:
        st.caption(
            t(
                "progress.rests_on_unapproved",
                state=label(pending, "EntryStatus").lower(),
                period=esc(latest["period"]),
            )
        )
    explain_status(detail)


def goal_status_text(progress: GoalProgress) -> str:
    """A goal's rolled-up status in words, with how many of its indicators it rests on, and
    marked when it is provisional."""
    text = label(progress.status, "ProgressStatus")
    text = t("progress.provisional_goal", status=text) if progress.provisional else text
    return coverage(text, progress.measured, progress.total, lang())


def badge_markdown(status: ProgressStatus | str, text: str) -> str:
    """A status badge inside a line of markdown (text is escaped here)."""
    colour, icon = LOOK[ProgressStatus(status)]
    return f":{colour}-badge[{icon} {esc(text)}]"


def goal_status(progress: GoalProgress) -> None:
    """A goal's rolled-up status as a badge, with how many of its indicators are on course."""
    st.markdown(badge_markdown(progress.status, goal_status_text(progress)))
    parts = []
    if progress.measured:
        parts.append(
            t("progress.goal_counts", on_course=progress.on_course, count=progress.measured)
        )
    if progress.provisional:
        parts.append(t("progress.goal_provisional"))
    if parts:
        st.caption(" ".join(parts))


def status_summary(counts: pd.DataFrame, *, internal: bool) -> None:
    """How many indicators have each status (and, for internal roles, how many provisionally)."""
    table = pd.DataFrame(
        {
            t("progress.col.status"): [label(s, "ProgressStatus") for s in counts.index],
            t("col.count"): counts["count"].to_numpy(),
        }
    )
    if internal:
        table[t("progress.col.provisional")] = counts["provisional"].to_numpy()
    st.caption(t("progress.summary_internal" if internal else "progress.summary_approved"))
    data_table(table, hide_index=True, width="stretch")


# --- completeness ------------------------------------------------------------------------------


def _state_label(state: str) -> str:
    """'Mangler' for a missing value, else the workflow state's label."""
    return t("progress.state.missing") if state == MISSING else label(state, "EntryStatus")


COUNT_KEYS = {
    "total": "progress.col.total",
    MISSING: "progress.state.missing",
    "draft": "progress.col.draft",
    "submitted": "progress.col.awaiting",
    "returned": "progress.col.returned",
    "approved": "progress.col.approved",
    "overdue": "progress.col.overdue",
}


def _due_text(item: PeriodCompleteness, on: dt.date) -> str:
    """The period's due date, and whether it has passed."""
    if item.due is None:
        return t("progress.no_due")
    key = "progress.due_passed" if on > item.due else "progress.due"
    return t(key, due=date(item.due, lang()))


def completeness_block(item: PeriodCompleteness, *, internal: bool, key: str) -> None:
    """One period's completeness: headline counts, counts per organisation and, for the internal
    roles, each indicator's state (what is missing, overdue, awaiting approval), downloadable.
    """
    rows, on = item.rows, today()
    st.caption(f"{_due_text(item, on)} {t('progress.completeness_rule')}")
    if rows.empty:
        st.info(t("progress.none_expected"), icon=":material/info:")
        return
    totals = completeness_counts(rows).iloc[0]
    cols = st.columns(5)
    for column, name in zip(
        cols, ["total", "approved", "submitted", MISSING, "overdue"], strict=True
    ):
        column.metric(t(COUNT_KEYS[name]), int(totals[name]))
    by_org = completeness_counts(rows, by="organisation").reset_index()
    by_org.columns = [t("col.organisation"), *(t(COUNT_KEYS[c]) for c in by_org.columns[1:])]
    data_table(by_org, hide_index=True, width="stretch")
    if not internal:
        return
    outstanding = rows[rows["state"] != EntryStatus.APPROVED.value]
    with st.expander(t("progress.outstanding", count=len(outstanding))):
        if outstanding.empty:
            st.caption(t("progress.all_approved"))
        else:
            data_table(_indicator_rows(outstanding), hide_index=True, width="stretch")
        downloads(_indicator_rows(rows), f"rapportering-{item.label}", key=key)


def _indicator_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's state in the period, as the internal roles see it."""
    language = lang()
    return pd.DataFrame(
        {
            t("col.code"): rows["code"],
            t("col.indicator"): rows["name"],
            t("col.organisation"): rows["organisation"].fillna("–"),
            t("col.status"): [_state_label(s) for s in rows["state"]],
            t("col.value"): [
                measured(v, m, u, language) if pd.notna(v) else "–"
                for v, m, u in zip(rows["value"], rows["measure"], rows["unit"], strict=True)
            ],
            t("progress.col.overdue"): [t("common.yes") if o else "" for o in rows["overdue"]],
            t("progress.col.expected"): [
                t("common.yes") if e else t("common.no") for e in rows["expected"]
            ],
        }
    )


def completeness_section(actor: Actor, mission_id: int, period_id: int) -> None:
    """How far one period's reporting has come (for the Rapportering page)."""
    item = query(period_completeness, mission_id, period_id, today())
    if item is None:
        st.warning(t("workflow.no_period"))
        return
    st.header(t("progress.completeness_for", period=esc(item.label)))
    internal = allowed(actor, Action.READ_UNAPPROVED)
    completeness_block(item, internal=internal, key=f"completeness-{period_id}")


def open_periods_section(mission_id: int, *, internal: bool) -> None:
    """The completeness of every open period that has started (for Oversikt)."""
    items = query(open_completeness, mission_id, today())
    if not items:
        st.caption(t("reporting.no_open_period"))
        return
    for item in items:
        st.subheader(t("progress.completeness_for", period=esc(item.label)))
        completeness_block(item, internal=internal, key=f"open-{item.period_id}")
