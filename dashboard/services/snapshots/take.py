"""Taking a snapshot: the rows a status report would hold, from the approved values and
check-ins by the end of its period (or now), each table by a function of its own.
"""

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Executable
from sqlmodel import Session, col, select

from dashboard.services.agencies import current_phase
from dashboard.services.common import fetch
from dashboard.services.funding import STATES, STREAMS
from dashboard.services.indicators import PROGRESS_INPUTS, Latest, latest_values, progress_of
from dashboard.services.learning import period_entries
from dashboard.services.overview import summaries_from
from dashboard.services.progress import MISSING, Mark, completeness, thresholds
from dashboard.services.snapshots.rows import (
    DECISION_COLUMNS,
    FUNDING_COLUMNS,
    GOAL_COLUMNS,
    INDICATOR_COLUMNS,
    INITIATIVE_COLUMNS,
    LEARNING_COLUMNS,
    LINK_COLUMNS,
    PHASE_COLUMNS,
    TASK_COLUMNS,
    Snapshot,
    blank,
    frame_from,
    same,
)
from models import (
    CheckIn,
    Decision,
    DecisionGoal,
    DecisionInitiative,
    EntryStatus,
    EtatsTask,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeFunding,
    InitiativeInvolvement,
    InitiativeLink,
    InitiativeOrganisation,
    InitiativeStep,
    LinkStep,
    Organisation,
    OrganisationRole,
    Period,
    ProgressStatus,
)
from models.funding import SNAPSHOT_FUNDER_MAX_LENGTH, SNAPSHOT_SHARED_MAX_LENGTH


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
    indicators = indicator_rows(session, mission_id, period, today, previous)
    return Snapshot(
        goals=goal_rows(session, mission_id, indicators, overrides),
        indicators=indicators,
        initiatives=initiative_rows(session, mission_id, period, until),
        decisions=decision_rows(session, mission_id),
        links=link_rows(session, mission_id, until),
        funding=funding_rows(session, mission_id),
        learning=learning_rows(session, mission_id, period),
        tasks=task_rows(session, mission_id),
        phase=phase_rows(session, mission_id, min(until, today) if until else today),
    )


def _scope(
    model: type[Indicator] | type[Initiative], mission_id: int, only: Collection[int] | None
) -> Any:
    """The mission's rows of model, or only those with these ids."""
    scope = col(model.mission_id) == mission_id
    return scope if only is None else scope & col(model.id).in_(list(only))


def indicator_rows(
    session: Session,
    mission_id: int,
    period: Period | None,
    today: dt.date,
    previous: Snapshot | None,
    only: Collection[int] | None = None,
) -> pd.DataFrame:
    """The indicator rows: each indicator's latest approved value by the end of period (or
    now), its status against target, the state of the period's own value, and any correction
    to what previous showed (of the indicators with these ids only, when given)."""
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
    return frame_from(records, INDICATOR_COLUMNS)


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


def goal_rows(
    session: Session,
    mission_id: int,
    indicators: pd.DataFrame,
    overrides: pd.DataFrame | None,
) -> pd.DataFrame:
    """The goal rows: each goal's status computed from the indicator rows, with the steering
    overrides of the goal rows in overrides carried over."""
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
    return frame_from(records, [*GOAL_COLUMNS, "measured"])


def initiative_rows(
    session: Session,
    mission_id: int,
    period: Period | None,
    until: dt.date | None,
    only: Collection[int] | None = None,
) -> pd.DataFrame:
    """The initiative rows: each initiative with the RAG and texts of its latest approved
    check-in by until, and the state of period's check-in (of those with these ids only, when
    given)."""
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
    steps = _latest_steps(session, mission_id, InitiativeStep, until)
    levels = dict(
        fetch(session, sa.select(col(Initiative.id), col(Initiative.system_levels)).where(scope))
    )
    involvement = _involvement(session, scope)
    records = []
    for initiative_id, number, name, status, start, end in initiatives:
        check_in = latest.get(initiative_id)
        step = steps.get(initiative_id)
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
                "step": step[0] if step else None,
                "step_period": step[1] if step else None,
                "system_levels": ",".join(str(v) for v in levels.get(initiative_id) or []) or None,
                **involvement.get(initiative_id, NOT_ASSESSED),
            }
        )
    return frame_from(records, INITIATIVE_COLUMNS)


NOT_ASSESSED = {"youth_involved": None, "participation_rung": None}


def _involvement(session: Session, scope: Any) -> dict[int, dict[str, Any]]:
    """Initiative id -> its involvement of children and young people as assessed now (the
    youth_involved and participation_rung cells); those not assessed are not in it."""
    return {
        initiative_id: {"youth_involved": bool(involved), "participation_rung": rung}
        for initiative_id, involved, rung in fetch(
            session,
            sa.select(
                col(InitiativeInvolvement.initiative_id),
                col(InitiativeInvolvement.involved),
                col(InitiativeInvolvement.rung),
            )
            .join(Initiative, col(Initiative.id) == InitiativeInvolvement.initiative_id)
            .where(scope),
        )
    }


def _latest_steps(
    session: Session,
    mission_id: int,
    model: type[InitiativeStep] | type[LinkStep],
    until: dt.date | None,
) -> dict[int, tuple[int, str]]:
    """Subject id -> (step, period) of its latest period of the mission assessed that ends by
    until (or any)."""
    subject = col(model.initiative_id if model is InitiativeStep else model.link_id)  # type: ignore[union-attr]
    found: dict[int, tuple[int, str]] = {}
    for subject_id, step, label in fetch(
        session,
        sa.select(subject, col(model.step), col(Period.label))
        .join(Period, col(Period.id) == model.period_id)
        .where(
            col(Period.mission_id) == mission_id,
            sa.true() if until is None else col(Period.end) <= until,
        )
        .order_by(col(Period.end), col(Period.start), col(Period.id)),
    ):
        found[subject_id] = (step, label)  # later periods come later
    return found


def link_rows(session: Session, mission_id: int, until: dt.date | None) -> pd.DataFrame:
    """The links of the mission that have a step on the coordination staircase by until (or
    now), with that step and its period."""
    steps = _latest_steps(session, mission_id, LinkStep, until)
    if not steps:
        return frame_from([], LINK_COLUMNS)
    numbers = dict(
        fetch(
            session,
            sa.select(col(Initiative.id), col(Initiative.number)).where(
                col(Initiative.mission_id) == mission_id
            ),
        )
    )
    records = [
        {
            "link_id": link.id,
            "from_number": numbers[link.from_id],
            "to_number": numbers[link.to_id],
            "kind": str(link.kind),
            "step": steps[link.id][0],
            "step_period": steps[link.id][1],
        }
        for link in session.exec(
            select(InitiativeLink)
            .where(col(InitiativeLink.id).in_(list(steps)))
            .order_by(col(InitiativeLink.id))
        ).all()
        if link.id is not None and link.from_id in numbers and link.to_id in numbers
    ]
    return frame_from(records, LINK_COLUMNS)


def current_initiatives(session: Session, mission_id: int) -> pd.DataFrame:
    """Every initiative now, with the RAG status, help needed and texts of its latest approved
    check-in (the initiative rows a report taken today would hold)."""
    return initiative_rows(session, mission_id, None, None)


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
    return frame_from(records, DECISION_COLUMNS)


def _codes(session: Session, statement: Executable) -> dict[int, str]:
    """decision id -> the comma-separated codes statement gives for it."""
    found: dict[int, list[str]] = {}
    for decision_id, code in fetch(session, statement):
        found.setdefault(decision_id, []).append(str(code))
    return {k: ", ".join(v) for k, v in found.items()}


def funding_rows(session: Session, mission_id: int) -> pd.DataFrame:
    """Each initiative's funding streams now, by initiative number and the model's order
    (streams carry no period: a report holds them as they stood when it was taken)."""
    rows = fetch(
        session,
        sa.select(
            col(Initiative.id),
            col(Initiative.number),
            col(InitiativeFunding.stream),
            col(InitiativeFunding.state),
            col(Organisation.short_name),
            col(InitiativeFunding.note),
        )
        .join(Initiative, col(Initiative.id) == InitiativeFunding.initiative_id)
        .outerjoin(Organisation, col(Organisation.id) == InitiativeFunding.funder_id)
        .where(col(Initiative.mission_id) == mission_id),
    )
    records = [
        {
            "initiative_id": i,
            "number": number,
            "stream": str(stream),
            "state": str(state),
            "funder": _cut(funder, SNAPSHOT_FUNDER_MAX_LENGTH),
            "note": note,
        }
        for i, number, stream, state, funder, note in rows
    ]
    records.sort(
        key=lambda r: (
            r["number"],
            STREAMS.index(r["stream"]),
            STATES.index(r["state"]),
            r["funder"] or "",
        )
    )
    return frame_from(records, FUNDING_COLUMNS)


def learning_rows(session: Session, mission_id: int, period: Period | None) -> pd.DataFrame:
    """The learning-log entries dated in the report's period (none for a snapshot of now)."""
    if period is None:
        return frame_from([], LEARNING_COLUMNS)
    found = period_entries(session, mission_id, period.start, period.end)
    records = [dict(zip(LEARNING_COLUMNS, r, strict=True)) for r in found[LEARNING_COLUMNS].values]
    for record in records:
        record["shared_with"] = _cut(record["shared_with"], SNAPSHOT_SHARED_MAX_LENGTH)
    return frame_from(records, LEARNING_COLUMNS)


def _cut(text: str | None, limit: int) -> str | None:
    """text in at most limit characters (a longer one cut, ending with '…' to say so), as the
    report's column holds it (PostgreSQL refuses a longer one)."""
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


def task_rows(session: Session, mission_id: int) -> pd.DataFrame:
    """The agencies' cooperation tasks as they stand now: title, status and end."""
    found = session.exec(
        select(EtatsTask)
        .where(EtatsTask.mission_id == mission_id)
        .order_by(col(EtatsTask.sort_order), col(EtatsTask.id))
    ).all()
    records = [
        {
            "task_id": task.id,
            "title": task.title,
            "status": str(task.status),
            "end_kind": str(task.end_kind),
            "end": task.end,
            "end_precision": str(task.end_precision),
        }
        for task in found
    ]
    return frame_from(records, TASK_COLUMNS)


def phase_rows(session: Session, mission_id: int, day: dt.date) -> pd.DataFrame:
    """The mission's phase on the day (the end of the report's period, or today): one row, or
    none before the first phase began."""
    phase = current_phase(session, mission_id, day)
    records = (
        []
        if phase is None
        else [
            {
                "kind": str(phase.kind),
                "start": phase.start,
                "start_precision": str(phase.start_precision),
            }
        ]
    )
    return frame_from(records, PHASE_COLUMNS)
