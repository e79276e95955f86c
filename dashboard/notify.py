"""`python -m dashboard.notify [--once]`: send the outbox by e-mail (every minute, or once).

Each run first writes the reminders and due-date mails that today calls for, then sends every
due outbox row, one mail per person. A mail is claimed (its rows marked as being sent, with
the Message-ID it is about to carry) in one transaction before it is handed to the mail
server, and marked sent in another after: a sender killed in between leaves the rows claimed,
and a later run marks them uncertain (for the secretariat, with the Message-ID to look for
in the mail server's log) instead of sending them again. The mail goes in SMTP's steps: a
refusal before the message itself leaves the rows waiting, tried again after a back-off, with
the error kept; a connection lost while or after the message is handed over leaves them
uncertain at once. A mail server that cannot be reached leaves every row waiting without
counting it as a try. Every status change is guarded by the status (and the Message-ID) it
expects, so a second sender can never undo what the first did.
"""

import argparse
import contextlib
import datetime as dt
import logging
import smtplib
import ssl
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from email.utils import make_msgid, parseaddr
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col

from dashboard.db import session_scope
from dashboard.mail import Notice, compose
from dashboard.services import audit, notifications
from dashboard.services.common import fetch
from dashboard.services.permissions import Actor
from dashboard.settings import Settings, get_settings
from models import Mission, OutboxMail, Role, User
from models.notifications import (
    ERROR_MAX,
    MAX_ATTEMPTS,
    OSLO,
    PARTNER_KINDS,
    TOPIC_OF,
    WAITING,
    Delivery,
    NotificationKind,
    OutboxStatus,
    back_off,
    delivery,
    next_digest,
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
WAITING_VALUES = [s.value for s in WAITING]


class Row(NamedTuple):
    """One due outbox row, with its mission and the recipient's role in it as they are now."""

    id: int
    kind: NotificationKind
    entity: str
    entity_id: int | None
    payload: dict[str, Any]
    mission_id: int | None = None
    mission_key: str | None = None
    mission: str | None = None  # its name, as the mail gives it
    role: Role | None = None  # None: no longer one of the mission's people


@dataclass
class Batch:
    """One person's due rows (of one mission or several): what goes out as one mail."""

    recipient_id: int
    email: str
    name: str
    language: str
    active: bool
    choices: dict[str, str] | None = None  # the person's Konto choices, read at sending
    rows: list[Row] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]


@dataclass
class RunResult:
    """What one run did."""

    mails: int = 0  # mails the server accepted
    sent: int = 0  # outbox rows they told
    failed: int = 0  # rows that failed this run (waiting for another try, or given up)
    dropped: int = 0
    uncertain: int = 0
    waiting: int = 0  # rows left waiting without SMTP_HOST
    rescheduled: int = 0  # rows moved to (or from) the daily digest after a changed choice


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
    batches = _sort_out(engine, _due(engine, now, settings.language), now, result)
    if not batches:
        return result  # nothing to send: no connection, no login
    if not settings.smtp_host:
        result.waiting = sum(len(b.rows) for b in batches)
        return result
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        result.failed = _unreachable(engine, [i for b in batches for i in b.ids], now, exc)
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


@dataclass
class Due:
    """The rows _due read, with the times _sort_out needs: (row, created, due)."""

    batches: list[Batch]
    times: dict[int, tuple[dt.datetime, dt.datetime]]


def _due(engine: Engine | None, now: dt.datetime, default: str) -> Due:
    """The waiting rows due by now, and the queued ones waiting for a daily digest (the person
    may have chosen to be told at once since), grouped by recipient (default: the language of
    those who chose none), each with its mission and the recipient's role there now."""
    query = (
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.kind,
            OUTBOX.c.entity,
            OUTBOX.c.entity_id,
            OUTBOX.c.payload,
            OUTBOX.c.created_at,
            OUTBOX.c.due_at,
            col(User.id),
            col(User.email),
            col(User.name),
            col(User.language),
            col(User.active),
            col(User.notifications),
            OUTBOX.c.mission_id,
            notifications.member_role(OUTBOX.c.mission_id),
            col(Mission.key),
            sa.func.coalesce(col(Mission.short_title), col(Mission.title)),
        )
        .join(User, col(User.id) == OUTBOX.c.recipient_id)
        .outerjoin(Mission, col(Mission.id) == OUTBOX.c.mission_id)
        .where(
            OUTBOX.c.status.in_(WAITING_VALUES),
            (OUTBOX.c.due_at <= now) | (OUTBOX.c.status == S.QUEUED.value),
        )
        .order_by(OUTBOX.c.recipient_id, OUTBOX.c.id)
        .limit(BATCH_LIMIT)
    )
    batches: dict[int, Batch] = {}
    times: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    with session_scope(engine=engine) as session:
        for (
            row_id,
            kind,
            entity,
            entity_id,
            payload,
            created,
            due,
            uid,
            email,
            name,
            lang,
            active,
            choices,
            mission_id,
            role,
            mission_key,
            mission,
        ) in fetch(session, query):
            batch = batches.setdefault(
                uid, Batch(uid, email, name, lang or default, bool(active), choices)
            )
            batch.rows.append(
                Row(
                    row_id,
                    NotificationKind(kind),
                    entity,
                    entity_id,
                    payload,
                    mission_id,
                    mission_key,
                    mission,
                    None if role is None else Role(role),
                )
            )
            times[row_id] = (_aware(created), _aware(due))
    return Due(list(batches.values()), times)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A stored time in UTC (SQLite gives it back without its zone)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _sort_out(engine: Engine | None, due: Due, now: dt.datetime, result: RunResult) -> list[Batch]:
    """What is to be sent now, by the recipient's account, role in the row's mission and
    choices as they are now: rows a deactivated person, someone no longer in the mission, a
    partner there (anything but a published report) or a person who turned the topic off may
    not get are dropped; a row whose topic moved to the daily digest waits
    for it, one whose topic moved from the digest to «at once» goes now."""
    sendable: list[Batch] = []
    drop: list[int] = []
    later: dict[int, dt.datetime] = {}
    for batch in due.batches:
        rows: list[Row] = []
        for row in batch.rows:
            row_id, kind, role = row.id, row.kind, row.role
            how = Delivery.OFF if role is None else delivery(batch.choices, role, TOPIC_OF[kind])
            may = batch.active and (role != Role.PARTNER or kind in PARTNER_KINDS)
            if not may or how == Delivery.OFF:
                drop.append(row_id)
                continue
            created, due_at = due.times[row_id]
            wanted = created if how == Delivery.IMMEDIATE else next_digest(created)
            if wanted > now:
                if wanted != due_at:
                    later[row_id] = wanted
                continue
            if due_at > now and how != Delivery.IMMEDIATE:
                continue  # a digest row not yet due (a queued row is read to see this)
            rows.append(row)
        if rows:
            sendable.append(
                Batch(
                    batch.recipient_id,
                    batch.email,
                    batch.name,
                    batch.language,
                    batch.active,
                    batch.choices,
                    rows,
                )
            )
    if drop:
        result.dropped += _drop(engine, drop)
    if later:
        result.rescheduled += _reschedule(engine, later)
    return sendable


class InsecureLogin(smtplib.SMTPException):
    """A login the sender refuses: the password would cross the network unencrypted."""


def _connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the mail server, with STARTTLS (the server's certificate verified) and
    a login when configured; never a login with the password in clear text to a server that is
    not on this machine (Settings.smtp_login_refused)."""
    assert settings.smtp_host
    if settings.smtp_login_refused:
        raise InsecureLogin(
            "Refusing to log in: SMTP_USER is set but SMTP_STARTTLS is off, so the password "
            f"would go unencrypted to {settings.smtp_host}. Set SMTP_STARTTLS=true, or "
            "SMTP_ALLOW_PLAINTEXT_LOGIN=true for a server on a network you trust."
        )
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
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
    """Claim, send and mark one person's mail; False when the connection is lost or its state
    is unknown."""
    ids = batch.ids
    sender = parseaddr(settings.mail_from)[1] or settings.mail_from
    message_id = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message = compose(
        [
            Notice(row.kind, row.payload, row.mission_key, row.mission, row.role == Role.ADMIN)
            for row in batch.rows
        ],
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
        _envelope(smtp, sender, batch.email)
    except (
        smtplib.SMTPResponseException,
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPNotSupportedError,
    ) as exc:  # the server refused this mail: not sent; the connection takes the next
        result.failed += _failed(engine, ids, message_id, now, exc)
        return True
    except (smtplib.SMTPException, OSError) as exc:  # lost before the message: not sent
        result.failed += _failed(engine, ids, message_id, now, exc)
        return False
    try:
        code, reply = smtp.data(_wire(message, sender, batch.email))
    except smtplib.SMTPDataError as exc:  # refused before the message was handed over
        result.failed += _failed(engine, ids, message_id, now, exc)
        _reset(smtp)
        return True
    except (smtplib.SMTPException, OSError) as exc:  # perhaps the server has it: never again
        result.uncertain += _uncertain(engine, ids, message_id, exc)
        return False
    if code != 250:  # the server answered, and refused it
        result.failed += _failed(engine, ids, message_id, now, smtplib.SMTPDataError(code, reply))
        _reset(smtp)
        return True
    _mark_sent(engine, batch, batch.rows, message_id, now)
    result.mails += 1
    result.sent += len(ids)
    return True


def _international(*addresses: str) -> bool:
    return not all(address.isascii() for address in addresses)


def _envelope(smtp: smtplib.SMTP, sender: str, to: str) -> None:
    """MAIL FROM and RCPT TO, raising what smtplib's sendmail raises when refused."""
    smtp.ehlo_or_helo_if_needed()
    options: list[str] = []
    if _international(sender, to):
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("The mail server does not take SMTPUTF8")
        options = ["SMTPUTF8", "BODY=8BITMIME"]
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(to)
    if code not in (250, 251):
        _reset(smtp)
        raise smtplib.SMTPRecipientsRefused({to: (code, reply)})


def _wire(message: Any, sender: str, to: str) -> bytes:
    """The message as it goes over the wire (as smtplib's send_message flattens it)."""
    policy = message.policy.clone(linesep="\r\n", utf8=_international(sender, to))
    return bytes(message.as_bytes(policy=policy))


def _reset(smtp: smtplib.SMTP) -> None:
    """RSET after a refusal, so the connection takes the next mail; a lost one is found then."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()


def _claim(engine: Engine | None, ids: list[int], message_id: str, now: dt.datetime) -> bool:
    """Mark rows as being sent with message_id, unless another sender has taken any of them."""
    try:
        with session_scope(write=True, engine=engine, data=False) as session:
            claimed = session.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status.in_(WAITING_VALUES))
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
    rows: list[Row],
    message_id: str,
    now: dt.datetime,
) -> None:
    """Record the mail as sent, and in the audit log of each row's mission each entry, report,
    period or decision it told about (recipient, kind, object; no body): only the rows still
    carrying this mail's Message-ID (being sent, or marked uncertain meanwhile by a sender that
    thought this one stopped)."""
    with session_scope(write=True, engine=engine, data=False) as session:
        marked = {
            row[0]
            for row in session.execute(
                sa.update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_([row.id for row in rows]),
                    OUTBOX.c.message_id == message_id,
                    OUTBOX.c.status.in_([S.SENDING.value, S.UNCERTAIN.value]),
                )
                .values(status=S.SENT.value, sent_at=now, last_error=None)
                .returning(OUTBOX.c.id)
            )
        }
        if len(marked) != len(rows):
            LOG.warning(
                "%d of the rows of mail %s were changed by someone else while it was sent",
                len(rows) - len(marked),
                message_id,
            )
        events: dict[int | None, list[audit.Event]] = defaultdict(list)
        for row in rows:
            if row.id not in marked:
                continue
            events[row.mission_id] += [
                audit.Event(
                    "mail_sent",
                    row.entity,
                    told_id,
                    after={
                        "recipient": batch.email,
                        "kind": row.kind.value,
                        "outbox_id": row.id,
                        "message_id": message_id,
                    },
                )
                for told_id in (row.payload.get("ids") or [row.entity_id])
            ]
        for mission_id, told in events.items():
            audit.record_many(session, replace(SENDER, mission_id=mission_id), told)


def _failed(
    engine: Engine | None,
    ids: list[int],
    message_id: str,
    now: dt.datetime,
    error: BaseException,
) -> int:
    """Count a try on each row this sender claimed with message_id: waiting again after a
    back-off, or given up after MAX_ATTEMPTS; keep the error. Returns how many rows."""
    if not ids:
        return 0
    text = audit.bounded(f"{type(error).__name__}: {error}", ERROR_MAX)
    claimed = (OUTBOX.c.message_id == message_id) & (OUTBOX.c.status == S.SENDING.value)
    with session_scope(write=True, engine=engine, data=False) as session:
        attempts = dict(
            fetch(
                session,
                sa.select(OUTBOX.c.id, OUTBOX.c.attempts).where(OUTBOX.c.id.in_(ids), claimed),
            )
        )
        rows = [
            {
                "_id": row_id,
                "_message_id": message_id,
                "attempts": tried + 1,
                "status": (S.FAILED if tried + 1 >= MAX_ATTEMPTS else S.RETRYING).value,
                "due_at": now + back_off(tried + 1),
                "last_error": text,
            }
            for row_id, tried in attempts.items()
        ]
        if rows:
            session.execute(
                sa.update(OUTBOX)
                .where(
                    OUTBOX.c.id == sa.bindparam("_id"),
                    OUTBOX.c.message_id == sa.bindparam("_message_id"),
                    OUTBOX.c.status == S.SENDING.value,
                )
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
    return len(rows)


def _unreachable(
    engine: Engine | None, ids: list[int], now: dt.datetime, error: BaseException
) -> int:
    """The mail server could not be reached (or a login was refused) before anything was
    claimed: the rows still waiting wait on, tried again next minute, with the error kept and
    no try counted, so an outage of any length gives nothing up."""
    if not ids:
        return 0
    text = audit.bounded(f"{type(error).__name__}: {error}", ERROR_MAX)
    with session_scope(write=True, engine=engine, data=False) as session:
        changed = session.execute(
            sa.update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(ids),
                OUTBOX.c.status.in_(WAITING_VALUES),
                OUTBOX.c.due_at <= now,
            )
            .values(status=S.RETRYING.value, due_at=now + back_off(1), last_error=text)
        )
    return int(getattr(changed, "rowcount", 0) or 0)


def _uncertain(engine: Engine | None, ids: list[int], message_id: str, error: BaseException) -> int:
    """The connection failed while the message was handed over or its answer awaited: perhaps
    the server has it, so it is never sent again by itself."""
    text = audit.bounded(
        f"{type(error).__name__}: {error}. The connection failed while the mail was handed to "
        "the mail server; not sent again. Look for its Message-ID in the mail server's log.",
        ERROR_MAX,
    )
    with session_scope(write=True, engine=engine, data=False) as session:
        changed = session.execute(
            sa.update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(ids),
                OUTBOX.c.message_id == message_id,
                OUTBOX.c.status == S.SENDING.value,
            )
            .values(status=S.UNCERTAIN.value, last_error=text)
        )
    count = int(getattr(changed, "rowcount", 0) or 0)
    LOG.warning("Mail %s may or may not have been delivered (%s); not sent again", message_id, text)
    return count


def _drop(engine: Engine | None, ids: list[int]) -> int:
    """Mark waiting rows the recipient may no longer be told (deactivated, a partner's draft)
    or no longer wants (the topic turned off on Konto); rows another sender has claimed or
    sent meanwhile are left as they are."""
    with session_scope(write=True, engine=engine, data=False) as session:
        changed = session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status.in_(WAITING_VALUES))
            .values(
                status=S.DROPPED.value,
                last_error="Not sent: the recipient may not be told this now, or turned it off.",
            )
        )
    return int(getattr(changed, "rowcount", 0) or 0)


def _reschedule(engine: Engine | None, due: dict[int, dt.datetime]) -> int:
    """Move waiting rows to a new due time (their recipient's digest choice changed)."""
    with session_scope(write=True, engine=engine, data=False) as session:
        session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == sa.bindparam("_id"), OUTBOX.c.status.in_(WAITING_VALUES))
            .values(due_at=sa.bindparam("due_at")),
            [{"_id": row_id, "due_at": at} for row_id, at in due.items()],
        )
    return len(due)


def where_mail_goes(settings: Settings | None = None) -> str:
    """One line saying where mail would go, for the start-up message of `make run`."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        return (
            "E-mail: SMTP_HOST is not set, so nothing is sent; notifications wait in the outbox "
            "(Administrasjon → Utboks). See README, 'E-post og varsler'."
        )
    if settings.smtp_login_refused:
        return (
            f"E-mail: nothing is sent: SMTP_USER is set but SMTP_STARTTLS is off, and the "
            f"sender refuses to send the password unencrypted to {settings.smtp_host}. Set "
            "SMTP_STARTTLS=true (or SMTP_ALLOW_PLAINTEXT_LOGIN=true for a trusted network)."
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
                "%d rescheduled, %d waiting without SMTP_HOST",
                result.mails,
                result.sent,
                result.failed,
                result.dropped,
                result.uncertain,
                result.rescheduled,
                result.waiting,
            )
        if args.once:
            return 0
        time.sleep(INTERVAL_S)


if __name__ == "__main__":
    sys.exit(main())
