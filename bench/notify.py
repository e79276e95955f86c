"""The e-mail sender on a benchmark database: one `python -m dashboard.notify --once` run with
1,000 queued events, through a real SMTP server on loopback (aiosmtpd).

The events go into the outbox the way the services write them (notifications.enqueue), each
to one of the database's people in turn (in a mission where they have a role, by that role),
so the run groups them into one mail per person; the run also computes the day's reminders
and due-date mails over the whole database, as every run does. Measured twice on a copy of
the database: run_once in this process (the sender's work), and the command itself in a new
process (what a cron job or systemd timer pays, interpreter and imports included).
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from bench.config import ROOT
from bench.databases import Database
from bench.smtp import smtp_server
from dashboard.db import get_engine, session_scope
from dashboard.notify import run_once
from dashboard.services.common import fetch
from dashboard.services.notifications import Recipient, enqueue
from dashboard.settings import Settings
from models import MissionRole, Role, User
from models.notifications import NotificationKind

EVENTS = 1000


@dataclass
class NotifyTiming:
    """What one database measured."""

    database: str
    events: int = EVENTS
    recipients: int = 0
    mails: int = 0  # mails the server received in the in-process run
    queue_ms: float = 0.0  # writing the 1,000 rows
    once_ms: float = 0.0  # run_once in this process
    command_ms: float = 0.0  # `python -m dashboard.notify --once`, start to exit
    command_mails: int = 0
    problems: list[str] = field(default_factory=list)


def _queue(engine: sa.Engine, people: list[tuple[int, Recipient]]) -> float:
    """Write EVENTS rows, one person after the other (values to approve for the operative
    group, published reports for the others); returns the ms taken."""
    start = time.perf_counter()
    with session_scope(write=True, engine=engine, data=False) as session:
        for n in range(EVENTS):
            mission_id, person = people[n % len(people)]
            if person.role == Role.OPERATIVE:  # a value to approve
                entry = {"entity": "indicator_value", "code": f"I{n}", "name": "Verdi", "value": n}
                payload = {"period_id": 1, "period": "2025", "entries": [entry], "count": 1}
                kind, entity = NotificationKind.ENTRY_SUBMITTED, "indicator_value"
            else:  # a published report
                payload = {"report_id": n, "period_id": 1, "period": "2025"}
                kind, entity = NotificationKind.REPORT_APPROVED, "status_report"
            enqueue(
                session,
                kind,
                [person],
                entity,
                n,
                payload | {"by": "Bench"},
                mission_id=mission_id,
            )
    return (time.perf_counter() - start) * 1000


def _internal(session: Session) -> list[tuple[int, Recipient]]:
    """Every active person with a role other than a partner's in some mission: (that mission,
    the person with that role there), one mission a person (their first)."""
    query = (
        sa.select(col(MissionRole.user_id), col(MissionRole.mission_id), col(MissionRole.role))
        .join(User, col(User.id) == MissionRole.user_id)
        .where(col(User.active).is_(True), col(MissionRole.role) != Role.PARTNER.value)
        .order_by(col(MissionRole.user_id), col(MissionRole.mission_id))
    )
    people: dict[int, tuple[int, Recipient]] = {}
    for user_id, mission_id, role in fetch(session, query):
        people.setdefault(user_id, (mission_id, Recipient(user_id, Role(role), None)))
    return list(people.values())


def measure(db: Database) -> NotifyTiming:
    """Queue and send 1,000 events twice on a copy of db: in process, then as the command."""
    timing = NotifyTiming(db.label)
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as directory:
        copy = Path(directory) / "notify.db"
        shutil.copy(db.path, copy)
        url = f"sqlite:///{copy}"
        engine = get_engine(url)
        try:
            with session_scope(engine=engine) as session:
                people = _internal(session)
            timing.recipients = len(people)
            with smtp_server() as inbox:
                settings = Settings(database_url=url, smtp_host="127.0.0.1", smtp_port=inbox.port)
                timing.queue_ms = _queue(engine, people)
                later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
                start = time.perf_counter()
                result = run_once(now=later, engine=engine, settings=settings)
                timing.once_ms = (time.perf_counter() - start) * 1000
                timing.mails = len(inbox.mails)
                if result.sent != EVENTS:
                    timing.problems.append(f"in process: {result.sent} of {EVENTS} rows sent")
                inbox.mails.clear()
                _queue(engine, people)
                time.sleep(1.1)  # the command's own clock must find them due
                env = {
                    **os.environ,
                    "DATABASE_URL": url,
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(inbox.port),
                }
                start = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "dashboard.notify", "--once"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                timing.command_ms = (time.perf_counter() - start) * 1000
                timing.command_mails = len(inbox.mails)
                if done.returncode != 0:
                    timing.problems.append(f"the command failed: {done.stderr[-500:]}")
        finally:
            engine.dispose()
            get_engine.cache_clear()
    return timing
