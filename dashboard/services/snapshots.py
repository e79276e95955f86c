"""Progress snapshots: the rows of a status report, taken from the approved values and check-ins
(or read back from a frozen report), and the differences between two of them.

A snapshot has four tables: goals (computed status, and a steering override beside it),
indicators (latest approved value by the end of the report's period, status against target,
the state of the period's own value, and any correction to what the previous approved report
showed), initiatives (status, and RAG and narrative of the latest approved check-in by the end
of the period) and decisions (their follow-up). A live snapshot and a stored one have the same
columns, so any two can be compared.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Executable
from sqlmodel import Session, SQLModel, col, select

from dashboard.services.common import fetch, frame_of
from dashboard.services.indicators import PROGRESS_INPUTS, Latest, latest_values, progress_of
from dashboard.services.overview import summaries_from
from dashboard.services.progress import MISSING, Mark, completeness, thresholds
from models import (
    AuditEvent,
    CheckIn,
    Decision,
    DecisionGoal,
    DecisionInitiative,
    EntryStatus,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Organisation,
    OrganisationRole,
    Period,
    ProgressStatus,
    SnapshotDecision,
    SnapshotGoal,
    SnapshotIndicator,
    SnapshotInitiative,
    StatusReport,
)

SKIP = {"id", "report_id"}


def _columns(table: type[SQLModel]) -> list[str]:
    """The copied columns of a snapshot table (all but its own id and report)."""
    return [name for name in table.model_fields if name not in SKIP]


GOAL_COLUMNS = _columns(SnapshotGoal)
INDICATOR_COLUMNS = _columns(SnapshotIndicator)
INITIATIVE_COLUMNS = _columns(SnapshotInitiative)
DECISION_COLUMNS = _columns(SnapshotDecision)
TABLES: dict[str, tuple[type[SQLModel], list[str]]] = {
    "goals": (SnapshotGoal, GOAL_COLUMNS),
    "indicators": (SnapshotIndicator, INDICATOR_COLUMNS),
    "initiatives": (SnapshotInitiative, INITIATIVE_COLUMNS),
    "decisions": (SnapshotDecision, DECISION_COLUMNS),
}
OPEN_DECISIONS = ("open", "in_progress")


@dataclass
class Snapshot:
    """The rows of one status report (or of the approved state now)."""

    goals: pd.DataFrame
    indicators: pd.DataFrame
    initiatives: pd.DataFrame
    decisions: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """The four tables by name."""
        return {name: getattr(self, name) for name in TABLES}


def blank(value: Any) -> bool:
    """None, NaN or NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def same(a: Any, b: Any) -> bool:
    """Whether two cells hold the same value (blanks alike, floats to rounding)."""
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return bool(a == b)


# --- taking a snapshot -------------------------------------------------------------------------


def take(
    session: Session,
    mission_id: int,
    period: Period | None,
    *,
    today: dt.date,
    previous: Snapshot | None = None,
    overrides: pd.DataFrame | None = None,
) -> Snapshot:
    """The approved state for a period's report (or now, with period None).

    previous is the last approved report before this one (to find corrections); overrides are
    the goal rows of the draft being refreshed, whose steering overrides carry over.
    """
    until = period.end if period else None
    indicators = _indicators(session, mission_id, period, today, previous)
    return Snapshot(
        goals=_goals(session, mission_id, indicators, overrides),
        indicators=indicators,
        initiatives=_initiatives(session, mission_id, period, until),
        decisions=decision_rows(session, mission_id),
    )


def _scope(
    model: type[Indicator] | type[Initiative], mission_id: int, only: Collection[int] | None
) -> Any:
    """The mission's rows of model, or only those with these ids."""
    scope = col(model.mission_id) == mission_id
    return scope if only is None else scope & col(model.id).in_(list(only))


def _indicators(
    session: Session,
    mission_id: int,
    period: Period | None,
    today: dt.date,
    previous: Snapshot | None,
    only: Collection[int] | None = None,
) -> pd.DataFrame:
    until = period.end if period else None
    meta = ["code", "name", "measure", "unit", *PROGRESS_INPUTS]
    scope = _scope(Indicator, mission_id, only)
    rows = fetch(
        session,
        sa.select(
            col(Indicator.id),
            *(col(getattr(Indicator, name)) for name in meta),
            col(Organisation.short_name),
        )
        .outerjoin(Organisation, col(Organisation.id) == Indicator.responsible_org_id)
        .where(scope)
        .order_by(col(Indicator.code)),
    )
    ids = None if only is None else list(only)
    latest = latest_values(session, mission_id, False, ids, until=until)
    states: dict[int, str] = {}
    if period is not None and period.id is not None:
        found = completeness(session, mission_id, period.id, today)
        states = dict(zip(found["indicator_id"], found["state"], strict=True))
    corrections = _corrections(session, mission_id, previous)
    limits = thresholds()
    records = []
    for row in rows:
        indicator_id, fields = row[0], dict(zip(meta, row[1:-1], strict=True))
        value: Latest | None = latest.get(indicator_id)
        fix = corrections.get(fields["code"])
        records.append(
            {
                "indicator_id": indicator_id,
                "code": fields["code"],
                "name": fields["name"],
                "measure": str(fields["measure"]),
                "unit": fields["unit"],
                "baseline_value": fields["baseline_value"],
                "baseline_year": fields["baseline_year"],
                "target_value": fields["target_value"],
                "target_year": fields["target_year"],
                "value": value.value if value else None,
                "value_period": value.period if value else None,
                "value_status": EntryStatus.APPROVED.value if value else None,
                "progress_status": progress_of(fields, value, limits).status.value,
                "direction": str(fields["direction"]),
                "responsible": row[-1],
                "period_state": states.get(indicator_id),
                "corrected_period": fix[0] if fix else None,
                "corrected_from": fix[1] if fix else None,
                "corrected_to": fix[2] if fix else None,
            }
        )
    return _frame(records, INDICATOR_COLUMNS)


def _corrections(
    session: Session, mission_id: int, previous: Snapshot | None
) -> dict[str, tuple[str, float | None, float | None]]:
    """Indicator code -> (period, value the previous report showed, approved value now) where
    that value has changed (None now: it is no longer approved, e.g. re-opened for correction).
    """
    if previous is None or previous.indicators.empty:
        return {}
    shown = {
        (code, label): value
        for code, label, value in zip(
            previous.indicators["code"],
            previous.indicators["value_period"],
            previous.indicators["value"],
            strict=True,
        )
        if not blank(label)
    }
    if not shown:
        return {}
    now = {
        (code, label): value
        for code, label, value in fetch(
            session,
            sa.select(col(Indicator.code), col(Period.label), col(IndicatorValue.value))
            .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .where(
                col(Indicator.mission_id) == mission_id,
                col(IndicatorValue.status) == EntryStatus.APPROVED,
                col(Period.label).in_({label for _, label in shown}),
            ),
        )
    }
    return {
        code: (label, value, now.get((code, label)))
        for (code, label), value in shown.items()
        if not same(value, now.get((code, label)))
    }


def _goals(
    session: Session,
    mission_id: int,
    indicators: pd.DataFrame,
    overrides: pd.DataFrame | None,
) -> pd.DataFrame:
    marks = {
        int(i): Mark(ProgressStatus(s))
        for i, s in zip(indicators["indicator_id"], indicators["progress_status"], strict=True)
    }
    kept: dict[str, dict[Any, Any]] = {}
    if overrides is not None:
        for record in overrides.to_dict("records"):
            if not blank(record.get("override_status")):
                kept[str(record["code"])] = record
    records = []
    for summary in summaries_from(session, mission_id, 99, marks):
        goal = summary.goal
        carried = kept.get(goal.code, {})
        records.append(
            {
                "goal_id": goal.id,
                "code": goal.code,
                "title": goal.title,
                "depth": summary.depth,
                "indicators": summary.indicators,
                "initiatives": summary.initiatives,
                "computed_status": summary.progress.status.value,
                "measured": summary.progress.measured,
                **{
                    name: None if blank(carried.get(name)) else carried.get(name)
                    for name in (
                        "override_status",
                        "override_justification",
                        "override_by_id",
                        "override_at",
                    )
                },
            }
        )
    return _frame(records, [*GOAL_COLUMNS, "measured"])


def measured_per_goal(session: Session, report_id: int, indicators: pd.DataFrame) -> pd.Series:
    """For a stored report, how many of each goal's indicators had a measured status, by goal
    code. Reports do not store this count: it is worked out from the report's frozen indicator
    statuses and today's links between goals and indicators."""
    report = session.get(StatusReport, report_id)
    if report is None:
        return pd.Series(dtype="int64")
    marks: defaultdict[int, Mark] = defaultdict(lambda: Mark(ProgressStatus.NO_DATA))
    for indicator_id, status in zip(
        indicators["indicator_id"], indicators["progress_status"], strict=True
    ):
        if not blank(indicator_id):
            marks[int(indicator_id)] = Mark(ProgressStatus(status))
    summaries = summaries_from(session, report.mission_id, 99, marks)
    return pd.Series({s.goal.code: s.progress.measured for s in summaries}, dtype="int64")


def _initiatives(
    session: Session,
    mission_id: int,
    period: Period | None,
    until: dt.date | None,
    only: Collection[int] | None = None,
) -> pd.DataFrame:
    scope = _scope(Initiative, mission_id, only)
    initiatives = fetch(
        session,
        sa.select(
            col(Initiative.id),
            col(Initiative.number),
            col(Initiative.name),
            col(Initiative.status),
            col(Initiative.start_year),
            col(Initiative.end_year),
        )
        .where(scope)
        .order_by(col(Initiative.number)),
    )
    responsible: dict[int, list[str]] = {}
    for initiative_id, name in fetch(
        session,
        sa.select(col(InitiativeOrganisation.initiative_id), col(Organisation.short_name))
        .join(Organisation, col(Organisation.id) == InitiativeOrganisation.organisation_id)
        .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
        .where(scope, col(InitiativeOrganisation.role) == OrganisationRole.RESPONSIBLE)
        .order_by(col(Organisation.short_name)),
    ):
        responsible.setdefault(initiative_id, []).append(name)
    texts = ("confidence", "progress", "next_steps", "risks", "help_needed")
    latest: dict[int, tuple[Any, ...]] = {}
    state: dict[int, str] = {}
    for row in fetch(
        session,
        sa.select(
            col(CheckIn.initiative_id),
            col(CheckIn.period_id),
            col(CheckIn.status),
            col(Period.label),
            col(CheckIn.rag),
            *(col(getattr(CheckIn, name)) for name in texts),
        )
        .join(Period, col(Period.id) == CheckIn.period_id)
        .join(Initiative, col(Initiative.id) == CheckIn.initiative_id)
        .where(
            scope,
            sa.true() if until is None else col(Period.end) <= until,
            col(CheckIn.is_correction).is_(False),  # the approved check-in, not its correction
        )
        .order_by(col(Period.end), col(Period.start), col(CheckIn.id)),
    ):
        initiative_id, period_id, status = row[0], row[1], row[2]
        if period is not None and period_id == period.id:
            state[initiative_id] = str(status)
        if status == EntryStatus.APPROVED:
            latest[initiative_id] = row[3:]  # later periods come later
    records = []
    for initiative_id, number, name, status, start, end in initiatives:
        check_in = latest.get(initiative_id)
        records.append(
            {
                "initiative_id": initiative_id,
                "number": number,
                "name": name,
                "status": str(status),
                "start_year": start,
                "end_year": end,
                "responsible": ", ".join(responsible.get(initiative_id, [])) or None,
                "rag": str(check_in[1]) if check_in else None,
                "check_in_period": check_in[0] if check_in else None,
                "check_in_state": _check_in_state(state.get(initiative_id), status, period),
                **{name: (check_in[2 + i] if check_in else None) for i, name in enumerate(texts)},
            }
        )
    return _frame(records, INITIATIVE_COLUMNS)


def current_initiatives(session: Session, mission_id: int) -> pd.DataFrame:
    """Every initiative now, with the RAG status, help needed and texts of its latest approved
    check-in (the initiative rows a report taken today would hold)."""
    return _initiatives(session, mission_id, None, None)


def _check_in_state(state: str | None, status: object, period: Period | None) -> str | None:
    """The state of an initiative's check-in for the report's period: missing when none was
    entered, except for a completed initiative, of which none is expected."""
    if period is None or (state is None and str(status) == "completed"):
        return None
    return state or MISSING


def decision_rows(session: Session, mission_id: int) -> pd.DataFrame:
    """Every decision of the mission as a snapshot row, the latest decided first."""
    decisions = session.exec(
        select(Decision, Organisation.short_name)
        .outerjoin(Organisation, col(Organisation.id) == Decision.owner_org_id)
        .where(Decision.mission_id == mission_id)
        .order_by(col(Decision.decided_on).desc().nulls_last(), col(Decision.id).desc())
    ).all()
    goals = _codes(
        session,
        sa.select(col(DecisionGoal.decision_id), col(Goal.code))
        .join(Goal, col(Goal.id) == DecisionGoal.goal_id)
        .where(col(Goal.mission_id) == mission_id)
        .order_by(col(Goal.code)),
    )
    initiatives = _codes(
        session,
        sa.select(col(DecisionInitiative.decision_id), col(Initiative.number))
        .join(Initiative, col(Initiative.id) == DecisionInitiative.initiative_id)
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number)),
    )
    records = [
        {
            "decision_id": d.id,
            "title": d.title,
            "owner": owner,
            "decided_on": d.decided_on,
            "due": d.due,
            "status": str(d.status),
            "follow_up": d.follow_up,
            "goals": goals.get(d.id or 0),
            "initiatives": initiatives.get(d.id or 0),
        }
        for d, owner in decisions
    ]
    return _frame(records, DECISION_COLUMNS)


def _codes(session: Session, statement: Executable) -> dict[int, str]:
    """decision id -> the comma-separated codes statement gives for it."""
    found: dict[int, list[str]] = {}
    for decision_id, code in fetch(session, statement):
        found.setdefault(decision_id, []).append(str(code))
    return {k: ", ".join(v) for k, v in found.items()}


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns) if records else _empty(columns)


def _empty(columns: list[str]) -> pd.DataFrame:
    return frame_of([], columns)


# --- storing and reading ------------------------------------------------------------------------


def store(session: Session, report_id: int, snapshot: Snapshot) -> None:
    """Write a snapshot's rows for a report (replacing any it had)."""
    for name, frame in snapshot.frames().items():
        store_rows(session, report_id, name, frame)


def store_rows(session: Session, report_id: int, name: str, frame: pd.DataFrame) -> None:
    """Write one of a snapshot's tables (goals, indicators, ...) for a report, replacing it."""
    table, columns = TABLES[name]
    report = col(table.report_id)  # type: ignore[attr-defined]
    session.execute(sa.delete(table).where(report == report_id))
    records = [
        {"report_id": report_id}
        | {c: (None if blank(v) else v) for c, v in zip(columns, values, strict=True)}
        for values in frame[columns].itertuples(index=False, name=None)
    ]
    if records:
        session.execute(sa.insert(table), records)


def load(
    session: Session,
    report_id: int,
    *,
    indicators: Collection[int] | None = None,
    initiatives: Collection[int] | None = None,
) -> Snapshot:
    """The stored rows of a report, in the order they were taken (of the indicators and
    initiatives with these ids only, when given)."""
    only: dict[str, tuple[str, Collection[int] | None]] = {
        "indicators": ("indicator_id", indicators),
        "initiatives": ("initiative_id", initiatives),
    }
    frames = {}
    for name, (table, columns) in TABLES.items():
        scope = col(table.report_id) == report_id  # type: ignore[attr-defined]
        key, ids = only.get(name, ("", None))
        if ids is not None:
            scope = scope & col(getattr(table, key)).in_(list(ids))
        rows = fetch(
            session,
            sa.select(*(col(getattr(table, c)) for c in columns))
            .where(scope)
            .order_by(col(table.id)),  # type: ignore[attr-defined]
        )
        frames[name] = frame_of(rows, columns)
    if indicators is None:  # the counts need every indicator of the report
        measured = measured_per_goal(session, report_id, frames["indicators"])
        frames["goals"]["measured"] = frames["goals"]["code"].map(measured)
    return Snapshot(**frames)


# Audit entities whose changes leave a report's rows as they are (or, for decisions, are read
# afresh anyway); a change to any entity not named here or in TRACKED means: take everything.
UNRELATED = frozenset({"status_report", "goal_status", "decision", "user", "page", "period"})
TRACKED = {"indicator_value": IndicatorValue, "check_in": CheckIn, "indicator": Indicator}


@dataclass(frozen=True)
class Changed:
    """The indicators and initiatives whose rows may differ from a report's."""

    indicators: set[int]
    initiatives: set[int]


def changed_since(
    session: Session, mission_id: int, taken: dt.datetime, period_end: dt.date
) -> Changed | None:
    """What may have changed since a report's rows were taken (at taken, as of period_end):
    the indicators and initiatives with an entry or definition changed since, with an approved
    entry of a later period, or new to the mission or gone from it. None: anything may have
    changed (a seed load, an import, an edit of the portfolio), so take everything."""
    events = fetch(
        session,
        sa.select(col(AuditEvent.entity), col(AuditEvent.entity_id)).where(
            col(AuditEvent.at) >= taken, col(AuditEvent.action) != "refused"
        ),
    )
    touched: dict[str, set[int]] = {name: set() for name in TRACKED}
    for entity, entity_id in events:
        if entity in UNRELATED:
            continue
        if entity not in TRACKED or entity_id is None or not str(entity_id).isdigit():
            return None
        touched[entity].add(int(entity_id))
    indicators = set(touched["indicator"])
    initiatives: set[int] = set()
    for model, ids, found in (
        (IndicatorValue, touched["indicator_value"], indicators),
        (CheckIn, touched["check_in"], initiatives),
    ):
        owner = col(model.indicator_id if model is IndicatorValue else model.initiative_id)  # type: ignore[union-attr]
        found.update(
            row[0]
            for row in fetch(
                session,
                sa.select(owner)
                .join(Period, col(Period.id) == model.period_id)
                .where(
                    col(model.id).in_(list(ids))
                    | ((col(model.status) == EntryStatus.APPROVED) & (col(Period.end) > period_end))
                ),
            )
        )
    return Changed(indicators, initiatives)


def since(
    session: Session,
    mission_id: int,
    report_id: int,
    taken: dt.datetime | None,
    period_end: dt.date,
    today: dt.date,
) -> tuple[Snapshot, Snapshot]:
    """A report's rows and the approved state now, with the steering group's overrides kept:
    of the indicators and initiatives that may differ only (changed_since), or of all."""
    changed = changed_since(session, mission_id, taken, period_end) if taken else None
    if changed is None:
        stored = load(session, report_id)
        now = take(session, mission_id, None, today=today, previous=stored, overrides=stored.goals)
        return stored, now
    for model, table, key, found in (
        (Indicator, SnapshotIndicator, "indicator_id", changed.indicators),
        (Initiative, SnapshotInitiative, "initiative_id", changed.initiatives),
    ):  # new to the mission, or gone from it
        in_mission = col(model.mission_id) == mission_id
        in_report = col(table.report_id) == report_id
        live = {r[0] for r in fetch(session, sa.select(col(model.id)).where(in_mission))}
        kept = {r[0] for r in fetch(session, sa.select(col(getattr(table, key))).where(in_report))}
        found |= (live ^ kept) - {None}
    stored = load(
        session, report_id, indicators=changed.indicators, initiatives=changed.initiatives
    )
    indicators = _indicators(session, mission_id, None, today, stored, only=changed.indicators)
    now = Snapshot(
        goals=stored.goals,  # no indicator changed: nor did a goal's roll-up
        indicators=indicators,
        initiatives=_initiatives(session, mission_id, None, None, only=changed.initiatives),
        decisions=decision_rows(session, mission_id),
    )
    if not changed.indicators:
        return stored, now
    statuses = dict(
        fetch(
            session,
            sa.select(
                col(SnapshotIndicator.indicator_id), col(SnapshotIndicator.progress_status)
            ).where(col(SnapshotIndicator.report_id) == report_id),
        )
    )
    statuses.update(zip(indicators["indicator_id"], indicators["progress_status"], strict=True))
    marks = pd.DataFrame(
        {"indicator_id": list(statuses), "progress_status": list(statuses.values())}
    ).dropna()
    now.goals = _goals(session, mission_id, marks, stored.goals)
    return stored, now


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Comparison:
    """What changed from snapshot a (earlier) to snapshot b (later)."""

    indicators: pd.DataFrame  # code, name, measure, unit, value_a, period_a, value_b, period_b,
    # change, status_a, status_b
    goals: pd.DataFrame  # code, title, status_a, status_b (effective), computed_a, computed_b
    initiatives: pd.DataFrame  # number, name, change, status_a, status_b, rag_a, rag_b
    decisions: pd.DataFrame  # decision_id, title, change, status_a, status_b, due
    corrections: pd.DataFrame  # code, name, period, shown, now (b's corrections to a)

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
        others = (self.goals, self.initiatives, self.decisions)
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
        corrections=_frame(
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
    return _frame(records, [*columns, "status_a", "status_b"])


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
    return _frame(records, ["code", "title", "status_a", "status_b", "computed_a", "computed_b"])


def _initiative_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    pairs = _paired(
        a.initiatives, b.initiatives, "number", ["name", "status", "rag"], ["status", "rag"]
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
        records.extend(
            {
                "number": row["number"],
                "name": _either(row, "name"),
                "change": change,
                "status_a": row["status_a"],
                "status_b": row["status_b"],
                "rag_a": row["rag_a"],
                "rag_b": row["rag_b"],
            }
            for change in changes
        )
    columns = ["number", "name", "change", "status_a", "status_b", "rag_a", "rag_b"]
    return _frame(records, columns)


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
    return _frame(records, ["decision_id", "title", "change", "status_a", "status_b", "due"])
