"""The import file: its columns, the template to fill in, and reading an upload into rows
under the template's column names, checked for its shape but not its values (that is run's).

The upload is checked here, on the server, whatever the browser's file picker allowed (issue 4,
item 6): only .csv and .xlsx, at most MAX_BYTES and MAX_ROWS rows; CSV in UTF-8 (with or without
BOM), or Windows-1252 when the text then holds nothing but Western letters (else it is refused
rather than read with wrong letters); `;` or `,` between cells; .xlsx must be a real workbook.
"""

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import openpyxl
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.exports import restore
from models import Indicator, IndicatorValue, Period

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED = 20 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks to far more
MAX_SHEET_ROWS = 20 * MAX_ROWS  # rows read at all, blank ones included

# The file's columns, in template order. navn and enhet are for the reader and not imported.
COLUMNS = (
    "indikator",
    "navn",
    "enhet",
    "periode",
    "verdi",
    "kommentar",
    "kildemerknad",
    "begrunnelse",  # why an approved value is corrected
)
REQUIRED = ("indikator", "periode", "verdi")
# The value's fields each column sets; kommentar and kildemerknad may be left out of a file.
FIELDS = {"verdi": "value", "kommentar": "comment", "kildemerknad": "source_note"}
ALIASES = {
    "indicator": "indikator",
    "kode": "indikator",
    "code": "indikator",
    "name": "navn",
    "unit": "enhet",
    "period": "periode",
    "value": "verdi",
    "comment": "kommentar",
    "kilde": "kildemerknad",
    "source": "kildemerknad",
    "source_note": "kildemerknad",
    "reason": "begrunnelse",
}


REFUSALS = (
    "file_type",
    "empty",
    "too_large",
    "too_many_rows",
    "not_xlsx",
    "binary",
    "encoding",
    "csv_format",
    "no_rows",
    "missing_columns",
    "unknown_columns",
    "duplicate_columns",
    "unnamed_column",
    "ragged",
)

# Bytes that plain text never holds (tab, line feed, form feed and carriage return excepted).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32)])
# What Windows-1252 text may hold beyond ASCII for us to trust that it is Windows-1252: Western
# letters and a little punctuation. The same bytes in DOS or Mac encodings read as other signs.
_WESTERN = frozenset([chr(c) for c in range(0xC0, 0x100) if chr(c) not in "×÷"] + list("«»–—§°€"))


class UploadRefused(ValueError):
    """The file cannot be read as an import; code names why, values fill the message."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


# --- the template ----------------------------------------------------------------------------


def template(
    session: Session, mission_id: int, period_id: int, organisation_id: int | None = None
) -> pd.DataFrame:
    """The file to fill in: the indicators in scope (one organisation's, or all with None) for
    one period, with the values already entered."""
    period = session.get(Period, period_id)
    if period is not None and period.mission_id != mission_id:
        period = None  # another mission's period: no template
    value = sa.and_(
        col(IndicatorValue.indicator_id) == Indicator.id,
        col(IndicatorValue.period_id) == period_id,
        col(IndicatorValue.is_correction).is_(False),
    )
    query = (
        sa.select(
            col(Indicator.code),
            col(Indicator.name),
            col(Indicator.unit),
            col(IndicatorValue.value),
            col(IndicatorValue.comment),
            col(IndicatorValue.source_note),
        )
        .outerjoin(IndicatorValue, value)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code))
    )
    if organisation_id is not None:
        query = query.where(col(Indicator.responsible_org_id) == organisation_id)
    rows = fetch(session, query) if period else []
    names = ["indikator", "navn", "enhet", "verdi", "kommentar", "kildemerknad"]
    frame = frame_of(rows, names)
    frame.insert(3, "periode", period.label if period else "")
    frame["begrunnelse"] = ""
    frame["verdi"] = pd.to_numeric(frame["verdi"])  # numbers in Excel, decimal commas in CSV
    return frame[list(COLUMNS)]


# --- reading an upload -----------------------------------------------------------------------


def read_upload(filename: str, data: bytes) -> pd.DataFrame:
    """The rows of an uploaded .csv or .xlsx under the template's column names, indexed by
    their row number in the file; raises UploadRefused when the file cannot be used."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UploadRefused("file_type", name=filename)
    if not data:
        raise UploadRefused("empty")
    if len(data) > MAX_BYTES:
        raise UploadRefused("too_large", max_mb=MAX_BYTES // 2**20)
    return _table(_xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data))


def _decode(data: bytes) -> str:
    """The text of a CSV file: UTF-8, or Windows-1252 when that reading is unambiguous."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 ("Unicode text" from Excel)
        raise UploadRefused("encoding")
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if data.startswith(b"PK\x03\x04") or control > max(2, len(data) // 100):
        raise UploadRefused("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UploadRefused("encoding") from exc
    if any(ord(ch) > 127 and ch not in _WESTERN for ch in text):
        raise UploadRefused("encoding")
    return text


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    """The cells of a CSV file, row by row; `;` or `,` between cells, as the header uses."""
    text = _decode(data)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
    # strict: an unclosed quote is an error, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise UploadRefused("csv_format", row=reader.line_num) from exc


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    """The cells of the first sheet of an .xlsx workbook, row by row."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UploadRefused("not_xlsx") from exc
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise UploadRefused("not_xlsx")
    if unpacked > MAX_UNPACKED:
        raise UploadRefused("too_large", max_mb=MAX_BYTES // 2**20)
    rows: list[list[Any]] = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for cells in book.worksheets[0].iter_rows(values_only=True):
                rows.append(list(cells))
                if len(rows) > MAX_SHEET_ROWS:
                    raise UploadRefused("too_many_rows", max=MAX_ROWS)
        finally:
            book.close()
    except UploadRefused:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl
        raise UploadRefused("not_xlsx") from exc
    return iter(rows)


def _blank(cell: object) -> bool:
    return cell_text(cell) == ""


def _header(cells: list[Any]) -> list[str | None]:
    """The template's name of each column (None for a column without a heading)."""
    names: list[str | None] = []
    unknown, doubled = [], []
    for cell in cells:
        heading = cell_text(cell).replace("\ufeff", "").casefold()
        name = ALIASES.get(heading, heading) or None
        if name is not None and name not in COLUMNS:
            unknown.append(cell_text(cell))
        elif name is not None and name in names:
            doubled.append(cell_text(cell))
        names.append(name)
    if unknown:
        raise UploadRefused(
            "unknown_columns", columns=", ".join(unknown), allowed=", ".join(COLUMNS)
        )
    if doubled:
        raise UploadRefused("duplicate_columns", columns=", ".join(doubled))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UploadRefused("missing_columns", columns=", ".join(missing))
    return names


def _table(rows: Iterator[list[Any]]) -> pd.DataFrame:
    """The data rows under their column names; blank rows dropped, row numbers kept."""
    first = next(rows, None)
    if first is None:
        raise UploadRefused("no_rows")
    names = _header(first)
    records, numbers = [], []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:
            raise UploadRefused("too_many_rows", max=MAX_ROWS)
        if any(not _blank(c) for c in cells[len(names) :]):
            raise UploadRefused("ragged", row=number, cells=len(cells), expected=len(names))
        for position, name in enumerate(names):
            if name is None and position < len(cells) and not _blank(cells[position]):
                raise UploadRefused("unnamed_column", row=number, column=position + 1)
        if all(_blank(c) for c in cells):
            continue
        records.append(
            {name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name}
        )
        numbers.append(number)
        if len(records) > MAX_ROWS:
            raise UploadRefused("too_many_rows", max=MAX_ROWS)
    if not records:
        raise UploadRefused("no_rows")
    present = [name for name in COLUMNS if name in names]
    return pd.DataFrame(records, index=numbers, columns=present, dtype=object)


# --- cells -----------------------------------------------------------------------------------


def _missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def cell_text(cell: object) -> str:
    """A cell as text: '' for an empty cell, 2025 (not 2025.0) for a whole number."""
    if _missing(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return restore(str(cell).strip())  # the apostrophe our exports put before a formula


def cell_number(cell: object) -> object:
    """A value cell for ValueEntry: numbers as they are, everything else as text."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and not _missing(cell):
        return float(cell)
    return cell_text(cell)
