"""E-mail notifications: the outbox every event writes to, each person's choices, and the pure
rules of when a mail is due (a daily digest's hour, the back-off after a failure)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import Delivery, NotificationKind, OutboxStatus, Role, Topic
from models.fields import enum_column
from models.reporting import utcnow

OSLO = ZoneInfo("Europe/Oslo")
DIGEST_HOUR = 7  # a daily digest goes out at 07:00 Norwegian time
MAX_ATTEMPTS = 12  # then a mail is given up (failed), for the secretariat to look at
ERROR_MAX = 1000


K = NotificationKind
TOPIC_OF: dict[NotificationKind, Topic] = {
    K.ENTRY_SUBMITTED: Topic.TO_APPROVE,
    K.CORRECTION_WAITING: Topic.TO_APPROVE,
    K.ENTRY_RETURNED: Topic.RETURNED,
    K.REPORT_SUBMITTED: Topic.REPORTS,
    K.REPORT_RETURNED: Topic.REPORTS,
    K.REPORT_APPROVED: Topic.REPORTS,
    K.REMINDER_DUE: Topic.REMINDERS,
    K.REMINDER_OVERDUE: Topic.REMINDERS,
    K.DECISION_DUE: Topic.DECISIONS,
    K.DECISION_OVERDUE: Topic.DECISIONS,
}
# The topics a role can be told about (what Konto offers it).
ROLE_TOPICS: dict[Role, tuple[Topic, ...]] = {
    Role.PARTNER: (Topic.REPORTS,),
    Role.OPERATIVE: tuple(Topic),
    Role.STEERING: (Topic.REPORTS, Topic.DECISIONS),
    # The secretariat enters values by import: it is told when one is returned.
    Role.ADMIN: (Topic.RETURNED, Topic.REPORTS, Topic.DECISIONS),
}
# A partner reads published reports only: no other kind of mail ever goes to one.
PARTNER_KINDS = frozenset({K.REPORT_APPROVED})


WAITING = frozenset({OutboxStatus.QUEUED, OutboxStatus.RETRYING})


class OutboxMail(SQLModel, table=True):
    """One thing to tell one person, written in the transaction of the event it tells about;
    the sender groups a person's due rows into one mail."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    kind: NotificationKind = Field(sa_type=enum_column(NotificationKind))
    recipient_id: int = Field(foreign_key="user.id", index=True)
    # the mission the event happened in: the mail names it
    mission_id: int | None = Field(default=None, foreign_key="mission.id", index=True)
    entity: str = Field(max_length=60)
    entity_id: int | None = None
    # What the mail says (names, period, reason), as the recipient may read it.
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # Mails that follow from a date (reminders) are written once each: this names which.
    dedup_key: str | None = Field(default=None, max_length=200, unique=True)
    due_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    status: OutboxStatus = Field(
        default=OutboxStatus.QUEUED, sa_type=enum_column(OutboxStatus), index=True
    )
    attempts: int = Field(default=0, ge=0)
    last_error: str | None = Field(default=None, max_length=ERROR_MAX)
    # Set, with claimed_at, before the mail is handed to the mail server: a row that has one
    # and is not marked sent was perhaps sent, and is never sent again by itself.
    message_id: str | None = Field(default=None, max_length=250)
    claimed_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    sent_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


def delivery(choices: dict[str, str] | None, role: Role, topic: Topic) -> Delivery:
    """How a person with these stored choices and role gets a topic: what they chose, else at
    once for the topics of their role (partners ask for published reports themselves)."""
    if topic not in ROLE_TOPICS[role]:
        return Delivery.OFF
    chosen = (choices or {}).get(topic.value)
    if chosen is not None and chosen in {d.value for d in Delivery}:
        return Delivery(chosen)
    return Delivery.OFF if role == Role.PARTNER else Delivery.IMMEDIATE


def next_digest(now: dt.datetime) -> dt.datetime:
    """The next daily digest after now: DIGEST_HOUR o'clock in Oslo, in UTC."""
    local = now.astimezone(OSLO)
    at = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at = (local + dt.timedelta(days=1)).replace(
            hour=DIGEST_HOUR, minute=0, second=0, microsecond=0
        )
    return at.astimezone(dt.UTC)


def back_off(attempts: int) -> dt.timedelta:
    """How long to wait after the attempts-th failure: 1 minute, doubling, at most 6 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))
