"""Organisasjoner: who carries the portfolio, and one organisation's part (?organisasjon=key)."""

import pandas as pd
import streamlit as st

from dashboard.services.portfolio_analysis import organisation_load, organisation_profile
from dashboard.ui.charts import bar_chart
from dashboard.ui.choices import shared_choices
from dashboard.ui.context import label, labels, lang, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.url_state import clear_button, url_selectbox, url_value_unknown
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    downloads,
    empty_state,
    esc,
    link_table,
    page_header,
    page_href,
)

TOP = 15  # organisations in the chart; the table holds all

mission = current_mission()
assert mission.id is not None
page_header("page.organisations", "organisations.intro")

load = query(organisation_load, mission.id)
names = shared_choices(
    zip(load["key"], load["short_name"], strict=True), "{name}", ("organisations", mission.id)
)
if url_value_unknown("organisasjon", names.labels):
    st.error(t("organisations.not_found", org=esc(st.query_params.get("organisasjon"))))
picked = url_selectbox(
    t("organisations.pick"),
    names.options,
    key="organisasjon",
    format_func=names.label,
    placeholder=t("organisations.pick_placeholder"),
)

if picked is None:
    if load.empty:
        empty_state("organisations.none", "empty.who_admin")
        st.stop()
    st.header(t("organisations.load"))
    table = pd.DataFrame(
        {
            t("col.organisation"): load["short_name"],
            t("col.name"): load["name"],
            t("organisations.col.kind"): labels(load["kind"], "OrganisationKind"),
            t("organisations.col.responsible"): load["responsible"],
            t("organisations.col.involved"): load["involved"],
            t("organisations.col.bodies"): load["bodies"],
            t("organisations.col.indicators"): load["indicators"],
            t("col.open"): [page_href("organisasjoner", organisasjon=k) for k in load["key"]],
        }
    )
    top = load[load["responsible"] > 0].head(TOP)
    if not top.empty:
        bars = pd.DataFrame({"name": top["short_name"], "count": top["responsible"]})
        spec = chart_spec(
            bar_chart,
            frame=bars,
            label="name",
            value="count",
            title=t("organisations.col.responsible"),
            lang=lang(),
        )
        first = top.iloc[0]
        alt_text = t(
            "organisations.chart_alt",
            count=len(top),
            first=first["short_name"],
            n=int(first["responsible"]),
        )
        chart_with_table(spec, alt_text, bars.rename(columns={"name": t("col.organisation")}))
    st.caption(t("organisations.load_help"))
    link_table(table, t("col.open"))
    downloads(table.drop(columns=[t("col.open")]), "organisasjoner", key="organisations")
    st.stop()

profile = query(organisation_profile, mission.id, picked)
if profile is None:
    st.error(t("organisations.not_found", org=esc(picked)))
    st.stop()
org = profile.organisation
clear_button(t("organisations.back"), key="organisasjon")
st.header(f"{esc(org.short_name)} – {esc(org.name)}")
st.caption(label(org.kind, "OrganisationKind"))
mine = profile.initiatives
responsible = int((mine["role"] == "responsible").sum())
counts = st.columns(4)
counts[0].metric(t("organisations.col.responsible"), responsible)
counts[1].metric(t("organisations.col.involved"), len(mine) - responsible)
counts[2].metric(t("organisations.col.bodies"), len(profile.bodies))
counts[3].metric(t("organisations.col.indicators"), len(profile.indicators))

st.subheader(t("organisations.initiatives"))
if mine.empty:
    st.caption(t("organisations.no_initiatives"))
else:
    link_table(
        pd.DataFrame(
            {
                t("col.initiative"): [
                    f"{n}. {x}" for n, x in zip(mine.number, mine.name, strict=True)
                ],
                t("organisations.col.role"): labels(mine["role"], "OrganisationRole"),
                t("col.status"): labels(mine["status"], "InitiativeStatus"),
                t("col.open"): [page_href("satsing", nr=n) for n in mine["number"]],
            }
        ),
        t("col.open"),
    )

st.subheader(t("organisations.bodies"))
if profile.bodies.empty:
    st.caption(t("organisations.no_bodies"))
else:
    data_table(
        pd.DataFrame(
            {
                t("organisations.col.body"): profile.bodies["name"],
                t("organisations.col.kind"): labels(profile.bodies["kind"], "BodyKind"),
                t("col.lead"): [t("common.yes") if x else "" for x in profile.bodies["lead"]],
                t("col.note"): profile.bodies["note"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("organisations.indicators"))
if profile.indicators.empty:
    st.caption(t("organisations.no_indicators"))
else:
    link_table(
        pd.DataFrame(
            {
                t("col.code"): profile.indicators["code"],
                t("col.indicator"): profile.indicators["name"],
                t("col.level"): labels(profile.indicators["level"], "IndicatorLevel"),
                t("col.open"): [
                    page_href("indikatorer", kode=c) for c in profile.indicators["code"]
                ],
            }
        ),
        t("col.open"),
    )
