"""The agencies' cooperation (etatssamarbeidet) and the mission's phases.

Tasks are seed 000's two tables of ongoing tasks (task, lead organisations, participants,
involved, duration or end, status), a managed list: the operative group and the secretariat
(Action.MANAGE_PORTFOLIO) create, edit and remove tasks and edit the phases; everyone else
reads. Every change is audited, and a save over a colleague's change since the form was shown
is refused (StaleRow).

Phases (seed 004: design phase 2023/2024, implementation during 2024) carry the deliverables.
The current phase is derived, never stored: the phase whose span contains the day, else the
latest started one; with no dates at all (a database migrated from mission.phase), the last in
order.
"""

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.i18n import sort_key
from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from dashboard.services.portfolio_edit import PortfolioRefused, last_change
from models import (
    Deliverable,
    EtatsTask,
    EtatsTaskInitiative,
    EtatsTaskOrganisation,
    Initiative,
    Organisation,
    Phase,
    PhaseUpdate,
    TaskInput,
    TaskRole,
)
from models.agencies import span_end

TASK = "etats_task"
PHASE = "phase"
TASK_COLUMNS = [
    "id",
    "key",
    "title",
    "description",
    "leads",
    "participants",
    "involved",
    "end_kind",
    "end",
    "end_precision",
    "status",
    "source_table",
    "note",
    "initiatives",
    "seen",
]


# --- phases ------------------------------------------------------------------------------------


def pick_current(phases: list[Phase], today: dt.date) -> Phase | None:
    """The phase whose span contains today (the latest started of those), else the latest
    started one; with no start known anywhere, the last in order; None when none has begun."""
    ordered = sorted(phases, key=lambda p: (p.sort_order, p.id or 0))
    started = [p for p in ordered if p.start is not None and p.start <= today]
    if not started:
        if ordered and all(p.start is None for p in ordered):
            return ordered[-1]
        return None
    running = [
        p for p in started if p.end is None or (span_end(p.end, p.end_precision) or today) >= today
    ]
    chosen = running or started
    return max(chosen, key=lambda p: (p.start or dt.date.min, p.sort_order))


def mission_phases(session: Session, mission_id: int) -> list[Phase]:
    """The mission's phases in order."""
    return list(
        session.exec(
            select(Phase)
            .where(Phase.mission_id == mission_id)
            .order_by(col(Phase.sort_order), col(Phase.id))
        ).all()
    )


def current_phase(session: Session, mission_id: int, today: dt.date) -> Phase | None:
    """The mission's current phase on the day (see pick_current)."""
    return pick_current(mission_phases(session, mission_id), today)


@dataclass(frozen=True)
class PhaseNow:
    """The current phase and the state of its deliverables, for Oversikt's line."""

    phase: Phase
    deliverables: int
    by_status: dict[str, int]  # DeliverableStatus value -> how many


def phase_now(session: Session, mission_id: int, today: dt.date) -> PhaseNow | None:
    """The current phase with how many deliverables it has, by status."""
    phase = current_phase(session, mission_id, today)
    if phase is None:
        return None
    statuses = session.exec(select(Deliverable.status).where(Deliverable.phase_id == phase.id))
    counted = Counter(str(s) for s in statuses.all())
    return PhaseNow(phase, sum(counted.values()), dict(counted))


def phase_deliverables(session: Session, mission_id: int) -> dict[int | None, pd.DataFrame]:
    """Each phase's deliverables (phase id -> number, title, status), None for those in no
    phase."""
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.mission_id == mission_id)
        .order_by(col(Deliverable.number))
    ).all()
    found: dict[int | None, list[dict[str, Any]]] = {}
    for d in rows:
        found.setdefault(d.phase_id, []).append(
            {"number": d.number, "title": d.title, "status": str(d.status)}
        )
    return {
        phase: pd.DataFrame(items, columns=["number", "title", "status"])
        for phase, items in found.items()
    }


def phase_seen(phase: Phase) -> str:
    """What a phase form showed: a save over a change since is refused."""
    return json.dumps(phase.model_dump(mode="json", warnings=False), sort_keys=True)


def update_phase(
    actor: Actor,
    phase_id: int,
    data: PhaseUpdate,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """A phase's description, dates and note, over what the form showed (seen); False when
    nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        phase = session.get(Phase, phase_id, with_for_update=True)
        if phase is None:
            raise PortfolioRefused("no_phase")
        if phase_seen(phase) != seen:
            raise last_change(session, PHASE, phase_id)
        before = phase.model_dump(mode="json", warnings=False)
        for name, value in data.model_dump().items():
            setattr(phase, name, value)
        after = phase.model_dump(mode="json", warnings=False)
        if after == before:
            return False
        session.add(phase)
        audit.record(session, actor, "update", PHASE, phase_id, before=before, after=after)
        return True


# --- tasks -------------------------------------------------------------------------------------


def _state(session: Session, task: EtatsTask) -> dict[str, Any]:
    """A task as the audit log and the stale-form check see it: its fields, its leads,
    participants and initiatives (ids, sorted)."""
    roles = session.exec(
        select(EtatsTaskOrganisation.organisation_id, EtatsTaskOrganisation.role).where(
            EtatsTaskOrganisation.task_id == task.id
        )
    ).all()
    initiatives = session.exec(
        select(EtatsTaskInitiative.initiative_id).where(EtatsTaskInitiative.task_id == task.id)
    ).all()
    return task.model_dump(mode="json", warnings=False) | {
        "lead_ids": sorted(o for o, r in roles if r == TaskRole.LEAD),
        "participant_ids": sorted(o for o, r in roles if r == TaskRole.PARTICIPANT),
        "initiative_ids": sorted(initiatives),
    }


def _seen(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True)


def _check_refs(session: Session, mission_id: int, data: TaskInput) -> None:
    orgs = set(data.lead_ids) | set(data.participant_ids)
    if orgs:
        found = set(session.exec(select(Organisation.id).where(col(Organisation.id).in_(orgs))))
        if orgs - found:
            raise PortfolioRefused("unknown_organisation")
    if data.initiative_ids:
        found = set(
            session.exec(
                select(Initiative.id).where(
                    col(Initiative.id).in_(data.initiative_ids),
                    Initiative.mission_id == mission_id,
                )
            )
        )
        if set(data.initiative_ids) - found:
            raise PortfolioRefused("no_initiative")


def _write_children(session: Session, task_id: int, data: TaskInput) -> None:
    for member in session.exec(
        select(EtatsTaskOrganisation).where(EtatsTaskOrganisation.task_id == task_id)
    ).all():
        session.delete(member)
    for same_work in session.exec(
        select(EtatsTaskInitiative).where(EtatsTaskInitiative.task_id == task_id)
    ).all():
        session.delete(same_work)
    session.flush()
    for role, ids in ((TaskRole.LEAD, data.lead_ids), (TaskRole.PARTICIPANT, data.participant_ids)):
        for org in dict.fromkeys(ids):
            session.add(EtatsTaskOrganisation(task_id=task_id, organisation_id=org, role=role))
    for initiative in dict.fromkeys(data.initiative_ids):
        session.add(EtatsTaskInitiative(task_id=task_id, initiative_id=initiative))
    session.flush()


def _new_key(session: Session, mission_id: int, title: str) -> str:
    """A key for a task a person adds: from its title, unique in the mission."""
    base = re.sub(r"[^a-z0-9æøå]+", "-", title.lower()).strip("-")[:60] or "oppgave"
    taken = set(session.exec(select(EtatsTask.key).where(EtatsTask.mission_id == mission_id)))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def create_task(
    actor: Actor, mission_id: int, data: TaskInput, *, engine: Engine | None = None
) -> int:
    """Add a task to the list (last); returns its id."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        _check_refs(session, mission_id, data)
        last = session.exec(
            select(EtatsTask.sort_order)
            .where(EtatsTask.mission_id == mission_id)
            .order_by(col(EtatsTask.sort_order).desc())
        ).first()
        task = EtatsTask(
            mission_id=mission_id,
            key=_new_key(session, mission_id, data.title),
            sort_order=(last or 0) + 1,
            **data.model_dump(exclude={"lead_ids", "participant_ids", "initiative_ids"}),
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        _write_children(session, task.id, data)
        audit.record(session, actor, "create", TASK, task.id, after=_state(session, task))
        return task.id


def update_task(
    actor: Actor, task_id: int, data: TaskInput, *, seen: str, engine: Engine | None = None
) -> bool:
    """Change a task, over what the form showed (seen); False when nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        task = session.get(EtatsTask, task_id, with_for_update=True)
        if task is None:
            raise PortfolioRefused("no_task")
        before = _state(session, task)
        if _seen(before) != seen:
            raise last_change(session, TASK, task_id)
        _check_refs(session, task.mission_id, data)
        for name, value in data.model_dump(
            exclude={"lead_ids", "participant_ids", "initiative_ids"}
        ).items():
            setattr(task, name, value)
        session.add(task)
        _write_children(session, task_id, data)
        after = _state(session, task)
        if after == before:
            return False
        audit.record(session, actor, "update", TASK, task_id, before=before, after=after)
        return True


def delete_task(actor: Actor, task_id: int, *, seen: str, engine: Engine | None = None) -> bool:
    """Remove a task from the list (its links to organisations and initiatives with it)."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        task = session.get(EtatsTask, task_id, with_for_update=True)
        if task is None:
            raise PortfolioRefused("no_task")
        before = _state(session, task)
        if _seen(before) != seen:
            raise last_change(session, TASK, task_id)
        _write_children(session, task_id, TaskInput(title=task.title))
        session.delete(task)
        audit.record(session, actor, "delete", TASK, task_id, before=before)
        return True


def tasks(session: Session, mission_id: int) -> pd.DataFrame:
    """The mission's tasks in the list's order: TASK_COLUMNS, leads and participants as
    short names (alphabetical), initiatives as (id, number,
    name) tuples, lead_ids/participant_ids/initiative_ids for the edit form."""
    found = session.exec(
        select(EtatsTask)
        .where(EtatsTask.mission_id == mission_id)
        .order_by(col(EtatsTask.sort_order), col(EtatsTask.id))
    ).all()
    names = dict(session.exec(select(Organisation.id, Organisation.short_name)).all())
    initiatives = {
        i.id: (i.id, i.number, i.name)
        for i in session.exec(select(Initiative).where(Initiative.mission_id == mission_id))
    }
    rows = []
    for task in found:
        state = _state(session, task)
        rows.append(
            task.model_dump(warnings=False)
            | {
                "leads": sorted((names[o] for o in state["lead_ids"]), key=sort_key),
                "participants": sorted((names[o] for o in state["participant_ids"]), key=sort_key),
                "initiatives": sorted(
                    (initiatives[i] for i in state["initiative_ids"] if i in initiatives),
                    key=lambda x: x[1],
                ),
                "lead_ids": state["lead_ids"],
                "participant_ids": state["participant_ids"],
                "initiative_ids": state["initiative_ids"],
                "seen": _seen(state),
            }
        )
    columns = [*TASK_COLUMNS, "lead_ids", "participant_ids", "initiative_ids"]
    return pd.DataFrame(rows, columns=columns)


def initiative_tasks(session: Session, initiative_id: int) -> list[str]:
    """The titles of the tasks that are the same work as the initiative."""
    return list(
        session.exec(
            select(EtatsTask.title)
            .join(EtatsTaskInitiative, col(EtatsTaskInitiative.task_id) == EtatsTask.id)
            .where(EtatsTaskInitiative.initiative_id == initiative_id)
            .order_by(col(EtatsTask.sort_order))
        ).all()
    )


def task_choices(session: Session, mission_id: int) -> tuple[dict[int, str], dict[int, str]]:
    """What a task form offers: organisations (id -> short name, alphabetical) and the
    mission's initiatives (id -> «13. DigiUng», by number)."""
    orgs = sorted(
        ((o.id or 0, o.short_name) for o in session.exec(select(Organisation)).all()),
        key=lambda pair: sort_key(pair[1]),
    )
    initiatives = session.exec(
        select(Initiative)
        .where(Initiative.mission_id == mission_id)
        .order_by(col(Initiative.number))
    ).all()
    return dict(orgs), {i.id or 0: f"{i.number}. {i.name}" for i in initiatives}
