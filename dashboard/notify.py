"""`python -m dashboard.notify [--once]`: send the outbox by e-mail (every minute, or once).

Each run first writes the reminders and due-date mails that today calls for, then sends every
due outbox row, one mail per person. A mail is claimed (its rows marked as being sent, with
the Message-ID it is about to carry) in one transaction before it is handed to the mail
server, and marked sent in another after: a sender killed in between leaves the rows claimed,
and a later run marks them uncertain (for the secretariat, with the Message-ID to look for
in the mail server's log) instead of sending them again. A mail server that is down or
refuses a mail leaves the rows waiting, tried again after a back-off, with the error kept.
"""

import argparse
import datetime as dt
import logging
import smtplib
import sys
import time
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col

from dashboard.db import session_scope
from dashboard.mail import Notice, compose
from dashboard.services import audit, notifications
from dashboard.services.common import fetch
from dashboard.services.permissions import Actor
from dashboard.settings import Settings, get_settings
from models import OutboxMail, Role, User
from models.notifications import (
    ERROR_MAX,
    MAX_ATTEMPTS,
    OSLO,
    PARTNER_KINDS,
    WAITING,
    NotificationKind,
    OutboxStatus,
    back_off,
)
from models.reporting import utcnow

LOG = logging.getLogger("dashboard.notify")
INTERVAL_S = 60
# A claim older than this belongs to a sender that stopped (a send takes seconds).
CLAIM_LEASE = dt.timedelta(minutes=10)
SMTP_TIMEOUT_S = 30
BATCH_LIMIT = 5000  # rows read per run; the rest go on the next
SENDER = Actor(id=None, email="dashboard.notify", role=Role.ADMIN)  # who the audit names
OUTBOX = OutboxMail.__table__  # type: ignore[attr-defined]
S = OutboxStatus


@dataclass
class Batch:
    """One person's due rows: what goes out as one mail."""

    recipient_id: int
    email: str
    name: str
    language: str
    role: Role
    active: bool
    rows: list[tuple[int, NotificationKind, str, int | None, dict[str, Any]]] = field(
        default_factory=list
    )  # (outbox id, kind, entity, entity id, payload)

    @property
    def ids(self) -> list[int]:
        return [row[0] for row in self.rows]


@dataclass
class RunResult:
    """What one run did."""

    mails: int = 0  # mails the server accepted
    sent: int = 0  # outbox rows they told
    failed: int = 0  # rows that failed this run (waiting for another try, or given up)
    dropped: int = 0
    uncertain: int = 0
    waiting: int = 0  # rows left waiting without SMTP_HOST


def run_once(
    *,
    now: dt.datetime | None = None,
    engine: Engine | None = None,
    settings: Settings | None = None,
) -> RunResult:
    """Write today's reminders, then send every due row; returns what was done."""
    settings = settings or get_settings()
    now = (now or utcnow()).astimezone(dt.UTC)
    result = RunResult()
    with session_scope(write=True, engine=engine, data=False) as session:
        notifications.due_mails(
            session, now.astimezone(OSLO).date(), reminder_days=settings.reminder_days, now=now
        )
        result.uncertain = _stale_claims(session, now)
    batches = _due(engine, now, settings.language)
    if not settings.smtp_host:
        result.waiting = sum(len(b.rows) for b in batches)
        return result
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        result.failed = _failed(engine, [i for b in batches for i in b.ids], now, exc)
        LOG.warning("The mail server cannot be reached (%s); will try again", exc)
        return result
    with smtp:
        for batch in batches:
            if not _send(smtp, batch, settings, now, engine, result):
                break
    return result


def _stale_claims(session: Any, now: dt.datetime) -> int:
    """Mark rows claimed longer than CLAIM_LEASE ago uncertain: perhaps sent, never again."""
    stale = session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.status == S.SENDING.value, OUTBOX.c.claimed_at < now - CLAIM_LEASE)
        .values(
            status=S.UNCERTAIN.value,
            last_error="The sender stopped between handing the mail to the mail server and "
            "recording it; not sent again. Look for its Message-ID in the mail server's log.",
        )
    )
    count = int(getattr(stale, "rowcount", 0) or 0)
    if count:
        LOG.warning("%d outbox rows were left being sent by a sender that stopped", count)
    return count


def _due(engine: Engine | None, now: dt.datetime, default: str) -> list[Batch]:
    """The waiting rows due by now, grouped by recipient (default: the language of those who
    chose none)."""
    query = (
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.kind,
            OUTBOX.c.entity,
            OUTBOX.c.entity_id,
            OUTBOX.c.payload,
            col(User.id),
            col(User.email),
            col(User.name),
            col(User.language),
            col(User.role),
            col(User.active),
        )
        .join(User, col(User.id) == OUTBOX.c.recipient_id)
        .where(OUTBOX.c.status.in_([s.value for s in WAITING]), OUTBOX.c.due_at <= now)
        .order_by(OUTBOX.c.recipient_id, OUTBOX.c.id)
        .limit(BATCH_LIMIT)
    )
    batches: dict[int, Batch] = {}
    with session_scope(engine=engine) as session:
        for row_id, kind, entity, entity_id, payload, uid, email, name, lang, role, active in fetch(
            session, query
        ):
            batch = batches.setdefault(
                uid, Batch(uid, email, name, lang or default, Role(role), bool(active))
            )
            batch.rows.append((row_id, NotificationKind(kind), entity, entity_id, payload))
    return list(batches.values())


def _connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the mail server, with STARTTLS and a login when configured."""
    assert settings.smtp_host
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send(
    smtp: smtplib.SMTP,
    batch: Batch,
    settings: Settings,
    now: dt.datetime,
    engine: Engine | None,
    result: RunResult,
) -> bool:
    """Claim, send and mark one person's mail; False when the connection is lost."""
    allowed = [
        row
        for row in batch.rows
        if batch.active and (batch.role != Role.PARTNER or row[1] in PARTNER_KINDS)
    ]
    if dropped := [row[0] for row in batch.rows if row not in allowed]:
        result.dropped += _drop(engine, dropped)
    if not allowed:
        return True
    ids = [row[0] for row in allowed]
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    message_id = make_msgid(domain=domain)
    message = compose(
        [Notice(kind, payload) for _, kind, _, _, payload in allowed],
        to=batch.email,
        name=batch.name,
        lang=batch.language,
        sender=settings.mail_from,
        base_url=settings.app_base_url,
        message_id=message_id,
    )
    if not _claim(engine, ids, message_id, now):
        return True  # another sender took them
    try:
        smtp.send_message(message)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        result.failed += _failed(engine, ids, now, exc)  # the server refused this mail
        return True
    except (smtplib.SMTPException, OSError) as exc:
        result.failed += _failed(engine, ids, now, exc)
        return False
    _mark_sent(engine, batch, allowed, message_id, now)
    result.mails += 1
    result.sent += len(ids)
    return True


def _claim(engine: Engine | None, ids: list[int], message_id: str, now: dt.datetime) -> bool:
    """Mark rows as being sent with message_id, unless another sender has taken any of them."""
    try:
        with session_scope(write=True, engine=engine, data=False) as session:
            claimed = session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status.in_([s.value for s in WAITING]))
                .values(status=S.SENDING.value, message_id=message_id, claimed_at=now)
            )
            if getattr(claimed, "rowcount", 0) != len(ids):
                raise _Taken  # rolls the claim back
    except _Taken:
        return False
    return True


class _Taken(Exception):
    """Another sender claimed some of the rows first."""


def _mark_sent(
    engine: Engine | None,
    batch: Batch,
    rows: list[tuple[int, NotificationKind, str, int | None, dict[str, Any]]],
    message_id: str,
    now: dt.datetime,
) -> None:
    """Record the mail as sent, each row in the audit log (recipient, kind, object; no body)."""
    with session_scope(write=True, engine=engine, data=False) as session:
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_([row[0] for row in rows]), OUTBOX.c.message_id == message_id)
            .values(status=S.SENT.value, sent_at=now, last_error=None)
        )
        audit.record_many(
            session,
            SENDER,
            [
                audit.Event(
                    "mail_sent",
                    entity,
                    entity_id,
                    after={
                        "recipient": batch.email,
                        "kind": kind.value,
                        "outbox_id": row_id,
                        "message_id": message_id,
                    },
                )
                for row_id, kind, entity, entity_id, _ in rows
            ],
        )


def _failed(engine: Engine | None, ids: list[int], now: dt.datetime, error: BaseException) -> int:
    """Count an attempt on each row: waiting again after a back-off, or given up; keep the error."""
    if not ids:
        return 0
    text = audit.bounded(f"{type(error).__name__}: {error}", ERROR_MAX)
    with session_scope(write=True, engine=engine, data=False) as session:
        attempts = dict(
            fetch(session, sa.select(OUTBOX.c.id, OUTBOX.c.attempts).where(OUTBOX.c.id.in_(ids)))
        )
        rows = [
            {
                "_id": row_id,
                "attempts": tried + 1,
                "status": (S.FAILED if tried + 1 >= MAX_ATTEMPTS else S.RETRYING).value,
                "due_at": now + back_off(tried + 1),
                "last_error": text,
            }
            for row_id, tried in attempts.items()
        ]
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == sa.bindparam("_id"))
            .values(
                attempts=sa.bindparam("attempts"),
                status=sa.bindparam("status"),
                due_at=sa.bindparam("due_at"),
                last_error=sa.bindparam("last_error"),
                message_id=None,
                claimed_at=None,
            ),
            rows,
        )
    return len(ids)


def _drop(engine: Engine | None, ids: list[int]) -> int:
    """Mark rows the recipient may no longer be told (deactivated, or a partner's draft)."""
    with session_scope(write=True, engine=engine, data=False) as session:
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(status=S.DROPPED.value, last_error="The recipient may not be told this now.")
        )
    return len(ids)


def where_mail_goes(settings: Settings | None = None) -> str:
    """One line saying where mail would go, for the start-up message of `make run`."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        return (
            "E-mail: SMTP_HOST is not set, so nothing is sent; notifications wait in the outbox "
            "(Administrasjon → Utboks). See README, 'E-post og varsler'."
        )
    tls = ", STARTTLS" if settings.smtp_starttls else ""
    return (
        f"E-mail: python -m dashboard.notify sends from {settings.mail_from} through "
        f"{settings.smtp_host}:{settings.smtp_port}{tls}; links point to {settings.app_base_url}"
    )


def main(argv: list[str] | None = None) -> int:
    """Send once (--once) or every minute until stopped."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.notify", description=__doc__)
    parser.add_argument("--once", action="store_true", help="send what is due, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    LOG.info(where_mail_goes())
    while True:
        try:
            result = run_once()
        except Exception:
            if args.once:
                raise
            LOG.exception("The run failed; trying again in %d s", INTERVAL_S)
        else:
            LOG.info(
                "%d mails sent (%d notifications), %d failed, %d dropped, %d uncertain, "
                "%d waiting without SMTP_HOST",
                result.mails,
                result.sent,
                result.failed,
                result.dropped,
                result.uncertain,
                result.waiting,
            )
        if args.once:
            return 0
        time.sleep(INTERVAL_S)


if __name__ == "__main__":
    sys.exit(main())
