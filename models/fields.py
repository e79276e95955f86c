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

# C0/C1 control characters except tab, newline and carriage return, which long text may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]")

YEAR_MIN = 1900
YEAR_MAX = 2100


def clean_text(value: Any) -> Any:
    """NFC-normalise and strip a string; refuse NUL and control characters."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text):
        raise PydanticCustomError(
            "control_characters", "The text contains control characters or NUL."
        )
    return text


def single_line(value: str | None) -> str | None:
    """Refuse line breaks and tabs in one-line fields such as names."""
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


CleanText = Annotated[str, BeforeValidator(clean_text)]
Line = Annotated[str, BeforeValidator(clean_text), AfterValidator(single_line)]
OptionalLine = Annotated[str | None, BeforeValidator(empty_to_none), BeforeValidator(clean_text)]
OptionalText = Annotated[str | None, BeforeValidator(empty_to_none), BeforeValidator(clean_text)]
FiniteFloat = Annotated[float, AfterValidator(finite)]
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
