"""Small-number suppression as readers see it (issue 19), plain functions of a language (no
Streamlit), shared by the pages, their downloads and the status report's PDF and Excel.

A whole-country count below SUPPRESS_BELOW is a suppressed cell
(dashboard.statistics.suppression.hidden_count): partners and visitors see «:» instead of the
number, the internal roles (dashboard.services.permissions.sees_suppressed) see the number
marked «skjult ved publisering».
"""

from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.i18n import translate
from dashboard.i18n.formatting import measured
from dashboard.services.snapshots.compare import Comparison
from dashboard.statistics.suppression import SYMBOL, hidden_count, threshold

DASH = "–"


def shown_value(
    value: Any, measure: Any, unit: Any, lang: str, *, internal: bool, missing: str = DASH
) -> str:
    """A value with its unit as this reader sees it: «:» for partners where it is suppressed,
    the value followed by «(skjult ved publisering)» for the internal roles there."""
    if value is None or pd.isna(value):
        return missing
    kind = str(measure or "count")
    if hidden_count(value, kind):
        if not internal:
            return SYMBOL
        marker = translate(lang, "suppression.marker")
        return f"{measured(float(value), kind, _unit(unit), lang)} ({marker})"
    return measured(float(value), kind, _unit(unit), lang)


def _unit(unit: Any) -> str | None:
    return None if unit is None or (not isinstance(unit, str) and pd.isna(unit)) else str(unit)


def any_hidden(values: Iterable[Any], measures: Iterable[Any]) -> bool:
    """Whether any of these values (each of its measure) is suppressed."""
    return any(hidden_count(v, str(m or "count")) for v, m in zip(values, measures, strict=True))


def hidden_note(lang: str, *, internal: bool) -> str:
    """What «:» means (partners), or what the marker means (internal roles)."""
    key = "suppression.internal_note" if internal else "suppression.note"
    return translate(lang, key, below=threshold())


def frame_hides(frame: pd.DataFrame, columns: Iterable[str], measure: str = "measure") -> bool:
    """Whether any value in these columns of frame (each row of its measure column) is
    suppressed."""
    return any(any_hidden(frame[column], frame[measure]) for column in columns if column in frame)


# The columns of a report's indicator rows (dashboard.services.snapshots.rows) that hold values
REPORT_VALUES = ("value", "baseline_value", "corrected_from", "corrected_to")


def changes_hide(changes: Comparison) -> bool:
    """Whether the differences between two reports show a suppressed value."""
    return frame_hides(changes.indicators, ("value_a", "value_b")) or frame_hides(
        changes.corrections, ("shown", "now")
    )


def plotted(series: pd.DataFrame, measure: Any, *, internal: bool) -> pd.DataFrame:
    """The rows of an indicator's series a chart may plot for this reader: for partners and
    visitors not the suppressed ones (a point on a chart gives its number away)."""
    if internal or series.empty:
        return series
    keep = [not hidden_count(v, str(measure or "count")) for v in series["value"]]
    return series[keep]


def plotted_value(value: float | None, measure: Any, *, internal: bool) -> float | None:
    """A single value (the baseline) as a chart may plot it for this reader: None where it is
    suppressed and the reader is not internal."""
    if not internal and hidden_count(value, str(measure or "count")):
        return None
    return value


def marked_points(points: pd.DataFrame, measure: Any, lang: str, *, internal: bool) -> pd.DataFrame:
    """An indicator chart's points (dashboard.ui.charts.indicator_points) for its chart and
    text alternative: for the internal roles, the period of a measured value or baseline that
    is hidden when published says so («2025, skjult ved publisering»), in the tooltip and the
    text. Partners' points hold no such value (plotted), so they are left as they are."""
    if not internal or points.empty:
        return points
    kind = str(measure or "count")
    marker = translate(lang, "suppression.marker")
    marked = points.copy()
    marked["period"] = [
        f"{period}, {marker}"
        if key in ("value", "baseline") and hidden_count(value, kind)
        else period
        for period, key, value in zip(points["period"], points["key"], points["value"], strict=True)
    ]
    return marked


def shown_points(
    points: pd.DataFrame, measure: Any, unit: Any, lang: str, *, internal: bool
) -> list[str]:
    """The values of an indicator chart's points (dashboard.ui.charts.indicator_points) as the
    reader sees them: measured values and the baseline as shown_value, targets and the
    trajectory as they are."""
    kind = str(measure or "count")
    return [
        shown_value(v, kind, unit, lang, internal=internal)
        if key in ("value", "baseline")
        else measured(v, kind, _unit(unit), lang)
        for v, key in zip(points["value"], points["key"], strict=True)
    ]


def shown_cells(frame: pd.DataFrame, measure: Any, unit: Any, lang: str) -> list[str]:
    """The cells of a breakdown as text, from the frame viewer_frame gave for the reader
    (dashboard.statistics.suppression): a value with its unit, followed by «(skjult ved
    publisering)» where the frame still says it is suppressed (the internal roles' frame);
    SSB's symbol where there is no value («:» for a cell hidden from partners)."""
    kind, shown_unit = str(measure or "count"), _unit(unit)
    marker = translate(lang, "suppression.marker")
    flags = frame["suppressed"] if "suppressed" in frame else [None] * len(frame)
    symbols = frame["symbol"] if "symbol" in frame else [None] * len(frame)
    cells = []
    for value, symbol, flag in zip(frame["value"], symbols, flags, strict=True):
        if value is None or pd.isna(value):
            cells.append(str(symbol) if isinstance(symbol, str) and symbol else DASH)
            continue
        text = measured(float(value), kind, shown_unit, lang)
        cells.append(f"{text} ({marker})" if isinstance(flag, str) else text)
    return cells
