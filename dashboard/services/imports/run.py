"""The dry run and the commit of an import: each row of an upload (from upload.read_upload)
planned against the database, and then stored, all of it or nothing, in one transaction.

The rules an import follows (issue 4, item 6):

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

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services.commands import authorize, command
from dashboard.services.imports.upload import COLUMNS, FIELDS, cell_number, cell_text
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.reporting import plan_entry, store_entries
from models import EntryStatus, Indicator, IndicatorValue, Period, User, ValueEntry
from models.reporting import REASON_MAX_LENGTH, Reason

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
    submit: bool = False,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Write every row of frame in one transaction, or nothing if any is bad (ImportRefused)
    or any stored version differs from expected (ImportStale).

    expected is `versions()` of the dry run the person confirmed; source names the file (the
    audit reason). submit: the values land as submitted whoever imports them (official
    statistics, dashboard.statistics), not as an operative's drafts. Returns how many rows had
    each outcome.
    """
    action, organisation_id = _permission(actor)
    submitted = submit or action == Action.IMPORT
    status = EntryStatus.SUBMITTED if submitted else EntryStatus.DRAFT
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
    periods = {  # a label names the period of this mission only
        p.label: p
        for p in session.exec(
            select(Period).where(Period.mission_id == mission_id, col(Period.label).in_(labels))
        )
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
    known = _lookups(session, actor, mission_id, {cell_text(r["periode"]) for _, r in records})
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
    code, label = cell_text(record["indikator"]), cell_text(record["periode"])
    row = RowCheck(number, code, label, record["verdi"], fields=fields)
    row.reason = _reason(cell_text(record["begrunnelse"]), row.problems)
    data: dict[str, object] = {"value": cell_number(record["verdi"])}
    data |= {f: cell_text(record[c]) for c, f in FIELDS.items() if f in fields and f != "value"}
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
