"""Who is told what by e-mail: rows of the outbox, written in the transaction of the event they
tell about (the sender, dashboard.notify, delivers them). Each person's choices are in
dashboard.services.notification_choices, the secretariat's view of the outbox in
dashboard.services.outbox.

A row holds what its recipient may read in the app and nothing more: a partner is only ever
told about a published report, and the sender checks that again before it sends.

Roles are per mission: a row belongs to the mission of its event (outbox.mission_id), and goes
only to the people of that mission (a role row there, or the global administrator, who acts as
its secretariat where they have none), by their role there. Someone who is operative in one
mission and partner in (or outside) another is never told of the other's drafts.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from dashboard.services.common import fetch
from dashboard.services.permissions import Actor
from dashboard.services.progress import open_completeness
from dashboard.services.start.operative import NOT_SENT, finished_initiatives, owed_check_ins
from models import (
    CheckIn,
    Decision,
    DecisionStatus,
    Indicator,
    IndicatorValue,
    Initiative,
    Mission,
    MissionRole,
    Period,
    Role,
    StatusReport,
    User,
)
from models.notifications import (
    PARTNER_KINDS,
    TOPIC_OF,
    Delivery,
    NotificationKind,
    OutboxMail,
    OutboxStatus,
    delivery,
    next_digest,
)
from models.reporting import utcnow

K = NotificationKind
INTERNAL = (Role.OPERATIVE, Role.STEERING, Role.ADMIN)
DECISION_DAYS = 7  # a decision's owner is told this many days before its due date
LISTED = 20  # a mail names at most this many entries of one event; the rest are counted
OUTBOX = OutboxMail.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recipient:
    """A person who may be told: id, role (in the mission of the event) and stored choices."""

    id: int
    role: Role
    choices: dict[str, str] | None


def member_role(mission_id: Any) -> sa.ColumnElement[str | None]:
    """The role the User of the query has in mission_id (a value or a column) as SQL: the one
    given there, else the secretariat's for the global administrator, else NULL (not one of the
    mission's people, who is told nothing of it)."""
    given = (
        sa.select(col(MissionRole.role))
        .where(col(MissionRole.user_id) == User.id, col(MissionRole.mission_id) == mission_id)
        .scalar_subquery()
    )
    admin = sa.case((col(User.global_admin).is_(True), Role.ADMIN.value), else_=sa.null())
    return sa.func.coalesce(given, admin)


def _recipients(
    session: Session, mission_id: int, *where: Any, roles: Iterable[Role] | None = None
) -> list[Recipient]:
    """The active people of mission_id matching where (and having one of roles there), each
    with their role in it."""
    role = member_role(mission_id)
    query = sa.select(col(User.id), role, col(User.notifications)).where(
        col(User.active).is_(True), role.is_not(None), *where
    )
    if roles is not None:
        query = query.where(role.in_([r.value for r in roles]))
    return [Recipient(i, Role(r), c) for i, r, c in fetch(session, query.order_by(col(User.id)))]


def enqueue(
    session: Session,
    kind: NotificationKind,
    recipients: Iterable[Recipient],
    entity: str,
    entity_id: int | None,
    payload: dict[str, Any],
    *,
    mission_id: int,
    now: dt.datetime | None = None,
    dedup: str | None = None,
) -> int:
    """Add a row of mission_id (the mission of the event) for each recipient who wants kind
    (at once, or in the next daily digest) and may read it, by their role in that mission;
    with dedup, a row whose key (dedup + the recipient) exists is not added again. Returns how
    many rows were offered to the database."""
    now = now or utcnow()
    rows = []
    for person in recipients:
        if person.role == Role.PARTNER and kind not in PARTNER_KINDS:
            continue  # a partner reads published reports only
        how = delivery(person.choices, person.role, TOPIC_OF[kind])
        if how == Delivery.OFF:
            continue
        rows.append(
            {
                "created_at": now,
                "kind": kind.value,
                "recipient_id": person.id,
                "mission_id": mission_id,
                "entity": entity,
                "entity_id": entity_id,
                "payload": payload,
                "dedup_key": None if dedup is None else f"{dedup}:u{person.id}",
                "due_at": now if how == Delivery.IMMEDIATE else next_digest(now),
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
            }
        )
    if not rows:
        return 0
    if dedup is None:
        session.execute(sa.insert(OUTBOX), rows)
    else:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedup_key"])
        session.execute(insert, rows)
    return len(rows)


def _name(session: Session, user_id: int | None) -> str | None:
    """A user's name (None for nobody)."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


# --- values and check-ins ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A value or check-in as a mail tells about it."""

    entity: str  # "indicator_value" or "check_in"
    id: int
    subject_id: int  # the indicator or the initiative
    period_id: int
    entered_by_id: int | None
    correction: bool = False
    value: float | None = None
    reason: str | None = None  # a correction's


def entry_of(row: IndicatorValue | CheckIn | dict[str, Any], model: type | None = None) -> Entry:
    """The Entry of a stored row (or of its fields, with model)."""
    fields = row if isinstance(row, dict) else row.model_dump(warnings=False)
    is_value = (model or type(row)) is IndicatorValue
    return Entry(
        entity="indicator_value" if is_value else "check_in",
        id=int(fields["id"]),
        subject_id=int(fields["indicator_id" if is_value else "initiative_id"]),
        period_id=int(fields["period_id"]),
        entered_by_id=fields.get("entered_by_id"),
        correction=bool(fields.get("is_correction")),
        value=fields.get("value") if is_value else None,
        reason=fields.get("correction_reason"),
    )


def _subjects(session: Session, entries: Sequence[Entry]) -> dict[tuple[str, int], dict[str, Any]]:
    """What each entry is about: code (indicator code or initiative number), name, measure."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    values = {e.subject_id for e in entries if e.entity == "indicator_value"}
    if values:
        indicators = sa.select(
            col(Indicator.id), col(Indicator.code), col(Indicator.name), col(Indicator.measure)
        ).where(col(Indicator.id).in_(values))
        for i, code, name, measure in fetch(session, indicators):
            found["indicator_value", i] = {"code": code, "name": name, "measure": str(measure)}
    check_ins = {e.subject_id for e in entries if e.entity == "check_in"}
    if check_ins:
        initiatives = sa.select(
            col(Initiative.id), col(Initiative.number), col(Initiative.name)
        ).where(col(Initiative.id).in_(check_ins))
        for i, number, name in fetch(session, initiatives):
            found["check_in", i] = {"code": str(number), "name": name}
    return found


def _period_label(session: Session, period_id: int) -> str:
    period = session.get(Period, period_id)
    return period.label if period else str(period_id)


def _period_mission(session: Session, actor: Actor, period_id: int) -> int | None:
    """The mission a period belongs to (the actor's, for a period that is gone)."""
    period = session.get(Period, period_id)
    return period.mission_id if period is not None else actor.mission_id


def entries_submitted(session: Session, actor: Actor, entries: Sequence[Entry]) -> None:
    """Values or check-ins sent for approval: tell the operative group members who may approve
    them (never the one who sent or entered them), one row per person and period; corrections
    of approved figures as such."""
    if not entries:
        return
    subjects = _subjects(session, entries)
    groups: dict[tuple[NotificationKind, int], list[Entry]] = defaultdict(list)
    for entry in entries:
        kind = K.CORRECTION_WAITING if entry.correction else K.ENTRY_SUBMITTED
        groups[kind, entry.period_id].append(entry)
    by = _name(session, actor.id) or actor.email
    for (kind, period_id), group in groups.items():
        mission_id = _period_mission(session, actor, period_id)
        if mission_id is None:
            continue
        operatives = _recipients(session, mission_id, roles=[Role.OPERATIVE])
        listed = [
            subjects.get((e.entity, e.subject_id), {})
            | {"entity": e.entity, "value": e.value, "reason": e.reason}
            for e in group[:LISTED]
        ]
        payload = {
            "period_id": period_id,
            "period": _period_label(session, period_id),
            "entries": listed,
            "count": len(group),
            "by": by,
            "ids": [e.id for e in group],  # every entry, for the audit row of the sent mail
        }
        senders = {actor.id, *(e.entered_by_id for e in group)}
        approvers = [p for p in operatives if p.id not in senders]
        entity_id = group[0].id if len(group) == 1 else None
        enqueue(
            session, kind, approvers, group[0].entity, entity_id, payload, mission_id=mission_id
        )


def entry_returned(session: Session, actor: Actor, entry: Entry, reason: str | None) -> None:
    """A value or check-in sent back: tell the person who entered it, with the reason."""
    mission_id = _period_mission(session, actor, entry.period_id)
    if entry.entered_by_id is None or mission_id is None:
        return
    subject = _subjects(session, [entry]).get((entry.entity, entry.subject_id), {})
    payload = {
        "period_id": entry.period_id,
        "period": _period_label(session, entry.period_id),
        "entries": [subject | {"entity": entry.entity, "value": entry.value}],
        "count": 1,
        "reason": reason,
        "by": _name(session, actor.id) or actor.email,
    }
    people = _recipients(session, mission_id, col(User.id) == entry.entered_by_id)
    enqueue(
        session, K.ENTRY_RETURNED, people, entry.entity, entry.id, payload, mission_id=mission_id
    )


# --- status reports ----------------------------------------------------------------------------


def _report_payload(session: Session, actor: Actor, report: StatusReport) -> dict[str, Any]:
    return {
        "report_id": report.id,
        "period_id": report.period_id,
        "period": _period_label(session, report.period_id),
        "by": _name(session, actor.id) or actor.email,
    }


def report_submitted(session: Session, actor: Actor, report: StatusReport) -> None:
    """A status report sent for approval: tell the steering group of its mission."""
    people = _recipients(session, report.mission_id, roles=[Role.STEERING])
    payload = _report_payload(session, actor, report)
    enqueue(
        session,
        K.REPORT_SUBMITTED,
        people,
        "status_report",
        report.id,
        payload,
        mission_id=report.mission_id,
    )


def report_returned(session: Session, actor: Actor, report: StatusReport) -> None:
    """A status report sent back: tell the operative who drafted it (and who sent it), with
    the reason."""
    drafters = {report.created_by_id, report.submitted_by_id} - {None}
    people = _recipients(session, report.mission_id, col(User.id).in_(drafters))
    payload = _report_payload(session, actor, report) | {"reason": report.return_reason}
    enqueue(
        session,
        K.REPORT_RETURNED,
        people,
        "status_report",
        report.id,
        payload,
        mission_id=report.mission_id,
    )


def report_approved(session: Session, actor: Actor, report: StatusReport) -> None:
    """A status report approved and published: tell the internal people of its mission, and its
    partners who asked for it (someone with no role in the mission is not told)."""
    people = _recipients(session, report.mission_id)
    payload = _report_payload(session, actor, report)
    enqueue(
        session,
        K.REPORT_APPROVED,
        people,
        "status_report",
        report.id,
        payload,
        mission_id=report.mission_id,
    )


# --- reminders and due dates (computed for a given day) ---------------------------------------


def reminder_kind(today: dt.date, due: dt.date | None, days: int) -> NotificationKind | None:
    """Which reminder a period due on due gets today: overdue after it, due within days of
    it (and on the day itself), none before or without a due date."""
    if due is None:
        return None
    if today > due:
        return K.REMINDER_OVERDUE
    return K.REMINDER_DUE if today >= due - dt.timedelta(days=days) else None


def decision_kind(today: dt.date, due: dt.date | None) -> NotificationKind | None:
    """Which mail an open decision due on due gets today (DECISION_DAYS before, or overdue)."""
    if due is None:
        return None
    if today > due:
        return K.DECISION_OVERDUE
    return K.DECISION_DUE if today >= due - dt.timedelta(days=DECISION_DAYS) else None


def due_mails(
    session: Session, today: dt.date, *, reminder_days: int, now: dt.datetime | None = None
) -> int:
    """Write the reminders and decision mails that today calls for, each once (a later call
    the same or another day adds none that exists); returns how many were offered."""
    offered = 0
    missions = [row[0] for row in fetch(session, sa.select(col(Mission.id)))]
    for mission_id in missions:
        offered += _reminders(session, mission_id, today, reminder_days, now)
    offered += _decision_mails(session, today, now)
    return offered


def _reminders(
    session: Session, mission_id: int, today: dt.date, days: int, now: dt.datetime | None
) -> int:
    """Per open period of mission_id near or past its due date, to the operatives (in that
    mission) of each organisation that still has indicators or check-ins to send, naming them."""
    offered = 0
    operatives: dict[int, list[int]] = defaultdict(list)
    for person, org in fetch(
        session,
        sa.select(col(User.id), col(User.organisation_id)).where(
            col(User.active).is_(True), member_role(mission_id) == Role.OPERATIVE.value
        ),
    ):
        if org is not None:
            operatives[org].append(person)
    if not operatives:
        return 0
    people = {p.id: p for p in _recipients(session, mission_id, roles=[Role.OPERATIVE])}
    own = {
        row[0]
        for row in fetch(
            session, sa.select(col(Period.id)).where(col(Period.mission_id) == mission_id)
        )
    }
    finished: set[int] | None = None
    for period in open_completeness(session, mission_id, today):
        kind = reminder_kind(today, period.due, days)
        if period.period_id not in own:
            continue  # another mission's period
        if kind is None:
            continue
        finished = finished if finished is not None else finished_initiatives(session, mission_id)
        rows = period.rows[period.rows["state"].isin(NOT_SENT)]
        for org, ids in operatives.items():
            mine = rows[rows["organisation_id"] == org]
            owed = owed_check_ins(session, mission_id, period.period_id, org, finished)
            if mine.empty and owed.empty:
                continue
            payload = {
                "period_id": period.period_id,
                "period": period.label,
                "due": period.due.isoformat() if period.due else None,
                "indicators": [f"{c} {n}" for c, n in zip(mine["code"], mine["name"], strict=True)],
                "check_ins": [
                    f"{c} {n}" for c, n in zip(owed["number"], owed["name"], strict=True)
                ],
            }
            key = f"{kind.value}:m{mission_id}:p{period.period_id}:{period.due}"
            recipients = [people[i] for i in ids if i in people]
            offered += enqueue(
                session,
                kind,
                recipients,
                "period",
                period.period_id,
                payload,
                mission_id=mission_id,
                now=now,
                dedup=key,
            )
    return offered


def _decision_mails(session: Session, today: dt.date, now: dt.datetime | None) -> int:
    """Each open decision near or past its due date, to its owner organisation's internal
    people in the decision's mission."""
    offered = 0
    query = sa.select(
        col(Decision.id),
        col(Decision.title),
        col(Decision.due),
        col(Decision.owner_org_id),
        col(Decision.mission_id),
    ).where(
        col(Decision.status).in_([DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS]),
        col(Decision.owner_org_id).is_not(None),
        col(Decision.due).is_not(None),
    )
    for decision_id, title, due, owner, mission_id in fetch(session, query):
        kind = decision_kind(today, due)
        if kind is None:
            continue
        people = _recipients(
            session, mission_id, col(User.organisation_id) == owner, roles=INTERNAL
        )
        payload = {"decision_id": decision_id, "title": title, "due": due.isoformat()}
        key = f"{kind.value}:d{decision_id}:{due}"
        offered += enqueue(
            session,
            kind,
            people,
            "decision",
            decision_id,
            payload,
            mission_id=mission_id,
            now=now,
            dedup=key,
        )
    return offered


# --- each person's choices (Konto) ------------------------------------------------------------
