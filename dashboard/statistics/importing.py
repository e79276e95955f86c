"""An SSB table imported as an indicator's whole-country series, through the import pipeline
(dashboard.services.imports.run): a dry run, then a commit that writes all or nothing.

- The whole-country series: the cells of region 0 (Hele landet; every cell when the table has
  no region), both genders (Kjonn 0) and the indicator's age group, contents code and any
  further dimension: the first code its SSB selection names for that dimension, or the table's
  only one. When a dimension has several codes and the selection names none of them, the dry
  run says so and nothing is imported.
- Each year goes to the mission's yearly period with that label («2024»). A year without such
  a period, in a locked period, or that is no year («2019-2021»), is listed and not imported;
  so is a year whose cell holds an SSB symbol instead of a number («..», «:», «-», ...).
- The breakdown: every cell of the indicator's contents code (and further dimensions), for
  every region, gender, age and year, when the table has more than the whole-country series;
  stored as one batch (dashboard.statistics.breakdowns) for a colleague to approve as a whole.
  Then a table without the whole-country series, or with several ages and no age named in the
  selection, still imports its breakdown: only the series is left out, and the dry run says so.
  The dry run counts the cells by region level, gender and age, and names codes that are not
  SSB's standard ones (dashboard.statistics.regions). A cell whose time is not one year
  («2019-2021») is left out and counted.
- base, the number of persons a value is computed from: the value itself for a count; for
  another measure the cell of the second contents code the selection names
  (ContentsCode=Andel,Personer), when it names one; else none.
- The values land as submitted, whoever imports them, for somebody else in the operative group
  to approve (four eyes); each value's source note names the SSB table, and each written
  value's audit row names the table, the retrieval time and the file or address.
- A value that changes an approved one is a correction with the reason «revised by SSB».
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import DatabaseBusy, session_scope
from dashboard.i18n.formatting import OSLO
from dashboard.services.commands import authorize
from dashboard.services.imports.run import ImportCheck, Versions, commit_import, dry_run
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.statistics import regions
from dashboard.statistics.breakdowns import CELL_COLUMNS, KEY, indicator_cells, submit_batch
from dashboard.statistics.ssb import GENDER_TOTAL, SYMBOLS, WHOLE_COUNTRY, Table
from models import Indicator, Measure, Period, PeriodKind
from models.statistics import parse_selection

YEAR_OUTCOMES = ("import", "symbol", "no_period", "period_locked", "not_a_year")
BREAKDOWNS = ("county", "municipality", "other_region", "gender", "age", "other")
LEVELS = ("whole_country", "county", "municipality", "other")
GENDERS = {"0", "1", "2"}  # SSB's Kjonn: 0 Begge kjønn, 1 Menn, 2 Kvinner
AGE_CODE = re.compile(r"\d{1,3}(-\d{1,3}|\+)?|999[A-Z]?")  # 15-29, 067+, 999D
NO_AGE = ""  # a table without an age dimension
# The frame column of each SSB dimension the selection names
SELECTION_DIMENSIONS = {"gender": "Kjonn", "age": "Alder", "contents": "ContentsCode"}


@dataclass(frozen=True)
class Problem:
    """Why the table cannot be imported for the indicator: a code (i18n
    statistics.problem.<code>) and its message values."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class YearCheck:
    """One year of the whole-country series and what importing it does."""

    time: str
    year: int | None
    value: float | None
    status: str | None
    outcome: str  # one of YEAR_OUTCOMES

    @property
    def symbol(self) -> str | None:
        """The meaning key of the cell's SSB symbol (statistics.symbol.<key>), if it has one."""
        return SYMBOLS.get(self.status or "")


@dataclass
class StatisticsCheck:
    """The dry run of an SSB table for one indicator."""

    indicator: str
    table_id: str | None
    retrieved_at: dt.datetime
    source: str  # the file's name or the API's address
    years: list[YearCheck]
    breakdown: dict[str, int]  # cells not stored yet, by kind (BREAKDOWNS)
    problems: list[Problem]
    frame: pd.DataFrame  # the rows handed to the import pipeline
    check: ImportCheck | None = None  # the pipeline's dry run of frame
    indicator_id: int | None = None
    # the breakdown stored as a batch (CELL_COLUMNS), empty when the table is only the series
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CELL_COLUMNS))
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # level/gender/age -> n
    unknown: dict[str, list[str]] = field(default_factory=dict)  # region/gender/age -> codes
    skipped_cells: int = 0  # cells whose time is not one year
    series_problems: list[Problem] = field(default_factory=list)  # the series alone is left out
    age_total: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # region code -> name in the file
    unchanged_cells: int = 0  # cells stored already as the file gives them (not imported again)

    @property
    def importable(self) -> list[YearCheck]:
        return [year for year in self.years if year.outcome == "import"]

    @property
    def series_ok(self) -> bool:
        """Whether the whole-country series can be imported."""
        return (
            not self.problems and bool(self.importable) and self.check is not None and self.check.ok
        )

    @property
    def ok(self) -> bool:
        """Whether the import (series, breakdown or both) can go ahead as it is."""
        if self.problems or (self.check is not None and not self.check.ok):
            return False
        return self.series_ok or not self.cells.empty

    def writes(self) -> int:
        """How many series values the import writes (new, changed, corrections)."""
        if not self.series_ok:
            return 0
        assert self.check is not None
        counts = self.check.counts()
        return counts["create"] + counts["update"] + counts["correct"]

    @property
    def note(self) -> str:
        """What each written value's audit row says: table, retrieval time, file or address."""
        when = self.retrieved_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"SSB tabell {self.table_id or '?'}, hentet {when}, {self.source}"[:1000]


def source_note(table_id: str | None) -> str:
    """The source note each imported value carries."""
    return f"Statistisk sentralbyrå (SSB), tabell {table_id or '?'}"


def revision_reason(table_id: str | None, retrieved_at: dt.datetime) -> str:
    """The reason given when the import corrects an approved value: SSB revised it."""
    when = retrieved_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    return f"Revidert tall fra SSB (tabell {table_id or '?'}, hentet {when})"


# --- the whole-country series ----------------------------------------------------------------


def _region_kind(code: str | None) -> str:
    text = code or ""
    if len(text) == 2 and text.isdigit():
        return "county"
    if len(text.removeprefix("K-")) == 4 and text.removeprefix("K-").isdigit():
        return "municipality"
    return "other_region"


def _headline(
    frame: pd.DataFrame, column: str, wanted: list[str], default: str | None
) -> tuple[str | None, Problem | None]:
    """The code of a dimension the whole-country series has: the only one, the first the
    selection names, or the default (Kjonn 0); a problem when none of these tells."""
    codes = [c for c in dict.fromkeys(frame[column]) if c is not None]
    if len(codes) <= 1:
        return (codes[0] if codes else None), None
    for code in wanted:
        if code in codes:
            return code, None
    if default is not None and default in codes:
        return default, None
    return None, Problem("ambiguous", {"dimension": column, "codes": ", ".join(codes[:8])})


def _is_national(region: pd.Series, labels: pd.Series) -> pd.Series:
    whole = (region == WHOLE_COUNTRY) | (labels.fillna("").str.casefold() == "hele landet")
    return whole | region.isna()


def whole_country(
    table: Table, selection: dict[str, list[str]]
) -> tuple[pd.DataFrame, dict[str, int], list[Problem]]:
    """The cells of the whole-country series, the other cells counted by kind, and what stops
    telling the series apart."""
    frame = table.frame
    problems: list[Problem] = []
    national = _is_national(frame["region"], frame["region_label"])
    if not national.any():
        problems.append(Problem("no_whole_country"))
    chosen: dict[str, str | None] = {}
    for column in ("gender", "age", "contents", "other"):
        wanted = [c for c in selection.get(SELECTION_DIMENSIONS.get(column, ""), []) if c != "*"]
        if column == "other":
            wanted = _other_wanted(frame, selection)
        code, problem = _headline(
            frame[national], column, wanted, GENDER_TOTAL if column == "gender" else None
        )
        chosen[column] = code
        if problem is not None:
            problems.append(problem)
    breakdown: Counter[str] = Counter()
    regional = frame.loc[~national, "region"]  # column by column: 28,000 cells of a county file
    kinds = {code: _region_kind(code) for code in pd.unique(regional)}
    breakdown.update({str(k): int(n) for k, n in regional.map(kinds).value_counts().items()})
    keep = national.copy()
    for column in ("gender", "age", "contents", "other"):  # counted by the first that differs
        differs = keep & ~_equals(frame[column], chosen[column])
        breakdown[column if column in BREAKDOWNS else "other"] += int(differs.sum())
        keep &= ~differs
    series = frame[keep.astype(bool)]
    return series, {kind: breakdown[kind] for kind in BREAKDOWNS}, problems


def _other_wanted(frame: pd.DataFrame, selection: dict[str, list[str]]) -> list[str]:
    """The further dimensions' combination the selection names first ("Dim=code; ..."), among
    those the table has."""
    found = []
    for other in dict.fromkeys(frame["other"]):
        if other is None:
            continue
        parts = dict(part.split("=", 1) for part in other.split("; "))
        firsts = {dim: (selection.get(dim) or ["*"])[0] for dim in parts}
        if all(first in ("*", parts[dim]) for dim, first in firsts.items()):
            found.append(other)
    return found[:1]


# --- the dry run and the commit --------------------------------------------------------------


def plan(
    table: Table,
    indicator: Indicator,
    periods: dict[str, Period],
    *,
    source: str,
    retrieved_at: dt.datetime,
) -> StatisticsCheck:
    """What importing table for indicator would do, year by year (no database needed)."""
    problems: list[Problem] = []
    if indicator.ssb_table and table.table_id and indicator.ssb_table != table.table_id:
        problems.append(
            Problem("other_table", {"table": table.table_id, "expected": indicator.ssb_table})
        )
    table_id = table.table_id or indicator.ssb_table
    selection = parse_selection(indicator.ssb_selection)
    series, breakdown, found = whole_country(table, selection)
    cells, skipped, blocking = breakdown_cells(table, indicator, selection)
    problems += blocking
    series_problems: list[Problem] = []
    if sum(breakdown.values()) and not blocking:  # the breakdown goes in even if the series cannot
        series_problems = [p for p in found if p.code in ("no_whole_country", "ambiguous")]
        found = [p for p in found if p not in series_problems]
    else:
        cells = cells.iloc[0:0]
    problems += found
    years: list[YearCheck] = []
    seen: set[str] = set()
    for row in series.to_dict("records") if not found and not series_problems else []:
        time = str(row["time"] or "")
        if time in seen:
            problems.append(Problem("duplicate_year", {"year": time}))
            continue
        seen.add(time)
        year, value, status = row["year"], row["value"], row["status"]
        period = periods.get(str(year)) if year is not None else None
        if year is None:
            outcome = "not_a_year"
        elif period is None or period.kind != PeriodKind.ANNUAL:
            outcome = "no_period"
        elif period.locked:
            outcome = "period_locked"
        elif value is None:
            outcome = "symbol"
        else:
            outcome = "import"
        years.append(YearCheck(time, year, value, status, outcome))
    years.sort(key=lambda y: y.time)
    rows = [y for y in years if y.outcome == "import"]
    frame = pd.DataFrame(
        {
            "indikator": [indicator.code] * len(rows),
            "periode": [str(y.year) for y in rows],
            "verdi": [y.value for y in rows],
            "kildemerknad": [source_note(table_id)] * len(rows),
            "begrunnelse": [revision_reason(table_id, retrieved_at)] * len(rows),
        },
        index=range(1, len(rows) + 1),
        dtype=object,
    )
    result = StatisticsCheck(
        indicator.code, table_id, retrieved_at, source, years, breakdown, problems, frame
    )
    result.indicator_id = indicator.id
    result.cells, result.skipped_cells, result.series_problems = cells, skipped, series_problems
    result.counts, result.unknown = summary(cells)
    if not cells.empty:
        named = table.frame.dropna(subset=["region", "region_label"])
        wanted = set(cells["region"])
        result.labels = {
            code: str(label)
            for code, label in zip(
                (regions.normal(r) or "" for r in named["region"]),
                named["region_label"],
                strict=True,
            )
            if code in wanted and label and label != code
        }
    ages = [c for c in selection.get("Alder", []) if c != "*"]
    found_ages = list(dict.fromkeys(cells["age"])) if not cells.empty else []
    result.age_total = next((a for a in ages if a in found_ages), None) or (
        found_ages[0] if len(found_ages) == 1 else None
    )
    return result


def breakdown_cells(
    table: Table, indicator: Indicator, selection: dict[str, list[str]]
) -> tuple[pd.DataFrame, int, list[Problem]]:
    """The cells of the indicator's contents (and further dimensions) for every region,
    gender, age and year (CELL_COLUMNS), how many were left out for a time that is no year,
    and what stops telling them apart."""
    frame = table.frame
    problems: list[Problem] = []
    wanted = [c for c in selection.get("ContentsCode", []) if c != "*"]
    contents, problem = _headline(frame, "contents", wanted[:1], None)
    others, other_problem = _headline(frame, "other", _other_wanted(frame, selection), None)
    problems += [p for p in (problem, other_problem) if p is not None]
    empty = pd.DataFrame(columns=CELL_COLUMNS)
    if problems:
        return empty, 0, problems
    chosen = frame[_equals(frame["contents"], contents) & _equals(frame["other"], others)]
    skipped = int(chosen["year"].isna().sum())
    chosen = chosen[chosen["year"].notna()]
    cells = pd.DataFrame(
        {
            "region": chosen["region"]
            .map({r: regions.normal(r) or WHOLE_COUNTRY for r in pd.unique(chosen["region"])})
            .tolist()
            if len(chosen)
            else [],
            "gender": [g if g is not None else GENDER_TOTAL for g in chosen["gender"]],
            "age": [a if a is not None else NO_AGE for a in chosen["age"]],
            "year": [int(y) for y in chosen["year"]],
            "value": list(chosen["value"]),
            "symbol": list(chosen["status"]),
        },
        dtype=object,
    )
    cells["base"] = _bases(frame, cells, indicator, wanted[1:2], others)
    cells = cells[CELL_COLUMNS]
    duplicates = cells.duplicated(KEY)
    if duplicates.any():
        first = cells[duplicates].iloc[0]
        where = f"{first['region']}/{first['gender']}/{first['age']}/{first['year']}"
        return empty, skipped, [Problem("duplicate_cell", {"cell": where})]
    return cells.reset_index(drop=True), skipped, []


def _equals(column: pd.Series, code: str | None) -> pd.Series:
    return column.isna() if code is None else column == code


def _bases(
    frame: pd.DataFrame,
    cells: pd.DataFrame,
    indicator: Indicator,
    base_contents: list[str],
    others: str | None,
) -> list[float | None]:
    """Each cell's base: the count itself, or the base contents code's cell (a share)."""
    if indicator.measure == Measure.COUNT:
        return [None if v is None else float(v) for v in cells["value"]]
    if not base_contents:
        return [None] * len(cells)
    rows = frame[
        (frame["contents"] == base_contents[0])
        & frame["year"].notna()
        & _equals(frame["other"], others)
    ]
    lookup = {
        (
            regions.normal(r) or WHOLE_COUNTRY,
            g if g is not None else GENDER_TOTAL,
            a if a is not None else NO_AGE,
            int(y),
        ): v
        for r, g, a, y, v in zip(
            rows["region"], rows["gender"], rows["age"], rows["year"], rows["value"], strict=True
        )
    }
    return [
        lookup.get(key)
        for key in zip(cells["region"], cells["gender"], cells["age"], cells["year"], strict=True)
    ]


def summary(cells: pd.DataFrame) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """The cells counted by region level, gender and age, and the codes that are not SSB's
    standard ones (regions of no county of any version, genders other than 0, 1, 2, ages
    unlike 15-29 or 999D)."""
    if cells.empty:
        return {}, {}
    found = cells["region"].value_counts()
    levels: Counter[str] = Counter()
    for code, n in found.items():
        levels[regions.level(str(code))] += int(n)
    counts = {
        "level": {kind: levels[kind] for kind in LEVELS if levels[kind]},
        "gender": {str(k): int(n) for k, n in sorted(cells["gender"].value_counts().items())},
        "age": {str(k): int(n) for k, n in sorted(cells["age"].value_counts().items())},
    }
    unknown = {
        "region": sorted(r for r in set(cells["region"]) if not regions.known(r)),
        "gender": sorted(g for g in set(cells["gender"]) if g not in GENDERS),
        "age": sorted(a for a in set(cells["age"]) if a != NO_AGE and not AGE_CODE.fullmatch(a)),
    }
    return counts, {kind: codes for kind, codes in unknown.items() if codes}


def cell_lines(
    result: StatisticsCheck,
    say: Callable[..., str],
    *,
    escape: Callable[[str], str] = str,
) -> list[str]:
    """What the dry run says of the breakdown, as lines (say: translate in one language):
    the cells by region level, gender and age, unknown codes, cells left out, and why the
    whole-country series is left out."""
    lines = []
    for problem in result.series_problems:
        values = {k: escape(str(v)) for k, v in problem.values.items()}
        if "dimension" in values:
            values["dimension"] = say(f"statistics.dimension.{problem.values['dimension']}")
        lines.append(say(f"statistics.series_problem.{problem.code}", **values))
    if not result.cells.empty:
        counts = result.counts
        levels = ", ".join(
            say(f"statistics.level.{kind}", count=n) for kind, n in counts["level"].items()
        )
        genders = ", ".join(
            f"{say(f'breakdown.gender.{g}') if g in GENDERS else escape(g)}: {n}"
            for g, n in counts["gender"].items()
        )
        ages = ", ".join(
            f"{escape(a) if a else say('breakdown.all_ages')}: {n}"
            for a, n in counts["age"].items()
        )
        lines.append(
            say(
                "statistics.cells",
                count=len(result.cells),
                levels=levels,
                genders=genders,
                ages=ages,
            )
        )
    for kind, codes in result.unknown.items():
        lines.append(
            say(
                "statistics.unknown_codes",
                kind=say(f"statistics.code_kind.{kind}"),
                codes=escape(", ".join(codes[:20])),
            )
        )
    if result.skipped_cells:
        lines.append(say("statistics.skipped_cells", count=result.skipped_cells))
    if result.unchanged_cells:
        lines.append(say("statistics.unchanged_cells", count=result.unchanged_cells))
    return lines


class UnknownIndicator(LookupError):
    """No indicator of the mission has the code."""


def find_indicator(mission_id: int, code: str, *, engine: Engine | None = None) -> Indicator:
    """The mission's indicator with this code; UnknownIndicator when there is none."""
    with session_scope(engine=engine) as session:
        indicator = session.exec(
            select(Indicator).where(Indicator.mission_id == mission_id, Indicator.code == code)
        ).first()
        if indicator is None:
            raise UnknownIndicator(code)
        session.expunge(indicator)
        return indicator


def check_table(
    actor: Actor,
    mission_id: int,
    code: str,
    table: Table,
    *,
    source: str,
    retrieved_at: dt.datetime,
    engine: Engine | None = None,
) -> StatisticsCheck:
    """The dry run of table for the indicator with this code: the series year by year, then the
    import pipeline's dry run of what would be written. Writes nothing."""
    indicator = find_indicator(mission_id, code, engine=engine)
    with session_scope(engine=engine) as session:
        query = select(Period).where(Period.mission_id == mission_id)  # this mission's only
        periods = {p.label: p for p in session.exec(query.order_by(col(Period.start)))}
        for period in periods.values():
            session.expunge(period)
    result = plan(table, indicator, periods, source=source, retrieved_at=retrieved_at)
    if result.importable and not result.problems:
        result.check = dry_run(actor, mission_id, result.frame, engine=engine)
    elif not result.cells.empty:
        _authorize_import(actor, indicator, engine=engine)
    if not result.cells.empty and indicator.id is not None:
        with session_scope(engine=engine) as session:
            # against the approved cells only: a submitted batch may yet be returned, and
            # this one must then hold every cell that differs from what is published
            stored = indicator_cells(session, indicator.id)
        result.cells, result.unchanged_cells = only_changed(result.cells, stored)
        result.counts = summary(result.cells)[0]
    return result


def only_changed(cells: pd.DataFrame, stored: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The cells that are new or differ from those stored (the approved ones: the value, the
    symbol or the base), and how many are stored as they are."""
    if stored.empty:
        return cells, 0
    known = stored[CELL_COLUMNS].assign(_stored=True)
    keys = {column: object for column in KEY}
    merged = cells.astype(keys).merge(
        known.astype(keys), on=KEY, how="left", suffixes=("", "_stored")
    )
    same = merged["_stored"].eq(True)
    for column in ("value", "base", "symbol"):
        new, old = merged[column], merged[f"{column}_stored"]
        same &= (new.isna() & old.isna()) | (new == old)
    changed = cells[~same.to_numpy()].reset_index(drop=True)
    return changed, int(same.sum())


def _authorize_import(actor: Actor, indicator: Indicator, *, engine: Engine | None) -> None:
    """PermissionDenied unless actor may import the indicator's breakdown."""
    if allowed(actor, Action.IMPORT):
        return
    owner = indicator.responsible_org_id
    authorize(actor, Action.ENTER_VALUES, organisation_id=owner, engine=engine)


def commit_table(
    actor: Actor,
    mission_id: int,
    result: StatisticsCheck,
    *,
    expected: Versions | None,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Write the series the dry run showed, as submitted (ImportRefused, ImportStale as for any
    import; expected is the versions() of the pipeline's dry run the person saw), then its
    breakdown as a submitted batch (PartlyImported when the series went in and the database
    was too busy for the breakdown). Returns how many series values had each outcome, and
    cells and batch (the batch's id, 0 when none was stored)."""
    done = {"create": 0, "update": 0, "correct": 0}
    if result.writes():
        done = commit_import(
            actor,
            mission_id,
            result.frame,
            source=result.note,
            expected=expected or {},
            submit=True,
            engine=engine,
        )
    done |= {"cells": 0, "batch": 0}
    if not result.cells.empty:
        assert result.indicator_id is not None
        try:
            done["batch"] = submit_batch(
                actor,
                result.indicator_id,
                result.cells,
                table_id=result.table_id,
                source=result.source,
                retrieved_at=result.retrieved_at,
                age_total=result.age_total,
                labels=result.labels,
                engine=engine,
            )
        except DatabaseBusy as exc:
            if any(done.values()):  # the series is in, its breakdown not: say so
                raise PartlyImported(done) from exc
            raise
        done["cells"] = len(result.cells)
    return done


class PartlyImported(Exception):
    """The series was written (done: how many values had each outcome) but its breakdown was
    not, the database being busy: importing the same table again stores the breakdown."""

    def __init__(self, done: dict[str, int]) -> None:
        super().__init__("the series was imported, its breakdown not (database busy)")
        self.done = done


@dataclass(frozen=True)
class Source:
    """An indicator someone may import statistics for, with its SSB source (if set)."""

    code: str
    name: str
    table: str | None
    selection: str | None


def importable_sources(
    session: Session, mission_id: int, organisation_id: int | None
) -> list[Source]:
    """The mission's indicators (only organisation_id's, unless None), by code, with their SSB
    table and selection."""
    query = select(Indicator).where(Indicator.mission_id == mission_id)
    if organisation_id is not None:
        query = query.where(Indicator.responsible_org_id == organisation_id)
    return [
        Source(i.code, i.name, i.ssb_table, i.ssb_selection)
        for i in session.exec(query.order_by(col(Indicator.code)))
    ]
