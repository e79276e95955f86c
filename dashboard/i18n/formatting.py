"""Numbers and dates in Norwegian (or English) form, through Babel."""

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def locale(lang: str) -> str:
    """The Babel locale of a UI language."""
    return LOCALES.get(lang, "nb_NO")


def number(value: float | None, lang: str = "nb", decimals: int | None = None) -> str:
    """1234567.8 -> '1 234 567,8' in bokmål; '–' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def percent(value: float | None, lang: str = "nb", decimals: int = 1) -> str:
    """24.7 (percent points) -> '24,7 %' in bokmål."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "") + "\u00a0%"
    return format_percent(value / 100, format=pattern, locale=locale(lang))


def date(value: dt.date | None, lang: str = "nb", *, month_only: bool = False) -> str:
    """A date as '5. mars 2026' (or 'mars 2026' with month_only)."""
    if value is None:
        return "–"
    return format_date(value, "MMMM y" if month_only else "long", locale=locale(lang))


def measured(value: float | None, measure: str, unit: str | None, lang: str = "nb") -> str:
    """A value with its unit: percentages as '24,7 %', other numbers followed by the unit."""
    if measure == "percent":
        return percent(value, lang)
    text = number(value, lang)
    return f"{text} {unit}" if unit and value is not None else text
