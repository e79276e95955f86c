"""Display tables: service frames with translated headers, labels and Norwegian numbers."""

import pandas as pd

from dashboard.i18n.formatting import measured
from dashboard.ui.context import label, labels, lang, t
from models import FocusType


def _measured_column(frame: pd.DataFrame, column: str, missing: str = "–") -> list[str]:
    language = lang()
    return [
        measured(v, m, u, language) if pd.notna(v) else missing
        for v, m, u in zip(frame[column], frame["measure"], frame["unit"], strict=True)
    ]


def indicator_display(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicator table as a reader sees it."""
    return pd.DataFrame(
        {
            t("col.code"): indicators["code"],
            t("col.indicator"): indicators["name"],
            t("col.baseline"): _measured_column(indicators, "baseline_value"),
            t("col.baseline_year"): indicators["baseline_year"],
            t("col.latest"): _measured_column(indicators, "latest_value"),
            t("col.latest_period"): indicators["latest_period"].fillna("–"),
            t("col.target"): _measured_column(indicators, "target_value", t("common.no_target")),
            t("col.direction"): labels(indicators["direction"], "Direction"),
            t("col.responsible"): indicators["responsible"].fillna("–"),
            t("col.source"): indicators["source"].fillna("–"),
        }
    )


def portfolio_display(frame: pd.DataFrame, category_titles: pd.Series) -> pd.DataFrame:
    """The portfolio table as a reader sees it, with a link to each initiative."""
    focus = {f.value: label(f, "FocusType") for f in FocusType}
    categories = {number: f"{number}. {title}" for number, title in category_titles.items()}
    return pd.DataFrame(
        {
            t("col.number"): frame["number"],
            t("col.initiative"): frame["name"],
            t("col.open"): [f"satsing?nr={n}" for n in frame["number"]],
            t("col.status"): labels(frame["status"], "InitiativeStatus"),
            t("col.period"): [
                _years(a, b) for a, b in zip(frame.start_year, frame.end_year, strict=True)
            ],
            t("col.category"): frame["category"].map(categories).fillna("–"),
            t("col.focus"): [", ".join(focus.get(f, f) for f in fs) for fs in frame["focus"]],
            t("col.scope"): labels(frame["scope"].fillna("unknown"), "Scope"),
            t("col.responsible"): frame["responsible"],
            t("col.involved"): frame["involved"],
        }
    )


def _years(start: int | None, end: int | None) -> str:
    """'2015–2021', '2017–' or '–'."""
    first = "" if start is None or pd.isna(start) else str(start)
    last = "" if end is None or pd.isna(end) else str(end)
    return f"{first}–{last}" if first or last else "–"
