"""Chart builders make valid Vega-Lite with a Norwegian locale and say what they show in words."""

import datetime as dt
import re
from typing import Any

import pandas as pd
import pytest
import vl_convert

from dashboard.ui.charts import (
    bar_chart,
    coverage_heatmap,
    describe_indicator,
    indicator_chart,
    indicator_points,
    portfolio_timeline,
    split_bar_chart,
    timeline_chart,
    tint,
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


CELLS = pd.DataFrame(
    {
        "initiative": ["1. A", "2. B"],
        "goal": ["1.1", "1.2"],
        "strength": [3, 1],
        "kind": ["Direkte", "Indirekte"],
        "proposal": ["Nei", "Ja"],
    }
)
STRENGTHS = {1: "1 – svakt", 2: "2 – middels", 3: "3 – sterkt"}
ITEMS = pd.DataFrame(
    {
        "title": ["1. A", "2. B", "Leveranse 1: Plan", "Leveranse 2: Rapport"],
        "status": ["Pågående", "Avsluttet", "Planlagt", "Uklart"],
        "start": pd.to_datetime(["2020-01-01", "2010-01-01", "2024-03-01", "2024-06-01"]),
        "end": pd.to_datetime(["2026-12-01", "2015-01-01", "2024-03-01", "2024-06-01"]),
        "point": [False, False, True, True],
    }
)
STATUS_COLOURS = {"Avsluttet": "#1f4e79", "Pågående": "#4a90c2", "Planlagt": "#b35900"}
STATUS_COLOURS |= {"Uklart": "#8c8c8c"}
STATUS_LOOKS = {"Avsluttet": "done", "Pågående": "ongoing", "Planlagt": "planned"}
STATUS_LOOKS |= {"Uklart": "unknown"}


def heatmap_spec() -> dict[str, Any]:
    titles = dict.fromkeys(["goal", "initiative", "strength", "kind", "proposal"], "x")
    chart = coverage_heatmap(
        CELLS,
        goals=["1.1", "1.2", "1.3"],
        initiatives=["1. A", "2. B"],
        titles=titles,
        strengths=STRENGTHS,
        lang="nb",
    )
    spec: dict[str, Any] = chart.to_dict(validate=True)
    return spec


def timeline_spec() -> dict[str, Any]:
    chart = portfolio_timeline(
        ITEMS, colours=STATUS_COLOURS, looks=STATUS_LOOKS, status_title="Status", lang="nb"
    )
    spec: dict[str, Any] = chart.to_dict(validate=True)
    return spec


def test_coverage_heatmap_and_portfolio_timeline_are_valid() -> None:
    heatmap = heatmap_spec()
    assert heatmap["layer"][0]["encoding"]["x"]["scale"]["domain"] == ["1.1", "1.2", "1.3"]  # gap
    assert [layer["mark"]["type"] for layer in timeline_spec()["layer"]] == ["bar", "point"]


def found(spec: object, key: str) -> list[Any]:
    """Every value of key anywhere in a spec."""
    if isinstance(spec, dict):
        here = [spec[key]] if key in spec else []
        return here + [v for value in spec.values() for v in found(value, key)]
    if isinstance(spec, list):
        return [v for value in spec for v in found(value, key)]
    return []


def chart_specs() -> dict[str, dict[str, Any]]:
    """A spec from every builder whose axis shows names."""
    bars = pd.DataFrame({"Kategori": ["1. A", "2. B"], "Antall": [2, 3]})
    points = pd.DataFrame(
        {"date": pd.to_datetime(["2023-06-01"]), "title": ["1. Plan"], "status": ["Levert"]}
    )
    return {
        "bar": bar_chart(bars, label="Kategori", value="Antall", title="Antall", lang="nb").to_dict(
            validate=True
        ),
        "timeline": timeline_chart(points, status_title="Status", lang="nb").to_dict(validate=True),
        "heatmap": heatmap_spec(),
        "portfolio_timeline": timeline_spec(),
    }


@pytest.mark.parametrize("name", ["bar", "timeline", "heatmap", "portfolio_timeline"])
def test_names_on_an_axis_get_a_share_of_the_charts_width(name: str) -> None:
    """On a phone a fixed 320-420 px label limit pushed the plot off a 358 px chart."""
    spec = chart_specs()[name]
    limits = found(spec, "labelLimit")
    assert limits, "an axis of names without a label limit"
    for limit in limits:
        assert isinstance(limit, dict), f"a fixed label limit: {limit}"
        assert "clamp(0.4 * (containerSize()[0] || 800)" in limit["expr"]
        assert limit["expr"].startswith("0 * width + ")  # worked out again on a resize
    svg = vl_convert.vegalite_to_svg(spec)  # Vega parses the expressions (800 px: no page)
    assert "<svg" in svg


def test_on_a_phone_legends_take_one_column() -> None:
    for name, spec in chart_specs().items():
        if name == "bar":
            continue  # no legend
        columns = found(spec, "columns")
        assert columns and all("< 576 ? 1 : 8" in c["expr"] for c in columns), name


def test_the_indicator_charts_legends_stand_one_above_the_other() -> None:
    """Side by side, the series and the not-approved legends overflowed a phone."""
    pending = SERIES.assign(status=["submitted", "approved"])
    points = indicator_points(
        pending, baseline_value=4, baseline_year=2000, target_value=6, target_year=2030, lang="nb"
    )
    spec = indicator_chart(points, y_title="%", lang="nb").to_dict(validate=True)
    assert "direction: 'vertical'" in spec["config"]["legend"]["layout"]["expr"]
    assert all("< 576 ? " in c["expr"] for c in found(spec, "columns"))
    assert len(vl_convert.vegalite_to_vega(spec)["legends"]) == 2


def test_a_long_axis_title_is_in_lines_a_phone_has_room_for() -> None:
    bars = pd.DataFrame({"Status": ["Grønn", "Gul"], "Antall": [2, 3]})
    title = "Satsinger etter RAG-status i siste godkjente statusoppdatering"
    spec = bar_chart(bars, label="Status", value="Antall", title=title, lang="nb").to_dict()
    lines = spec["encoding"]["x"]["title"]
    assert " ".join(lines) == title and all(len(line) <= 36 for line in lines)
    short = bar_chart(bars, label="Status", value="Antall", title="Antall", lang="nb").to_dict()
    assert short["encoding"]["x"]["title"] == "Antall"


def test_the_heatmap_writes_each_strength_in_its_square_and_its_legend_in_words() -> None:
    spec = heatmap_spec()
    squares, numbers = spec["layer"]
    assert numbers["mark"]["type"] == "text"
    assert numbers["encoding"]["text"]["field"] == "strength"
    svg = vl_convert.vegalite_to_svg(spec)
    for words in STRENGTHS.values():
        assert f">{words}</text>" in svg  # the legend's labels
    assert squares["encoding"]["color"]["legend"]["symbolType"] == "square"


def test_the_portfolio_timeline_tells_each_status_by_more_than_colour() -> None:
    spec = timeline_spec()
    encoding = spec["layer"][0]["encoding"]
    fills = encoding["fill"]["scale"]["range"]
    dashes = encoding["strokeDash"]["scale"]["range"]
    assert encoding["stroke"]["scale"]["range"] == list(STATUS_COLOURS.values())
    # without colour: filled, a light fill, hollow and dashed, hollow and dotted
    looks = [
        (tint_share(fill, colour), tuple(dash))
        for fill, colour, dash in zip(fills, STATUS_COLOURS.values(), dashes, strict=True)
    ]
    assert looks == [(1.0, (1, 0)), (0.3, (1, 0)), (0.0, (5, 3)), (0.0, (1, 3))]
    assert len(set(looks)) == len(looks)
    assert spec["layer"][1]["encoding"]["strokeDash"] == encoding["strokeDash"]  # the points too
    legends = vl_convert.vegalite_to_vega(spec)["legends"]
    assert len(legends) == 1  # one legend, with words, shows colour, fill and dash together
    assert {legends[0][k] for k in ("fill", "stroke", "strokeDash")} == {
        "fill",
        "stroke",
        "strokeDash",
    }


def tint_share(fill: str, colour: str) -> float:
    """How much of colour is in fill (the rest white), to one decimal."""
    ink, paper = int(colour[1:3], 16), int(fill[1:3], 16)
    return round((255 - paper) / (255 - ink), 1)


def test_tint_mixes_a_colour_with_white() -> None:
    assert tint("#1f4e79", 1.0) == "#1f4e79"
    assert tint("#1f4e79", 0.0) == "#ffffff"
    assert tint("#000000", 0.5) == "#808080"


def test_the_deliverables_timeline_tells_status_by_shape_too() -> None:
    points = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-06-01", "2024-01-01"]),
            "title": ["1. Plan", "2. Budsjett"],
            "status": ["Levert", "Planlagt"],
        }
    )
    colours = {"Levert": "#1f4e79", "Planlagt": "#b35900", "Uklart": "#8c8c8c"}
    spec = timeline_chart(points, status_title="Status", lang="nb", colours=colours).to_dict(
        validate=True
    )
    assert spec["encoding"]["shape"]["field"] == "status"
    assert spec["encoding"]["shape"]["scale"]["domain"] == list(colours)
    assert spec["encoding"]["color"]["scale"]["range"] == list(colours.values())
    assert len(vl_convert.vegalite_to_vega(spec)["legends"]) == 1


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


def test_the_split_bar_chart_is_valid_and_tells_its_parts_by_more_than_colour() -> None:
    frame = pd.DataFrame(
        {
            "stream": [
                "Tilskuddsordning",
                "Tilskuddsordning",
                "Statsbudsjettet",
                "Statsbudsjettet",
            ],
            "state": ["Tildelt", "Søkt", "Tildelt", "Søkt"],
            "count": [1, 2, 3, 0],
        }
    )
    spec: dict[str, Any] = split_bar_chart(
        frame,
        label="stream",
        value="count",
        split="state",
        order=["Tildelt", "Søkt"],
        labels=["Statsbudsjettet", "Tilskuddsordning"],
        title="Antall satsinger",
        lang="nb",
    ).to_dict(validate=True)
    colours = spec["encoding"]["color"]["scale"]["range"]
    assert colours[0] != colours[1]
    assert spec["mark"]["stroke"] == colours[0]  # the light part has the dark outline too
    assert spec["encoding"]["y"]["sort"] == ["Statsbudsjettet", "Tilskuddsordning"]


def test_the_breakdown_charts_years_read_across() -> None:
    """Indikatorer's breakdown chart (issue 19): Vega-Lite stands an ordinal axis' labels on
    end; the years read across, as on the indicator's own chart."""
    from dashboard.ui.breakdowns import breakdown_chart

    points = pd.DataFrame(
        {
            "year": [2022, 2023, 2024] * 2,
            "value": [250.0, 247.5, 240.0, 6.0, 5.9, 5.9],
            "series": ["Viken (30)"] * 3 + ["Halden (3101)"] * 3,
            "dashed": [True] * 3 + [False] * 3,
        }
    )
    chart = breakdown_chart(points, y_title="personer", series_title="Region", lang="nb")
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    years = re.findall(r"<text ([^>]*)>(20\d\d)</text>", svg)
    assert [year for _, year in years] == ["2022", "2023", "2024"]
    assert not any("rotate" in attributes for attributes, _ in years), years
