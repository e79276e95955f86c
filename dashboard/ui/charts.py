"""Altair chart builders with Norwegian number and date locale, and their text alternatives."""

import datetime as dt
from functools import cache

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
        legend=alt.Legend(title=None, orient="bottom"),
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
                shape=alt.Shape("state:N", title=title, legend=alt.Legend(orient="bottom")),
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
    return alt.layer(*layers).properties(height=320).configure(locale=chart_locale(lang))


def bar_chart(frame: pd.DataFrame, *, label: str, value: str, title: str, lang: str) -> alt.Chart:
    """Horizontal bars of value per label, largest first (the counts are in its table)."""
    base = alt.Chart(frame).encode(
        y=alt.Y(
            f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)
        ),
        x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(tickMinStep=1, format="d")),
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


def timeline_chart(points: pd.DataFrame, *, status_title: str, lang: str) -> alt.Chart:
    """Dated items (date, title, status) as points on a time axis, one row per item."""
    return (
        alt.Chart(points)
        .mark_point(filled=True, size=160)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("title:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
            color=alt.Color("status:N", title=status_title, legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("status:N", title=status_title),
            tooltip=[alt.Tooltip("title:N"), alt.Tooltip("date:T", format="%B %Y"), "status:N"],
        )
        .properties(height=max(160, 40 * len(points)))
        .configure(locale=chart_locale(lang))
    )


def coverage_heatmap(
    cells: pd.DataFrame,
    *,
    goals: list[str],
    initiatives: list[str],
    titles: dict[str, str],
    lang: str,
) -> alt.Chart:
    """Goal x initiative: a square per contribution, darker the stronger (1-3).

    cells: initiative, goal, strength, kind, proposal (text); goals and initiatives give the
    order of the axes; titles holds the axis and legend titles (goal, initiative, strength).
    """
    return (
        alt.Chart(cells)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "goal:N",
                sort=goals,
                scale=alt.Scale(domain=goals),
                title=titles["goal"],
                axis=alt.Axis(orient="top", labelAngle=0),
            ),
            y=alt.Y(
                "initiative:N",
                sort=initiatives,
                scale=alt.Scale(domain=initiatives),
                title=None,
                axis=alt.Axis(labelLimit=360, labelOverlap=False),
            ),
            color=alt.Color(
                "strength:O",
                title=titles["strength"],
                scale=alt.Scale(domain=[1, 2, 3], range=["#c6dbef", "#4a90c2", "#08306b"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("initiative:N", title=titles["initiative"]),
                alt.Tooltip("goal:N", title=titles["goal"]),
                alt.Tooltip("strength:O", title=titles["strength"]),
                alt.Tooltip("kind:N", title=titles["kind"]),
                alt.Tooltip("proposal:N", title=titles["proposal"]),
            ],
        )
        .properties(height=max(120, 22 * len(initiatives) + 40))
        .configure(locale=chart_locale(lang))
    )


def portfolio_timeline(
    items: pd.DataFrame, *, colours: dict[str, str], status_title: str, lang: str
) -> alt.LayerChart:
    """Initiatives as bars from start to end and deliverables as points, coloured by status.

    items: title, status (text), start, end (datetimes), point (True for a deliverable);
    colours: status text -> colour.
    """
    scale = alt.Scale(domain=list(colours), range=list(colours.values()))
    base = alt.Chart(items).encode(
        y=alt.Y(
            "title:N", title=None, sort=None, axis=alt.Axis(labelLimit=420, labelOverlap=False)
        ),
        color=alt.Color(
            "status:N", title=status_title, scale=scale, legend=alt.Legend(orient="bottom")
        ),
        tooltip=[
            alt.Tooltip("title:N"),
            alt.Tooltip("status:N", title=status_title),
            alt.Tooltip("start:T", format="%Y"),
            alt.Tooltip("end:T", format="%Y"),
        ],
    )
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    bars = base.transform_filter("!datum.point").mark_bar(height=14).encode(x=x, x2="end:T")
    points = base.transform_filter("datum.point").mark_point(filled=True, size=140).encode(x=x)
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
