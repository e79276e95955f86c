"""What changed since a report was taken: the indicators and initiatives whose rows may differ
(read from the audit log), and the report's rows beside the approved state now of just those.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch
from dashboard.services.snapshots.rows import Snapshot
from dashboard.services.snapshots.store import load
from dashboard.services.snapshots.take import (
    decision_rows,
    funding_rows,
    goal_rows,
    indicator_rows,
    initiative_rows,
    link_rows,
    phase_rows,
    take,
    task_rows,
)
from models import (
    AuditEvent,
    CheckIn,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeStep,
    LinkStep,
    Period,
    SnapshotIndicator,
    SnapshotInitiative,
)

# Audit entities whose changes leave a report's rows as they are (or, for decisions, are read
# afresh anyway; learning-log entries are not compared); a change to any entity not named here
# or in TRACKED means: take everything.
UNRELATED = frozenset(
    {
        "status_report",
        "goal_status",
        "decision",
        "user",
        "page",
        "period",
        "outbox",
        "learning_entry",
    }
)
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
            col(AuditEvent.at) >= taken,
            col(AuditEvent.action).not_in(["refused", "mail_sent"]),
            # another mission's commands change nothing here; one of no mission may
            col(AuditEvent.mission_id).is_(None) | (col(AuditEvent.mission_id) == mission_id),
        ),
    )
    later_steps = [
        fetch(
            session,
            sa.select(sa.func.count())
            .select_from(model)
            .join(Period, col(Period.id) == model.period_id)
            .where(col(Period.mission_id) == mission_id, col(Period.end) > period_end),
        )[0][0]
        for model in (InitiativeStep, LinkStep)
    ]
    if any(later_steps):  # steps of a later period: the report's rows are not what now holds
        return None
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
                    col(Period.mission_id) == mission_id,
                    col(model.id).in_(list(ids))
                    | (
                        (col(model.status) == EntryStatus.APPROVED) & (col(Period.end) > period_end)
                    ),
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
    indicators = indicator_rows(session, mission_id, None, today, stored, only=changed.indicators)
    now = Snapshot(
        goals=stored.goals,  # no indicator changed: nor did a goal's roll-up
        indicators=indicators,
        initiatives=initiative_rows(session, mission_id, None, None, only=changed.initiatives),
        decisions=decision_rows(session, mission_id),
        links=link_rows(session, mission_id, None),
        funding=funding_rows(session, mission_id),
        tasks=task_rows(session, mission_id),
        phase=phase_rows(session, mission_id, today),
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
    now.goals = goal_rows(session, mission_id, marks, stored.goals)
    return stored, now
