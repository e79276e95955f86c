"""Satsing: one initiative, opened by its deep link ?nr=N."""

import pandas as pd
import streamlit as st

from dashboard.services.portfolio import initiative_choices, initiative_detail
from dashboard.ui.agencies import initiative_tasks_note
from dashboard.ui.choices import shared_choices
from dashboard.ui.context import current_actor, label, labels, sees_unapproved, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.funding import funding_section, learning_section
from dashboard.ui.involvement import involvement_section
from dashboard.ui.method import levels_text, step_history_section
from dashboard.ui.portfolio_edit import edit_section
from dashboard.ui.tables import years_text
from dashboard.ui.url_state import url_selectbox, url_value_unknown
from dashboard.ui.widgets import (
    data_table,
    empty_state,
    esc,
    field_table,
    link_table,
    mission_text,
    note,
    page_header,
    page_href,
)

mission = current_mission()
assert mission.id is not None
page_header("page.initiative")

choices = shared_choices(
    query(initiative_choices, mission.id), "{key}. {name}", ("initiatives", mission.id)
)
if url_value_unknown("nr", choices.labels, int):
    st.error(t("initiative.not_found", nr=esc(st.query_params.get("nr"))))
picked = url_selectbox(
    t("initiative.pick"),
    choices.options,
    key="nr",
    parse=int,
    format_func=choices.label,
    placeholder=t("initiative.pick_placeholder"),
)
if picked is None:
    empty_state("initiative.none_chosen", "initiative.none_chosen_help")
    st.stop()

detail = query(initiative_detail, mission.id, picked, include_unapproved=sees_unapproved())
if detail is None:
    st.error(t("initiative.not_found", nr=picked))
    st.stop()
item = detail.initiative

st.header(f"{item.number}. {esc(item.name)}")
if item.description:
    mission_text(item.description)
note(item.note)
assert item.id is not None
initiative_tasks_note(item.id)

st.subheader(t("initiative.profile"))
profile = {
    t("col.status"): label(item.status, "InitiativeStatus"),
    t("col.period"): years_text(item.start_year, item.end_year),
    t("col.category"): (
        f"{item.category}. {detail.category_title}" if item.category else t("common.unknown")
    ),
    t("initiative.category_confidence"): label(item.category_confidence, "CategoryConfidence"),
    t("col.focus"): ", ".join(label(f, "FocusType") for f in item.focus) or "–",
    t("col.scope"): label(item.scope, "Scope") if item.scope else t("common.unknown"),
    t("col.region"): item.region or "–",
    t("col.arenas"): ", ".join(label(a, "Arena") for a in item.arenas) or t("common.not_given"),
    t("method.levels"): levels_text(item.system_levels),
    t("col.orientation"): (
        label(item.orientation, "Orientation") if item.orientation else t("common.not_given")
    ),
}
field_table(profile)

st.subheader(t("initiative.organisations"))
left, right = st.columns(2)
left.markdown(f"**{t('col.responsible')}**")
if not detail.responsible:
    left.caption(t("common.none"))
for org in detail.responsible:
    left.markdown(f"- {esc(org.short_name)} – {esc(org.name)}")
right.markdown(f"**{t('col.involved')}**")
if not detail.involved:
    right.caption(t("common.none"))
for org in detail.involved:
    right.markdown(f"- {esc(org.short_name)} – {esc(org.name)}")

st.subheader(t("initiative.contributions"))
if detail.contributions.empty:
    empty_state("empty.no_contributions", "empty.who_portfolio")
else:
    if detail.contributions["proposal"].any():
        st.caption(t("goals.contributions_proposed"))
    data_table(
        pd.DataFrame(
            {
                t("col.goal"): detail.contributions["goal"] + " " + detail.contributions["title"],
                t("col.contribution"): [
                    label(k, "ContributionKind") for k in detail.contributions["kind"]
                ],
                t("col.strength"): detail.contributions["strength"],
                t("col.rationale"): detail.contributions["rationale"],
                t("common.proposal"): [
                    t("common.yes") if p else "" for p in detail.contributions["proposal"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("initiative.links"))
if detail.links.empty:
    st.caption(t("initiative.no_links"))
else:
    other = [
        (row.to_number, row.to_name)
        if row.from_number == item.number
        else (row.from_number, row.from_name)
        for row in detail.links.itertuples()
    ]
    link_table(
        pd.DataFrame(
            {
                t("col.link_kind"): [label(k, "LinkKind") for k in detail.links["kind"]],
                t("col.initiative"): [f"{n}. {m}" for n, m in other],
                t("col.note"): detail.links["note"],
                t("col.open"): [page_href("satsing", nr=n) for n, _ in other],
            }
        ),
        t("col.open"),
    )

assert item.id is not None
step_history_section(item.id)
involvement_section(current_actor(), item.id)
funding_section(current_actor(), item.id)
learning_section(current_actor(), item.id)
edit_section(current_actor(), mission.id, item.id)

st.subheader(t("initiative.indicators"))
if detail.indicators.empty:
    st.caption(t("initiative.no_indicators"))
else:
    table = detail.indicators.rename(
        columns={"code": t("col.code"), "name": t("col.indicator"), "unit": t("col.unit")}
    )
    table[t("col.open")] = [page_href("indikatorer", kode=c) for c in detail.indicators["code"]]
    link_table(table, t("col.open"))

st.subheader(t("initiative.check_ins"))
if detail.check_ins.empty:
    empty_state("initiative.no_check_ins", "initiative.who_check_ins")
else:
    check_ins = detail.check_ins
    data_table(
        pd.DataFrame(
            {
                t("col.period"): check_ins["period"],
                t("col.rag"): labels(check_ins["rag"], "Rag"),
                t("col.confidence"): labels(check_ins["confidence"], "Confidence"),
                t("col.progress"): check_ins["progress"],
                t("col.next_steps"): check_ins["next_steps"],
                t("col.risks"): check_ins["risks"],
                t("col.help_needed"): check_ins["help_needed"],
                t("col.status"): labels(check_ins["status"], "EntryStatus"),
            }
        ).drop(  # partners see approved check-ins only: no status to tell apart
            columns=[] if sees_unapproved() else [t("col.status")]
        ),
        hide_index=True,
        width="stretch",
    )
