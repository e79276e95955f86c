"""Downloads: CSV that Norwegian Excel opens correctly, and .xlsx; formulas neutralised."""

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells cannot run as spreadsheet formulas."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    result.columns = [str(neutralise(str(c))) for c in result.columns]
    return result


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
