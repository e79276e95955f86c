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
- Every other cell (counties, municipalities, genders, ages) is read and counted in the dry
  run as not stored yet: storing breakdowns is the next step of issue 19.
- The values land as submitted, whoever imports them, for somebody else in the operative group
  to approve (four eyes); each value's source note names the SSB table, and each written
  value's audit row names the table, the retrieval time and the file or address.
- A value that changes an approved one is a correction with the reason «revised by SSB».
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.i18n.formatting import OSLO
from dashboard.services.imports.run import ImportCheck, Versions, commit_import, dry_run
from dashboard.services.permissions import Actor
from dashboard.statistics.ssb import GENDER_TOTAL, SYMBOLS, WHOLE_COUNTRY, Table
from models import Indicator, Period, PeriodKind
from models.statistics import parse_selection

YEAR_OUTCOMES = ("import", "symbol", "no_period", "period_locked", "not_a_year")
BREAKDOWNS = ("county", "municipality", "other_region", "gender", "age", "other")
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

    @property
    def importable(self) -> list[YearCheck]:
        return [year for year in self.years if year.outcome == "import"]

    @property
    def ok(self) -> bool:
        """Whether the import can go ahead as it is."""
        return (
            not self.problems and bool(self.importable) and self.check is not None and self.check.ok
        )

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
    keep = []
    for is_national, row in zip(national, frame.to_dict("records"), strict=True):
        if not is_national:
            breakdown[_region_kind(row["region"])] += 1
            keep.append(False)
            continue
        differs = [c for c in ("gender", "age", "contents", "other") if row[c] != chosen[c]]
        if differs:
            breakdown[differs[0] if differs[0] in BREAKDOWNS else "other"] += 1
        keep.append(not differs)
    series = frame[pd.Series(keep, index=frame.index, dtype=bool)]
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
    series, breakdown, found = whole_country(table, parse_selection(indicator.ssb_selection))
    problems += found
    years: list[YearCheck] = []
    seen: set[str] = set()
    for row in series.to_dict("records") if not found else []:
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
    return StatisticsCheck(
        indicator.code, table_id, retrieved_at, source, years, breakdown, problems, frame
    )


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
        periods = {p.label: p for p in session.exec(select(Period).order_by(col(Period.start)))}
        for period in periods.values():
            session.expunge(period)
    result = plan(table, indicator, periods, source=source, retrieved_at=retrieved_at)
    if result.importable and not result.problems:
        result.check = dry_run(actor, mission_id, result.frame, engine=engine)
    return result


def commit_table(
    actor: Actor,
    mission_id: int,
    result: StatisticsCheck,
    *,
    expected: Versions,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Write the series the dry run showed, as submitted (ImportRefused, ImportStale as for any
    import); expected is the versions() of the pipeline's dry run the person saw."""
    return commit_import(
        actor,
        mission_id,
        result.frame,
        source=result.note,
        expected=expected,
        submit=True,
        engine=engine,
    )


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
