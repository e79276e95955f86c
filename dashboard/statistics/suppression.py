"""Small-number suppression (issue 19): a value computed from fewer than SUPPRESS_BELOW persons
is never shown to partners or visitors, nor in downloads or reports, and secondary suppression
keeps it from being worked out from its row or column totals. Pure pandas, no Streamlit.

The frame is long, one row per cell: region ("0" the whole country, 2 digits a county, 4 digits
a municipality, SSB's codes), gender ("0" both), age (one code is the total of the others),
year, value, base (the persons the value is computed from) and symbol (SSB's, or None).

- **Primary:** a cell with a value whose base is below the threshold. For counts the persons
  are the value itself, or the base where one is given and smaller (a count of 3 out of a
  population of 400 is still 3 persons); a share without a base is never primary, since what
  it rests on is unknown. Zero counts too: «0 persons» is fewer than five.
- **Secondary:** the cells that add up to a total along one dimension form a group with it:
  the municipalities of a county (by the first two digits of the code) with the county, the
  counties with the whole country, genders 1 and 2 with 0, the age groups with the narrowest
  age group that holds them (15-19 and 20-24 with 15-24; with the age total when none does),
  each for the same values of the other dimensions. Where exactly one cell of a group is
  hidden, it is the total minus the others: the smallest other cell (by base; a member before
  the total) is hidden too, and so on until no group has exactly one hidden cell. For shares
  the groups add up on the bases (the denominators), which is what is compared. Years are never
  summed, so they form no groups. Suppress the whole frame before filtering it for a view: a
  group whose total is left out is still treated as one (a user may know the total from
  elsewhere), but cells missing from the frame cannot be counted.

`viewer_frame` gives the frame as a reader sees it: partners and visitors get no value (and
no base) in a suppressed cell and SSB's «:» as its symbol; the internal roles keep the value,
with `suppressed` saying it is hidden when published. Which roles are internal:
dashboard.services.permissions.sees_suppressed.
"""

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from dashboard.settings import get_settings
from models import Measure

PRIMARY = "primary"
SECONDARY = "secondary"
SYMBOL = ":"  # SSB's «Vises ikke av konfidensialitetshensyn»
WHOLE_COUNTRY = "0"
GENDER_TOTAL = "0"
# Age codes SSB uses for «all ages» in its tables
AGE_TOTALS = ("999", "999D", "-999", "F000-999")
_AGE_RANGE = re.compile(r"(\d{1,3})\s*-\s*(\d{1,3})|(\d{1,3})\+|(\d{1,3})")
COLUMNS = ("region", "gender", "age", "year", "value", "base", "symbol")


def threshold(below: int | None = None) -> int:
    """The number of persons a shown value must rest on at least (SUPPRESS_BELOW)."""
    return get_settings().suppress_below if below is None else below


def hidden_count(value: Any, measure: Measure | str | None, below: int | None = None) -> bool:
    """Whether one count (a whole-country value with no breakdown, so no secondary
    suppression) is suppressed: a number of persons below the threshold. Shares, rates and
    scores without a base are never hidden."""
    if measure is None or str(measure) != Measure.COUNT.value:
        return False
    if value is None or pd.isna(value):
        return False
    return float(value) < threshold(below)


def region_parent(code: str) -> str | None:
    """The region a region's cells add up to: the county of a municipality (its first two
    digits), the whole country for a county; None for the whole country or another code."""
    code = str(code)
    if code.isdigit() and len(code) == 4:
        return code[:2]
    if code.isdigit() and len(code) == 2:
        return WHOLE_COUNTRY
    return None


def _age_span(code: str) -> tuple[int, int] | None:
    match = _AGE_RANGE.fullmatch(code.strip())
    if match is None:
        return None
    if match.group(3) is not None:
        return int(match.group(3)), 999
    if match.group(4) is not None:  # one year of age
        return int(match.group(4)), int(match.group(4))
    return int(match.group(1)), int(match.group(2))


def age_total_code(codes: Iterable[Any]) -> str | None:
    """The age code that is the total of the others, when it can be told: one of SSB's
    «all ages» codes, or the one range («15-29») that spans all the other ranges («15-19»,
    «20-24», «25-29»). None when there is one age only or none is the total."""
    found = sorted({str(c) for c in codes if c is not None and not pd.isna(c)})
    if len(found) < 2:
        return None
    for code in AGE_TOTALS:
        if code in found:
            return code
    spans = {code: _age_span(code) for code in found}
    if any(span is None for span in spans.values()):
        return None
    for code, span in spans.items():
        assert span is not None
        others = [s for c, s in spans.items() if c != code and s is not None]
        if (
            span[0] == min(s[0] for s in others)
            and span[1] == max(s[1] for s in others)
            and all(span[0] <= s[0] and s[1] <= span[1] and s != span for s in others)
        ):
            return code
    return None


def age_parents(codes: Iterable[Any], total: str | None = None) -> dict[str, str | None]:
    """The age code each age code adds up to with others: the narrowest other range that
    holds it («15-19» in «15-24», «15-24» in «15-29»), else the total (total, or one of SSB's
    «all ages» codes present; it holds every other code, also one that is no range); None
    where nothing holds it. So nested age groups each make a group of their own."""
    found = sorted({str(c) for c in codes if c is not None and not pd.isna(c)})
    if total is None:
        total = next((code for code in AGE_TOTALS if code in found), None)
    spans = {code: _age_span(code) for code in found if code != total}
    result: dict[str, str | None] = {}
    for code in found:
        span = spans.get(code)
        holders = [
            (other_span[1] - other_span[0], other)
            for other, other_span in spans.items()
            if span is not None
            and other_span is not None
            and other != code
            and other_span != span
            and other_span[0] <= span[0]
            and span[1] <= other_span[1]
        ]
        result[code] = min(holders)[1] if holders else (None if code == total else total)
    return result


def bases(frame: pd.DataFrame, measure: Measure | str) -> pd.Series:
    """The persons each cell rests on: its base, or for counts the value, or the base where it
    is smaller (NaN where neither tells)."""
    base = pd.to_numeric(frame["base"], errors="coerce").astype(float)
    if str(measure) == Measure.COUNT.value:
        value = pd.to_numeric(frame["value"], errors="coerce").astype(float)
        base = pd.Series(np.fmin(value.to_numpy(), base.to_numpy()), index=frame.index)
    return base


def _complete(
    numbers: np.ndarray, cell: np.ndarray, is_total: np.ndarray, order: np.ndarray, count: int
) -> np.ndarray:
    """Which entries (numbers: the group; cell: the position; is_total) belong to a group
    whose members can add up to its total. A file may hold only some of a county's
    municipalities or some age groups: when every member and the total are known and the
    members fall short of the total by more than rounding, the total less the members shown is
    the sum of cells the file does not have, so no hidden member can be worked out from it,
    and the group asks for no secondary suppression. A group with a cell of unknown size is
    taken to add up (hiding one cell too many rather than one too few)."""
    sizes = order[cell]
    members = np.bincount(numbers, weights=np.where(is_total, 0.0, sizes), minlength=count)
    totals = np.bincount(numbers, weights=np.where(is_total, sizes, 0.0), minlength=count)
    has_total = np.bincount(numbers, weights=is_total, minlength=count) > 0
    with np.errstate(invalid="ignore"):  # inf - inf: a size unknown, judged just below
        falls_short = members < totals - np.maximum(1.0, 0.005 * np.abs(totals))
    short = has_total & np.isfinite(members) & np.isfinite(totals) & falls_short
    return ~short[numbers]


class _Groups:
    """The groups of cells that add up (module docstring), each as its members and its total
    (positions in the frame), the members in the order they are hidden in (smallest base
    first), and the groups each cell is in."""

    def __init__(self, frame: pd.DataFrame, age_total: str | None, order: np.ndarray) -> None:
        region, gender, age, year = (
            frame[column].astype(str).astype("string")
            for column in ("region", "gender", "age", "year")
        )
        parent = region.map({code: region_parent(code) for code in region.unique()}).astype(
            "string"
        )
        rest = gender + "|" + age + "|" + year
        # (dimension, the total's coordinates) of the group each cell is a member / total of
        as_member = [
            ("r|" + parent + "|" + rest).where(parent.notna()),
            ("g|" + region + "|" + age + "|" + year).where(gender != GENDER_TOTAL),
        ]
        as_total = [
            "r|" + region + "|" + rest,
            ("g|" + region + "|" + age + "|" + year).where(gender == GENDER_TOTAL),
        ]
        parents = age_parents(age.unique(), age_total)
        if any(p is not None for p in parents.values()):
            age_parent = age.map(parents).astype("string")
            by_age = "a|" + region + "|" + gender + "|" + year + "|"
            as_member.append((by_age + age_parent).where(age_parent.notna()))
            as_total.append(by_age + age)
        positions = np.arange(len(frame))
        keys = pd.concat([*as_member, *as_total], ignore_index=True)
        cell = np.tile(positions, len(as_member) + len(as_total))
        is_total = np.repeat([False] * len(as_member) + [True] * len(as_total), len(frame))
        known = keys.notna().to_numpy()
        keys, cell, is_total = keys[known], cell[known], is_total[known]
        codes, _ = pd.factorize(keys)
        with_members = np.unique(codes[~is_total])  # a total alone adds up to nothing
        keep = np.isin(codes, with_members)
        codes, cell, is_total = codes[keep], cell[keep], is_total[keep]
        numbers = np.searchsorted(with_members, codes)
        count = len(with_members)
        complete = _complete(numbers, cell, is_total, order, count)
        numbers, cell, is_total = numbers[complete], cell[complete], is_total[complete]
        # members smallest base first, ties by position; totals after all members
        sort = np.lexsort((cell, order[cell], is_total, numbers))
        numbers, cell, is_total = numbers[sort], cell[sort], is_total[sort]
        bounds = np.searchsorted(numbers, np.arange(count + 1))
        cells = cell.tolist()
        self.cells: list[list[int]] = [cells[bounds[n] : bounds[n + 1]] for n in range(count)]
        self.of_cell: list[list[int]] = [[] for _ in range(len(frame))]
        for number, member in zip(numbers.tolist(), cells, strict=True):
            self.of_cell[member].append(number)
        self._numbers, self._cells = numbers, cell

    def counts(self, hidden: np.ndarray) -> list[int]:
        """How many hidden cells each group has."""
        found = np.bincount(self._numbers, weights=hidden[self._cells], minlength=len(self.cells))
        return found.astype(int).tolist()


def suppress(
    frame: pd.DataFrame,
    measure: Measure | str,
    *,
    below: int | None = None,
    age_total: str | None = None,
    same: np.ndarray | None = None,
) -> pd.DataFrame:
    """A copy of frame (columns COLUMNS) with a column `suppressed`: None, PRIMARY or
    SECONDARY (module docstring). measure is the indicator's (count, percent, ...); age_total
    the age code that is the total of the others (found by age_total_code when not given);
    same, a label per row: rows with the same label are one figure under two region codes (a
    renumbered municipality's old and new one), each in its own groups, hidden together."""
    limit = threshold(below)
    result = frame.reset_index(drop=True).copy()
    if age_total is None:
        age_total = age_total_code(result["age"].unique())
    base = bases(result, measure).to_numpy()
    has_value = pd.to_numeric(result["value"], errors="coerce").notna().to_numpy()
    order = np.nan_to_num(base, nan=np.inf)  # a cell whose base is unknown goes last
    primary = has_value & (order < limit)
    kind: list[str | None] = [PRIMARY if h else None for h in primary.tolist()]
    groups = _Groups(result, age_total, order)
    hidden = primary.tolist()
    open_value = has_value.tolist()
    linked: dict[int, list[int]] = {}
    if same is not None:
        by_label: dict[int, list[int]] = {}
        for position, label in enumerate(np.asarray(same).tolist()):
            by_label.setdefault(label, []).append(position)
        linked = {i: rows for rows in by_label.values() if len(rows) > 1 for i in rows}
    count = groups.counts(np.array(hidden, dtype=float))
    pending = [n for n, c in enumerate(count) if c == 1]

    def hide(position: int, how: str) -> None:
        hidden[position] = True
        kind[position] = how
        for other in groups.of_cell[position]:
            count[other] += 1
            if count[other] == 1:
                pending.append(other)

    def hide_linked(position: int) -> None:
        """The same figure under its other code is hidden too (it would give it back)."""
        for twin in linked.get(position, ()):
            if not hidden[twin] and open_value[twin]:
                hide(twin, kind[position] or SECONDARY)

    for position in [i for i, h in enumerate(primary.tolist()) if h and i in linked]:
        hide_linked(position)
    while pending:
        number = pending.pop()
        if count[number] != 1:
            continue
        # the smallest shown cell with a value: members first, then the total
        choice = next((i for i in groups.cells[number] if not hidden[i] and open_value[i]), None)
        if choice is None:  # nothing else to hide: the lone hidden cell has nothing to add to
            continue
        hide(choice, SECONDARY)
        hide_linked(choice)
    result["suppressed"] = pd.Series(kind, dtype=object)
    return result


def viewer_frame(frame: pd.DataFrame, *, internal: bool) -> pd.DataFrame:
    """A suppressed frame (from suppress) as a reader sees it. Partners, visitors, downloads
    for them and reports: a suppressed cell has no value and no base, its symbol is «:», and
    the column `suppressed` is gone (the symbol says it). The internal roles: the frame as it
    is, `suppressed` telling which cells are hidden when published."""
    if internal:
        return frame.copy()
    result = frame.drop(columns=["suppressed"])
    hidden = frame["suppressed"].notna().to_numpy()
    for column in ("value", "base"):
        if column in result:
            result[column] = result[column].astype(float).where(~hidden, np.nan)
    symbols = (
        result["symbol"].astype(object)
        if "symbol" in result
        else pd.Series(None, index=result.index, dtype=object)
    )
    result["symbol"] = symbols.where(~hidden, SYMBOL)
    return result
