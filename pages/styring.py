"""Styring: governance bodies and their members, the decisions log, the mission's phases with
their deliverables (and a timeline), and the agencies' cooperation tasks (etatssamarbeidet)."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date
from dashboard.services.governance import bodies, deliverables
from dashboard.services.permissions import Action, allowed
from dashboard.ui.admin import reopen_section
from dashboard.ui.agencies import phases_section, show_done, tasks_section
from dashboard.ui.charts import timeline_chart
from dashboard.ui.context import category_label, current_actor, label, lang, sees_unapproved, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.decisions import decision_log_section, published_decisions
from dashboard.ui.portfolio import TIMELINE_COLOURS
from dashboard.ui.reporting import show_messages
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    empty_state,
    esc,
    mission_text,
    note,
    page_header,
)

mission = current_mission()
assert mission.id is not None
mission_id: int = mission.id
page_header("page.governance", "governance.intro")
show_messages()


def when(row: pd.Series, column: str) -> str:
    """A deliverable date in words, as precise as the sources are."""
    value = row[column]
    if pd.isna(value):
        return "–"
    return date(value, lang(), month_only=row["date_precision"] == "month")


def bodies_tab() -> None:
    """The governance bodies, the decisions log, and the steering group's re-opening."""
    st.header(t("governance.bodies"))
    all_bodies = query(bodies, mission_id)
    if not all_bodies:
        empty_state("empty.no_bodies", "empty.who_admin")
    for entry in all_bodies:
        body = entry.body
        with st.container(border=True):
            st.subheader(esc(body.name))
            st.caption(f"{label(body.kind, 'BodyKind')} · {esc(category_label(body.phase))}")
            if body.description:
                mission_text(body.description)
            note(body.note)
            if not entry.members.empty:
                members = pd.DataFrame(
                    {
                        t("col.organisation"): entry.members["short_name"],
                        t("col.name"): entry.members["name"],
                        t("col.lead"): [
                            t("common.yes") if x else "" for x in entry.members["lead"]
                        ],
                        t("col.note"): entry.members["note"].fillna(""),
                    }
                )
                data_table(members, hide_index=True, width="stretch")

    st.header(t("decision.log"))
    st.caption(t("decision.log_help"))
    if sees_unapproved():
        decision_log_section(current_actor(), mission_id)
    else:
        published_decisions(mission_id)

    actor = current_actor()
    if allowed(actor, Action.REOPEN_PERIOD) and not allowed(actor, Action.MANAGE_PERIODS):
        st.header(t("periods.reopen_header"))  # the secretariat does this under Administrasjon
        st.caption(t("periods.reopen_help"))
        reopen_section(actor, mission_id)


def deliverables_section() -> None:
    """The deliverables on a timeline (with the table beside it)."""
    st.header(t("governance.deliverables"))
    items = query(deliverables, mission_id)
    if items.empty:
        empty_state("empty.no_deliverables", "empty.who_admin")
        return

    table = pd.DataFrame(
        {
            t("col.number"): items["number"],
            t("col.deliverable"): items["title"],
            t("col.due"): [when(r, "due") for _, r in items.iterrows()],
            t("col.delivered"): [when(r, "delivered") for _, r in items.iterrows()],
            t("col.status"): [label(s, "DeliverableStatus") for s in items["status"]],
            t("col.note"): items["note"].fillna(""),
        }
    )
    dated = (
        items.assign(when=items["delivered"].fillna(items["due"]))
        .dropna(subset=["when"])
        .sort_values("when")
    )
    if dated.empty:  # nothing to put on a time axis: the table says it all
        data_table(table, hide_index=True, width="stretch")
        return
    timeline = pd.DataFrame(
        {
            "date": pd.to_datetime(dated["when"]),
            "title": [f"{n}. {x}" for n, x in zip(dated["number"], dated["title"], strict=True)],
            "status": [label(s, "DeliverableStatus") for s in dated["status"]],
        }
    )
    colours = {  # as on Portefølje's timeline, for the statuses shown
        label(status, kind): colour
        for status, kind, colour, _look in TIMELINE_COLOURS
        if kind == "DeliverableStatus" and label(status, kind) in set(timeline["status"])
    }
    chart = chart_spec(
        timeline_chart,
        points=timeline,
        status_title=t("col.status"),
        colours=colours,
        lang=lang(),
    )
    undated = len(items) - len(dated)
    alt_text = t(
        "governance.timeline_alt",
        count=len(dated),
        first=when(dated.iloc[0], "delivered" if pd.notna(dated.iloc[0]["delivered"]) else "due"),
        last=when(dated.iloc[-1], "delivered" if pd.notna(dated.iloc[-1]["delivered"]) else "due"),
        undated=undated,
    )
    st.subheader(t("governance.timeline"))
    chart_with_table(chart, alt_text, table)


show_done()
governance_tab, phases_tab, agencies_tab = st.tabs(
    [t("governance.tab.bodies"), t("governance.tab.phases"), t("governance.tab.agencies")]
)
with governance_tab:
    bodies_tab()
with phases_tab:
    phases_section(current_actor(), mission.id)
    deliverables_section()
with agencies_tab:
    tasks_section(current_actor(), mission.id)
