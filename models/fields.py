"""Validated field types shared by the input schemas, and column helpers."""

import math
import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError
from sqlmodel import Field

# C0/C1 control characters except tab, newline and carriage return, which long text may hold
# (and the audit log, dashboard.services.audit, shows each as U+FFFD).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What breaks a line (or tabs it): refused in one-line fields. U+2028 and U+2029 are Unicode's
# line and paragraph separators.
_LINE_BREAKS = re.compile("[\r\n\t\u2028\u2029]")
# Bidirectional embeddings, overrides, isolates and marks (left-to-right, right-to-left and
# Arabic letter mark): «\u202eevil» shows as «live». Refused.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# Zero-width spaces and joiners, word joiner and BOM: invisible, mostly pasted. Removed.
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")

YEAR_MIN = 1900
YEAR_MAX = 2100


def clean_text(value: Any) -> Any:
    """NFC-normalise and strip a string without its zero-width characters; refuse NUL,
    control characters and bidirectional controls (which make text show other than it reads).
    """
    if not isinstance(value, str):
        return value
    text = ZERO_WIDTH.sub("", unicodedata.normalize("NFC", value)).strip()
    if CONTROL_CHARACTERS.search(text):
        raise PydanticCustomError(
            "control_characters", "The text contains control characters or NUL."
        )
    if BIDI_CONTROLS.search(text):
        raise PydanticCustomError(
            "bidi_characters", "The text contains characters that reverse its direction."
        )
    return text


def single_line(value: str | None) -> str | None:
    """Refuse line breaks (Unicode's line and paragraph separators too) and tabs in one-line
    fields such as names."""
    if value is not None and _LINE_BREAKS.search(value):
        raise PydanticCustomError("single_line", "The text must be on one line.")
    return value


def finite(value: float | None) -> float | None:
    """Refuse NaN and infinity."""
    if value is not None and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "The number must be finite.")
    return value


def empty_to_none(value: Any) -> Any:
    """Treat an empty or blank string as 'not given'."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


_SPACES = "\u0020\u00a0\u2009\u202f"  # space, no-break, thin and narrow no-break space
_GROUPED = re.compile(rf"-?\d{{1,3}}([{_SPACES}]\d{{3}})+([,.]\d+)?")
_DOT_GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")
_PLAIN = re.compile(r"-?\d+([.,]\d+)?")
_NOT_NUMERIC = re.compile(rf"[^\d.,\-{_SPACES}]")
NUMBER_MAX_LENGTH = 40


def norwegian_number(value: Any) -> Any:
    """Read a number written the Norwegian way: "1,5", "1 000", "1.234,5", "12 %", "−3".

    Anything else (words, NaN, infinity, "1e5", "1.000" which could mean one or a thousand)
    is refused with a message saying how to write it. Non-strings pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if len(text) > NUMBER_MAX_LENGTH:
        raise PydanticCustomError("string_too_long", "Too long.", {"max_length": NUMBER_MAX_LENGTH})
    if not text:
        raise PydanticCustomError("missing", "A number is required.")
    text = text.replace("\u2212", "-").removesuffix("%").rstrip(_SPACES)
    if _NOT_NUMERIC.search(text):  # letters, signs, exponents: not a typo in the grouping
        raise PydanticCustomError("number_format", "Not a number.", {"text": value.strip()[:40]})
    if any(space in text for space in _SPACES):
        if not _GROUPED.fullmatch(text):
            raise PydanticCustomError("number_grouping", "Spaces only between groups of three.")
        text = "".join(ch for ch in text if ch not in _SPACES)
    if "." in text and "," in text:
        if not _DOT_GROUPED.fullmatch(text):
            raise PydanticCustomError("number_format", "Not a number.", {"text": value.strip()})
        text = text.replace(".", "")
    elif _DOT_GROUPED.fullmatch(text):
        raise PydanticCustomError("number_ambiguous", "Ambiguous.", {"text": value.strip()})
    if not _PLAIN.fullmatch(text):
        raise PydanticCustomError("number_format", "Not a number.", {"text": value.strip()[:40]})
    return float(text.replace(",", "."))


CleanText = Annotated[str, BeforeValidator(clean_text)]
Line = Annotated[str, BeforeValidator(clean_text), AfterValidator(single_line)]
OptionalLine = Annotated[
    str | None,
    BeforeValidator(empty_to_none),
    BeforeValidator(clean_text),
    AfterValidator(single_line),
]
OptionalText = Annotated[str | None, BeforeValidator(empty_to_none), BeforeValidator(clean_text)]
FiniteFloat = Annotated[float, AfterValidator(finite)]
# A number typed by a person (or read from an upload): Norwegian forms accepted, NaN refused.
EnteredNumber = Annotated[float, BeforeValidator(norwegian_number), AfterValidator(finite)]
OptionalFloat = Annotated[float | None, BeforeValidator(empty_to_none), AfterValidator(finite)]


def enum_column(enum: type[StrEnum]) -> Any:
    """Store an enum as a plain string column (portable across SQLite and PostgreSQL)."""
    return sa.String(max(len(m.value) for m in enum))


def name_field(max_length: int = 200, **kwargs: Any) -> Any:
    """A required one-line name."""
    return Field(min_length=1, max_length=max_length, **kwargs)


def text_field(max_length: int = 2000, **kwargs: Any) -> Any:
    """An optional free text."""
    return Field(default=None, max_length=max_length, **kwargs)


def year_field(**kwargs: Any) -> Any:
    """An optional calendar year within a sane range."""
    return Field(default=None, ge=YEAR_MIN, le=YEAR_MAX, **kwargs)


def check_year_range(start: int | None, end: int | None) -> None:
    """Refuse an end year before the start year."""
    if start is not None and end is not None and end < start:
        raise PydanticCustomError(
            "year_range",
            "The end year ({end}) is before the start year ({start}).",
            {"start": start, "end": end},
        )
