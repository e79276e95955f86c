"""The approval queue as an approver reads it: each value beside the indicator's baseline,
target and last approved value, the change from that value, and a warning on unlikely jumps."""

import math
from typing import Any

import pandas as pd

from dashboard.i18n.formatting import number
from dashboard.ui import corrections
from dashboard.ui.context import lang, t


def blank(value: Any) -> bool:
    """Whether a cell holds nothing (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def shown(value: Any, measure: str) -> str:
    """A value in the language's form, a share with '%' ('–' for none)."""
    if blank(value):
        return "–"
    text = number(float(value), lang())
    return f"{text} %" if measure == "percent" else text


def with_year(value: Any, year: Any, measure: str) -> str:
    """'83,9 % (2022)' (a year or a period label), '83,9 %' without one, '–' without a value."""
    text = shown(value, measure)
    if text == "–" or blank(year):
        return text
    return f"{text} ({year if isinstance(year, str) else int(year)})"


def change(value: Any, measure: str) -> str:
    """The change from the last approved value with its sign: '+1,2 prosentpoeng', '−300'."""
    if blank(value):
        return "–"
    text = number(float(value), lang())
    text = f"+{text}" if value > 0 else text
    return t("reporting.points", change=text) if measure == "percent" else text


def warning(jumps: list[str]) -> str:
    """The reasons a value looks unlikely, in words ('' for none)."""
    return "; ".join(t(f"reporting.jump.{jump}") for jump in jumps)


def queue_table(queue: pd.DataFrame) -> pd.DataFrame:
    """The submitted values with what an approver judges them against."""
    measures = list(queue["measure"].astype(str))
    return pd.DataFrame(
        {
            t("col.code"): queue["code"],
            t("col.indicator"): queue["name"],
            t("col.period"): queue["period"],
            t("col.value"): [shown(v, m) for v, m in zip(queue["value"], measures, strict=True)],
            t("reporting.previous"): [
                with_year(v, None, m) + (f" ({p})" if isinstance(p, str) else "")
                for v, p, m in zip(
                    queue["previous"], queue["previous_period"], measures, strict=True
                )
            ],
            t("reporting.change"): [
                change(c, m) for c, m in zip(queue["change"], measures, strict=True)
            ],
            t("reporting.warning"): [warning(j) for j in queue["jumps"]],
            t("col.baseline"): [
                with_year(v, y, m)
                for v, y, m in zip(queue["baseline"], queue["baseline_year"], measures, strict=True)
            ],
            t("col.target"): [
                with_year(v, y, m)
                for v, y, m in zip(queue["target"], queue["target_year"], measures, strict=True)
            ],
            t("col.comment"): queue["comment"].fillna(""),
            t("reporting.entered_by"): queue["entered_by"].fillna(""),
        }
    )


def queue_display(queue: pd.DataFrame) -> pd.DataFrame:
    """The queue as the approvers see it: queue_table with the corrections' columns (a
    correction beside the approved value it would replace)."""
    table = queue_table(queue)
    measures = [str(m) for m in queue["measure"]]
    approved = [shown(v, m) for v, m in zip(queue["approved"], measures, strict=True)]
    for name, column in corrections.queue_columns(queue, approved).items():
        table[name] = column
    return table
