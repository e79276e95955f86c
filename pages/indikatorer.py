"""Indikatorer: each indicator's baseline, values and target as chart and table, with metadata."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import measured
from dashboard.services.indicators import indicator_choices, indicator_detail, indicator_table
from dashboard.ui.breakdowns import breakdown_section
from dashboard.ui.charts import describe_indicator, indicator_chart, indicator_points
from dashboard.ui.choices import shared_choices
from dashboard.ui.context import label, lang, sees_suppressed, sees_unapproved, t
from dashboard.ui.data import current_mission, derived, query
from dashboard.ui.framework import indicator_history_section
from dashboard.ui.progress import indicator_status
from dashboard.ui.suppression import (
    any_hidden,
    frame_hides,
    marked_points,
    plotted,
    plotted_value,
    shown_points,
    shown_value,
)
from dashboard.ui.tables import INDICATOR_VALUES, indicator_overview
from dashboard.ui.url_state import clear_button, url_selectbox, url_value_unknown
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    downloads,
    empty_state,
    esc,
    field_table,
    link_table,
    mission_text,
    note,
    page_header,
    suppression_caption,
)

mission = current_mission()
assert mission.id is not None
page_header("page.indicators", "indicators.intro")

names = shared_choices(
    query(indicator_choices, mission.id), "{name} ({key})", ("indicators", mission.id)
)
if not names.options:
    empty_state("empty.no_indicators", "empty.who_admin")
    st.stop()
if url_value_unknown("kode", names.labels):
    st.error(t("indicators.not_found"))
code = url_selectbox(
    t("indicators.pick"),
    names.options,
    key="kode",
    format_func=names.label,
    placeholder=t("indicators.pick_placeholder"),
)
if code is None:  # no indicator chosen: the list of all of them, each with a link
    st.header(t("indicators.all"))
    indicators = query(indicator_table, mission.id, include_unapproved=sees_unapproved())
    internal, hidden = sees_unapproved(), sees_suppressed()
    overview = derived(  # the same for every reader in this language and role group
        indicator_overview,
        (mission.id, lang(), internal, hidden),
        indicators,
        internal,
        hidden,
        mission.key,
    )
    link_table(overview, t("col.open"))
    suppression_caption(frame_hides(indicators, INDICATOR_VALUES))
    downloads(overview.drop(columns=[t("col.open")]), "indikatorer", key="all")
    st.stop()
detail = query(indicator_detail, mission.id, code, include_unapproved=sees_unapproved())
if detail is None:
    st.error(t("indicators.not_found"))
    st.stop()
ind = detail.indicator

st.header(esc(ind.name))
if ind.definition:
    mission_text(ind.definition)
indicator_status(detail)
shows_hidden = sees_suppressed()
points = indicator_points(
    plotted(detail.series, ind.measure, internal=shows_hidden),
    baseline_value=plotted_value(ind.baseline_value, ind.measure, internal=shows_hidden),
    baseline_year=ind.baseline_year,
    target_value=ind.target_value,
    target_year=ind.target_year,
    lang=lang(),
)
if ind.target_value is None:
    st.caption(t("indicators.no_target_help"))
if points.empty:
    empty_state("indicators.no_data", "indicators.who_reports")
else:
    y_title = "%" if ind.measure == "percent" else (ind.unit or "")
    table = pd.DataFrame(
        {
            t("col.series"): points["series"],
            t("col.period"): points["period"],
            t("col.value"): shown_points(
                points, ind.measure, ind.unit, lang(), internal=shows_hidden
            ),
        }
    )
    if sees_unapproved():  # drafts and submitted values are in the chart: say which they are
        table[t("progress.col.value_state")] = points["state"]
    charted = marked_points(points, ind.measure, lang(), internal=shows_hidden)
    chart_with_table(
        chart_spec(indicator_chart, points=charted, y_title=y_title, lang=lang()),
        describe_indicator(charted, name=ind.name, measure=ind.measure, unit=ind.unit, lang=lang()),
        table,
    )

st.subheader(t("indicators.values"))
if detail.series.empty:
    st.caption(t("indicators.only_baseline"))
else:
    series = pd.DataFrame(
        {
            t("col.period"): detail.series["period"],
            t("col.value"): [
                shown_value(v, ind.measure, ind.unit, lang(), internal=shows_hidden)
                for v in detail.series.value
            ],
            t("col.status"): [label(s, "EntryStatus") for s in detail.series["status"]],
            t("col.source_note"): detail.series["source_note"].fillna(""),
        }
    )
    if not sees_unapproved():  # partners see approved values only: no status to tell apart
        series = series.drop(columns=[t("col.status")])
    data_table(series, hide_index=True, width="stretch")
    suppression_caption(any_hidden(detail.series.value, [ind.measure] * len(detail.series)))
    downloads(series, f"indikator-{ind.code}", key="series")

breakdown_section(ind, internal=sees_unapproved())

st.subheader(t("indicators.metadata"))
metadata = {
    t("col.code"): ind.code,
    t("col.unit"): ind.unit or "–",
    t("col.measure"): label(ind.measure, "Measure"),
    t("col.direction"): label(ind.direction, "Direction"),
    t("col.baseline"): shown_value(
        ind.baseline_value, ind.measure, ind.unit, lang(), internal=shows_hidden
    ),
    t("col.baseline_year"): ind.baseline_year or "–",
    t("col.baseline_note"): ind.baseline_note or "–",
    t("col.target"): (
        f"{measured(ind.target_value, ind.measure, ind.unit, lang())} ({ind.target_year or '–'})"
        if ind.target_value is not None
        else t("common.no_target")
    ),
    t("col.source"): ind.source or "–",
    t("col.source_table"): ind.source_table or "–",
    t("col.frequency"): label(ind.frequency, "Frequency"),
    t("col.level"): label(ind.level, "IndicatorLevel"),
    t("col.responsible"): detail.responsible or "–",
    t("col.goals"): ", ".join(f"{c} {g}" for c, g in detail.goals) or "–",
}
field_table(metadata)
note(ind.note)

assert ind.id is not None
indicator_history_section(ind.id, ind.measure)

clear_button(t("indicators.back_to_all"), key="kode")
