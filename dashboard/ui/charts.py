"""Altair chart builders with Norwegian number and date locale, and their text alternatives."""

import datetime as dt
import json
import textwrap
from collections.abc import Callable
from functools import cache
from typing import Any

import altair as alt
import pandas as pd

from dashboard.i18n import enum_key, translate
from dashboard.i18n.formatting import measured
from models import EntryStatus

_MONTHS_NB = [
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
]  # fmt: skip
_DAYS_NB = ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"]

# Altair validates every object as it is built; the specs are validated once in the unit tests.
alt.utils.schemapi.disable_debug_mode()

COLOURS = {"value": "#1f4e79", "baseline": "#6b6b6b", "target": "#b35900", "trajectory": "#b35900"}

# What a status looks like besides its colour, so that it does not take colour to read it (WCAG
# 1.4.1): how much of its colour fills the mark (the rest is white), and its outline's dash.
LOOKS = {
    "done": (1.0, [1, 0]),  # filled, solid outline
    "ongoing": (0.3, [1, 0]),  # a light fill inside a solid outline
    "planned": (0.0, [5, 3]),  # hollow, dashed
    "unknown": (0.0, [1, 3]),  # hollow, dotted
}

# the coverage heatmap's squares for strength 1-3, and the text written in them
HEAT = ("#c6dbef", "#4a90c2", "#08306b")
HEAT_TEXT = ("#08306b", "#000000", "#ffffff")


NARROW = 576  # px: a chart narrower than this (on a phone) lays out its axes and legends for it


def on_phone(narrow: object, wide: object) -> alt.ExprRef:
    """A property that is narrow when the chart is less than NARROW wide, else wide (see
    label_room for how the chart knows)."""
    width = "(containerSize()[0] || 800)"
    return alt.ExprRef(
        expr=f"0 * width + ({width} < {NARROW} ? {json.dumps(narrow)} : {json.dumps(wide)})"
    )


TITLE_LINE = 36  # characters in a line of an axis title
STACKED_LEGENDS = alt.ExprRef(expr="{bottom: {direction: 'vertical', anchor: 'start'}}")


def lines(text: str, width: int) -> str | list[str]:
    """text as it is when it fits in width characters, else in lines that do."""
    return text if len(text) <= width else textwrap.wrap(text, width)


def tint(colour: str, share: float) -> str:
    """colour (#rrggbb) mixed with white: share 1 is the colour itself, 0 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - share * (255 - c)):02x}" for c in rgb)


def label_room(share: float, most: int) -> alt.ExprRef:
    """An axis label limit in pixels: share of the chart's width, at most most (and 48 at least).

    Streamlit never tells Python how wide the page is, so the chart works it out where it is
    drawn: on a phone (a 358 px chart) labels are cut short with an ellipsis and the plot keeps
    the rest of the width; the full text is in the tooltip and in the table beside the chart.
    containerSize() is the chart's width in the page (in a PNG there is none: 800 px then);
    0 * width makes Vega work the limit out again when the window is resized.
    """
    return alt.ExprRef(expr=f"0 * width + clamp({share} * (containerSize()[0] || 800), 48, {most})")


@cache
def chart_locale(lang: str) -> alt.Locale:
    """Vega's number and time locale for the UI language (bokmål: '1 234,5', 'mars')."""
    if lang == "en":
        return alt.Locale(
            number=alt.NumberLocale(decimal=".", thousands=",", grouping=[3], currency=["£", ""])
        )
    return alt.Locale(
        number=alt.NumberLocale(
            decimal=",", thousands="\u00a0", grouping=[3], currency=["", "\u00a0kr"]
        ),
        time=alt.TimeLocale(
            dateTime="%A %e. %B %Y kl. %X",
            date="%d.%m.%Y",
            time="%H:%M:%S",
            periods=["", ""],
            days=_DAYS_NB,
            shortDays=[d[:3] for d in _DAYS_NB],
            months=_MONTHS_NB,
            shortMonths=[m[:3] for m in _MONTHS_NB],
        ),
    )


def indicator_points(
    series: pd.DataFrame,
    *,
    baseline_value: float | None,
    baseline_year: int | None,
    target_value: float | None,
    target_year: int | None,
    lang: str,
) -> pd.DataFrame:
    """The chart's data in long form: date, value, series key, series label, period, and for
    measured values the workflow state's label (state) and whether it is not approved (pending).
    A series without a status column holds approved values only.
    """
    states = series["status"] if "status" in series else [EntryStatus.APPROVED] * len(series)
    rows = [
        {
            "date": pd.Timestamp(start),
            "value": value,
            "key": "value",
            "period": period,
            "state": translate(lang, enum_key(EntryStatus(state))),
            "pending": state != EntryStatus.APPROVED,
        }
        for period, start, value, state in zip(
            series["period"], series["start"], series["value"], states, strict=True
        )
    ]
    if baseline_value is not None and baseline_year is not None:
        base = {"date": pd.Timestamp(dt.date(baseline_year, 1, 1)), "value": baseline_value}
        rows.append(base | {"key": "baseline", "period": str(baseline_year)})
        if target_value is not None and target_year is not None:
            rows.append(base | {"key": "trajectory", "period": str(baseline_year)})
            rows.append(
                {
                    "date": pd.Timestamp(dt.date(target_year, 1, 1)),
                    "value": target_value,
                    "key": "trajectory",
                    "period": str(target_year),
                }
            )
    if target_value is not None and target_year is not None:
        rows.append(
            {
                "date": pd.Timestamp(dt.date(target_year, 1, 1)),
                "value": target_value,
                "key": "target",
                "period": str(target_year),
            }
        )
    columns = ["date", "value", "key", "period", "state", "pending"]
    unmarked = {"state": "", "pending": False}  # baseline, target and trajectory points
    frame = pd.DataFrame([unmarked | row for row in rows], columns=columns)
    frame["series"] = frame["key"].map(lambda k: translate(lang, f"chart.series.{k}"))
    return frame.astype({"state": object, "pending": bool})


def indicator_chart(points: pd.DataFrame, *, y_title: str, lang: str) -> alt.LayerChart:
    """Values as a line with points; baseline and target as marked points; the trajectory dashed;
    values not approved yet (drafts, submitted) as hollow points with their state in a legend.
    """
    keys = [k for k in COLOURS if k in set(points["key"])]
    labels = [translate(lang, f"chart.series.{k}") for k in keys]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=labels, range=[COLOURS[k] for k in keys]),
        legend=alt.Legend(title=None, orient="bottom", columns=on_phone(2, 8)),
    )
    base = alt.Chart(points).encode(
        # one tick a year at most: quarterly values would otherwise repeat each year's label
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y(
            "value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=",.2~f")
        ),
        color=colour,
        tooltip=[
            alt.Tooltip("series:N", title=translate(lang, "chart.tooltip.series")),
            alt.Tooltip("period:N", title=translate(lang, "chart.tooltip.period")),
            alt.Tooltip("value:Q", title=translate(lang, "chart.tooltip.value"), format=",.1~f"),
        ],
    )
    # only the layers with data: each layer costs Altair a deep copy, and an empty one is an
    # unnamed graphics symbol to a screen reader (axe's svg-img-alt)
    layers = []
    if "value" in keys:
        layers.append(
            base.transform_filter(alt.datum.key == "value").mark_line(
                strokeWidth=2, point=alt.OverlayMarkDef(filled=True, size=70)
            )
        )
    if {"baseline", "target"} & set(keys):
        layers.append(
            base.transform_filter(
                (alt.datum.key == "baseline") | (alt.datum.key == "target")
            ).mark_point(shape="diamond", filled=True, size=140)
        )
    if "trajectory" in keys:
        trajectory = base.transform_filter(alt.datum.key == "trajectory")
        layers.append(trajectory.mark_line(strokeDash=[6, 4]))
    if points["pending"].any():
        title = translate(lang, "progress.chart.unapproved")
        layers.append(
            base.transform_filter(alt.datum.pending)
            .mark_point(filled=True, size=110, strokeWidth=2, opacity=1)
            .encode(
                fill=alt.value("white"),
                stroke=alt.value(COLOURS["value"]),
                shape=alt.Shape(
                    "state:N",
                    title=title,
                    legend=alt.Legend(orient="bottom", columns=on_phone(1, 8)),
                ),
                tooltip=[
                    alt.Tooltip("series:N", title=translate(lang, "chart.tooltip.series")),
                    alt.Tooltip("period:N", title=translate(lang, "chart.tooltip.period")),
                    alt.Tooltip(
                        "value:Q", title=translate(lang, "chart.tooltip.value"), format=",.1~f"
                    ),
                    alt.Tooltip("state:N", title=title),
                ],
            )
        )
    return (
        alt.layer(*layers)
        .properties(height=320)
        .configure(locale=chart_locale(lang))
        # the legends below the plot one above the other: side by side they overflow a phone
        .configure_legend(layout=STACKED_LEGENDS)
    )


def bar_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    lang: str,
    in_order: bool = False,
) -> alt.Chart:
    """Horizontal bars of value per label, largest first, or in the frame's order (a scale's,
    with in_order); the counts are in its table."""
    base = alt.Chart(frame).encode(
        y=alt.Y(
            f"{label}:N",
            sort=list(frame[label]) if in_order else "-x",
            title=None,
            axis=alt.Axis(labelLimit=label_room(0.4, 320), labelOverlap=False),
        ),
        # a long title in lines short enough for the plot on a phone (~200 px)
        x=alt.X(
            f"{value}:Q",
            title=lines(title, TITLE_LINE),
            axis=alt.Axis(tickMinStep=1, format="d"),
        ),
        tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{value}:Q", title=title)],
    )
    # the height holds the axis and its title too: 36 px a bar keeps every label readable (at
    # 28 px a bar the bars got ~17 px in Streamlit, and Vega hid every other label)
    height = max(160, 36 * len(frame) + 60)
    return (
        base.mark_bar(color=COLOURS["value"])
        .properties(height=height)
        .configure(locale=chart_locale(lang))
    )


def timeline_chart(
    points: pd.DataFrame,
    *,
    status_title: str,
    lang: str,
    colours: dict[str, str] | None = None,
) -> alt.Chart:
    """Dated items (date, title, status) as points on a time axis, one row per item; the
    status told by the point's colour and its shape. colours: status text -> colour (Vega's
    when None)."""
    return (
        alt.Chart(points)
        .mark_point(filled=True, size=160, opacity=1)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y(
                "title:N",
                title=None,
                sort=None,
                axis=alt.Axis(labelLimit=label_room(0.4, 420), labelOverlap=False),
            ),
            color=alt.Color(
                "status:N",
                title=status_title,
                scale=alt.Scale(domain=list(colours), range=list(colours.values()))
                if colours
                else alt.Undefined,
                legend=alt.Legend(orient="bottom", columns=on_phone(1, 8), symbolOpacity=1),
            ),
            shape=alt.Shape(
                "status:N",
                title=status_title,
                # the same statuses as the colours: one legend shows both
                scale=alt.Scale(domain=list(colours)) if colours else alt.Undefined,
            ),
            tooltip=[alt.Tooltip("title:N"), alt.Tooltip("date:T", format="%B %Y"), "status:N"],
        )
        .properties(height=max(160, 40 * len(points)))
        .configure(locale=chart_locale(lang))
    )


def _words(words: dict[str, str]) -> str:
    """A Vega expression that shows a legend's label as its words (datum.label when none)."""
    expression = "datum.label"
    for value, text in reversed(list(words.items())):
        expression = f"datum.label == {json.dumps(value)} ? {json.dumps(text)} : {expression}"
    return expression


def coverage_heatmap(
    cells: pd.DataFrame,
    *,
    goals: list[str],
    initiatives: list[str],
    titles: dict[str, str],
    strengths: dict[int, str],
    lang: str,
) -> alt.LayerChart:
    """Goal x initiative: a square per contribution, darker the stronger (1-3), with its strength
    written in it, so that it does not take colour to read it; the legend says it in words.

    cells: initiative, goal, strength, kind, proposal (text); goals and initiatives give the
    order of the axes; titles holds the axis and legend titles (goal, initiative, strength);
    strengths: each strength's words for the legend (1: '1 – svakt').
    """
    base = alt.Chart(cells).encode(
        x=alt.X(
            "goal:N",
            sort=goals,
            scale=alt.Scale(domain=goals),
            title=titles["goal"],
            # on a phone a column is ~16 px: the goals' numbers stand on end
            axis=alt.Axis(
                orient="top",
                labelAngle=on_phone(-90, 0),
                labelAlign=on_phone("left", "center"),
                labelBaseline=on_phone("middle", "bottom"),
                labelOverlap=False,
            ),
        ),
        y=alt.Y(
            "initiative:N",
            sort=initiatives,
            scale=alt.Scale(domain=initiatives),
            title=None,
            axis=alt.Axis(labelLimit=label_room(0.4, 360), labelOverlap=False),
        ),
        tooltip=[
            alt.Tooltip("initiative:N", title=titles["initiative"]),
            alt.Tooltip("goal:N", title=titles["goal"]),
            alt.Tooltip("strength:O", title=titles["strength"]),
            alt.Tooltip("kind:N", title=titles["kind"]),
            alt.Tooltip("proposal:N", title=titles["proposal"]),
        ],
    )
    levels = list(strengths)
    squares = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "strength:O",
            title=titles["strength"],
            scale=alt.Scale(domain=levels, range=list(HEAT[: len(levels)])),
            legend=alt.Legend(
                orient="bottom",
                columns=on_phone(1, 8),
                symbolType="square",
                symbolSize=180,
                labelExpr=_words({str(k): v for k, v in strengths.items()}),
            ),
        ),
    )
    numbers = base.mark_text(fontSize=11, fontWeight="bold").encode(
        text=alt.Text("strength:O"),
        # dark on the light square, white on the darker ones (each over 4.5:1)
        fill=alt.Fill(
            "strength:O",
            scale=alt.Scale(domain=levels, range=list(HEAT_TEXT[: len(levels)])),
            legend=None,
        ),
    )
    return (
        alt.layer(squares, numbers)
        .properties(height=max(120, 22 * len(initiatives) + 40))
        .configure(locale=chart_locale(lang))
    )


def portfolio_timeline(
    items: pd.DataFrame,
    *,
    colours: dict[str, str],
    looks: dict[str, str],
    status_title: str,
    lang: str,
) -> alt.LayerChart:
    """Initiatives as bars from start to end and deliverables as points, by status: its colour
    and, so that it does not take colour to read it, its fill and outline (LOOKS).

    items: title, status (text), start, end (datetimes), point (True for a deliverable);
    colours: status text -> colour; looks: status text -> a key of LOOKS.
    """
    domain = list(colours)
    legend = alt.Legend(
        orient="bottom",
        columns=on_phone(1, 8),
        symbolStrokeWidth=2,
        symbolSize=160,
        symbolOpacity=1,
    )

    def by_status(channel: Callable[..., Any], values: list[Any]) -> Any:
        # ordinal: one value each, and the same scale type for each, so one legend shows them all
        scale = alt.Scale(type="ordinal", domain=domain, range=values)
        return channel("status:N", title=status_title, scale=scale, legend=legend)

    fills = [tint(colours[s], LOOKS[looks[s]][0]) for s in domain]
    base = alt.Chart(items).encode(
        y=alt.Y(
            "title:N",
            title=None,
            sort=None,
            axis=alt.Axis(labelLimit=label_room(0.4, 420), labelOverlap=False),
        ),
        fill=by_status(alt.Fill, fills),
        stroke=by_status(alt.Stroke, list(colours.values())),
        strokeDash=by_status(alt.StrokeDash, [LOOKS[looks[s]][1] for s in domain]),
        tooltip=[
            alt.Tooltip("title:N"),
            alt.Tooltip("status:N", title=status_title),
            alt.Tooltip("start:T", format="%Y"),
            alt.Tooltip("end:T", format="%Y"),
        ],
    )
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    bars = (
        base.transform_filter("!datum.point")
        .mark_bar(height=14, strokeWidth=2)
        .encode(x=x, x2="end:T")
    )
    points = (
        base.transform_filter("datum.point")
        .mark_point(filled=True, size=140, strokeWidth=2, opacity=1)
        .encode(x=x)
    )
    return (
        alt.layer(bars, points)
        .properties(height=max(160, 30 * len(items) + 40))
        .configure(locale=chart_locale(lang))
    )


def describe_indicator(
    points: pd.DataFrame, *, name: str, measure: str, unit: str | None, lang: str
) -> str:
    """A sentence or three that say what the indicator chart shows (its text alternative)."""

    def fmt(value: float) -> str:
        return measured(value, measure, unit, lang)

    parts = [translate(lang, "chart.alt.intro", name=name)]
    baseline = points[points.key == "baseline"]
    if not baseline.empty:
        row = baseline.iloc[0]
        parts.append(translate(lang, "chart.alt.baseline", value=fmt(row.value), year=row.period))
    else:
        parts.append(translate(lang, "chart.alt.no_baseline"))
    values = points[points.key == "value"]
    if values.empty:
        parts.append(translate(lang, "chart.alt.no_values"))
    else:
        first, last = values.iloc[0], values.iloc[-1]
        parts.append(
            translate(
                lang,
                "chart.alt.one_value" if len(values) == 1 else "chart.alt.values",
                count=len(values),
                first=fmt(first.value),
                first_period=first.period,
                last=fmt(last.value),
                last_period=last.period,
            )
        )
    pending = values[values.pending]
    if not pending.empty:
        states = ", ".join(sorted(set(pending.state))).lower()
        parts.append(
            translate(lang, "progress.chart.alt_unapproved", count=len(pending), states=states)
        )
    target = points[points.key == "target"]
    if target.empty:
        parts.append(translate(lang, "chart.alt.no_target"))
    else:
        row = target.iloc[0]
        parts.append(translate(lang, "chart.alt.target", value=fmt(row.value), year=row.period))
    return " ".join(parts)


def split_bar_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    split: str,
    order: list[str],
    labels: list[str],
    title: str,
    lang: str,
) -> alt.Chart:
    """Horizontal bars of value per label (in the order of labels), each split by split (in
    order): the first part filled, the second a light fill inside the same solid outline (as
    LOOKS does for an ongoing item), so that it does not take colour alone to tell them apart;
    the counts are in the chart's table."""
    fill, _ = LOOKS["ongoing"]
    base = alt.Chart(frame).encode(
        y=alt.Y(
            f"{label}:N",
            sort=labels,
            scale=alt.Scale(domain=labels),
            title=None,
            axis=alt.Axis(labelLimit=label_room(0.4, 320), labelOverlap=False),
        ),
        x=alt.X(
            f"sum({value}):Q",
            stack="zero",
            title=lines(title, TITLE_LINE),
            axis=alt.Axis(tickMinStep=1, format="d"),
        ),
        order=alt.Order("part:Q"),
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip(f"{split}:N"),
            alt.Tooltip(f"{value}:Q", title=title),
        ],
    )
    colours = [COLOURS["value"], tint(COLOURS["value"], fill)]
    bars = base.mark_bar(stroke=COLOURS["value"], strokeWidth=1).encode(
        color=alt.Color(
            f"{split}:N",
            title=None,
            scale=alt.Scale(domain=order, range=colours[: len(order)]),
            legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square"),
        ),
    )
    return (
        bars.properties(height=max(160, 36 * len(labels) + 80))
        .transform_calculate(part=f"indexof({json.dumps(order)}, datum['{split}'])")
        .configure(locale=chart_locale(lang))
    )
