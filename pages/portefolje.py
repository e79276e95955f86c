"""Portefølje: the filterable initiative table, coverage and gaps, network, timeline, links."""

import streamlit as st

from dashboard.services.portfolio import (
    PortfolioFilter,
    apply_filter,
    categories,
    portfolio,
    portfolio_organisations,
)
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import current_mission, derived, query
from dashboard.ui.funding import by_stream_view
from dashboard.ui.involvement import by_rung_view
from dashboard.ui.method import by_step_view
from dashboard.ui.portfolio import links_view, matrix_view, network_view, timeline_view
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

narrowed = PortfolioFilter(
    categories=tuple(int(c) for c in chosen["kategori"]),
    focus=tuple(chosen["fokus"]),
    scopes=tuple(chosen["omfang"]),
    statuses=tuple(chosen["status"]),
    organisations=tuple(int(o) for o in chosen["org"]),
)
selected = apply_filter(frame, narrowed)
# what the views work out from the selection is shared by every session with the same
# mission, filter and language (dashboard.ui.data.derived)
selection = (mission.id, narrowed, lang())
st.caption(t("portfolio.showing", shown=len(selected), total=len(frame)))

VIEWS = {
    "tabell": "portfolio.tab.table",
    "matrise": "portfolio.tab.matrix",
    "nettverk": "portfolio.tab.network",
    "tidslinje": "portfolio.tab.timeline",
    "koblinger": "portfolio.tab.links",
    "trapp": "method.tab.staircase",
    "medvirkning": "involvement.tab",
    "finansiering": "funding.tab",
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
        display = derived(portfolio_display, selection, selected, titles)
        link_table(display, t("col.open"))
        downloads(display.drop(columns=[t("col.open")]), "portefolje", key="portfolio")
elif view == "matrise":
    matrix_view(selected, mission.id, selection)
elif view == "nettverk":
    network_view(selected, mission.id, orgs, selection)
elif view == "tidslinje":
    timeline_view(selected, mission.id, selection)
elif view == "trapp":
    by_step_view(selected, mission.id)
elif view == "medvirkning":
    by_rung_view(selected, mission.id)
elif view == "finansiering":
    by_stream_view(selected, mission.id)
else:
    links_view(selected, mission.id)
