"""Downloads: CSV that Norwegian Excel opens correctly, and .xlsx; formulas neutralised.

The same neutralising serves every table the app shows (dashboard.ui.widgets.data_table), since
Streamlit's own table toolbar downloads what is shown as CSV: one rule for both.
"""

import io
import re
from collections.abc import Callable
from typing import overload

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sign and a number, with at most a unit in words after it ('-3', '+1,5 %', '-1 234,5' in
# English tables, '+29 prosentpoeng'), or a sign alone, keeps its look: without brackets,
# quotes or operators after the number there is no function, link or command to run.
_FIGURE = re.compile(r"[-+](\d[\w\s.,%]*)?")


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _FIGURE.fullmatch(value):
        return "'" + value
    return value


@overload
def restore(value: str) -> str: ...
@overload
def restore(value: object) -> object: ...
def restore(value: object) -> object:
    """Undo neutralise: the text as it was before the apostrophe was put before it (an
    edited table's cells, an imported file's)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _text_cells(
    frame: pd.DataFrame, change: Callable[[object], object], starts: tuple[str, ...]
) -> pd.DataFrame:
    """A copy of frame with change applied to its text cells that begin with one of starts
    (change leaves every other cell as it is). A text column is searched in one vectorised
    pass and only its matching cells are mapped: on a page run a cell-by-cell map of every
    table was a tenth of the CPU. Copy-on-write: the columns left alone are not copied."""
    result = frame.copy(deep=False)
    for position in range(result.shape[1]):
        values = result.iloc[:, position]
        if values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype):
            result.isetitem(position, values.map(change).array)
        elif pd.api.types.is_string_dtype(values.dtype):
            hits = values.str.startswith(starts).fillna(False).to_numpy(dtype=bool)
            if hits.any():
                changed = values.astype(object)
                changed[hits] = [change(v) for v in values[hits]]
                result.isetitem(position, changed.astype(values.dtype).array)
    return result


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells cannot run as spreadsheet formulas."""
    return _text_cells(frame, neutralise, FORMULA_STARTS)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells and column names cannot run as spreadsheet formulas."""
    result = safe_cells(frame)
    result.columns = [str(neutralise(str(c))) for c in result.columns]
    return result


def restored_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame with safe_cells' apostrophes taken off its text cells again."""
    return _text_cells(frame, restore, ("'",))


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV with semicolons, decimal commas and a UTF-8 BOM, as Excel in Norway expects."""
    text = safe_frame(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def to_excel(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    """An .xlsx workbook with one sheet."""
    return to_excel_sheets({sheet: frame})


def to_excel_sheets(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table, named by its key (cut to Excel's 31)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet = "".join(c for c in name if c not in "[]:*?/\\")[:31]
            number = 1
            while sheet.casefold() in used:  # Excel's names are unique, ignoring case
                number += 1
                sheet = f"{sheet[: 31 - len(str(number)) - 3]} ({number})"
            used.add(sheet.casefold())
            safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    return buffer.getvalue()
