"""An indicator's source in Statistics Norway (SSB): the table id and the selection of its
dimensions, as PxWebApi v2 takes them (issue 19).

The selection is written the way the API's `valueCodes[...]` parameters read, one dimension
after the other: `ContentsCode=Personer; Region=0; Kjonn=0; Alder=15-29; Tid=*`. Each dimension
code (SSB's: ContentsCode, Region, Kjonn, Alder, Tid, ...) is followed by its value codes,
comma-separated, or `*` for all of them (the API also takes `top(5)` and `from(2015)`). A
dimension left out is not asked for: the API gives its total where the table has one.
"""

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from models.fields import OptionalLine

TABLE = re.compile(r"\d{5}")  # Statistikkbanken's table ids: five digits (07459, 12971)
DIMENSION = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
VALUE_CODE = re.compile(r"[A-Za-z0-9_.+\-*()]{1,40}")


def check_table(value: str | None) -> str | None:
    """An SSB table id: five digits."""
    if value is not None and not TABLE.fullmatch(value):
        raise PydanticCustomError(
            "ssb_table", "An SSB table id is five digits, not «{value}».", {"value": value}
        )
    return value


def parse_selection(text: str | None) -> dict[str, list[str]]:
    """The selection as {dimension code: [value codes]} (["*"] for all); raises
    PydanticCustomError("ssb_selection") naming the first part it cannot read."""
    selection: dict[str, list[str]] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        dimension, equals, codes = part.partition("=")
        dimension = dimension.strip()
        values = [code.strip() for code in codes.split(",") if code.strip()]
        if (
            not equals
            or not DIMENSION.fullmatch(dimension)
            or not values
            or not all(VALUE_CODE.fullmatch(code) for code in values)
            or dimension in selection
        ):
            raise PydanticCustomError(
                "ssb_selection",
                "«{part}» is not a dimension with its codes (like Region=0,03 or Tid=*).",
                {"part": part.strip()},
            )
        selection[dimension] = values
    return selection


def selection_text(selection: dict[str, list[str]]) -> str:
    """The selection written the one way it is stored."""
    return "; ".join(f"{dimension}={','.join(codes)}" for dimension, codes in selection.items())


def normal_selection(value: str | None) -> str | None:
    """A selection checked and written the way it is stored (None when empty)."""
    if value is None:
        return None
    return selection_text(parse_selection(value)) or None


SsbTable = Annotated[OptionalLine, AfterValidator(check_table)]
SsbSelection = Annotated[OptionalLine, AfterValidator(normal_selection)]
