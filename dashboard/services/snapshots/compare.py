"""Comparing two snapshots: what changed from an earlier one to a later one (indicators moved,
goals whose status changed, initiatives started, ended or changed status, RAG or system levels,
decisions new or followed up, steps on the coordination staircase moved up or down,
initiatives whose involvement of children and young people or funding streams changed,
the agencies' tasks whose status or end changed, a new phase, and corrections to what the
earlier one showed).
"""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.services.snapshots.rows import Snapshot, blank, frame_from, same

INVOLVEMENT_COLUMNS = ["number", "name", "level_a", "level_b", "change"]
FUNDING_CHANGE_COLUMNS = ["number", "name", "streams_a", "streams_b"]
TASK_CHANGE_COLUMNS = [
    "task_id",
    "title",
    "change",
    *(f"{n}_{side}" for n in ("status", "end_kind", "end", "end_precision") for side in "ab"),
]
PHASE_CHANGE_COLUMNS = ["kind_a", "kind_b", "start_b", "start_precision_b"]


@dataclass
class Comparison:
    """What changed from snapshot a (earlier) to snapshot b (later)."""

    indicators: pd.DataFrame  # code, name, measure, unit, value_a, period_a, value_b, period_b,
    # change, status_a, status_b
    goals: pd.DataFrame  # code, title, status_a, status_b (effective), computed_a, computed_b
    initiatives: pd.DataFrame  # number, name, change, status_a, status_b, rag_a, rag_b,
    # levels_a, levels_b (the system levels, comma-separated; change "levels" when they differ)
    decisions: pd.DataFrame  # decision_id, title, change, status_a, status_b, due
    corrections: pd.DataFrame  # code, name, period, shown, now (b's corrections to a)
    # steps on the coordination staircase that moved: subject (initiative or link), label
    # (number, or "from-to" numbers), name, kind (of a link), step_a, step_b, change (up, down,
    # or assessed: the first step)
    steps: pd.DataFrame
    # initiatives whose involvement of children and young people changed: number, name,
    # level_a, level_b (a rung 1-8, "none", or None: not assessed), change
    involvement: pd.DataFrame = field(default_factory=lambda: frame_from([], INVOLVEMENT_COLUMNS))
    # initiatives whose funding streams changed: number, name, streams_a, streams_b (each a
    # list of "stream|state|funder", in the model's order)
    funding: pd.DataFrame = field(default_factory=lambda: frame_from([], FUNDING_CHANGE_COLUMNS))
    # the agencies' cooperation tasks whose status or end changed, new or removed: task_id,
    # title, change (new, removed, changed), status_a/b, end_kind_a/b, end_a/b, end_precision_a/b
    tasks: pd.DataFrame = field(default_factory=lambda: frame_from([], TASK_CHANGE_COLUMNS))
    # the mission's phase, when it changed: kind_a/b, start_b, start_precision_b (one row)
    phase: pd.DataFrame = field(default_factory=lambda: frame_from([], PHASE_CHANGE_COLUMNS))

    @property
    def figures(self) -> set[tuple[str, str | None]]:
        """The changed figures as (indicator code, period): a moved latest value and a
        correction of that same value are one changed figure."""
        moved = {
            (str(code), _text(a) if blank(b) else _text(b))
            for code, a, b in zip(
                self.indicators["code"],
                self.indicators["period_a"],
                self.indicators["period_b"],
                strict=True,
            )
        }
        corrected = {
            (str(code), _text(period))
            for code, period in zip(
                self.corrections["code"], self.corrections["period"], strict=True
            )
        }
        return moved | corrected

    @property
    def total(self) -> int:
        """How many changes there are in all, each changed figure counted once."""
        others = [self.goals, self.initiatives, self.decisions, self.steps]
        others += [self.involvement, self.funding, self.tasks, self.phase]
        return len(self.figures) + sum(len(frame) for frame in others)


def _text(value: Any) -> str | None:
    return None if blank(value) else str(value)


def effective(frame: pd.DataFrame) -> pd.Series:
    """Each goal's status as the report gives it: the override where there is one."""
    if frame.empty:
        return pd.Series([], dtype=object)
    return frame["override_status"].where(
        frame["override_status"].map(lambda v: not blank(v)), frame["computed_status"]
    )


def _paired(
    a: pd.DataFrame, b: pd.DataFrame, key: str, names: list[str], compared: list[str]
) -> list[dict[Any, Any]]:
    """The rows of a and b side by side on key (outer), as dicts with <name>_a and <name>_b,
    leaving out those in both whose compared columns are equal to the letter (the callers
    judge the rest, floats to rounding)."""
    if a.empty and b.empty:
        return []
    left = a[[key, *names]].rename(columns={n: f"{n}_a" for n in names})
    right = b[[key, *names]].rename(columns={n: f"{n}_b" for n in names})
    left["in_a"], right["in_b"] = True, True
    merged = left.merge(right, on=key, how="outer", sort=False)
    merged["in_a"] = merged["in_a"].eq(True)
    merged["in_b"] = merged["in_b"].eq(True)
    differs = ~(merged["in_a"] & merged["in_b"])
    for name in compared:
        x, y = merged[f"{name}_a"].astype(object), merged[f"{name}_b"].astype(object)
        equal = (x == y).fillna(False).astype(bool) | (x.isna() & y.isna())
        differs |= ~equal
    kept = merged[differs].astype(object)
    return kept.where(kept.notna(), None).to_dict("records")


def _either(row: dict[Any, Any], name: str) -> Any:
    """The later side's value of a column, or the earlier one's when the row left."""
    later = row.get(f"{name}_b")
    return row.get(f"{name}_a") if blank(later) else later


def compare(a: Snapshot, b: Snapshot) -> Comparison:
    """The differences between two snapshots, a the earlier."""
    return Comparison(
        indicators=_indicator_changes(a, b),
        goals=_goal_changes(a, b),
        initiatives=_initiative_changes(a, b),
        decisions=_decision_changes(a, b),
        steps=_step_changes(a, b),
        involvement=_involvement_changes(a, b),
        funding=funding_changes(a, b),
        tasks=_task_changes(a, b),
        phase=_phase_change(a, b),
        corrections=frame_from(
            [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "measure": r["measure"],
                    "unit": r["unit"],
                    "period": r["corrected_period"],
                    "shown": r["corrected_from"],
                    "now": r["corrected_to"],
                }
                for r in b.indicators.to_dict("records")
                if not blank(r["corrected_period"])
            ],
            ["code", "name", "measure", "unit", "period", "shown", "now"],
        ),
    )


def _indicator_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    names = ["name", "measure", "unit", "value", "value_period", "progress_status"]
    pairs = _paired(a.indicators, b.indicators, "code", names, names[3:])
    records = []
    for row in pairs:
        moved = not (
            same(row["value_a"], row["value_b"])
            and same(row["value_period_a"], row["value_period_b"])
            and same(row["progress_status_a"], row["progress_status_b"])
        )
        if not moved:
            continue
        both = not blank(row["value_a"]) and not blank(row["value_b"])
        records.append(
            {
                "code": row["code"],
                "name": _either(row, "name"),
                "measure": _either(row, "measure"),
                "unit": _either(row, "unit"),
                "value_a": row["value_a"],
                "period_a": row["value_period_a"],
                "value_b": row["value_b"],
                "period_b": row["value_period_b"],
                "change": float(row["value_b"]) - float(row["value_a"]) if both else None,
                "status_a": row["progress_status_a"],
                "status_b": row["progress_status_b"],
            }
        )
    columns = ["code", "name", "measure", "unit", "value_a", "period_a", "value_b", "period_b"]
    columns.append("change")
    return frame_from(records, [*columns, "status_a", "status_b"])


def _goal_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    left = a.goals.assign(effective=effective(a.goals))
    right = b.goals.assign(effective=effective(b.goals))
    names = ["title", "effective", "computed_status"]
    pairs = _paired(left, right, "code", names, names[1:])
    records = [
        {
            "code": row["code"],
            "title": _either(row, "title"),
            "status_a": row["effective_a"],
            "status_b": row["effective_b"],
            "computed_a": row["computed_status_a"],
            "computed_b": row["computed_status_b"],
        }
        for row in pairs
        if not (
            same(row["effective_a"], row["effective_b"])
            and same(row["computed_status_a"], row["computed_status_b"])
        )
    ]
    return frame_from(
        records, ["code", "title", "status_a", "status_b", "computed_a", "computed_b"]
    )


def _initiative_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    pairs = _paired(
        a.initiatives,
        b.initiatives,
        "number",
        ["name", "status", "rag", "system_levels"],
        ["status", "rag", "system_levels"],
    )
    records: list[dict[str, Any]] = []
    for row in pairs:
        changes = []
        if not row["in_a"]:
            changes.append("new")
        elif not row["in_b"]:
            changes.append("removed")
        else:
            if not same(row["status_a"], row["status_b"]):
                if row["status_b"] == "ongoing" and row["status_a"] in ("planned", "unknown"):
                    changes.append("started")
                elif row["status_b"] == "completed":
                    changes.append("ended")
                else:
                    changes.append("status")
            if not same(row["rag_a"], row["rag_b"]):
                changes.append("rag")
            if not same(row["system_levels_a"], row["system_levels_b"]):
                changes.append("levels")
        records.extend(
            {
                "number": row["number"],
                "name": _either(row, "name"),
                "change": change,
                "status_a": row["status_a"],
                "status_b": row["status_b"],
                "rag_a": row["rag_a"],
                "rag_b": row["rag_b"],
                "levels_a": row["system_levels_a"],
                "levels_b": row["system_levels_b"],
            }
            for change in changes
        )
    columns = ["number", "name", "change", "status_a", "status_b", "rag_a", "rag_b"]
    columns += ["levels_a", "levels_b"]
    return frame_from(records, columns)


def _decision_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    names = ["title", "status", "due"]
    pairs = _paired(a.decisions, b.decisions, "decision_id", names, names[1:])
    records = []
    for row in pairs:
        if not row["in_b"]:
            continue  # a decision is not deleted; one missing from b was not visible there
        if not row["in_a"]:
            change = "new"
        elif not same(row["status_a"], row["status_b"]):
            change = "status"
        elif not same(row["due_a"], row["due_b"]):
            change = "due"
        else:
            continue
        records.append(
            {
                "decision_id": row["decision_id"],
                "title": row["title_b"],
                "change": change,
                "status_a": row["status_a"],
                "status_b": row["status_b"],
                "due": row["due_b"],
            }
        )
    return frame_from(records, ["decision_id", "title", "change", "status_a", "status_b", "due"])


STEP_COLUMNS = ["subject", "label", "name", "kind", "step_a", "step_b", "change"]


def _moved(step_a: Any, step_b: Any) -> str | None:
    """up, down or assessed (a first step), or None when the step did not move."""
    if blank(step_b) or same(step_a, step_b):
        return None
    if blank(step_a):
        return "assessed"
    return "up" if int(step_b) > int(step_a) else "down"


def _step_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for row in _paired(a.initiatives, b.initiatives, "number", ["name", "step"], ["step"]):
        change = _moved(row["step_a"], row["step_b"])
        if change:
            records.append(
                {
                    "subject": "initiative",
                    "label": str(row["number"]),
                    "name": _either(row, "name"),
                    "kind": None,
                    "step_a": row["step_a"],
                    "step_b": row["step_b"],
                    "change": change,
                }
            )
    names = ["from_number", "to_number", "kind", "step"]
    for row in _paired(a.links, b.links, "link_id", names, ["step"]):
        change = _moved(row["step_a"], row["step_b"])
        if change:
            records.append(
                {
                    "subject": "link",
                    "label": f"{_either(row, 'from_number')}–{_either(row, 'to_number')}",
                    "name": None,
                    "kind": _either(row, "kind"),
                    "step_a": row["step_a"],
                    "step_b": row["step_b"],
                    "change": change,
                }
            )
    return frame_from(records, STEP_COLUMNS)


def _involvement_level(involved: Any, rung: Any) -> int | str | None:
    """A rung of Hart's ladder, "none" (assessed: no involvement) or None (not assessed)."""
    if blank(involved):
        return None
    return int(rung) if bool(involved) and not blank(rung) else "none"


def _involvement_change(a: int | str | None, b: int | str | None) -> str | None:
    """How an initiative's involvement moved between two reports (None: it did not)."""
    if a == b:
        return None
    if a is None:
        return "assessed"
    if b is None:
        return "not_assessed"
    if a == "none":
        return "involved"
    if b == "none":
        return "not_involved"
    return "up" if int(b) > int(a) else "down"


def _involvement_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    names = ["name", "youth_involved", "participation_rung"]
    records = []
    for row in _paired(a.initiatives, b.initiatives, "number", names, names[1:]):
        if not (row["in_a"] and row["in_b"]):
            continue  # new or removed: the initiative changes say so
        level_a = _involvement_level(row["youth_involved_a"], row["participation_rung_a"])
        level_b = _involvement_level(row["youth_involved_b"], row["participation_rung_b"])
        change = _involvement_change(level_a, level_b)
        if change:
            records.append(
                {
                    "number": row["number"],
                    "name": _either(row, "name"),
                    "level_a": level_a,
                    "level_b": level_b,
                    "change": change,
                }
            )
    return frame_from(records, INVOLVEMENT_COLUMNS)


def _streams(snapshot: Snapshot) -> dict[int, list[str]]:
    """Initiative number -> its streams as "stream|state|funder", in the snapshot's order."""
    found: dict[int, list[str]] = {}
    for record in snapshot.funding.to_dict("records"):
        funder = "" if blank(record["funder"]) else str(record["funder"])
        found.setdefault(int(record["number"]), []).append(
            f"{record['stream']}|{record['state']}|{funder}"
        )
    return found


def funding_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """The initiatives whose funding streams differ between a and b (a stream added, removed,
    or moved between allocated and applied for), by number."""
    before, after = _streams(a), _streams(b)
    names = {
        int(n): str(name)
        for frame in (a.initiatives, b.initiatives)
        for n, name in zip(frame["number"], frame["name"], strict=True)
    }
    records = [
        {
            "number": number,
            "name": names.get(number),
            "streams_a": before.get(number, []),
            "streams_b": after.get(number, []),
        }
        for number in sorted(set(before) | set(after))
        if sorted(before.get(number, [])) != sorted(after.get(number, []))
    ]
    return frame_from(records, FUNDING_CHANGE_COLUMNS)


def holds_agencies(snapshot: Snapshot) -> bool:
    """Whether a snapshot holds the agencies' tasks and the mission's phase: a report approved
    before they were part of the snapshot has neither (nothing is known of them then, which is
    not the same as no tasks and no phase)."""
    return not (snapshot.tasks.empty and snapshot.phase.empty)


def _task_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """The tasks new, removed, or whose status or end changed from a to b."""
    names = ["title", "status", "end_kind", "end", "end_precision"]
    records: list[dict[str, Any]] = []
    if not (holds_agencies(a) and holds_agencies(b)):
        return frame_from(records, TASK_CHANGE_COLUMNS)  # not every task «new» since then
    for row in _paired(a.tasks, b.tasks, "task_id", names, names[1:]):
        if not row["in_a"]:
            change = "new"
        elif not row["in_b"]:
            change = "removed"
        elif all(same(row[f"{n}_a"], row[f"{n}_b"]) for n in names[1:]):
            continue
        else:
            change = "changed"
        records.append(
            {"task_id": row["task_id"], "title": _either(row, "title"), "change": change}
            | {f"{n}_{side}": row[f"{n}_{side}"] for n in names[1:] for side in "ab"}
        )
    return frame_from(records, TASK_CHANGE_COLUMNS)


def _phase_change(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """The phase of b when it is not a's (one row), else none."""
    if not (holds_agencies(a) and holds_agencies(b)):
        return frame_from([], PHASE_CHANGE_COLUMNS)
    kind_a = None if a.phase.empty else a.phase.iloc[0]["kind"]
    if b.phase.empty or same(kind_a, b.phase.iloc[0]["kind"]):
        return frame_from([], PHASE_CHANGE_COLUMNS)
    later = b.phase.iloc[0]
    record = {
        "kind_a": kind_a,
        "kind_b": later["kind"],
        "start_b": None if blank(later["start"]) else later["start"],
        "start_precision_b": later["start_precision"],
    }
    return frame_from([record], PHASE_CHANGE_COLUMNS)
