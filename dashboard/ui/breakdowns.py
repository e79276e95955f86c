"""Indikatorer: an indicator's SSB breakdown by county (and municipality within a county) and
by gender and age, as table, chart and download, with a region filter (issue 19).

Every cell shown or downloaded passes through publishable() first, once per run. Partners
see the approved batches only; internal roles also the submitted ones, marked. The 2024 county
reform: former counties are shown under the code they had, marked, after the first current
county their area lies in; renumbered municipalities under their new code
(dashboard.statistics.regions).
"""

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.i18n import translate
from dashboard.i18n.formatting import local_time, measured
from dashboard.statistics import regions
from dashboard.statistics.breakdowns import breakdown_source, placed_cells
from dashboard.ui.charts import chart_locale, on_phone
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.widgets import chart_spec, data_table, downloads, esc
from models import Indicator

GENDER_TOTAL = "0"
MAX_LINES = 20  # a chart of more regions shows the first ones only (the table has them all)


def publishable(frame: pd.DataFrame, *, internal: bool) -> pd.DataFrame:
    """The cells (region, gender, age, year, value, base, symbol, ...) that may be shown and
    downloaded: internal roles see every cell; partners and visitors those that may be
    published.

    TODO(issue 19, suppression): pass the frame through dashboard/statistics/suppression.py
    (SUPPRESS_BELOW: primary and secondary suppression on base, cells marked «:»); until that
    module is merged the frame is returned as it is.
    """
    return frame


def region_name(code: str, labels: dict[str, str]) -> str:
    """A region's name: the whole country, a county from the classification (a former one
    with its years), else the file's name, else the code."""
    if regions.level(code) == "whole_country":
        return t("breakdown.whole_country")
    if code in regions.COUNTIES:
        return regions.name(code)
    return labels.get(code, code)


def region_note(code: str, former_code: Any) -> str:
    """What the region's row says of the reforms: a former county, a renumbered code."""
    county = regions.COUNTIES.get(code)
    if county is not None and not county.current:
        now = ", ".join(regions.name(c) for c in regions.current_counties(code))
        return t("breakdown.former_county", counties=now)
    if isinstance(former_code, str):
        return t("breakdown.former_code", code=former_code)
    return ""


def shown_value(value: Any, symbol: Any, measure: str, unit: str | None) -> str:
    """A cell as text: the number with its unit, or SSB's symbol (with a provisional «*»)."""
    text = "" if value is None or pd.isna(value) else measured(float(value), measure, unit, lang())
    if isinstance(symbol, str) and symbol:
        return f"{text} {symbol}".strip()
    return text or "–"


def breakdown_chart(points: pd.DataFrame, *, y_title: str, series_title: str, lang: str) -> Any:
    """A line per series over the years; former regions dashed."""
    return (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=series_title,
                legend=alt.Legend(orient="bottom", columns=on_phone(1, 3)),
            ),
            strokeDash=alt.StrokeDash("dashed:N", legend=None),
            tooltip=[
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("year:O", title=translate(lang, "breakdown.col.year")),
                alt.Tooltip(
                    "value:Q", title=translate(lang, "chart.tooltip.value"), format=",.1~f"
                ),
            ],
        )
        .configure(locale=chart_locale(lang))
    )


def _wide(long: pd.DataFrame, rows: list[str]) -> pd.DataFrame:
    """The long table (rows..., year, value text) with a column per year."""
    wide = long.pivot_table(
        index=rows, columns=t("breakdown.col.year"), values="shown", aggfunc="first", sort=False
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide.fillna("")


def breakdown_section(indicator: Indicator, *, internal: bool) -> None:
    """The breakdown of the indicator, when it has one."""
    assert indicator.id is not None
    cells = query(placed_cells, indicator.id, include_submitted=internal)
    if cells.empty:
        return
    cells = publishable(cells, internal=internal)
    source = query(breakdown_source, indicator.id, include_submitted=internal) or {}
    labels: dict[str, str] = source.get("labels", {})
    st.subheader(t("breakdown.header"))
    st.caption(
        t(
            "breakdown.source",
            table=esc(source.get("table") or "?"),
            when=local_time(source.get("retrieved_at"), lang()),
        )
    )
    if internal and bool(cells["submitted"].any()):
        st.caption(f":material/pending: {t('breakdown.submitted_caption')}")
    county, municipality = _region_filter(cells, labels)
    by_county, by_gender_age = st.tabs([t("breakdown.by_county"), t("breakdown.by_gender_age")])
    with by_county:
        _by_region(
            cells, indicator, labels, county, internal=internal, age_total=source.get("age_total")
        )
    with by_gender_age:
        _by_gender_age(cells, indicator, labels, municipality or county, internal=internal)
    st.caption(f":material/info: {t('breakdown.reform_note')}")


def _region_filter(cells: pd.DataFrame, labels: dict[str, str]) -> tuple[str, str | None]:
    """The county chosen ("0": the whole country) and the municipality in it (None: all)."""
    counties = set(cells.loc[cells["level"] == "county", "place"])
    counties |= set(cells.loc[cells["level"] == "municipality", "county"].dropna())
    options = [regions.WHOLE_COUNTRY, *sorted(counties, key=regions.order)]
    left, right = st.columns(2)
    county = left.selectbox(
        t("breakdown.county_filter"),
        options,
        format_func=lambda c: region_name(c, labels),
        key="bd-county",
        placeholder=t("common.choose_one"),
    )
    county = county or regions.WHOLE_COUNTRY
    if county == regions.WHOLE_COUNTRY:
        return county, None
    inside = cells[(cells["level"] == "municipality") & (cells["county"] == county)]
    places = sorted(set(inside["place"]))
    if not places:
        return county, None
    municipality = right.selectbox(
        t("breakdown.municipality_filter"),
        ["", *places],
        format_func=lambda c: region_name(c, labels) if c else t("breakdown.whole_county"),
        key=f"bd-municipality-{county}",
        placeholder=t("common.choose_one"),
    )
    return county, municipality or None


def _long(
    part: pd.DataFrame,
    indicator: Indicator,
    labels: dict[str, str],
    *,
    internal: bool,
) -> pd.DataFrame:
    """The cells as the download has them: region, its code and note, gender, age, year,
    value (as text), SSB's symbol, and (internal) whether it is approved."""
    long = pd.DataFrame(
        {
            t("breakdown.col.region"): [region_name(c, labels) for c in part["place"]],
            t("breakdown.col.code"): list(part["place"]),
            t("breakdown.col.gender"): [
                t(f"breakdown.gender.{g}") if g in ("0", "1", "2") else g for g in part["gender"]
            ],
            t("breakdown.col.age"): [a or t("breakdown.all_ages") for a in part["age"]],
            t("breakdown.col.year"): list(part["year"]),
            t("breakdown.col.value"): [
                shown_value(v, s, indicator.measure, indicator.unit)
                for v, s in zip(part["value"], part["symbol"], strict=True)
            ],
            t("breakdown.col.note"): _notes(part),
        }
    )
    if internal:
        long[t("col.status")] = [t("breakdown.submitted") if s else "" for s in part["submitted"]]
    return long


def _chart_and_table(spec: dict[str, Any], alt_text: str, table: pd.DataFrame) -> None:
    """The chart with its text alternative, and its data as a table in view (not folded away
    as chart_with_table does: the table is what a partner reads a county's figures in)."""
    st.vega_lite_chart(spec, width="stretch", alt=alt_text)
    st.caption(f"{t('chart.alt_label')}: {esc(alt_text)}")
    data_table(table, hide_index=True, width="stretch")


def _notes(part: pd.DataFrame) -> list[str]:
    """Each cell's region note, the same on every cell of a region (a renumbered
    municipality's old code is named on its row, whichever year the cell is of)."""
    notes: dict[str, str] = {}
    for code, former in zip(part["place"], part["former_code"], strict=True):
        if not notes.get(code):
            notes[code] = region_note(code, former)
    return [notes[code] for code in part["place"]]


def _status(internal: bool) -> list[str]:
    """The status column (submitted cells marked) internal roles' tables have."""
    return [t("col.status")] if internal else []


def _chart(
    part: pd.DataFrame,
    series: list[str],
    dashed: list[bool],
    indicator: Indicator,
    what: str,
    title: str,
) -> tuple[dict[str, Any], str]:
    points = pd.DataFrame(
        {
            "year": part["year"].astype(int),
            "value": pd.to_numeric(part["value"], errors="coerce"),
            "series": series,
            "dashed": dashed,
        }
    ).dropna(subset=["value"])
    keep = list(dict.fromkeys(points["series"]))[:MAX_LINES]
    points = points[points["series"].isin(keep)]
    y_title = "%" if indicator.measure == "percent" else (indicator.unit or "")
    spec = chart_spec(
        breakdown_chart,
        points=points.reset_index(drop=True),
        y_title=y_title,
        series_title=title,
        lang=lang(),
    )
    years = sorted(set(points["year"])) or [0]
    alt_text = t("breakdown.alt", name=indicator.name, what=what, first=years[0], last=years[-1])
    return spec, alt_text


def _by_region(
    cells: pd.DataFrame,
    indicator: Indicator,
    labels: dict[str, str],
    county: str,
    *,
    internal: bool,
    age_total: str | None,
) -> None:
    """The counties (or, with a county chosen, it and its municipalities), one gender and age."""
    ages = sorted(set(cells["age"]))
    age = ages[0]
    if len(ages) > 1:
        default = ages.index(age_total) if age_total in ages else 0
        age = (
            st.selectbox(
                t("breakdown.age"),
                ages,
                index=default,
                format_func=lambda a: a or t("breakdown.all_ages"),
                key="bd-age",
                placeholder=t("common.choose_one"),
            )
            or ages[default]
        )
    genders = set(cells["gender"])
    gender = GENDER_TOTAL if GENDER_TOTAL in genders else sorted(genders)[0]
    chosen = cells[(cells["age"] == age) & (cells["gender"] == gender)]
    if county == regions.WHOLE_COUNTRY:
        part = chosen[chosen["level"] == "county"]
    else:
        part = chosen[
            ((chosen["level"] == "county") & (chosen["place"] == county))
            | ((chosen["level"] == "municipality") & (chosen["county"] == county))
        ]
    if part.empty:
        st.caption(t("breakdown.no_cells"))
        return
    order = sorted(set(part["place"]), key=lambda c: (len(c), regions.order(c)))
    part = part.assign(_order=part["place"].map({c: i for i, c in enumerate(order)}))
    part = part.sort_values(["_order", "year"], kind="stable")
    long = _long(part, indicator, labels, internal=internal)
    series = [
        f"{name} ({code})"
        for name, code in zip(long[t("breakdown.col.region")], part["place"], strict=True)
    ]
    dashed = [bool(n) for n in long[t("breakdown.col.note")]]
    spec, alt_text = _chart(
        part, series, dashed, indicator, t("breakdown.alt_by_county"), t("breakdown.col.region")
    )
    rows = [t("breakdown.col.region"), t("breakdown.col.code"), t("breakdown.col.note")]
    wide = _wide(long.assign(shown=long[t("breakdown.col.value")]), rows + _status(internal))
    _chart_and_table(spec, alt_text, wide)
    downloads(long, f"indikator-{indicator.code}-regioner", key="bd-regions")


def _by_gender_age(
    cells: pd.DataFrame,
    indicator: Indicator,
    labels: dict[str, str],
    place: str,
    *,
    internal: bool,
) -> None:
    """One region's cells by gender and age."""
    part = cells[cells["place"] == place].sort_values(["gender", "age", "year"], kind="stable")
    if part.empty:
        st.caption(t("breakdown.no_cells"))
        return
    long = _long(part, indicator, labels, internal=internal)
    gender, age = t("breakdown.col.gender"), t("breakdown.col.age")
    series = [f"{g}, {a}" for g, a in zip(long[gender], long[age], strict=True)]
    what = t("breakdown.alt_by_gender_age", region=region_name(place, labels))
    spec, alt_text = _chart(
        part, series, [False] * len(part), indicator, what, f"{gender}, {age.lower()}"
    )
    wide = _wide(
        long.assign(shown=long[t("breakdown.col.value")]), [gender, age, *_status(internal)]
    )
    _chart_and_table(spec, alt_text, wide)
    downloads(long, f"indikator-{indicator.code}-{place}-kjonn-alder", key="bd-gender-age")
