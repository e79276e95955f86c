"""Portefølje's analysis views: coverage matrix with gaps, network, timeline and links."""

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date
from dashboard.services.portfolio import links
from dashboard.services.portfolio_analysis import (
    DIMENSIONS,
    GAPS,
    NOT_GIVEN,
    Coverage,
    clusters,
    coverage,
    coverage_by,
    gaps,
    shared_profiles,
    timeline,
    wide_matrix,
    without_years,
)
from dashboard.services.portfolio_edit import SYMMETRIC
from dashboard.ui.a11y import graphviz_name
from dashboard.ui.charts import coverage_heatmap, portfolio_timeline
from dashboard.ui.context import label, labels, lang, t
from dashboard.ui.data import derived, query
from dashboard.ui.network import Edge, Graph, Node, to_dot
from dashboard.ui.url_state import url_multiselect, url_selectbox
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    data_table,
    downloads,
    empty_state,
    esc,
)
from models import ContributionKind, DeliverableStatus, InitiativeStatus, LinkKind

# Drawing more than this many nodes makes an unreadable picture and a slow page; the text
# alternative (the same links as a table) is shown whatever the size.
MAX_DRAWN = 150
# The heatmap and the timeline draw at most this many rows; their tables hold all.
MAX_HEATMAP = 120
MAX_TIMELINE = 120
MAX_LISTED = 200  # names in a list the page spells out (the table or download has all)
DIMENSION_KINDS = {  # a dimension's values are labelled as this enum's
    "focus": "FocusType",
    "arenas": "Arena",
    "system_levels": "SystemLevel",
    "orientation": "Orientation",
    "scope": "Scope",
}
# Done in dark blue, running in mid blue, planned in orange, unknown in grey.
TIMELINE_COLOURS = [  # status, its enum, its colour and its look (charts.LOOKS)
    (InitiativeStatus.COMPLETED, "InitiativeStatus", "#1f4e79", "done"),
    (DeliverableStatus.DELIVERED, "DeliverableStatus", "#1f4e79", "done"),
    (InitiativeStatus.ONGOING, "InitiativeStatus", "#4a90c2", "ongoing"),
    (InitiativeStatus.PLANNED, "InitiativeStatus", "#b35900", "planned"),
    (DeliverableStatus.PLANNED, "DeliverableStatus", "#b35900", "planned"),
    (InitiativeStatus.UNKNOWN, "InitiativeStatus", "#8c8c8c", "unknown"),
    (DeliverableStatus.UNCLEAR, "DeliverableStatus", "#8c8c8c", "unknown"),
]


def _initiative(number: int, name: str) -> str:
    return f"{number}. {name}"


def _listed(names: list[str]) -> None:
    """A bulleted list of names, at most MAX_LISTED of them and how many more there are."""
    lines = [f"- {esc(name)}" for name in names[:MAX_LISTED]]
    if len(names) > MAX_LISTED:
        lines.append(f"- {t('portfolio.and_more', count=len(names) - MAX_LISTED)}")
    st.markdown("\n".join(lines))


def _goal_names(found: Coverage) -> dict[int, str]:
    return {
        g: f"{c} {x}"
        for g, c, x in zip(found.goals.goal_id, found.goals.code, found.goals.title, strict=True)
    }


# --- coverage matrix -------------------------------------------------------------------------


def _gap_summary(table: pd.DataFrame) -> None:
    """Which subgoals lack an initiative, a direct one, or an indicator, in words."""
    st.header(t("portfolio.gaps"))
    for gap in GAPS:
        flagged = table[table[gap]]
        names = ", ".join(
            f"{esc(c)} {esc(x)}" for c, x in zip(flagged.code, flagged.title, strict=True)
        )
        if names:
            st.warning(
                t(f"portfolio.gap.{gap}", count=len(flagged), goals=names),
                icon=":material/warning:",
            )
        else:
            st.success(t(f"portfolio.gap.none.{gap}"), icon=":material/check_circle:")


@dataclass(frozen=True)
class _Overlaps:
    """Overlaps among a selection: the recorded links as lines, and the initiatives that
    contribute directly to the same goals as a table (None: no such group)."""

    recorded: list[str]
    groups: pd.DataFrame | None


def _overlap_parts(found: Coverage, selected: pd.DataFrame, recorded: pd.DataFrame) -> _Overlaps:
    """The overlaps' parts (a pure function of the query results and the reader's language:
    worked out once and shared, derived())."""
    numbers = set(selected["number"])
    names = dict(zip(selected["number"], selected["name"], strict=True))
    recorded = recorded[
        recorded["kind"].isin([LinkKind.OVERLAP, LinkKind.SHARED_TARGET_GROUP])
        & recorded.from_number.isin(numbers)
        & recorded.to_number.isin(numbers)
    ]
    lines = [
        f"- **{label(kind, 'LinkKind')}**: "
        + esc(f"{_initiative(a, names[a])} – {_initiative(b, names[b])}")
        for a, kind, b in zip(
            recorded.from_number, recorded["kind"], recorded.to_number, strict=True
        )
    ]
    groups = shared_profiles(found, numbers)
    if not groups:
        return _Overlaps(lines, None)
    rows = pd.DataFrame(
        {
            t("portfolio.col.goals"): [", ".join(codes) for codes, _ in groups],
            t("col.count"): [len(members) for _, members in groups],
            t("portfolio.col.which"): [
                "; ".join(_initiative(n, names[n]) for n in members) for _, members in groups
            ],
        }
    )
    return _Overlaps(lines, rows)


def _overlaps(
    found: Coverage, selected: pd.DataFrame, mission_id: int, selection: Hashable
) -> None:
    """Where initiatives may overlap: links recorded as overlap or shared target group, and
    initiatives that contribute directly to exactly the same goals."""
    st.header(t("portfolio.overlaps"))
    parts = derived(_overlap_parts, selection, found, selected, query(links, mission_id))
    if not parts.recorded:
        st.caption(t("portfolio.no_recorded_overlaps"))
    for line in parts.recorded:
        st.markdown(line)
    if parts.groups is None:
        st.caption(t("portfolio.no_shared_profiles"))
        return
    st.caption(t("portfolio.shared_profiles_help"))
    data_table(parts.groups, hide_index=True, width="stretch")


def _coverage_table(table: pd.DataFrame) -> pd.DataFrame:
    """The per-goal coverage as a reader sees it."""
    flags = [
        ", ".join(t(f"portfolio.flag.{gap}") for gap in GAPS if row[gap])
        for _, row in table.iterrows()
    ]
    return pd.DataFrame(
        {
            t("col.goal"): [
                "\u2003" * d + f"{c} {x}"
                for d, c, x in zip(table.depth, table.code, table.title, strict=True)
            ],
            t("col.level"): labels(table["level"], "GoalLevel"),
            t("portfolio.col.initiatives"): table["initiatives"],
            t("portfolio.col.direct"): table["direct"],
            t("portfolio.col.indirect"): table["indirect"],
            t("portfolio.col.indicators"): table["indicators"],
            t("portfolio.col.gaps"): flags,
        }
    )


@dataclass(frozen=True)
class _HeatmapData:
    """The heatmap's spec, its cells as drawn, its goals and initiatives, and how many
    initiatives it had to leave out."""

    spec: dict[str, Any]
    data: pd.DataFrame
    table: pd.DataFrame  # data with the reader's column names
    goals: list[str]
    initiatives: list[str]
    total: int


def _heatmap_data(found: Coverage, selected: pd.DataFrame) -> _HeatmapData | None:
    cells = found.cells[found.cells["number"].isin(selected["number"])]
    if cells.empty:
        return None
    numbers = list(dict.fromkeys(cells.sort_values("number")["number"]))
    shown = numbers[:MAX_HEATMAP]
    cells = cells[cells["number"].isin(shown)]
    names = dict(zip(selected["number"], selected["name"], strict=True))
    # the subgoals (empty columns are gaps) and any goal above them that has contributions
    used = set(cells["code"])
    goals = [
        c for c, leaf in zip(found.goals.code, found.goals.leaf, strict=True) if leaf or c in used
    ]
    data = pd.DataFrame(
        {
            "initiative": [_initiative(n, names[n]) for n in cells["number"]],
            "goal": cells["code"],
            "strength": cells["strength"].astype(int),
            "kind": labels(cells["kind"], "ContributionKind"),
            "proposal": [t("common.yes") if p else t("common.no") for p in cells["proposal"]],
        }
    )
    titles = {
        "goal": t("col.goal"),
        "initiative": t("col.initiative"),
        "strength": t("col.strength"),
        "kind": t("col.contribution"),
        "proposal": t("common.proposal"),
    }
    initiatives = [_initiative(n, names[n]) for n in shown]
    spec = chart_spec(
        coverage_heatmap,
        cells=data,
        goals=goals,
        initiatives=initiatives,
        titles=titles,
        strengths={level: t(f"portfolio.strength.{level}") for level in (1, 2, 3)},
        lang=lang(),
    )
    return _HeatmapData(spec, data, data.rename(columns=titles), goals, initiatives, len(numbers))


def _heatmap(found: Coverage, selected: pd.DataFrame, selection: Hashable) -> None:
    drawn = derived(_heatmap_data, selection, found, selected)
    if drawn is None:
        empty_state("empty.no_contributions", "empty.who_portfolio")
        return
    alt_text = t(
        "portfolio.heatmap_alt",
        initiatives=len(drawn.initiatives),
        goals=len(drawn.goals),
        cells=len(drawn.data),
        strong=int((drawn.data["strength"] == 3).sum()),
    )
    if drawn.total > len(drawn.initiatives):
        st.caption(t("portfolio.heatmap_cut", shown=len(drawn.initiatives), total=drawn.total))
    chart_with_table(drawn.spec, alt_text, drawn.table)


def _dimension(dimension: str) -> str:
    """A dimension's name for the split (system levels are the mission's own method)."""
    if dimension == "system_levels":
        return t("method.levels")
    return t(f"portfolio.dimension.{dimension}")


def _not_given(dimension: str) -> str:
    """The column of initiatives with no value in the dimension."""
    return t("method.not_assessed") if dimension == "system_levels" else t("common.not_given")


def matrix_view(selected: pd.DataFrame, mission_id: int, selection: Hashable) -> None:
    """Goal x initiative heatmap, the subgoals' gaps, and coverage split by a dimension.

    selection names what selected was made from (dashboard.ui.data.derived): what is worked
    out from it is shared by every session that chose the same."""
    found = query(coverage, mission_id)
    if found.goals.empty:
        empty_state("empty.no_goals", "empty.who_admin")
        return
    table = derived(gaps, selection, found, selected["number"])
    _gap_summary(table)
    _overlaps(found, selected, mission_id, selection)
    st.header(t("portfolio.coverage"))
    st.caption(t("portfolio.coverage_help"))
    shown = derived(_coverage_table, selection, table)
    data_table(shown, hide_index=True, width="stretch", height="content")
    downloads(shown, "dekning-per-maal", key="coverage")

    st.header(t("portfolio.heatmap"))
    st.caption(t("portfolio.matrix_help"))
    _heatmap(found, selected, selection)
    matrix = derived(_wide_table, selection, found, selected["number"])
    if not matrix.empty:
        downloads(matrix, "maal-x-satsing", key="matrix")

    st.header(t("portfolio.split"))
    dimension = (
        url_selectbox(
            t("portfolio.split_by"),
            list(DIMENSIONS),
            key="etter",
            format_func=_dimension,
            default="arenas",
            widget=st.segmented_control,
        )
        or "arenas"
    )
    st.caption(t("portfolio.split_help"))
    if dimension == "system_levels":
        st.caption(t("method.levels_coverage_help"))
    split_table = derived(_split_table, (selection, dimension), found, selected, dimension)
    data_table(split_table, hide_index=True, width="stretch", height="content")
    downloads(split_table, f"dekning-etter-{dimension}", key="split")


def _wide_table(found: Coverage, numbers: pd.Series) -> pd.DataFrame:
    """The goal x initiative matrix as the download holds it, with the reader's headers."""
    matrix = wide_matrix(found, numbers)
    return matrix.rename(columns={"number": t("col.number"), "name": t("col.initiative")})


def _split_table(found: Coverage, selected: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Coverage per goal split by one dimension's values, as a reader sees it."""
    split = coverage_by(selected, found, dimension)
    kind = DIMENSION_KINDS[dimension]
    goal_names = _goal_names(found) | {"all": t("portfolio.whole_portfolio")}
    return pd.DataFrame(
        {t("col.goal"): [goal_names[g] for g in split.index]}
        | {
            (_not_given(dimension) if v == NOT_GIVEN else label(v, kind)): split[v].to_numpy()
            for v in split.columns
        }
    )


# --- network ---------------------------------------------------------------------------------


def _graph(
    selected: pd.DataFrame,
    found_links: pd.DataFrame,
    found: Coverage | None,
    layers: list[str],
    orgs: pd.DataFrame,
) -> Graph:
    """The selected initiatives, their links, and (by layer) their goals (found: the coverage,
    given when the goals are a layer) and organisations."""
    numbers = set(selected["number"])
    names = dict(zip(selected["number"], selected["name"], strict=True))
    graph = Graph()
    graph.nodes = [Node(f"i{n}", _initiative(n, names[n]), "initiative") for n in sorted(numbers)]
    found_links = found_links[
        found_links.from_number.isin(numbers) & found_links.to_number.isin(numbers)
    ]
    pairs = list(zip(found_links.from_number, found_links.to_number, strict=True))
    graph.edges = [
        Edge(f"i{a}", f"i{b}", label(kind, "LinkKind"), directed=kind not in SYMMETRIC)
        for (a, b), kind in zip(pairs, found_links["kind"], strict=True)
    ]
    groups = clusters(numbers, pairs)
    linked = [g for g in groups if len(g) > 1]
    graph.groups = [
        (t("portfolio.cluster", n=i + 1, count=len(g)), [f"i{n}" for n in g])
        for i, g in enumerate(linked)
    ]
    alone = [g[0] for g in groups if len(g) == 1]
    if alone:
        graph.loose = (t("portfolio.unlinked", count=len(alone)), [f"i{n}" for n in alone])
    if "maal" in layers and found is not None:
        cells = found.cells[found.cells["number"].isin(numbers)]
        goal_names = _goal_names(found)
        for goal_id in dict.fromkeys(cells["goal_id"]):
            graph.nodes.append(Node(f"g{goal_id}", goal_names[goal_id], "goal"))
        kinds = {k: label(k, "ContributionKind") for k in ContributionKind}
        graph.edges += [
            Edge(
                f"i{number}",
                f"g{goal_id}",
                f"{kinds[kind]} {strength}",
                dashed=kind != ContributionKind.DIRECT,
                weight=int(strength),
            )
            for number, goal_id, kind, strength in zip(
                cells["number"], cells["goal_id"], cells["kind"], cells["strength"], strict=True
            )
        ]
    if "org" in layers:
        short = dict(zip(orgs["id"], orgs["short_name"], strict=True))
        responsible = dict(zip(selected["number"], selected["responsible_ids"], strict=True))
        used = dict.fromkeys(o for n in sorted(numbers) for o in responsible[n])
        graph.nodes += [Node(f"o{o}", short.get(o, str(o)), "organisation") for o in used]
        role = t("col.responsible")
        graph.edges += [
            Edge(f"o{o}", f"i{n}", role) for n in sorted(numbers) for o in responsible[n]
        ]
    return graph


@dataclass(frozen=True)
class _Network:
    """The network of a selection: the graph, its picture (DOT; None when there is nothing to
    draw or too much), each node's name and the links as a table."""

    graph: Graph
    dot: str | None
    names: dict[str, str]
    listing: pd.DataFrame


def _network(
    selected: pd.DataFrame,
    found_links: pd.DataFrame,
    found: Coverage | None,
    layers: list[str],
    orgs: pd.DataFrame,
) -> _Network:
    """The network view's parts (a pure function of the query results and the reader's
    language: worked out once and shared, derived())."""
    graph = _graph(selected, found_links, found, layers, orgs)
    names = {node.id: node.label for node in graph.nodes}
    listing = pd.DataFrame(
        {
            t("col.from"): [names[e.source] for e in graph.edges],
            t("col.link_kind"): [e.label for e in graph.edges],
            t("col.to"): [names[e.target] for e in graph.edges],
        }
    )
    drawn = bool(graph.nodes) and len(graph.nodes) <= MAX_DRAWN
    return _Network(graph, to_dot(graph) if drawn else None, names, listing)


def network_view(
    selected: pd.DataFrame, mission_id: int, orgs: pd.DataFrame, selection: Hashable
) -> None:
    """The initiatives' links as a picture, with the groups they form and the same links
    listed; selection names the mission, filter and language selected was made from."""
    layers = url_multiselect(
        st.container(),
        t("portfolio.layers"),
        ["maal", "org"],
        key="lag",
        format_func=lambda layer: t(f"portfolio.layer.{layer}"),
        pills=True,
    )
    view = derived(
        _network,
        (selection, tuple(sorted(layers))),
        selected,
        query(links, mission_id),
        query(coverage, mission_id) if "maal" in layers else None,
        layers,
        orgs,
    )
    graph, names = view.graph, view.names
    st.markdown(
        t(
            "portfolio.network_summary",
            groups=len(graph.groups),
            linked=sum(len(m) for _, m in graph.groups),
            alone=len(graph.loose[1]) if graph.loose else 0,
        )
    )
    if len(graph.nodes) > MAX_DRAWN:
        st.info(
            t("portfolio.network_too_big", count=len(graph.nodes), limit=MAX_DRAWN),
            icon=":material/info:",
        )
    elif view.dot is not None:
        st.graphviz_chart(view.dot, width="stretch")
        graphviz_name(
            t(
                "portfolio.network_name",
                groups=len(graph.groups),
                alone=len(graph.loose[1]) if graph.loose else 0,
                text=t("portfolio.network_text"),
            )
        )
    listing = view.listing
    st.header(t("portfolio.network_text"))
    for title, members in graph.groups:
        st.markdown(f"**{esc(title)}**: " + "; ".join(esc(names[m]) for m in members))
    if graph.loose:
        with st.expander(graph.loose[0]):
            _listed([names[m] for m in graph.loose[1]])
    if listing.empty:
        empty_state("empty.no_links", "empty.who_portfolio")
    else:
        data_table(listing, hide_index=True, width="stretch")
        downloads(listing, "nettverk", key="network")


# --- timeline --------------------------------------------------------------------------------


def _when(items: pd.DataFrame, end: str) -> list[str]:
    """A timeline column as a reader sees it: an initiative's year (or 'ongoing', or '–' when
    the sources do not give it), a deliverable's date."""
    code = lang()
    known = items[f"{end}_known"]
    return [
        date(day, code)
        if kind == "deliverable"
        else t("portfolio.ongoing")
        if running and end == "end"
        else str(day.year)
        if sure
        else "–"
        for kind, day, sure, running in zip(
            items["kind"], items[end], known, items["open_end"], strict=True
        )
    ]


@dataclass(frozen=True)
class _Timeline:
    """What the timeline shows for a selection: the chart (None: nothing dated), the table
    beside it, how many rows the chart holds of how many, and the initiatives without years."""

    spec: dict[str, Any] | None
    alt_text: str
    table: pd.DataFrame | None
    shown: int
    total: int
    undated: list[str]


def _timeline(
    items: pd.DataFrame, without: list[tuple[int, str]], selected: pd.DataFrame
) -> _Timeline:
    """The timeline of the selected initiatives and every deliverable (a pure function of the
    query results and the reader's language: worked out once and shared, derived())."""
    keep = (items["kind"] == "deliverable") | items["number"].isin(selected["number"])
    items = items[keep]
    numbers = set(selected["number"])
    undated = [_initiative(n, x) for n, x in without if n in numbers]
    if items.empty:
        return _Timeline(None, "", None, 0, 0, undated)
    is_deliverable = items["kind"] == "deliverable"
    statuses = [
        label(s, "DeliverableStatus") if d else label(s, "InitiativeStatus")
        for s, d in zip(items["status"], is_deliverable, strict=True)
    ]
    titles = [
        (t("portfolio.deliverable", n=n, title=x) if d else _initiative(n, x))
        + ("" if known else " *")
        for n, x, d, known in zip(
            items["number"], items["title"], is_deliverable, items["start_known"], strict=True
        )
    ]
    data = pd.DataFrame(
        {
            "title": titles,
            "status": statuses,
            "start": pd.to_datetime(items["start"]),
            "end": pd.to_datetime(items["end"]),
            "point": is_deliverable.to_numpy(),
        }
    )
    in_use = [
        (label(status, kind), colour, look)
        for status, kind, colour, look in TIMELINE_COLOURS
        if label(status, kind) in set(statuses)
    ]
    spec = chart_spec(
        portfolio_timeline,
        items=data.head(MAX_TIMELINE),
        colours={status: colour for status, colour, _look in in_use},
        looks={status: look for status, _colour, look in in_use},
        status_title=t("col.status"),
        lang=lang(),
    )
    alt_text = t(
        "portfolio.timeline_alt",
        initiatives=int((~is_deliverable).sum()),
        deliverables=int(is_deliverable.sum()),
        first=items["start"].min().year,
        last=items["end"].max().year,
    )
    table = pd.DataFrame(
        {
            t("col.name"): titles,
            t("col.status"): statuses,
            t("portfolio.col.start"): _when(items, "start"),
            t("portfolio.col.end"): _when(items, "end"),
        }
    )
    return _Timeline(spec, alt_text, table, min(len(data), MAX_TIMELINE), len(data), undated)


def timeline_view(selected: pd.DataFrame, mission_id: int, selection: Hashable) -> None:
    """Initiatives (start to end) and deliverables (when due or delivered) on one time axis;
    selection names the mission, filter and language selected was made from."""
    today = dt.date.today()
    view = derived(
        _timeline,
        (selection, today.isoformat()),
        query(timeline, mission_id, today),
        query(without_years, mission_id),
        selected,
    )
    if view.spec is None or view.table is None:
        empty_state("portfolio.no_timeline", "portfolio.who_timeline")
    else:
        if view.total > view.shown:
            st.caption(t("portfolio.timeline_cut", shown=view.shown, total=view.total))
        st.caption(t("portfolio.timeline_help"))
        chart_with_table(view.spec, view.alt_text, view.table)
    if view.undated:
        with st.expander(t("portfolio.undated", count=len(view.undated))):
            _listed(view.undated)


# --- links -----------------------------------------------------------------------------------


def links_view(selected: pd.DataFrame, mission_id: int) -> None:
    """The links that touch a selected initiative, as a table."""
    all_links = query(links, mission_id)
    shown = all_links[
        all_links.from_number.isin(selected["number"])
        | all_links.to_number.isin(selected["number"])
    ]
    if shown.empty:
        empty_state("empty.no_links", "empty.who_portfolio")
        return
    table = pd.DataFrame(
        {
            t("col.from"): [
                _initiative(n, m) for n, m in zip(shown.from_number, shown.from_name, strict=True)
            ],
            t("col.link_kind"): labels(shown["kind"], "LinkKind"),
            t("col.to"): [
                _initiative(n, m) for n, m in zip(shown.to_number, shown.to_name, strict=True)
            ],
            t("col.note"): shown["note"],
        }
    )
    data_table(table, hide_index=True, width="stretch")
    downloads(table, "koblinger", key="links")
