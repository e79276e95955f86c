"""Numbers and dates in Norwegian (or English) form, through Babel."""

import datetime as dt
import math
from functools import cache
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def locale(lang: str) -> str:
    """The Babel locale of a UI language."""
    return LOCALES.get(lang, "nb_NO")


@cache
def _symbols(lang: str) -> tuple[str, str, str]:
    """The locale's (group, decimal, minus) symbols, from Babel's CLDR data."""
    where = locale(lang)
    minus = format_decimal(-1, format="0", locale=where)[0]  # what Babel's patterns print
    return get_group_symbol(where), get_decimal_symbol(where), minus


def number(value: float | None, lang: str = "nb", decimals: int | None = None) -> str:
    """1234567.8 -> '1 234 567,8' in bokmål; '–' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    group, decimal, minus = _symbols(lang)
    # Python's own formatting with the locale's symbols: ~50x faster than a Babel call per cell.
    text = f"{abs(value):,.{decimals}f}".replace(",", "\x00").replace(".", decimal)
    return (minus if value < 0 else "") + text.replace("\x00", group)


def percent(value: float | None, lang: str = "nb", decimals: int = 1) -> str:
    """24.7 (percent points) -> '24,7 %' in bokmål."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    shown = round(value, decimals)
    return number(shown, lang, 0 if float(shown).is_integer() else decimals) + "\u00a0%"


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
    return f"{text} {unit}" if unit and text != "–" else text


OSLO = ZoneInfo("Europe/Oslo")


# A time to the minute as people write it: '4. desember 2026 kl. 19.48', '4 December 2026 at 19:48'.
TIME_PATTERNS = {"nb": "d. MMMM y 'kl'. HH.mm", "en": "d MMMM y 'at' HH:mm"}


def local_time(value: object, lang: str) -> str:
    """A stored UTC time as Norwegian local time, to the minute, in words ('' for none)."""
    if not isinstance(value, dt.datetime) or pd.isna(value):
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite keeps naive UTC
    pattern = TIME_PATTERNS.get(lang, TIME_PATTERNS["nb"])
    return format_datetime(aware.astimezone(OSLO), pattern, locale=locale(lang))


def local_date(value: dt.datetime | None) -> dt.date | None:
    """The Norwegian calendar date of a stored UTC time (None for none)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite keeps naive UTC
    return aware.astimezone(OSLO).date()
