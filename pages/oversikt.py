"""Oversikt: the mission at a glance."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date, local_date
from dashboard.services.indicators import indicator_count, indicator_table
from dashboard.services.overview import portfolio_counts, status_overview
from dashboard.services.portfolio import categories
from dashboard.services.status_reports import since_last_report
from dashboard.ui.agencies import phase_line
from dashboard.ui.charts import bar_chart
from dashboard.ui.context import label, lang, sees_suppressed, sees_unapproved, t
from dashboard.ui.data import current_mission, derived, query
from dashboard.ui.progress import (
    badge_markdown,
    goal_status_text,
    open_periods_section,
    status_summary,
    today,
)
from dashboard.ui.status_reports import changes_view
from dashboard.ui.suppression import frame_hides
from dashboard.ui.tables import INDICATOR_VALUES, key_indicator_display
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    counts_table,
    data_table,
    empty_state,
    esc,
    link_to,
    mission_text,
    note,
    page_header,
    suppression_caption,
)

KEY_INDICATORS = 12

mission = current_mission()
assert mission.id is not None
page_header("page.overview", "overview.intro")

st.header(esc(mission.title))
phase_line(mission.id)
if mission.aim:
    mission_text(mission.aim)
note(mission.horizon_note)

counts = query(portfolio_counts, mission.id)
indicators = query(
    indicator_table, mission.id, include_unapproved=sees_unapproved(), limit=KEY_INDICATORS
)
cols = st.columns(4)
cols[0].metric(t("overview.metric.initiatives"), counts.total)
cols[1].metric(t("overview.metric.organisations"), counts.organisations)
cols[2].metric(t("overview.metric.indicators"), query(indicator_count, mission.id))
cols[3].metric(t("overview.metric.horizon"), mission.horizon_year or "–")

st.header(t("overview.goals"))
status = query(status_overview, mission.id, include_unapproved=sees_unapproved())
if not any(summary.progress.measured for summary in status.goals):
    st.caption(t("overview.goal_status_pending"))
for summary in status.goals:
    goal = summary.goal
    proposal = f" · _{t('common.proposal')}_" if goal.proposal else ""
    badge = badge_markdown(summary.progress.status, goal_status_text(summary.progress))
    st.markdown(
        f"**{esc(goal.code)} {esc(goal.title)}**{proposal}  \n{badge} · "
        + t(
            "overview.goal_counts",
            indicators=summary.indicators,
            initiatives=summary.initiatives,
        )
    )
st.caption(t("progress.goal_rule"))
link_to("mal.py", t("overview.to_goals"))

st.header(t("overview.key_indicators"))
if indicators.empty:
    empty_state("empty.no_indicators", "empty.who_admin")
else:
    table = derived(  # the same for every reader in this language and role group
        key_indicator_display,
        (mission.id, lang(), sees_unapproved(), sees_suppressed()),
        indicators,
        sees_unapproved(),
        sees_suppressed(),
    )
    data_table(table, hide_index=True, width="stretch")
    suppression_caption(frame_hides(indicators, INDICATOR_VALUES))
    st.subheader(t("progress.summary"))
    status_summary(status.counts, internal=sees_unapproved())
    link_to("indikatorer.py", t("overview.to_indicators"))

st.header(t("progress.reporting"))
open_periods_section(mission.id, internal=sees_unapproved())

st.header(t("overview.portfolio"))
if counts.total == 0:
    empty_state("empty.no_initiatives", "empty.who_admin")
else:
    titles = query(categories).set_index("number")["title"]
    by_category = pd.DataFrame(
        {
            t("col.category"): [
                f"{int(n)}. {titles.get(n, '')}" if pd.notna(n) else t("common.unknown")
                for n in counts.by_category.index
            ],
            t("col.count"): counts.by_category.to_numpy(),
        }
    )
    chart_with_table(
        chart_spec(
            bar_chart,
            frame=by_category,
            label=t("col.category"),
            value=t("col.count"),
            title=t("overview.chart.by_category"),
            lang=lang(),
        ),
        t(
            "overview.chart.by_category_alt",
            total=counts.total,
            top=by_category.iloc[by_category[t("col.count")].argmax()][t("col.category")],
            top_count=int(by_category[t("col.count")].max()),
        ),
        by_category,
    )
    left, right = st.columns(2)
    with left:
        st.subheader(t("overview.chart.by_status"))
        counts_table(counts.by_status, t("col.status"), lambda s: label(s, "InitiativeStatus"))
    with right:
        st.subheader(t("overview.chart.by_focus"))
        counts_table(counts.by_focus, t("col.focus"), lambda f: label(f, "FocusType"))
link_to("portefolje.py", t("overview.to_portfolio"))

st.header(t("overview.changes"))
since = query(since_last_report, mission.id, today(), include_unpublished=sees_unapproved())
if since is None:
    empty_state("empty.no_reports", "empty.who_reports")
else:
    when = date(local_date(since.approved_at), lang())
    count = since.changes.total
    st.markdown(t("report.since_last", period=esc(since.period), when=when, count=count))
    changes_view(since.changes, shared=("since", mission.id, today(), sees_unapproved()))
link_to(
    "statusrapporter.py", t("report.to_reports"), **({"rapport": since.report_id} if since else {})
)
