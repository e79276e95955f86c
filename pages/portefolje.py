"""Portefølje: the filterable initiative table, the goal x initiative matrix and the links."""

import pandas as pd
import streamlit as st

from dashboard.services.portfolio import (
    PortfolioFilter,
    apply_filter,
    categories,
    goal_matrix,
    links,
    portfolio,
    portfolio_organisations,
)
from dashboard.ui.context import label, t
from dashboard.ui.data import current_mission, query
from dashboard.ui.tables import portfolio_display
from dashboard.ui.url_state import url_multiselect, url_selectbox
from dashboard.ui.widgets import downloads, empty_state, link_table, page_header
from models import FocusType, InitiativeStatus, Scope

mission = current_mission()
assert mission.id is not None
page_header("page.portfolio", "portfolio.intro")

frame = query(portfolio, mission.id)
titles = query(categories).set_index("number")["title"]
orgs = query(portfolio_organisations, mission.id)
org_names = dict(zip(orgs["id"].astype(str), orgs["short_name"], strict=True))

filters = {  # URL key: (label, options, how to show an option)
    "kategori": (
        t("col.category"),
        [str(n) for n in titles.index],
        lambda n: f"{n}. {titles.get(int(n), '')}",
    ),
    "fokus": (t("col.focus"), [f.value for f in FocusType], lambda f: label(f, "FocusType")),
    "omfang": (t("col.scope"), [s.value for s in Scope], lambda s: label(s, "Scope")),
    "status": (
        t("col.status"),
        [s.value for s in InitiativeStatus],
        lambda s: label(s, "InitiativeStatus"),
    ),
    "org": (t("col.organisation"), list(org_names), lambda i: org_names.get(i, i)),
}
chosen: dict[str, list[str]] = {}
with st.container(border=True):
    st.markdown(f"**{t('portfolio.filters')}**")
    top, bottom = st.columns(3), st.columns([1, 2])
    for place, (key, (title, options, show)) in zip([*top, *bottom], filters.items(), strict=True):
        chosen[key] = url_multiselect(
            place, title, options, key=key, format_func=show, placeholder=t("portfolio.all")
        )

selected = apply_filter(
    frame,
    PortfolioFilter(
        categories=tuple(int(c) for c in chosen["kategori"]),
        focus=tuple(chosen["fokus"]),
        scopes=tuple(chosen["omfang"]),
        statuses=tuple(chosen["status"]),
        organisations=tuple(int(o) for o in chosen["org"]),
    ),
)
st.caption(t("portfolio.showing", shown=len(selected), total=len(frame)))

VIEWS = {
    "tabell": "portfolio.tab.table",
    "matrise": "portfolio.tab.matrix",
    "koblinger": "portfolio.tab.links",
}
view = url_selectbox(
    t("portfolio.view"),
    list(VIEWS),
    key="visning",
    format_func=lambda v: t(VIEWS[v]),
    default="tabell",
    widget=st.segmented_control,
)
if view in (None, "tabell"):  # only the chosen view is computed
    if selected.empty:
        empty_state("empty.no_match", "empty.who_filters")
    else:
        display = portfolio_display(selected, titles)
        link_table(display, t("col.open"))
        downloads(display.drop(columns=[t("col.open")]), "portefolje", key="portfolio")
elif view == "matrise":
    st.caption(t("portfolio.matrix_help"))
    matrix = query(goal_matrix, mission.id)
    if matrix.empty:
        empty_state("empty.no_contributions", "empty.who_admin")
    else:
        matrix = matrix[matrix["number"].isin(selected["number"])]
        goals = [c for c in matrix.columns if c not in ("number", "name")]
        shown = matrix.astype({g: "object" for g in goals})
        for goal in goals:  # a blank cell, not "None", where an initiative does not contribute
            shown[goal] = [str(int(v)) if pd.notna(v) else "" for v in matrix[goal]]
        renamed = shown.rename(columns={"number": t("col.number"), "name": t("col.initiative")})
        st.dataframe(renamed, hide_index=True, width="stretch")
else:
    all_links = query(links, mission.id)
    shown = all_links[
        all_links.from_number.isin(selected["number"])
        | all_links.to_number.isin(selected["number"])
    ]
    if shown.empty:
        empty_state("empty.no_links", "empty.who_admin")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("col.from"): [
                        f"{n}. {m}" for n, m in zip(shown.from_number, shown.from_name, strict=True)
                    ],
                    t("col.link_kind"): [label(k, "LinkKind") for k in shown["kind"]],
                    t("col.to"): [
                        f"{n}. {m}" for n, m in zip(shown.to_number, shown.to_name, strict=True)
                    ],
                    t("col.note"): shown["note"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
