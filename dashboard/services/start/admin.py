"""The secretariat's start page: how complete the open periods are per organisation, which
organisations are overdue, periods that have ended and are still open, accounts that cannot
sign in, and actions refused lately."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col

from dashboard.services.audit_view import AuditFilter, audit_trail
from dashboard.services.common import fetch, frame_of
from dashboard.services.permissions import Actor
from dashboard.services.progress import completeness_counts, open_completeness
from dashboard.services.users import user_table
from models import CheckIn, EntryStatus, Indicator, IndicatorValue, Initiative, Period

REFUSALS_DAYS = 14
REFUSALS_LIMIT = 20
TO_LOCK_COLUMNS = ["period_id", "period", "end", "due", "expected", "not_approved", "corrections"]


@dataclass
class AdminStart:
    """The secretariat's lists about reporting, each most urgent first."""

    completeness: pd.DataFrame  # per open period and organisation: completeness_counts + period
    overdue: pd.DataFrame  # the rows of completeness with overdue values, most overdue first
    to_lock: pd.DataFrame  # TO_LOCK_COLUMNS: ended periods still open, the oldest first


def admin_start(session: Session, mission_id: int, today: dt.date) -> AdminStart:
    """Completeness of the open periods by organisation, and the periods to lock."""
    parts = []
    for item in open_completeness(session, mission_id, today):
        counts = completeness_counts(item.rows, by="organisation").reset_index()
        counts.insert(0, "period", item.label)
        counts.insert(0, "period_id", item.period_id)
        counts["due"] = item.due
        parts.append(counts[counts["total"] > 0])
    frame = pd.concat(parts, ignore_index=True) if parts else _empty_counts()
    overdue = frame[frame["overdue"] > 0].sort_values(
        ["overdue", "period", "organisation"], ascending=[False, True, True]
    )
    return AdminStart(
        completeness=frame,
        overdue=overdue.reset_index(drop=True),
        to_lock=periods_to_lock(session, mission_id, today, frame),
    )


def _empty_counts() -> pd.DataFrame:
    columns = list(completeness_counts(frame_of([], ["organisation", "state", "overdue"])).columns)
    return frame_of([], ["period_id", "period", "organisation", *columns, "due"])


def periods_to_lock(
    session: Session, mission_id: int, today: dt.date, counts: pd.DataFrame
) -> pd.DataFrame:
    """Periods that have ended and are not locked, with how many of their expected values are
    not approved yet and how many corrections wait in them (none of either: ready to lock; a
    correction left in a locked period can neither be approved nor withdrawn), the oldest
    first."""
    waiting = pending_corrections(session, mission_id)
    rows = []
    for period_id, label, end, due in fetch(
        session,
        sa.select(col(Period.id), col(Period.label), col(Period.end), col(Period.due))
        .where(
            col(Period.mission_id) == mission_id,
            col(Period.locked).is_(False),
            col(Period.end) < today,
        )
        .order_by(col(Period.end)),
    ):
        mine = counts[counts["period_id"] == period_id]
        expected = int(mine["total"].sum())
        approved = int(mine[EntryStatus.APPROVED.value].sum())
        corrections = waiting.get(period_id, 0)
        rows.append((period_id, label, end, due, expected, expected - approved, corrections))
    return frame_of(rows, TO_LOCK_COLUMNS)


def pending_corrections(session: Session, mission_id: int) -> dict[int, int]:
    """Per period id, how many corrections of the mission's values and check-ins are not
    approved yet."""
    found: dict[int, int] = {}
    for entry, subject, link in (
        (IndicatorValue, Indicator, IndicatorValue.indicator_id),
        (CheckIn, Initiative, CheckIn.initiative_id),
    ):
        for period_id, count in fetch(
            session,
            sa.select(col(entry.period_id), sa.func.count())
            .join(subject, col(subject.id) == link)
            .where(col(subject.mission_id) == mission_id, col(entry.is_correction).is_(True))
            .group_by(col(entry.period_id)),
        ):
            found[int(period_id)] = found.get(int(period_id), 0) + int(count)
    return found


def accounts_to_check(
    actor: Actor, now: dt.datetime, *, engine: Engine | None = None
) -> pd.DataFrame:
    """Accounts that cannot sign in: deactivated, or locked out after failed sign-ins (admin
    only; user_table checks and audits the permission)."""
    users = user_table(actor, engine=engine)
    locked = [_after(until, now) for until in users["locked_until"]]
    users["locked"] = locked
    return users[~users["active"].astype(bool) | users["locked"]].reset_index(drop=True)


def _after(until: object, now: dt.datetime) -> bool:
    if not isinstance(until, dt.datetime):
        return False
    return (until if until.tzinfo else until.replace(tzinfo=dt.UTC)) > now  # SQLite: naive UTC


def recent_refusals(actor: Actor, today: dt.date, *, engine: Engine | None = None) -> pd.DataFrame:
    """Actions and pages refused in the last REFUSALS_DAYS days, the newest first (admin only;
    audit_trail checks and audits the permission)."""
    chosen = AuditFilter(action="refused", since=today - dt.timedelta(days=REFUSALS_DAYS))
    return audit_trail(actor, chosen, limit=REFUSALS_LIMIT, engine=engine)
