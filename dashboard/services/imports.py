"""Import of indicator values from CSV or Excel: template, checked upload, dry run, one commit.

The rules an import follows (issue 4, item 6):

- The upload is checked here, on the server, whatever the browser's file picker allowed: only
  .csv and .xlsx, at most MAX_BYTES and MAX_ROWS rows; CSV in UTF-8 (with or without BOM), or
  Windows-1252 when the text then holds nothing but Western letters (else it is refused rather
  than read with wrong letters); `;` or `,` between cells; .xlsx must be a real workbook.
- The dry run lists every row: create, update, unchanged, skip (value, comment and source note
  all blank: the template lists every indicator) or bad with every reason. Values go through
  `ValueEntry` with the indicator's measure, the same rules as the Rapportering grid.
- A row that changes an approved value is a correction (outcome "correct"), by the same rule as
  the Rapportering grid (`reporting.plan_entry`): the approved value stays what everyone else
  sees until somebody else approves the correction. It needs a reason in the begrunnelse column
  (a pending correction's reason is kept when the cell is blank); without one the row is bad.
  A row equal to the approved value is unchanged and leaves a pending correction as it is.
- A row equal to what is stored writes nothing (no new version, no audit row).
- Only indikator, periode and verdi are required. When the file has no kommentar (or
  kildemerknad) column, the stored comment (or source note) is neither compared nor changed.
- The secretariat (Action.IMPORT) imports any indicator of the mission; the values land as
  submitted, entered by the importer, so somebody in the operative group approves them (four
  eyes). An operative (Action.ENTER_VALUES) imports their own organisation's indicators only,
  as drafts.
- The commit runs the dry run again inside its one write transaction; a single bad row and
  nothing is written. It is given the stored version of every row as the dry run the person saw
  found it (`ImportCheck.versions()`); when any value has been saved since (a new version, a
  new value or a review), nothing is written and ImportStale names those rows, so a colleague's
  change is never overwritten unseen. Each written value is audited ("import", the file name
  as the reason) in that transaction.
- The commit writes in bulk (one INSERT of the new values, one UPDATE of the changed ones, one
  INSERT of their audit rows), so 5,000 rows hold other people's saves back for well under
  the time a save waits (see dashboard.db.DatabaseBusy), not for many seconds.
"""

import csv
import datetime as dt
import io
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl
import pandas as pd
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services.commands import authorize, command
from dashboard.services.common import fetch, frame_of
from dashboard.services.exports import restore
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.reporting import plan_entry, store_entries
from models import EntryStatus, Indicator, IndicatorValue, Period, User, ValueEntry
from models.reporting import REASON_MAX_LENGTH, Reason

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

OUTCOMES = ("create", "update", "correct", "unchanged", "skip", "bad")
WRITES = ("create", "update", "correct")  # the outcomes that write a value
PROBLEMS = (
    "missing_indicator",
    "unknown_indicator",
    "other_organisation",
    "missing_period",
    "unknown_period",
    "period_locked",
    "duplicate",
    "reason_required",
    "reason_too_long",
    "reason_characters",
)
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


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported (besides invalid input): a code and its message values."""

    code: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class RowCheck:
    """What importing one row of the file would do, and why not when it is bad."""

    row: int  # the spreadsheet's row number (the header is row 1)
    indicator: str
    period: str
    entered: object  # the value cell as read
    outcome: str = "bad"
    problems: list[Problem] = field(default_factory=list)
    invalid: ValidationError | None = None
    entry: ValueEntry | None = None
    indicator_id: int | None = None
    period_id: int | None = None
    stored: IndicatorValue | None = None
    correction: IndicatorValue | None = None  # pending beside an approved stored value
    reason: str | None = None  # why an approved value is corrected
    version: int | None = None  # the version of what a write changes (None: no value stored)
    fields: tuple[str, ...] = tuple(FIELDS.values())  # what the file's columns set

    @property
    def key(self) -> tuple[int, int] | None:
        """(indicator id, period id) once both are known."""
        if self.indicator_id is None or self.period_id is None:
            return None
        return self.indicator_id, self.period_id


Versions = Mapping[tuple[int, int], int | None]


@dataclass
class ImportCheck:
    """Every row of a file with its outcome."""

    rows: list[RowCheck]

    @property
    def bad(self) -> list[RowCheck]:
        """The rows that stop the import."""
        return [row for row in self.rows if row.outcome == "bad"]

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.bad

    def counts(self) -> dict[str, int]:
        """How many rows have each outcome (every outcome listed)."""
        found = Counter(row.outcome for row in self.rows)
        return {outcome: found[outcome] for outcome in OUTCOMES}

    def versions(self) -> dict[tuple[int, int], int | None]:
        """The stored version of each (indicator id, period id) the rows name, as this check
        found it (None: no value yet): what commit_import expects to find."""
        return {row.key: row.version for row in self.rows if row.key is not None}


class ImportRefused(Exception):
    """The commit found bad rows (the data changed since the dry run); nothing was written."""

    def __init__(self, check: ImportCheck) -> None:
        super().__init__(f"{len(check.bad)} bad rows")
        self.check = check


@dataclass(frozen=True)
class Changed:
    """A row whose stored value changed after the dry run: who changed it last, and when."""

    row: int
    indicator: str
    period: str
    changed_by: str | None
    changed_at: dt.datetime | None


class ImportStale(Exception):
    """Values were saved after the dry run the import was confirmed from; nothing was written."""

    def __init__(self, changed: list[Changed]) -> None:
        super().__init__(f"{len(changed)} rows changed since the dry run")
        self.changed = changed


# --- the template ----------------------------------------------------------------------------


def template(
    session: Session, mission_id: int, period_id: int, organisation_id: int | None = None
) -> pd.DataFrame:
    """The file to fill in: the indicators in scope (one organisation's, or all with None) for
    one period, with the values already entered."""
    period = session.get(Period, period_id)
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
    return _text(cell) == ""


def _header(cells: list[Any]) -> list[str | None]:
    """The template's name of each column (None for a column without a heading)."""
    names: list[str | None] = []
    unknown, doubled = [], []
    for cell in cells:
        heading = _text(cell).replace("\ufeff", "").casefold()
        name = ALIASES.get(heading, heading) or None
        if name is not None and name not in COLUMNS:
            unknown.append(_text(cell))
        elif name is not None and name in names:
            doubled.append(_text(cell))
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


def _text(cell: object) -> str:
    """A cell as text: '' for an empty cell, 2025 (not 2025.0) for a whole number."""
    if _missing(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return restore(str(cell).strip())  # the apostrophe our exports put before a formula


def _number(cell: object) -> object:
    """A value cell for ValueEntry: numbers as they are, everything else as text."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and not _missing(cell):
        return float(cell)
    return _text(cell)


# --- the dry run and the commit --------------------------------------------------------------


def _permission(actor: Actor) -> tuple[Action, int | None]:
    """How actor imports: with the secretariat's import right (any indicator), or by entering
    values for their own organisation (refused for everyone else)."""
    if allowed(actor, Action.IMPORT):
        return Action.IMPORT, None
    return Action.ENTER_VALUES, actor.organisation_id


def dry_run(
    actor: Actor, mission_id: int, frame: pd.DataFrame, *, engine: Engine | None = None
) -> ImportCheck:
    """What importing frame (from read_upload) would do, row by row; writes nothing."""
    action, organisation_id = _permission(actor)
    authorize(actor, action, organisation_id=organisation_id, engine=engine)
    with session_scope(engine=engine) as session:
        return _check(session, actor, mission_id, frame)


def commit_import(
    actor: Actor,
    mission_id: int,
    frame: pd.DataFrame,
    *,
    source: str,
    expected: Versions,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Write every row of frame in one transaction, or nothing if any is bad (ImportRefused)
    or any stored version differs from expected (ImportStale).

    expected is `versions()` of the dry run the person confirmed; source names the file (the
    audit reason). Returns how many rows had each outcome.
    """
    action, organisation_id = _permission(actor)
    status = EntryStatus.SUBMITTED if action == Action.IMPORT else EntryStatus.DRAFT
    with command(actor, action, organisation_id=organisation_id, engine=engine) as session:
        check = _check(session, actor, mission_id, frame)
        if not check.ok:
            raise ImportRefused(check)
        changed = _changed(session, check, expected)
        if changed:
            raise ImportStale(changed)
        _write(session, actor, [r for r in check.rows if r.outcome in WRITES], status, source)
        return check.counts()


def _changed(session: Session, check: ImportCheck, expected: Versions) -> list[Changed]:
    """The rows whose stored version is not the one expected (a row the dry run could not
    place counts as changed), with who last entered or reviewed the value, and when."""
    changed = []
    for row in check.rows:
        key = row.key
        if key is None or (key in expected and expected[key] == row.version):
            continue
        who, when = None, None
        if (target := row.correction or row.stored) is not None:
            reviewed = target.status in (EntryStatus.APPROVED, EntryStatus.RETURNED)
            who_id = target.reviewed_by_id if reviewed else target.entered_by_id
            user = session.get(User, who_id) if who_id else None
            who = user.email if user else None
            when = target.reviewed_at if reviewed else target.entered_at
        changed.append(Changed(row.row, row.indicator, row.period, who, when))
    return changed


def _write(
    session: Session, actor: Actor, rows: list[RowCheck], status: EntryStatus, source: str
) -> None:
    """Create, update or correct the values of rows, each audited, in the import's transaction:
    by store_entry's rule (plan_entry), written in bulk (store_entries)."""
    writes = []
    for row in rows:
        entry = row.entry
        assert entry is not None and row.indicator_id and row.period_id
        write = plan_entry(
            session,
            actor,
            IndicatorValue,
            (row.indicator_id, row.period_id),
            {name: getattr(entry, name) for name in row.fields},  # a missing column keeps it
            (row.stored, row.correction),  # as _check read them in this transaction
            status=status,
            version=row.version,
            reason=row.reason,
            action="import",
            note=source,
        )
        if write is not None:
            writes.append(write)
    store_entries(session, actor, IndicatorValue, writes)


@dataclass
class _Lookups:
    """What the rows are checked against."""

    indicators: dict[str, Indicator]
    periods: dict[str, Period]
    stored: dict[tuple[int, int], IndicatorValue]
    corrections: dict[tuple[int, int], IndicatorValue]  # pending beside approved values
    organisation_id: int | None  # only this organisation's indicators (None: any)


def _lookups(session: Session, actor: Actor, mission_id: int, labels: Iterable[str]) -> _Lookups:
    indicators = {
        ind.code: ind
        for ind in session.exec(select(Indicator).where(Indicator.mission_id == mission_id))
    }
    periods = {
        p.label: p for p in session.exec(select(Period).where(col(Period.label).in_(labels)))
    }
    period_ids = [p.id for p in periods.values()]
    values = session.exec(
        select(IndicatorValue)
        .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
        .where(Indicator.mission_id == mission_id, col(IndicatorValue.period_id).in_(period_ids))
    ).all()
    action, organisation_id = _permission(actor)
    return _Lookups(
        indicators,
        periods,
        {(v.indicator_id, v.period_id): v for v in values if not v.is_correction},
        {(v.indicator_id, v.period_id): v for v in values if v.is_correction},
        organisation_id if action == Action.ENTER_VALUES else None,
    )


def _check(session: Session, actor: Actor, mission_id: int, frame: pd.DataFrame) -> ImportCheck:
    """Every row of frame checked against the database as session sees it."""
    records = [
        (int(number), {name: record.get(name) for name in COLUMNS})
        for number, record in zip(frame.index, frame.to_dict("records"), strict=True)
    ]
    known = _lookups(session, actor, mission_id, {_text(r["periode"]) for _, r in records})
    fields = tuple(field for column, field in FIELDS.items() if column in frame.columns)
    first_row: dict[tuple[int, int], int] = {}
    return ImportCheck([_check_row(number, r, fields, known, first_row) for number, r in records])


def _reason(text: str, problems: list[Problem]) -> str | None:
    """A begrunnelse cell as stored (None when blank), checked as every reason is
    (models.reporting.Reason); what is wrong with it goes to problems."""
    if not text:
        return None
    try:
        return Reason(reason=text).reason
    except ValidationError as exc:
        too_long = any(error["type"] == "string_too_long" for error in exc.errors())
        problems.append(
            Problem("reason_too_long", {"length": REASON_MAX_LENGTH})
            if too_long
            else Problem("reason_characters")
        )
        return None


def _check_row(
    number: int,
    record: dict[str, Any],
    fields: tuple[str, ...],
    known: _Lookups,
    first_row: dict[tuple[int, int], int],
) -> RowCheck:
    """One row's outcome, setting only fields (those the file has columns for); first_row
    remembers where each indicator and period first appeared."""
    code, label = _text(record["indikator"]), _text(record["periode"])
    row = RowCheck(number, code, label, record["verdi"], fields=fields)
    row.reason = _reason(_text(record["begrunnelse"]), row.problems)
    data: dict[str, object] = {"value": _number(record["verdi"])}
    data |= {f: _text(record[c]) for c, f in FIELDS.items() if f in fields and f != "value"}
    if all(value == "" for value in data.values()):
        row.outcome = "skip"
        return row
    indicator = known.indicators.get(code)
    if not code:
        row.problems.append(Problem("missing_indicator"))
    elif indicator is None:
        row.problems.append(Problem("unknown_indicator", {"code": code}))
    elif (
        known.organisation_id is not None and indicator.responsible_org_id != known.organisation_id
    ):
        row.problems.append(Problem("other_organisation", {"code": code}))
    period = known.periods.get(label)
    if not label:
        row.problems.append(Problem("missing_period"))
    elif period is None:
        row.problems.append(Problem("unknown_period", {"period": label}))
    elif period.locked:
        row.problems.append(Problem("period_locked", {"period": label}))
    if indicator is not None and period is not None:
        assert indicator.id is not None and period.id is not None
        row.indicator_id, row.period_id = indicator.id, period.id
        key = (indicator.id, period.id)
        row.stored, row.correction = known.stored.get(key), known.corrections.get(key)
        target = row.correction or row.stored
        row.version = target.version if target else None
        if key in first_row:
            row.problems.append(Problem("duplicate", {"first": first_row[key]}))
        else:
            first_row[key] = number
    measure = indicator.measure if indicator is not None else None
    try:
        row.entry = ValueEntry.model_validate(data, context={"measure": measure})
    except ValidationError as exc:
        row.invalid = exc
    if row.problems or row.entry is None or row.indicator_id is None or row.period_id is None:
        return row
    row.outcome = _outcome(row.entry, row.stored, fields)
    if row.outcome == "update" and row.stored and row.stored.status == EntryStatus.APPROVED:
        pending = row.correction
        if pending and _outcome(row.entry, pending, fields) == "unchanged":
            row.outcome = "unchanged"
        elif row.reason or (pending and pending.correction_reason):
            row.outcome = "correct"
        else:
            row.problems.append(Problem("reason_required"))
            row.outcome = "bad"
    return row


def _outcome(entry: ValueEntry, stored: IndicatorValue | None, fields: tuple[str, ...]) -> str:
    """create, update or unchanged (comparing only fields, the ones the file sets)."""
    if stored is None:
        return "create"
    texts = [f for f in fields if f != "value"]  # blank text is stored as None
    same = stored.value == entry.value and all(
        (getattr(stored, f) or None) == getattr(entry, f) for f in texts
    )
    return "unchanged" if same else "update"
