"""Styring: governance bodies and their members, the decisions log, the mission's phases with
their deliverables (and a timeline), and the agencies' cooperation tasks (etatssamarbeidet)."""

import streamlit as st

from dashboard.services.governance import bodies, deliverables
from dashboard.services.permissions import Action, allowed
from dashboard.ui.admin import reopen_section
from dashboard.ui.agencies import phases_section, show_done, tasks_section
from dashboard.ui.context import category_label, current_actor, label, lang, sees_unapproved, t
from dashboard.ui.data import current_mission, derived, query
from dashboard.ui.decisions import decision_log_section, published_decisions
from dashboard.ui.governance import deliverables_view, member_tables
from dashboard.ui.reporting import show_messages
from dashboard.ui.widgets import (
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


def bodies_tab() -> None:
    """The governance bodies, the decisions log, and the steering group's re-opening."""
    st.header(t("governance.bodies"))
    all_bodies = query(bodies, mission_id)
    if not all_bodies:
        empty_state("empty.no_bodies", "empty.who_admin")
    tables = derived(member_tables, (mission_id, lang()), all_bodies)
    for entry, members in zip(all_bodies, tables, strict=True):
        body = entry.body
        with st.container(border=True):
            st.subheader(esc(body.name))
            st.caption(f"{label(body.kind, 'BodyKind')} · {esc(category_label(body.phase))}")
            if body.description:
                mission_text(body.description)
            note(body.note)
            if members is not None:
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
    table, chart, alt_text = derived(deliverables_view, (mission_id, lang()), items)
    if chart is None:
        data_table(table, hide_index=True, width="stretch")
        return
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
