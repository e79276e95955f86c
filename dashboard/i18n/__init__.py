"""Message catalogues (bokmål default, English) and one translation function."""

import json
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

Language = Literal["nb", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "en")
DEFAULT_LANGUAGE: Language = "nb"
_DIR = Path(__file__).parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, by key."""
    data: dict[str, str] = json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def translate(lang: str, key: str, **values: Any) -> str:
    """The message for key in lang (falling back to bokmål, then the key), filled with values.

    With a whole number `count`, the singular form `<key>.one` is used when the language
    treats the count as singular and the catalogue has that form ('1 verdi', '2 verdier').
    """
    if isinstance(values.get("count"), int) and plural(lang, values["count"]) == "one":
        key = f"{key}.one" if f"{key}.one" in catalogue(DEFAULT_LANGUAGE) else key
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def category(lang: str, text: str) -> str:
    """A short label from the mission's data that is really a category («Løpende»): translated
    when the catalogue knows it (category.<text>), otherwise as written."""
    return catalogue(lang).get(f"category.{text}", text)


@cache
def _plural_rule(lang: str) -> Any:
    from babel import Locale

    return Locale.parse({"nb": "nb_NO", "en": "en_GB"}.get(lang, "nb_NO")).plural_form


def plural(lang: str, count: int) -> str:
    """The CLDR plural category of count in lang ('one' or 'other' for bokmål and English)."""
    category: str = _plural_rule(lang)(count)
    return category


def enum_key(value: Enum | str, kind: str | None = None) -> str:
    """The catalogue key of an enum value: enum.<Kind>.<value>."""
    name = kind or type(value).__name__
    return f"enum.{name}.{value.value if isinstance(value, Enum) else value}"


_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"})


@lru_cache(maxsize=4096)  # the same few hundred names are sorted again and again
def sort_key(text: str | None) -> str:
    """A key that sorts names as a Norwegian reader expects: case-blind, Æ Ø Å after Z."""
    return (text or "").casefold().translate(_NORWEGIAN_ORDER)
