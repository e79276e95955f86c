"""Indikatorer: an indicator's SSB breakdown by county (and municipality within a county) and
by gender and age, as table, chart and download, with a region filter (issue 19).

Every cell shown or downloaded passes through publishable() first. The tables, the chart's
points and the download are shaped from the cells in functions run through query() (cached
per data version and filter: a county file has 28,000 cells); the page run itself only draws.
Partners see the approved batches only; internal roles also the submitted ones, marked. The
2024 county reform: former counties are shown under the code they had, marked, after the first
current county their area lies in; renumbered municipalities under their new code
(dashboard.statistics.regions).
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from dashboard.i18n import enum_key, translate
from dashboard.i18n.formatting import local_time, measured
from dashboard.services.common import data_version
from dashboard.statistics import regions
from dashboard.statistics.breakdowns import breakdown_source, placed_cells, publishable
from dashboard.statistics.suppression import SYMBOL
from dashboard.statistics.targets import regional_status
from dashboard.ui.charts import chart_locale, on_phone
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.widgets import chart_spec, data_table, downloads, esc, suppression_caption
from models import Indicator

GENDER_TOTAL = "0"
MAX_LINES = 20  # a chart of more regions shows the first ones only (the table has them all)


def _cells(session: Session, indicator_id: int, internal: bool) -> pd.DataFrame:
    """The indicator's cells as they may be shown (the one way every view reads them): read
    once per data version, however many views of them a run shapes."""
    url = session.get_bind().engine.url.render_as_string()
    return _read(url, data_version(session), indicator_id, internal, session)


@st.cache_data(show_spinner=False, max_entries=8)
def _read(
    url: str, version: int, indicator_id: int, internal: bool, _session: Session
) -> pd.DataFrame:
    """_cells, cached by database, data version, indicator and role (not by the session)."""
    cells = placed_cells(_session, indicator_id, include_submitted=internal, dedupe=False)
    source = breakdown_source(_session, indicator_id, include_submitted=internal) or {}
    measure = str(_indicator(_session, indicator_id).measure)
    return publishable(cells, internal=internal, measure=measure, age_total=source.get("age_total"))


@dataclass(frozen=True)
class Overview:
    """What the section needs before a filter is chosen."""

    table: str | None
    retrieved_at: Any
    age_total: str | None
    labels: dict[str, str]
    counties: list[str]  # "0" first, then by regions.order
    municipalities: dict[str, list[str]]  # county -> its municipalities' codes now
    ages: list[str]
    submitted: bool


@dataclass(frozen=True)
class View:
    """A table as shown (a column per year), the cells as downloaded, the chart's points."""

    wide: pd.DataFrame
    long: pd.DataFrame
    points: pd.DataFrame
    years: tuple[int, int]
    hides: bool = False  # a cell is suppressed: «:» for partners, marked for internal roles


def overview(session: Session, indicator_id: int, internal: bool) -> Overview | None:
    """The indicator's breakdown at a glance (None: it has none)."""
    cells = _cells(session, indicator_id, internal)
    if cells.empty:
        return None
    source = breakdown_source(session, indicator_id, include_submitted=internal) or {}
    counties = {str(c) for c in pd.unique(cells.loc[cells["level"] == "county", "place"])}
    pairs = cells.loc[cells["level"] == "municipality", ["county", "place"]].drop_duplicates()
    municipalities: dict[str, list[str]] = {}
    for county, place in zip(pairs["county"], pairs["place"], strict=True):
        municipalities.setdefault(str(county), []).append(str(place))
    counties |= set(municipalities)
    return Overview(
        table=source.get("table"),
        retrieved_at=source.get("retrieved_at"),
        age_total=source.get("age_total"),
        labels=source.get("labels", {}),
        counties=[regions.WHOLE_COUNTRY, *sorted(counties, key=regions.order)],
        municipalities={c: sorted(places) for c, places in municipalities.items()},
        ages=sorted(str(a) for a in pd.unique(cells["age"])),
        submitted=bool(cells["submitted"].any()),
    )


def region_view(
    session: Session,
    indicator_id: int,
    internal: bool,
    county: str,
    age: str,
    language: str,
) -> View | None:
    """The counties (or, with a county chosen, it and its municipalities; a file without
    counties: every municipality), for both genders (or the first) and one age group."""
    cells = _cells(session, indicator_id, internal)
    labels = (breakdown_source(session, indicator_id, include_submitted=internal) or {}).get(
        "labels", {}
    )
    genders = {str(g) for g in pd.unique(cells["gender"])}
    gender = GENDER_TOTAL if GENDER_TOTAL in genders else min(genders, default=GENDER_TOTAL)
    chosen = cells[(cells["age"] == age) & (cells["gender"] == gender)]
    if county == regions.WHOLE_COUNTRY:
        part = chosen[chosen["level"] == "county"]
        if part.empty:  # a file of municipalities only: all of them
            part = chosen[chosen["level"] == "municipality"]
    else:
        part = chosen[
            ((chosen["level"] == "county") & (chosen["place"] == county))
            | ((chosen["level"] == "municipality") & (chosen["county"] == county))
        ]
    if part.empty:
        return None
    places = part["place"].astype(str)
    order = sorted(set(places), key=lambda c: (len(c), regions.order(c)))
    part = part.assign(_order=places.map({c: i for i, c in enumerate(order)}).to_numpy())
    part = part.sort_values(["_order", "year"], kind="stable")
    indicator = _indicator(session, indicator_id)
    long = _long(part, indicator, labels, internal=internal, language=language)
    region, code = (
        translate(language, "breakdown.col.region"),
        translate(language, "breakdown.col.code"),
    )
    note = translate(language, "breakdown.col.note")
    series = [f"{name} ({c})" for name, c in zip(long[region], long[code], strict=True)]
    dashed = [bool(n) for n in long[note]]
    rows = [region, code, note, *_status(internal, language)]
    points = _points(part, series, dashed)
    wide = _with_status(_wide(long, rows, language), code, session, indicator_id, language)
    return View(wide, long, points, _years(part), _hides(part))


def _with_status(
    wide: pd.DataFrame, code: str, session: Session, indicator_id: int, language: str
) -> pd.DataFrame:
    """The table with a column «Status mot mål» when a region in it has its own target (its
    status from its own approved series; no number, so nothing suppressed is given away)."""
    statuses = regional_status(session, indicator_id)
    codes = [str(c) for c in wide[code]]
    if not any(c in statuses for c in codes):
        return wide
    said = {
        c: translate(language, enum_key(p.status, "ProgressStatus")) for c, p in statuses.items()
    }
    return wide.assign(
        **{translate(language, "progress.col.status"): [said.get(c, "") for c in codes]}
    )


def gender_age_view(
    session: Session, indicator_id: int, internal: bool, place: str, language: str
) -> View | None:
    """One region's cells by gender and age."""
    cells = _cells(session, indicator_id, internal)
    part = cells[cells["place"] == place]
    if part.empty:
        return None
    part = part.sort_values(["gender", "age", "year"], kind="stable")
    labels = (breakdown_source(session, indicator_id, include_submitted=internal) or {}).get(
        "labels", {}
    )
    long = _long(
        part, _indicator(session, indicator_id), labels, internal=internal, language=language
    )
    gender = translate(language, "breakdown.col.gender")
    age = translate(language, "breakdown.col.age")
    series = [f"{g}, {a}" for g, a in zip(long[gender], long[age], strict=True)]
    rows = [gender, age, *_status(internal, language)]
    points = _points(part, series, [False] * len(part))
    return View(_wide(long, rows, language), long, points, _years(part), _hides(part))


def _hides(part: pd.DataFrame) -> bool:
    """Whether a cell shown is suppressed: marked (internal roles) or «:» (partners)."""
    if "suppressed" in part:
        return bool(part["suppressed"].notna().any())
    return bool((part["symbol"].astype(object) == SYMBOL).any())


def _indicator(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    assert indicator is not None
    return indicator


def region_name(code: str, labels: dict[str, str], language: str) -> str:
    """A region's name: the whole country, a county from the classification (a former one
    with its years), else the file's name, else the code."""
    if regions.level(code) == "whole_country":
        return translate(language, "breakdown.whole_country")
    if code in regions.COUNTIES:
        return regions.name(code)
    return labels.get(code, code)


def region_note(code: str, former_code: Any, language: str) -> str:
    """What the region's row says of the reforms: a former county, a renumbered code."""
    county = regions.COUNTIES.get(code)
    if county is not None and not county.current:
        now = ", ".join(regions.name(c) for c in regions.current_counties(code))
        return translate(language, "breakdown.former_county", counties=now)
    if isinstance(former_code, str):
        return translate(language, "breakdown.former_code", code=former_code)
    return ""


def shown_value(value: Any, symbol: Any, measure: str, unit: str | None, language: str) -> str:
    """A cell as text: the number with its unit, or SSB's symbol (with a provisional «*»)."""
    text = (
        "" if value is None or pd.isna(value) else measured(float(value), measure, unit, language)
    )
    if isinstance(symbol, str) and symbol:
        return f"{text} {symbol}".strip()
    return text or "–"


def breakdown_chart(points: pd.DataFrame, *, y_title: str, series_title: str, lang: str) -> Any:
    """A line per series over the years; former regions dashed."""
    return (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            # Vega-Lite stands an ordinal axis' labels on end: the years read across, as on
            # the indicator's own chart above (on a phone, with ten years, on end again)
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=on_phone(-90, 0))),
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


def _wide(long: pd.DataFrame, rows: list[str], language: str) -> pd.DataFrame:
    """The long table (rows..., year, value text) with a column per year."""
    year, value = (
        translate(language, "breakdown.col.year"),
        translate(language, "breakdown.col.value"),
    )
    wide = long.pivot_table(
        index=rows, columns=year, values=value, aggfunc="first", sort=False
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide.fillna("")


def _points(part: pd.DataFrame, series: list[str], dashed: list[bool]) -> pd.DataFrame:
    """The chart's points: a line per series, the first MAX_LINES of them."""
    points = pd.DataFrame(
        {
            "year": part["year"].astype(int).to_numpy(),
            "value": pd.to_numeric(part["value"], errors="coerce").to_numpy(),
            "series": series,
            "dashed": dashed,
        }
    ).dropna(subset=["value"])
    keep = list(dict.fromkeys(points["series"]))[:MAX_LINES]
    return points[points["series"].isin(keep)].reset_index(drop=True)


def _years(part: pd.DataFrame) -> tuple[int, int]:
    years = part["year"].astype(int)
    return (int(years.min()), int(years.max())) if len(years) else (0, 0)


def _status(internal: bool, language: str) -> list[str]:
    """The status column (submitted cells marked) internal roles' tables have."""
    return [translate(language, "col.status")] if internal else []


def _long(
    part: pd.DataFrame,
    indicator: Indicator,
    labels: dict[str, str],
    *,
    internal: bool,
    language: str,
) -> pd.DataFrame:
    """The cells as the download has them: region, its code and note, gender, age, year,
    value (as text with SSB's symbol), and (internal) whether it is approved. Names and notes
    are worked out once per code (a county's municipalities over ten years: 3,000 cells)."""
    say = partial(translate, language)
    places = part["place"].astype(str)
    names = {code: region_name(code, labels, language) for code in pd.unique(places)}
    genders = {
        g: say(f"breakdown.gender.{g}") if g in ("0", "1", "2") else g
        for g in pd.unique(part["gender"].astype(str))
    }
    ages = {a: a or say("breakdown.all_ages") for a in pd.unique(part["age"].astype(str))}
    long = pd.DataFrame(
        {
            say("breakdown.col.region"): places.map(names).to_numpy(),
            say("breakdown.col.code"): places.to_numpy(),
            say("breakdown.col.gender"): part["gender"].astype(str).map(genders).to_numpy(),
            say("breakdown.col.age"): part["age"].astype(str).map(ages).to_numpy(),
            say("breakdown.col.year"): part["year"].astype(int).to_numpy(),
            say("breakdown.col.value"): _shown_values(part, indicator, language),
            say("breakdown.col.note"): _notes(part, language),
        }
    )
    if internal:
        submitted = say("breakdown.submitted")
        long[say("col.status")] = [submitted if s else "" for s in part["submitted"]]
    return long


def _shown_values(part: pd.DataFrame, indicator: Indicator, language: str) -> list[str]:
    """Each cell's value as text, worked out once per distinct value, symbol and whether it
    is hidden when published (the internal roles' cells say so after the number)."""
    shown: dict[tuple[Any, Any, bool], str] = {}
    texts = []
    flags = part["suppressed"].notna().tolist() if "suppressed" in part else [False] * len(part)
    marker = translate(language, "suppression.marker")
    for value, symbol, hidden in zip(
        part["value"].tolist(), part["symbol"].tolist(), flags, strict=True
    ):
        key = (
            None if pd.isna(value) else value,
            symbol if isinstance(symbol, str) else None,
            hidden,
        )
        if key not in shown:
            text = shown_value(*key[:2], indicator.measure, indicator.unit, language)
            shown[key] = f"{text} ({marker})" if hidden and key[0] is not None else text
        texts.append(shown[key])
    return texts


def _notes(part: pd.DataFrame, language: str) -> list[str]:
    """Each cell's region note, the same on every cell of a region (a renumbered
    municipality's old code is named on its row, whichever year the cell is of)."""
    notes: dict[str, str] = {}
    renumbered = part.dropna(subset=["former_code"])
    for code, former in zip(renumbered["place"], renumbered["former_code"], strict=True):
        notes.setdefault(str(code), region_note(str(code), former, language))
    for code in pd.unique(part["place"].astype(str)):
        notes.setdefault(code, region_note(code, None, language))
    return [notes[code] for code in part["place"].astype(str)]


# --- the page --------------------------------------------------------------------------------


def breakdown_section(indicator: Indicator, *, internal: bool) -> None:
    """The breakdown of the indicator, when it has one."""
    assert indicator.id is not None
    found = query(overview, indicator.id, internal)
    if found is None:
        return
    st.subheader(t("breakdown.header"))
    st.caption(
        t(
            "breakdown.source",
            table=esc(found.table or "?"),
            when=local_time(found.retrieved_at, lang()),
        )
    )
    if internal and found.submitted:
        st.caption(f":material/pending: {t('breakdown.submitted_caption')}")
    county, municipality = _region_filter(found)
    by_county, by_gender_age = st.tabs([t("breakdown.by_county"), t("breakdown.by_gender_age")])
    with by_county:
        age = _age(found)
        view = query(region_view, indicator.id, internal, county, age, lang())
        _show(view, indicator, t("breakdown.alt_by_county"), t("breakdown.col.region"), "regioner")
    with by_gender_age:
        place = municipality or county
        view = query(gender_age_view, indicator.id, internal, place, lang())
        what = t("breakdown.alt_by_gender_age", region=region_name(place, found.labels, lang()))
        title = f"{t('breakdown.col.gender')}, {t('breakdown.col.age').lower()}"
        _show(view, indicator, what, title, f"{place}-kjonn-alder")
    st.caption(f":material/info: {t('breakdown.reform_note')}")


def _region_filter(found: Overview) -> tuple[str, str | None]:
    """The county chosen ("0": the whole country) and the municipality in it (None: all)."""
    left, right = st.columns(2)
    county = left.selectbox(
        t("breakdown.county_filter"),
        found.counties,
        format_func=lambda c: region_name(c, found.labels, lang()),
        key="bd-county",
        placeholder=t("common.choose_one"),
    )
    county = county or regions.WHOLE_COUNTRY
    places = found.municipalities.get(county, [])
    if county == regions.WHOLE_COUNTRY or not places:
        return county, None
    municipality = right.selectbox(
        t("breakdown.municipality_filter"),
        ["", *places],
        format_func=lambda c: (
            region_name(c, found.labels, lang()) if c else t("breakdown.whole_county")
        ),
        key=f"bd-municipality-{county}",
        placeholder=t("common.choose_one"),
    )
    return county, municipality or None


def _age(found: Overview) -> str:
    """The age group of the table by region: the indicator's own (the first its selection
    names), or the one chosen."""
    ages = found.ages
    default = ages.index(found.age_total) if found.age_total in ages else 0
    if len(ages) <= 1:
        return ages[0] if ages else ""
    chosen = st.selectbox(
        t("breakdown.age"),
        ages,
        index=default,
        format_func=lambda a: a or t("breakdown.all_ages"),
        key="bd-age",
        placeholder=t("common.choose_one"),
    )
    return chosen if chosen is not None else ages[default]


def _show(view: View | None, indicator: Indicator, what: str, title: str, name: str) -> None:
    """The chart with its text alternative, its table in view (not folded away as
    chart_with_table does: the table is where a partner reads a county's figures), and the
    download of the cells."""
    if view is None:
        st.caption(t("breakdown.no_cells"))
        return
    y_title = "%" if indicator.measure == "percent" else (indicator.unit or "")
    spec = chart_spec(
        breakdown_chart, points=view.points, y_title=y_title, series_title=title, lang=lang()
    )
    first, last = view.years
    alt_text = t("breakdown.alt", name=indicator.name, what=what, first=first, last=last)
    st.vega_lite_chart(spec, width="stretch", alt=alt_text)
    st.caption(f"{t('chart.alt_label')}: {esc(alt_text)}")
    data_table(view.wide, hide_index=True, width="stretch")
    suppression_caption(view.hides)
    downloads(view.long, f"indikator-{indicator.code}-{name}", key=f"bd-{name.split('-')[0]}")
