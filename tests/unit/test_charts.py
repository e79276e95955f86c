"""Chart builders make valid Vega-Lite with a Norwegian locale and say what they show in words."""

import datetime as dt

import pandas as pd
import pytest

from dashboard.ui.charts import (
    bar_chart,
    coverage_heatmap,
    describe_indicator,
    indicator_chart,
    indicator_points,
    portfolio_timeline,
    timeline_chart,
)
from dashboard.ui.network import Edge, Graph, Node, to_dot

SERIES = pd.DataFrame(
    {
        "period": ["2017", "2018"],
        "start": [dt.date(2017, 1, 1), dt.date(2018, 1, 1)],
        "end": [dt.date(2017, 12, 31), dt.date(2018, 12, 31)],
        "value": [11.0, 10.5],
    }
)


@pytest.mark.parametrize("target", [None, 6.0])
def test_indicator_chart_is_valid_and_norwegian(target: float | None) -> None:
    points = indicator_points(
        SERIES,
        baseline_value=4,
        baseline_year=2000,
        target_value=target,
        target_year=2030 if target else None,
        lang="nb",
    )
    spec = indicator_chart(points, y_title="%", lang="nb").to_dict(validate=True)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert len(spec["layer"]) == (3 if target else 2)
    assert set(points["series"]) >= {"Målt verdi", "Utgangsverdi"}


@pytest.mark.parametrize("only", ["baseline", "value"])
def test_indicator_chart_draws_no_layer_without_data(only: str) -> None:
    """An empty layer is an unnamed graphics symbol to a screen reader (axe's svg-img-alt): a
    baseline alone, or values alone, give one layer."""
    points = indicator_points(
        SERIES if only == "value" else SERIES.iloc[0:0],
        baseline_value=4 if only == "baseline" else None,
        baseline_year=2000 if only == "baseline" else None,
        target_value=None,
        target_year=None,
        lang="nb",
    )
    spec = indicator_chart(points, y_title="%", lang="nb").to_dict(validate=True)
    assert len(spec["layer"]) == 1


def test_indicator_text_alternative() -> None:
    points = indicator_points(
        SERIES, baseline_value=4, baseline_year=2000, target_value=6, target_year=2030, lang="nb"
    )
    text = describe_indicator(points, name="Andel", measure="percent", unit="prosent", lang="nb")
    assert text == (
        "Graf for «Andel». Utgangsverdien er 4\u00a0% (2000). 2 målte verdier, fra 11\u00a0% "
        "(2017) til 10,5\u00a0% (2018). Målet er 6\u00a0% innen 2030."
    )
    empty = indicator_points(
        SERIES.iloc[0:0],
        baseline_value=None,
        baseline_year=None,
        target_value=None,
        target_year=None,
        lang="en",
    )
    words = describe_indicator(empty, name="X", measure="count", unit=None, lang="en")
    assert "No baseline." in words and "No measured values yet." in words
    one = indicator_points(
        SERIES.iloc[0:1],
        baseline_value=None,
        baseline_year=None,
        target_value=None,
        target_year=None,
        lang="nb",
    )
    single = describe_indicator(one, name="X", measure="percent", unit=None, lang="nb")
    assert "1 målt verdi, 11\u00a0% (2017)." in single


def test_the_time_axis_has_at_most_one_tick_a_year() -> None:
    points = indicator_points(
        SERIES, baseline_value=4, baseline_year=2000, target_value=None, target_year=None, lang="nb"
    )
    spec = indicator_chart(points, y_title="%", lang="nb").to_dict(validate=True)
    axes = [layer["encoding"]["x"]["axis"] for layer in spec["layer"] if "x" in layer["encoding"]]
    assert axes and all(a == {"format": "%Y", "tickCount": "year"} for a in axes)


def test_bar_and_timeline_charts_are_valid() -> None:
    bars = pd.DataFrame({"Kategori": ["1. A", "2. B"], "Antall": [2, 3]})
    bar_chart(bars, label="Kategori", value="Antall", title="Antall", lang="nb").to_dict(
        validate=True
    )
    items = pd.DataFrame(
        {"date": pd.to_datetime(["2023-06-01"]), "title": ["1. Plan"], "status": ["Levert"]}
    )
    timeline_chart(items, status_title="Status", lang="en").to_dict(validate=True)


def test_coverage_heatmap_and_portfolio_timeline_are_valid() -> None:
    cells = pd.DataFrame(
        {
            "initiative": ["1. A", "2. B"],
            "goal": ["1.1", "1.2"],
            "strength": [3, 1],
            "kind": ["Direkte", "Indirekte"],
            "proposal": ["Nei", "Ja"],
        }
    )
    titles = dict.fromkeys(["goal", "initiative", "strength", "kind", "proposal"], "x")
    heatmap = coverage_heatmap(
        cells, goals=["1.1", "1.2", "1.3"], initiatives=["1. A", "2. B"], titles=titles, lang="nb"
    ).to_dict(validate=True)
    assert heatmap["encoding"]["x"]["scale"]["domain"] == ["1.1", "1.2", "1.3"]  # 1.3: a gap
    items = pd.DataFrame(
        {
            "title": ["1. A", "Leveranse 1: Plan"],
            "status": ["Pågående", "Planlagt"],
            "start": pd.to_datetime(["2020-01-01", "2024-03-01"]),
            "end": pd.to_datetime(["2026-12-01", "2024-03-01"]),
            "point": [False, True],
        }
    )
    colours = {"Pågående": "#4a90c2", "Planlagt": "#b35900"}
    spec = portfolio_timeline(items, colours=colours, status_title="Status", lang="nb").to_dict(
        validate=True
    )
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "point"]


def test_the_network_is_valid_dot_with_groups_and_escaped_names() -> None:
    graph = Graph(
        nodes=[
            Node("i1", 'Satsing «1» med "anførsel", C:\\sti og\nny linje', "initiative"),
            Node("i2", "To", "initiative"),
            Node("i3", "Alene", "initiative"),
            Node("g1", "1.1 Skole", "goal"),
        ],
        edges=[
            Edge("i1", "i2", "Overlapp", directed=False),
            Edge("i1", "g1", "Direkte 3", weight=3),
        ],
        groups=[("Gruppe 1", ["i1", "i2"])],
        loose=("Uten koblinger", ["i3"]),
    )
    dot = to_dot(graph)
    assert dot.startswith("digraph portfolio {") and dot.endswith("}")
    label = next(line for line in dot.splitlines() if line.strip().startswith('"i1" [label='))
    assert '\\"anførsel\\"' in label and "C:\\\\sti" in label  # quotes and backslash escaped
    assert "og\nny" not in dot  # a typed line break is not DOT syntax
    assert "subgraph cluster_0" in dot and "subgraph cluster_1" in dot
    assert '"i1" -> "i2" [label="Overlapp" penwidth=1 dir=none]' in dot
    assert '"g1" [label="1.1 Skole"' in dot  # outside every group
