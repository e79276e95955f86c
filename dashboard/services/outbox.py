"""The outbox as the secretariat sees it: the mails of the mission shown, their state, and
sending a failed one again."""

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.commands import authorize, command
from dashboard.services.common import fetch, frame_of
from dashboard.services.notifications import OUTBOX
from dashboard.services.permissions import Action, Actor
from models import User
from models.notifications import OutboxMail, OutboxStatus
from models.reporting import utcnow


def _of_mission(actor: Actor) -> sa.ColumnElement[bool]:
    """The outbox rows of the actor's mission (its secretariat sees and sends those only; an
    actor of no mission, the command line, all)."""
    if actor.mission_id is None:
        return sa.true()
    return col(OutboxMail.mission_id) == actor.mission_id


OUTBOX_COLUMNS = [
    "id",
    "created_at",
    "kind",
    "recipient",
    "status",
    "attempts",
    "due_at",
    "sent_at",
    "last_error",
    "message_id",
]


def outbox_table(
    actor: Actor,
    *,
    statuses: Sequence[OutboxStatus] = (),
    limit: int = 500,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """The newest outbox rows of the actor's mission (of statuses, when given) with their
    recipient (admin only)."""
    authorize(actor, Action.READ_AUDIT, engine=engine)
    query = (
        sa.select(
            col(OutboxMail.id),
            col(OutboxMail.created_at),
            col(OutboxMail.kind),
            col(User.email),
            col(OutboxMail.status),
            col(OutboxMail.attempts),
            col(OutboxMail.due_at),
            col(OutboxMail.sent_at),
            col(OutboxMail.last_error),
            col(OutboxMail.message_id),
        )
        .join(User, col(User.id) == OutboxMail.recipient_id)
        .where(_of_mission(actor))
        .order_by(col(OutboxMail.id).desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(col(OutboxMail.status).in_([s.value for s in statuses]))
    with session_scope(engine=engine) as session:
        return frame_of(fetch(session, query), OUTBOX_COLUMNS)


def outbox_counts(actor: Actor, *, engine: Engine | None = None) -> dict[OutboxStatus, int]:
    """How many outbox rows of the actor's mission are in each status (admin only)."""
    authorize(actor, Action.READ_AUDIT, engine=engine)
    query = (
        sa.select(col(OutboxMail.status), sa.func.count())
        .where(_of_mission(actor))
        .group_by(col(OutboxMail.status))
    )
    with session_scope(engine=engine) as session:
        found = dict(fetch(session, query))
    return {status: int(found.get(status.value, 0)) for status in OutboxStatus}


def send_all_again(actor: Actor, *, engine: Engine | None = None) -> int:
    """Queue every failed mail of the actor's mission again (after an outage that gave them up;
    uncertain ones are left for a look each), to be sent on the sender's next run (admin);
    returns how many."""
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        failed = [
            (row_id, attempts)
            for row_id, attempts in fetch(
                session,
                sa.select(col(OutboxMail.id), col(OutboxMail.attempts)).where(
                    col(OutboxMail.status) == OutboxStatus.FAILED.value, _of_mission(actor)
                ),
            )
        ]
        if not failed:
            return 0
        session.execute(
            sa.update(OUTBOX)
            .where(
                OUTBOX.c.id.in_([row_id for row_id, _ in failed]),
                OUTBOX.c.status == OutboxStatus.FAILED.value,
            )
            .values(
                status=OutboxStatus.QUEUED.value,
                attempts=0,
                due_at=utcnow(),
                message_id=None,
                claimed_at=None,
            )
        )
        audit.record_many(
            session,
            actor,
            [
                audit.Event(
                    "send_again",
                    "outbox",
                    row_id,
                    before={"status": "failed", "attempts": attempts},
                    after={"status": "queued"},
                )
                for row_id, attempts in failed
            ],
        )
        return len(failed)


def send_again(actor: Actor, outbox_id: int, *, engine: Engine | None = None) -> None:
    """Queue a failed or uncertain mail of the actor's mission again, to be sent on the
    sender's next run (admin); LookupError when it is neither (any more), or another mission's."""
    with command(actor, Action.MANAGE_USERS, engine=engine) as session:
        row = session.get(OutboxMail, outbox_id)
        theirs = row is not None and actor.mission_id not in (None, row.mission_id)
        if row is None or theirs or row.status not in (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN):
            raise LookupError("not a failed or uncertain mail")
        before = {"status": row.status, "attempts": row.attempts}
        row.status, row.attempts, row.due_at = OutboxStatus.QUEUED, 0, utcnow()
        row.message_id = row.claimed_at = None
        audit.record(
            session,
            actor,
            "send_again",
            "outbox",
            row.id,
            before=before,
            after={"status": "queued"},
        )
