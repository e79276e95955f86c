"""The steering group's decisions log: what was decided, who follows it up, by when, and which
goals and initiatives it concerns. Each status report copies the log as it stood (follow-up)."""

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.common import fetch
from dashboard.services.permissions import Action, Actor
from dashboard.services.reporting import WorkflowRefused
from dashboard.services.snapshots.rows import OPEN_DECISIONS
from dashboard.services.snapshots.take import decision_rows
from models import (
    Decision,
    DecisionCreate,
    DecisionGoal,
    DecisionInitiative,
    DecisionUpdate,
    Goal,
    Initiative,
    Organisation,
    StatusReport,
)


def _links(session: Session, mission_id: int, data: DecisionCreate) -> None:
    """Refuse goals, initiatives, an owner or a report that are not the mission's."""
    for model, ids, code in (
        (Goal, data.goal_ids, "no_goal"),
        (Initiative, data.initiative_ids, "no_initiative"),
    ):
        found = session.exec(
            select(model.id).where(col(model.id).in_(ids), model.mission_id == mission_id)
        ).all()
        if len(set(found)) != len(set(ids)):
            raise WorkflowRefused(code)
    if data.owner_org_id is not None and session.get(Organisation, data.owner_org_id) is None:
        raise WorkflowRefused("no_organisation")
    if data.report_id is not None:
        report = session.get(StatusReport, data.report_id)
        if report is None or report.mission_id != mission_id:
            raise WorkflowRefused("no_report")


def _set_links(session: Session, decision_id: int, data: DecisionCreate) -> None:
    for model in (DecisionGoal, DecisionInitiative):
        session.execute(sa.delete(model).where(col(model.decision_id) == decision_id))
    for goal_id in sorted(set(data.goal_ids)):
        session.add(DecisionGoal(decision_id=decision_id, goal_id=goal_id))
    for initiative_id in sorted(set(data.initiative_ids)):
        session.add(DecisionInitiative(decision_id=decision_id, initiative_id=initiative_id))


def _fields(session: Session, decision: Decision) -> dict[str, Any]:
    goals = session.exec(
        select(DecisionGoal.goal_id).where(DecisionGoal.decision_id == decision.id)
    ).all()
    initiatives = session.exec(
        select(DecisionInitiative.initiative_id).where(
            DecisionInitiative.decision_id == decision.id
        )
    ).all()
    return decision.model_dump(warnings=False) | {
        "goal_ids": sorted(goals),
        "initiative_ids": sorted(initiatives),
    }


FIELDS = ("title", "description", "decided_on", "due", "status", "follow_up", "owner_org_id")


def record_decision(
    actor: Actor, mission_id: int, data: dict[str, Any], *, engine: Engine | None = None
) -> Decision:
    """Record a steering-group decision (data as typed; pydantic's ValidationError lists every
    problem)."""
    entry = DecisionCreate.model_validate(data)
    with command(actor, Action.RECORD_DECISION, engine=engine) as session:
        _links(session, mission_id, entry)
        decision = Decision(
            mission_id=mission_id,
            report_id=entry.report_id,
            created_by_id=actor.id,
            **{name: getattr(entry, name) for name in FIELDS},
        )
        session.add(decision)
        session.flush()
        assert decision.id is not None
        _set_links(session, decision.id, entry)
        session.flush()
        audit.record(
            session, actor, "create", "decision", decision.id, after=_fields(session, decision)
        )
        return decision


def update_decision(
    actor: Actor, decision_id: int, data: dict[str, Any], *, engine: Engine | None = None
) -> Decision:
    """Change a decision (its status and follow-up above all), over the version the person saw."""
    entry = DecisionUpdate.model_validate(data)
    with command(actor, Action.RECORD_DECISION, engine=engine) as session:
        decision = session.get(Decision, decision_id)
        if decision is None:
            raise WorkflowRefused("no_decision")
        if decision.version != entry.version:
            raise WorkflowRefused("stale_decision")
        _links(session, decision.mission_id, entry)
        before = _fields(session, decision)
        for name in FIELDS:
            setattr(decision, name, getattr(entry, name))
        decision.version += 1
        _set_links(session, decision_id, entry)
        session.flush()
        audit.record(
            session,
            actor,
            "update",
            "decision",
            decision_id,
            before=before,
            after=_fields(session, decision),
        )
        return decision


def decision_log(session: Session, mission_id: int, today: dt.date) -> pd.DataFrame:
    """Every decision with its links, version, ids of its links, and whether it is overdue."""
    log = decision_rows(session, mission_id)
    extra = {
        row[0]: row[1:]
        for row in fetch(
            session,
            sa.select(
                col(Decision.id),
                col(Decision.version),
                col(Decision.description),
                col(Decision.owner_org_id),
                col(Decision.report_id),
            ).where(col(Decision.mission_id) == mission_id),
        )
    }
    links: dict[str, dict[int, list[int]]] = {"goal_ids": {}, "initiative_ids": {}}
    for name, model, column in (
        ("goal_ids", DecisionGoal, DecisionGoal.goal_id),
        ("initiative_ids", DecisionInitiative, DecisionInitiative.initiative_id),
    ):
        for decision_id, linked in fetch(session, sa.select(col(model.decision_id), col(column))):
            links[name].setdefault(decision_id, []).append(linked)
    ids = list(log["decision_id"])
    for position, name in enumerate(("version", "description", "owner_org_id", "report_id")):
        # object columns: an id stays an int or None (a float column would turn None into NaN)
        log[name] = pd.Series([extra[i][position] for i in ids], index=log.index, dtype=object)
    for name, found in links.items():
        log[name] = [sorted(found.get(i, [])) for i in ids]
    log["overdue"] = [
        bool(status in OPEN_DECISIONS and due is not None and not pd.isna(due) and due < today)
        for status, due in zip(log["status"], log["due"], strict=True)
    ]
    return log
