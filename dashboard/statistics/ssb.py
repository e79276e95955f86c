"""Statistics Norway's tables as one frame: JSON-stat 2.0 from PxWebApi v2, or SSB's CSV.

The frame (FRAME_COLUMNS) has a row per cell: region (SSB's code: 0 the whole country, two
digits a county, four a municipality) and its label, gender and age (the codes of the Kjonn and
Alder dimensions, None when the table has none), the time code and its year (None when the code
is not a year, like 2019-2021), contents (the ContentsCode), other (any further dimensions, as
"Dim=code; ..."), value (a number, or None) and status (SSB's symbol, or None).

SSB's symbols (SYMBOLS, from SSB's «Standardtegn i tabeller») keep what they mean: a cell marked
«.», «..», «...», «:» or «-» holds no number, whatever number the file puts beside it; «-» is
SSB's «Null» (nothing to report: the phenomenon did not occur), kept as that symbol and never
stored as 0. «*» (provisional) marks a number that is kept.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic_core import PydanticCustomError

from dashboard.statistics.jsonstat import Dataset, JsonStatRefused, read_jsonstat
from models.fields import norwegian_number

FRAME_COLUMNS = [
    "region",
    "region_label",
    "gender",
    "age",
    "time",
    "year",
    "contents",
    "other",
    "value",
    "status",
]
# SSB's symbols, their meaning in i18n as statistics.symbol.<key>
SYMBOLS = {
    ".": "not_applicable",  # «Lovlig umulig / ikke mulig å føre tall»
    "..": "not_available",  # «Oppgave mangler»
    "...": "not_yet_available",  # «Oppgave mangler foreløpig»
    ":": "suppressed",  # «Vises ikke av konfidensialitetshensyn»
    "-": "nil",  # «Null»
    "*": "provisional",  # «Foreløpig tall»
}
NO_NUMBER = frozenset({".", "..", "...", ":", "-"})  # a cell with one of these has no number
WHOLE_COUNTRY = "0"
GENDER_TOTAL = "0"  # Kjonn: 0 Begge kjønn, 1 Menn, 2 Kvinner

# SSB's dimension codes in PxWebApi, and the headings its CSV files give them
REGION_IDS = ("region",)
GENDER_IDS = ("kjonn", "kjønn", "kjonn1")
AGE_IDS = ("alder",)
TIME_IDS = ("tid", "år", "aar", "year")
CONTENTS_IDS = ("contentscode", "statistikkvariabel", "contents")
# Labels that name a code when a file gives texts only
KNOWN_LABELS = {
    "region": {"hele landet": WHOLE_COUNTRY},
    "gender": {"begge kjønn": GENDER_TOTAL, "menn": "1", "kvinner": "2"},
}
_CODE_AND_TEXT = re.compile(r"([0-9A-Z][0-9A-Za-z_.+\-]*)\s+(\S.*)")
_YEAR = re.compile(r"\d{4}")
_TABLE_TITLE = re.compile(r"\s*(\d{5})\s*:")
_WIDE_HEADING = re.compile(r"(.*?)\s*(\d{4})")
_POINT_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class StatisticsRefused(ValueError):
    """A file that cannot be read as SSB's statistics; code names why (i18n
    statistics.refused.<code>), values fill the message."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass
class Table:
    """An SSB table read from a file or the API: its id (when the file says), title, and frame."""

    table_id: str | None
    title: str | None
    frame: pd.DataFrame
    updated: str | None = None


def number_of(value: Any, status: str | None) -> float | None:
    """A cell's number: None when its status is a symbol that holds no number."""
    if status in NO_NUMBER or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _kind(dimension_id: str) -> str:
    """Which frame column a dimension fills (other: none of the known ones)."""
    key = dimension_id.casefold()
    for kind, ids in (
        ("region", REGION_IDS),
        ("gender", GENDER_IDS),
        ("age", AGE_IDS),
        ("time", TIME_IDS),
        ("contents", CONTENTS_IDS),
    ):
        if key in ids:
            return kind
    return "other"


def _year(code: object) -> int | None:
    text = "" if code is None else str(code)
    return int(text) if _YEAR.fullmatch(text) else None


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS, dtype=object)
    return frame.where(frame.notna(), None)


# --- JSON-stat -------------------------------------------------------------------------------


def table_from_jsonstat(data: bytes | str | dict[str, Any]) -> Table:
    """An SSB table from PxWebApi v2's json-stat2 output (or any JSON-stat 2.0 dataset whose
    dimensions use SSB's codes or roles)."""
    try:
        dataset = read_jsonstat(data)
    except JsonStatRefused as exc:
        raise StatisticsRefused(f"jsonstat_{exc.code}", **exc.values) from exc
    kinds = _dataset_kinds(dataset)
    cells = dataset.frame
    columns: dict[str, Any] = dict.fromkeys(FRAME_COLUMNS)
    others = []
    for dimension in dataset.dimensions:  # column by column: a county file has 28,000 cells
        kind, codes = kinds[dimension.id], cells[dimension.id]
        if kind == "other":
            others.append(f"{dimension.id}=" + codes.astype(str))
        else:
            columns[kind] = codes.to_numpy()
            if kind == "region":
                columns["region_label"] = codes.map(dimension.labels).fillna(codes).to_numpy()
    if others:
        joined = others[0]
        for part in others[1:]:
            joined = joined + "; " + part
        columns["other"] = joined.to_numpy()
    status = cells["status"].tolist()
    columns["value"] = [number_of(v, s) for v, s in zip(cells["value"], status, strict=True)]
    columns["status"] = status
    if columns["time"] is not None:
        columns["year"] = [_year(code) for code in columns["time"]]
    size = len(cells)
    frame = pd.DataFrame(
        {c: (v if v is not None else [None] * size) for c, v in columns.items()}, dtype=object
    )
    frame = frame.where(frame.notna(), None)
    px = dataset.extension.get("px") if isinstance(dataset.extension, dict) else None
    table_id = str(px.get("tableid")) if isinstance(px, dict) and px.get("tableid") else None
    return Table(table_id, dataset.label, frame, dataset.updated)


def _dataset_kinds(dataset: Dataset) -> dict[str, str]:
    """Each dimension's frame column: by JSON-stat's roles first, then by SSB's codes."""
    kinds = {d.id: _kind(d.id) for d in dataset.dimensions}
    for role, kind in (("time", "time"), ("geo", "region"), ("metric", "contents")):
        for dimension_id in dataset.roles.get(role, [])[:1]:
            if dimension_id in kinds and kind not in kinds.values():
                kinds[dimension_id] = kind
    return kinds


# --- CSV -------------------------------------------------------------------------------------


def table_from_csv(data: bytes) -> Table:
    """An SSB table from a CSV file as Statistikkbanken and PxWebApi write them.

    `;` or `,` between cells; a title line («07459: Befolkning, ...») before the header may
    come first. Either long (a column per dimension, the last column the values) or wide (a
    column per year: «Personer 2023», «Personer 2024»). Cells name codes and texts («0 Hele
    landet», «2 Kvinner») or texts only («Hele landet»); numbers with a decimal comma or point.
    """
    text = _decode(data)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise StatisticsRefused("csv_empty")
    start = "\n".join(lines[:6])  # the title line may hold commas; the header and rows tell
    delimiter = ";" if start.count(";") >= start.count(",") and ";" in start else ","
    try:
        records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error as exc:
        raise StatisticsRefused("csv_format") from exc
    title = None
    while records and len([cell for cell in records[0] if cell.strip()]) <= 1:
        title = title or (records[0][0].strip() if records[0] else None)  # the title line
        records.pop(0)
    if len(records) < 2:
        raise StatisticsRefused("csv_no_rows")
    header = [cell.strip() for cell in records[0]]
    table_id = None
    for candidate in [title or "", header[-1]]:
        if match := _TABLE_TITLE.match(candidate):
            table_id = match.group(1)
            title = title or candidate
            break
    wide = [i for i, heading in enumerate(header) if _wide_year(heading)]
    values = wide or [len(header) - 1]
    dimensions = [(i, _kind(heading)) for i, heading in enumerate(header) if i not in values]
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        if len(cells) != len(header):
            raise StatisticsRefused(
                "csv_ragged", row=number, cells=len(cells), expected=len(header)
            )
        base: dict[str, Any] = dict.fromkeys(FRAME_COLUMNS)
        others = []
        for i, kind in dimensions:
            code, label = _code_and_label(cells[i], kind)
            if kind == "other":
                others.append(f"{header[i]}={code}")
            else:
                base[kind] = code
                if kind == "region":
                    base["region_label"] = label
        base["other"] = "; ".join(others) or None
        for i in values:
            row = dict(base)
            if wide:
                contents, year = _wide_year(header[i]) or ("", "")
                row["time"], row["contents"] = year, base["contents"] or contents or None
            row["year"] = _year(row["time"])
            row["value"], row["status"] = _cell(cells[i], number, decimal_point=delimiter == ",")
            rows.append(row)
    return Table(table_id, title, _frame(rows))


def _decode(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), else Windows-1252 (as SSB's older
    downloads are)."""
    if b"\x00" in data:
        raise StatisticsRefused("csv_binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _wide_year(heading: str) -> tuple[str, str] | None:
    """(contents label, year) of a wide file's value column, or None for a dimension."""
    match = _WIDE_HEADING.fullmatch(heading)
    if match is None or _kind(heading) != "other":
        return None
    return match.group(1), match.group(2)


def _code_and_label(cell: str, kind: str) -> tuple[str, str]:
    """A dimension cell's code and label: «0 Hele landet» -> (0, Hele landet); a text-only cell
    («Hele landet») is its own code unless SSB's standard names one."""
    text = cell.strip()
    if kind == "time":
        return text, text
    known = KNOWN_LABELS.get(kind, {}).get(text.casefold())
    if known is not None:
        return known, text
    match = _CODE_AND_TEXT.fullmatch(text)
    if match is not None:
        return match.group(1), match.group(2)
    return text, text


def _cell(cell: str, row: int, *, decimal_point: bool) -> tuple[float | None, str | None]:
    """A value cell: (number, None), (None, symbol), or (number, «*») for a provisional one.
    In a comma-separated file the decimals follow a point («12.5»); otherwise a comma
    («12,5») or a point."""
    text = cell.strip()
    if text in SYMBOLS and text != "*":
        return None, text
    status = None
    if text.endswith("*"):
        text, status = text[:-1].strip(), "*"
    if not text:
        return None, status
    try:
        if decimal_point:
            if not _POINT_NUMBER.fullmatch(text):
                raise PydanticCustomError("number_format", "Not a number.")
            return float(text), status
        return norwegian_number(text), status
    except PydanticCustomError as exc:
        raise StatisticsRefused("csv_value", row=row, value=cell.strip()[:40]) from exc


# --- either ----------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> Table:
    """The table in a JSON-stat (.json) or CSV (.csv) file from SSB."""
    if not data:
        raise StatisticsRefused("empty")
    name = filename.casefold()
    if name.endswith(".json") or (not name.endswith(".csv") and data.lstrip()[:1] == b"{"):
        return table_from_jsonstat(data)
    if name.endswith(".csv"):
        return table_from_csv(data)
    raise StatisticsRefused("file_type", name=filename)
