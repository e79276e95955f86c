"""Who locked a period, when and why (from the audit log), and who may open it again."""

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch
from dashboard.services.permissions import PERMISSIONS, Action
from models import AuditEvent, Period, Role

# The roles that may open a locked period again, in the role table's order.
REOPENERS: tuple[Role, ...] = tuple(r for r in Role if Action.REOPEN_PERIOD in PERMISSIONS[r])


class LockedPeriod(NamedTuple):
    """A locked period and its latest lock in the audit log (who, when, why; None if unknown)."""

    period_id: int
    label: str
    locked_by: str | None
    locked_at: dt.datetime | None
    reason: str | None
    report_id: int | None = None  # locked by the approval of this status report


def locked_periods(session: Session, mission_id: int) -> list[LockedPeriod]:
    """Every locked period of the mission, newest first, with who locked it, when and why."""
    periods = fetch(
        session,
        sa.select(col(Period.id), col(Period.label))
        .where(col(Period.mission_id) == mission_id, col(Period.locked).is_(True))
        .order_by(col(Period.end).desc()),
    )
    if not periods:
        return []
    events = fetch(
        session,
        sa.select(
            col(AuditEvent.entity_id),
            col(AuditEvent.actor_email),
            col(AuditEvent.at),
            col(AuditEvent.reason),
            col(AuditEvent.after),
        )
        .where(
            col(AuditEvent.entity) == "period",
            col(AuditEvent.action) == "lock",
            col(AuditEvent.entity_id).in_([str(pid) for pid, _ in periods]),
        )
        .order_by(col(AuditEvent.id)),
    )
    latest = {
        str(entity_id): (who, at, why, _report_of(after))
        for entity_id, who, at, why, after in events
    }
    return [
        LockedPeriod(int(pid), str(label), *latest.get(str(pid), (None, None, None, None)))
        for pid, label in periods
    ]


def _report_of(after: object) -> int | None:
    """The status report whose approval locked the period, as the lock's audit row says."""
    report = after.get("status_report_id") if isinstance(after, dict) else None
    return int(report) if isinstance(report, int) else None
