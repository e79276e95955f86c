"""E-mail notifications (issue 16): each event tells the right people through the outbox, and
the sender delivers it through a real SMTP server (aiosmtpd, started here) exactly once, in the
recipient's language, with a link to the exact page; a partner never reads a draft figure; a
mail server that is down or a sender killed mid-send loses nothing and sends nothing twice.
Runs on SQLite and PostgreSQL (the world fixture's engine)."""

import datetime as dt
import ipaddress
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select
from support.databases import url_of
from support.smtp import Inbox, Received, free_port, smtp_server

from dashboard.db import session_scope
from dashboard.notify import CLAIM_LEASE, run_once
from dashboard.services import missions, notification_choices, notifications
from dashboard.services import outbox as outbox_view
from dashboard.services.decisions import record_decision
from dashboard.services.notification_choices import save_preferences
from dashboard.services.outbox import outbox_table, send_again
from dashboard.services.permissions import Actor
from dashboard.services.reporting import return_value, save_value, submit_check_in, submit_value
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    return_report,
    submit_report,
    update_texts,
)
from dashboard.settings import Settings
from models import (
    AuditEvent,
    Frequency,
    Indicator,
    Initiative,
    InitiativeOrganisation,
    Mission,
    Organisation,
    OrganisationRole,
    OutboxMail,
    Period,
    Role,
    User,
)
from models.notifications import (
    Delivery,
    NotificationKind,
    OutboxStatus,
    Topic,
    back_off,
    next_digest,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://dashbord.example.no"
K = NotificationKind


def soon() -> dt.datetime:
    """A minute from now: events are written at the real time, so a run then finds them due."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def settings_for(port: int, **more: Any) -> Settings:
    """The sender's settings for a mail server on loopback at port."""
    chosen: dict[str, Any] = {"mail_from": "dashbord@example.no", "app_base_url": BASE} | more
    return Settings(smtp_host="127.0.0.1", smtp_port=port, **chosen)


def send(world: Any, inbox: Inbox, now: dt.datetime | None = None, **more: Any) -> Any:
    """One sender run against the test's mail server (a minute from now, unless told)."""
    return run_once(
        now=now or soon(), engine=world.engine, settings=settings_for(inbox.port, **more)
    )


def submitted(world: Any, who: str, value: str, *, indicator: int = 0) -> Any:
    """A value saved and submitted by who."""
    actor = world.actors[who]
    row = world.save(actor, {"value": value}, indicator=indicator)
    return submit_value(actor, row.id, row.version, engine=world.engine)


def outbox(world: Any) -> list[OutboxMail]:
    with session_scope(engine=world.engine) as session:
        return list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


def email(who: str) -> str:
    return f"{who}@example.no"


def set_role(world: Any, who: str, role: Role, mission: int | None = None) -> None:
    """Give who role in mission (the world's, unless told)."""
    with session_scope(write=True, engine=world.engine) as session:
        missions.set_role(session, world.actors[who].id, mission or world.mission, role)


def set_due(world: Any, due: dt.date) -> None:
    with session_scope(write=True, engine=world.engine) as session:
        period = session.get(Period, world.period)
        assert period is not None
        period.due = due


# --- values and check-ins ---------------------------------------------------------------------


def test_a_submitted_value_mails_the_approvers_never_the_submitter(
    world: Any, inbox: Inbox
) -> None:
    submitted(world, "udir_a", "4242")
    result = send(world, inbox)
    assert result.mails == 2
    assert sorted(r for mail in inbox.mails for r in mail.recipients) == [
        email("nav"),
        email("udir_b"),
    ]
    assert inbox.to(email("udir_a")) == []  # the submitter
    (mail,) = inbox.to(email("udir_b"))
    assert mail.message["Subject"] == "1 registrering venter på godkjenning (2025)"
    text, html = mail.part("plain"), mail.part("html")
    link = f"{BASE}/rapportering?periode={world.period}&oppdrag=m"  # in its mission
    assert link in text and f'href="{escape(link)}"' in html
    assert "Samfunnsoppdrag: Oppdraget" in text and "<h2>Samfunnsoppdrag: Oppdraget</h2>" in html
    assert "C Antall: 4\u00a0242" in text and "Sendt inn av udir_a" in text  # bokmål, by default
    assert mail.message["From"] == "dashbord@example.no"
    assert mail.message["Message-ID"]


def test_every_sent_mail_is_in_the_audit_log_without_its_body(world: Any, inbox: Inbox) -> None:
    value = submitted(world, "udir_a", "4242")
    send(world, inbox)
    with session_scope(engine=world.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "mail_sent")).all()
    assert sorted(r.after["recipient"] for r in rows if r.after) == [email("nav"), email("udir_b")]
    for row in rows:
        assert (row.entity, row.entity_id) == ("indicator_value", str(value.id))
        assert row.after and row.after["kind"] == "entry_submitted"
        assert "4242" not in str(row.after) and "4\u00a0242" not in str(row.after)


def test_one_mail_per_person_per_run_however_many_events(world: Any, inbox: Inbox) -> None:
    submitted(world, "udir_a", "10")
    submitted(world, "udir_a", "20", indicator=world.percent)
    check_in = world.check_in(world.actors["udir_a"], {"rag": "green", "progress": "Godt i gang"})
    submit_check_in(world.actors["udir_a"], check_in.id, check_in.version, engine=world.engine)
    send(world, inbox)
    (mail,) = inbox.to(email("udir_b"))
    assert mail.message["Subject"] == "3 varsler fra dashbordet for samfunnsoppdraget"
    text = mail.part("plain")
    assert "C Antall: 10" in text and "P Andel: 20\u00a0%" in text and "1 Satsingen" in text
    assert send(world, inbox).mails == 0  # nothing twice


def test_an_import_by_the_secretariat_is_one_mail_per_approver(world: Any, inbox: Inbox) -> None:
    """Imported values arrive submitted: every operative is told, in one mail, of them all."""
    from dashboard.services.imports.run import commit_import, dry_run
    from dashboard.services.imports.upload import read_upload

    admin = world.actors["admin"]
    data = b"indikator;periode;verdi\nC;2025;12\nP;2025;34,5\n"
    frame = read_upload("verdier.csv", data)
    expected = dry_run(admin, world.mission, frame, engine=world.engine).versions()
    commit_import(
        admin, world.mission, frame, source="verdier.csv", expected=expected, engine=world.engine
    )
    send(world, inbox)
    told = sorted(r for mail in inbox.mails for r in mail.recipients)
    assert told == [email("nav"), email("udir_a"), email("udir_b")]
    (mail,) = inbox.to(email("udir_a"))
    assert mail.message["Subject"] == "2 registreringer venter på godkjenning (2025)"
    text = mail.part("plain")
    assert "C Antall: 12" in text and "P Andel: 34,5\u00a0%" in text


def test_a_returned_value_tells_who_entered_it_why_in_their_language(
    world: Any, inbox: Inbox
) -> None:
    a = world.actors["udir_a"]
    save_preferences(a, "en", {}, engine=world.engine)
    value = submitted(world, "udir_a", "7")
    send(world, inbox)  # the approvers' mails
    returned = return_value(
        world.actors["udir_b"], value.id, value.version, "Feil kilde", engine=world.engine
    )
    assert returned.status == "returned"
    send(world, inbox)
    (mail,) = inbox.to(email("udir_a"))
    assert mail.message["Subject"] == "Returned to you (2025)"
    assert mail.message["Content-Language"] == "en"
    text = mail.part("plain")
    assert "Reason: Feil kilde" in text and "Returned by udir_b" in text
    assert f"{BASE}/rapportering?periode={world.period}&oppdrag=m" in text
    assert f"{BASE}/konto" in text


def test_mails_are_in_the_default_language_for_those_who_chose_none(
    world: Any, inbox: Inbox
) -> None:
    save_preferences(world.actors["nav"], "nb", {}, engine=world.engine)
    submitted(world, "udir_a", "7")
    send(world, inbox, language="en")  # LANGUAGE=en
    assert inbox.to(email("udir_b"))[0].message["Subject"] == "1 entry awaits approval (2025)"
    assert inbox.to(email("nav"))[0].message["Subject"].startswith("1 registrering venter")


def test_a_correction_waiting_tells_the_approvers(world: Any, inbox: Inbox) -> None:
    from dashboard.services.reporting import approve_value, save_value

    a, b = world.actors["udir_a"], world.actors["udir_b"]
    value = submitted(world, "udir_a", "10")
    approved = approve_value(b, value.id, value.version, engine=world.engine)
    send(world, inbox)
    inbox.mails.clear()
    correction = save_value(
        a,
        world.indicator,
        world.period,
        {"value": "11"},
        version=approved.version,
        reason="Feil i kilden",
        engine=world.engine,
    )
    submit_value(a, correction.id, correction.version, engine=world.engine)
    send(world, inbox)
    assert sorted(r for mail in inbox.mails for r in mail.recipients) == [
        email("nav"),
        email("udir_b"),
    ]
    (mail,) = inbox.to(email("udir_b"))
    assert mail.message["Subject"].startswith("1 korreksjon av et godkjent tall venter")
    assert "Feil i kilden" in mail.part("plain")


# --- status reports ----------------------------------------------------------------------------


def report_sent(
    world: Any, a: Actor | None = None, mission: int | None = None, period: int | None = None
) -> Any:
    """A draft report for the world's period (or period of mission, by a), with a summary,
    sent to the steering group."""
    a = a or world.actors["udir_a"]
    report = create_draft(
        a,
        mission or world.mission,
        period or world.period,
        today=soon().date(),
        engine=world.engine,
    )
    report = update_texts(
        a, report.id, {"summary": "Oppsummering", "version": report.version}, engine=world.engine
    )
    return submit_report(a, report.id, report.version, engine=world.engine)


def test_status_report_sent_returned_and_approved_tell_the_right_people(
    world: Any, inbox: Inbox
) -> None:
    report = report_sent(world)
    send(world, inbox)
    assert [m.recipients for m in inbox.mails] == [[email("steering")]]
    link = f"{BASE}/statusrapporter?rapport={report.id}&oppdrag=m"
    assert link in inbox.mails[0].part("plain")
    assert inbox.mails[0].message["Subject"] == "Statusrapporten for 2025 venter på godkjenning"
    inbox.mails.clear()
    steering = world.actors["steering"]
    report = return_report(steering, report.id, report.version, "Mangler tall", engine=world.engine)
    send(world, inbox)
    assert [m.recipients for m in inbox.mails] == [[email("udir_a")]]
    assert "Begrunnelse: Mangler tall" in inbox.mails[0].part("plain")
    inbox.mails.clear()
    a = world.actors["udir_a"]
    report = submit_report(a, report.id, report.version, engine=world.engine)
    approve_report(steering, report.id, report.version, engine=world.engine)
    send(world, inbox)
    internal = ["admin", "nav", "steering", "udir_a", "udir_b"]
    approved = [m for m in inbox.mails if "godkjent og publisert" in m.part("plain")]
    assert sorted(r for m in approved for r in m.recipients) == [email(w) for w in internal]
    assert len(inbox.to(email("steering"))) == 1  # sent again and approved: one mail


def test_a_partner_who_asked_is_told_of_a_published_report_and_never_of_a_draft_figure(
    world: Any, inbox: Inbox
) -> None:
    partner = world.actors["partner"]
    save_preferences(partner, None, {Topic.REPORTS: Delivery.IMMEDIATE}, engine=world.engine)
    submitted(world, "udir_a", "4242")  # a figure nobody approved
    report = report_sent(world)
    approve_report(world.actors["steering"], report.id, report.version, engine=world.engine)
    send(world, inbox)
    (mail,) = inbox.to(email("partner"))
    assert mail.message["Subject"] == "Statusrapporten for 2025 er godkjent og publisert"
    for body in (mail.part("plain"), mail.part("html")):
        assert "4242" not in body and "4\u00a0242" not in body and "Antall" not in body
        assert f"{BASE}/statusrapporter?rapport={report.id}&oppdrag=m" in unescape(body)


def test_a_partner_is_not_told_unless_they_asked(world: Any, inbox: Inbox) -> None:
    report = report_sent(world)
    approve_report(world.actors["steering"], report.id, report.version, engine=world.engine)
    send(world, inbox)
    assert inbox.to(email("partner")) == []


def test_the_sender_drops_what_a_recipient_may_no_longer_read(world: Any, inbox: Inbox) -> None:
    """A row written for an operative who is a partner in the mission (or deactivated) by the
    time it is sent is not sent: the role there is read again at sending."""
    submitted(world, "udir_a", "4242")
    set_role(world, "udir_b", Role.PARTNER)
    with session_scope(write=True, engine=world.engine) as session:
        nav = session.get(User, world.actors["nav"].id)
        assert nav is not None
        nav.active = False
    result = send(world, inbox)
    assert inbox.mails == [] and result.dropped == 2
    assert {row.status for row in outbox(world)} == {OutboxStatus.DROPPED}


# --- each person's choices ------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC)],
)
def test_a_topic_turned_off_writes_nothing_and_a_daily_digest_waits_for_its_hour(
    world: Any, inbox: Inbox, monkeypatch: pytest.MonkeyPatch, written: dt.datetime
) -> None:
    """In winter and in summer (07:00 in Oslo is 06:00 UTC, then 05:00)."""
    monkeypatch.setattr(notifications, "utcnow", lambda: written)
    save_preferences(
        world.actors["udir_b"], None, {Topic.TO_APPROVE: Delivery.DAILY}, engine=world.engine
    )
    save_preferences(
        world.actors["nav"], None, {Topic.TO_APPROVE: Delivery.OFF}, engine=world.engine
    )
    submitted(world, "udir_a", "5")
    rows = outbox(world)
    assert [r.recipient_id for r in rows] == [world.actors["udir_b"].id]
    due = rows[0].due_at.replace(tzinfo=dt.UTC) if rows[0].due_at.tzinfo is None else rows[0].due_at
    assert due.astimezone(ZoneInfo("Europe/Oslo")).hour == 7
    assert due.date() == written.date() + dt.timedelta(days=1)
    assert send(world, inbox, now=written + dt.timedelta(minutes=1)).mails == 0
    assert send(world, inbox, now=due - dt.timedelta(minutes=1)).mails == 0
    assert send(world, inbox, now=due).mails == 1


def test_preferences_keep_only_the_topics_of_the_role(world: Any) -> None:
    partner = world.actors["partner"]
    save_preferences(
        partner,
        "en",
        {Topic.REPORTS: Delivery.DAILY, Topic.TO_APPROVE: Delivery.IMMEDIATE},
        engine=world.engine,
    )
    chosen = notification_choices.preferences(partner, engine=world.engine)
    assert chosen.language == "en" and chosen.choices == {Topic.REPORTS: Delivery.DAILY}
    with pytest.raises(ValueError, match="language"):
        save_preferences(partner, "sv", {}, engine=world.engine)


# --- failures -----------------------------------------------------------------------------------


def test_with_the_mail_server_down_the_outbox_keeps_the_mails_and_sends_each_once_later(
    world: Any,
) -> None:
    port = free_port()
    submitted(world, "udir_a", "1")
    now = soon()
    down = run_once(now=now, engine=world.engine, settings=settings_for(port))
    assert down.failed == 2 and down.mails == 0
    rows = outbox(world)
    assert {r.status for r in rows} == {OutboxStatus.RETRYING}
    # nothing was claimed: not counted as a try (an outage of any length gives nothing up)
    assert all(r.attempts == 0 and r.last_error and "Connection" in r.last_error for r in rows)
    with smtp_server(port) as inbox:
        early = run_once(
            now=now + dt.timedelta(seconds=30), engine=world.engine, settings=settings_for(port)
        )
        assert early.mails == 0  # within the back-off
        later = now + back_off(1)
        assert run_once(now=later, engine=world.engine, settings=settings_for(port)).mails == 2
        assert run_once(now=later, engine=world.engine, settings=settings_for(port)).mails == 0
        assert sorted(r for m in inbox.mails for r in m.recipients) == [
            email("nav"),
            email("udir_b"),
        ]
    assert {r.status for r in outbox(world)} == {OutboxStatus.SENT}


def refuse(_: Received) -> None:
    """An on_data that makes the mail server refuse the mail (aiosmtpd answers 500)."""
    raise RuntimeError("refused by the test")


def test_refusals_back_off_and_then_give_up_with_the_error_for_the_secretariat(
    world: Any,
) -> None:
    port = free_port()
    submitted(world, "udir_a", "1")
    now = soon()
    with smtp_server(port) as inbox:
        inbox.on_data = refuse
        for attempt in range(1, 13):
            result = run_once(now=now, engine=world.engine, settings=settings_for(port))
            assert result.failed == 2 and result.uncertain == 0
            now += back_off(attempt)
    rows = outbox(world)
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.FAILED, 12)}
    shown = outbox_table(world.actors["admin"], engine=world.engine)
    assert set(shown["status"]) == {"failed"} and shown["last_error"].str.contains("500").all()
    send_again(world.actors["admin"], rows[0].id, engine=world.engine)
    with smtp_server(port) as inbox:
        assert run_once(now=now, engine=world.engine, settings=settings_for(port)).mails == 1
        assert len(inbox.mails) == 1


def test_an_outage_of_days_gives_nothing_up_and_the_secretariat_can_send_all_failed_again(
    world: Any,
) -> None:
    """The mail server down for two days, a run every minute's back-off: no mail is given up;
    what was given up otherwise (refused 12 times) is queued again with one button."""
    port = free_port()
    submitted(world, "udir_a", "1")
    now = soon()
    for _ in range(60):  # two days of runs at the longest back-off (connection failures)
        run_once(now=now, engine=world.engine, settings=settings_for(port))
        now += dt.timedelta(minutes=48)
    assert {(r.status, r.attempts) for r in outbox(world)} == {(OutboxStatus.RETRYING, 0)}
    with session_scope(write=True, engine=world.engine) as session:
        for row in session.exec(select(OutboxMail)).all():
            row.status, row.attempts = OutboxStatus.FAILED, 12
    admin = world.actors["admin"]
    assert outbox_view.send_all_again(admin, engine=world.engine) == 2
    assert outbox_view.send_all_again(admin, engine=world.engine) == 0
    assert {(r.status, r.attempts) for r in outbox(world)} == {(OutboxStatus.QUEUED, 0)}
    with smtp_server(port) as inbox:
        assert run_once(now=now, engine=world.engine, settings=settings_for(port)).mails == 2
        assert len(inbox.mails) == 2
    with session_scope(engine=world.engine) as session:
        again = session.exec(select(AuditEvent).where(AuditEvent.action == "send_again")).all()
    assert sorted(r.entity for r in again) == ["outbox", "outbox"]


def test_without_smtp_host_nothing_is_sent_and_the_outbox_fills(world: Any, inbox: Inbox) -> None:
    submitted(world, "udir_a", "1")
    result = run_once(now=soon(), engine=world.engine, settings=Settings(smtp_host=None))
    assert result.waiting == 2 and result.mails == 0 and inbox.mails == []
    assert {r.status for r in outbox(world)} == {OutboxStatus.QUEUED}
    assert len(outbox_table(world.actors["admin"], engine=world.engine)) == 2


def test_a_sender_killed_between_sending_and_marking_never_sends_twice(
    world: Any, inbox: Inbox
) -> None:
    """A real kill: the sender runs as `python -m dashboard.notify --once`; while the mail
    server accepts its mail, the test holds a write on the outbox so the sender cannot mark it
    sent, and kills it with SIGKILL. Later runs send nothing again; the rows say uncertain."""
    value = submitted(world, "udir_a", "1")
    with session_scope(write=True, engine=world.engine) as session:  # one recipient only
        nav = session.get(User, world.actors["nav"].id)
        assert nav is not None
        nav.active = False
        for row in session.exec(select(OutboxMail)).all():
            if row.recipient_id == nav.id:
                session.delete(row)
    holding = threading.Event()
    release = threading.Event()

    def hold_the_outbox(_: Received) -> None:
        def hold() -> None:
            bind = world.engine.execution_options(sqlite_begin="IMMEDIATE")
            with bind.connect() as connection, connection.begin():
                connection.execute(sa.text("UPDATE outbox SET attempts = attempts"))
                holding.set()
                release.wait(30)

        threading.Thread(target=hold, daemon=True).start()
        assert holding.wait(10)

    inbox.on_data = hold_the_outbox
    env = os.environ | {
        "DATABASE_URL": url_of(world.engine),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.port),
        "APP_BASE_URL": BASE,
        "DATABASE_BUSY_TIMEOUT_MS": "60000",
        "PYTHONPATH": str(ROOT),
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "dashboard.notify", "--once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not inbox.mails and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(inbox.mails) == 1
        time.sleep(0.5)  # the sender is now waiting to mark the mail sent
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
    finally:
        release.set()
        if sender.poll() is None:
            sender.kill()
    (row,) = outbox(world)
    assert row.status == OutboxStatus.SENDING and row.message_id
    assert row.message_id == inbox.mails[0].message["Message-ID"]
    now = dt.datetime.now(dt.UTC)
    assert send(world, inbox, now=now).mails == 0  # still claimed: not sent again
    later = send(world, inbox, now=now + CLAIM_LEASE + dt.timedelta(minutes=1))
    assert later.mails == 0 and later.uncertain == 1
    (row,) = outbox(world)
    assert row.status == OutboxStatus.UNCERTAIN and "Message-ID" in (row.last_error or "")
    assert len(inbox.mails) == 1
    assert value.id == row.entity_id


# --- reminders and due dates, for a given «today» ---------------------------------------------


DUE = dt.date(2026, 2, 1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def kinds_to(world: Any, who: str) -> list[str]:
    return [r.kind for r in outbox(world) if r.recipient_id == world.actors[who].id]


def test_a_reminder_goes_reminder_days_before_the_due_date_naming_what_is_missing(
    world: Any, inbox: Inbox
) -> None:
    set_due(world, DUE)
    send(world, inbox, now=at(DUE - dt.timedelta(days=8)))
    assert inbox.mails == []  # too early
    send(world, inbox, now=at(DUE - dt.timedelta(days=7)))
    assert sorted(r for m in inbox.mails for r in m.recipients) == [
        email("udir_a"),
        email("udir_b"),
    ]
    (mail,) = inbox.to(email("udir_a"))
    assert mail.message["Subject"] == "Påminnelse: 2025 skal rapporteres innen 1. februar 2026"
    text = mail.part("plain")
    assert "Statusoppdateringer som mangler: 1 Satsingen" in text
    assert f"{BASE}/rapportering?periode={world.period}&oppdrag=m" in text
    send(world, inbox, now=at(DUE - dt.timedelta(days=3)))
    send(world, inbox, now=at(DUE))
    assert len(inbox.mails) == 2  # once each, not every run


def test_a_reminder_names_the_indicators_expected_and_not_sent(world: Any, inbox: Inbox) -> None:
    set_due(world, DUE)
    with session_scope(write=True, engine=world.engine) as session:
        from models import Indicator

        indicator = session.get(Indicator, world.indicator)
        assert indicator is not None
        indicator.frequency = "annual"  # type: ignore[assignment]
    send(world, inbox, now=at(DUE - dt.timedelta(days=1)))
    (mail,) = inbox.to(email("udir_b"))
    assert "Indikatorer som mangler: C Antall" in mail.part("plain")


def test_an_overdue_reminder_goes_once_after_the_due_date(world: Any, inbox: Inbox) -> None:
    set_due(world, DUE)
    send(world, inbox, now=at(DUE - dt.timedelta(days=2)))
    send(world, inbox, now=at(DUE + dt.timedelta(days=1)))
    send(world, inbox, now=at(DUE + dt.timedelta(days=5)))
    assert kinds_to(world, "udir_a") == [K.REMINDER_DUE, K.REMINDER_OVERDUE]
    (overdue,) = [m for m in inbox.to(email("udir_a")) if "gikk ut" in str(m.message["Subject"])]
    assert (
        overdue.message["Subject"] == "Fristen for rapporteringen for 2025 gikk ut 1. februar 2026"
    )


def test_no_reminder_for_an_organisation_with_nothing_missing(world: Any, inbox: Inbox) -> None:
    set_due(world, DUE)
    a = world.actors["udir_a"]
    check_in = world.check_in(a, {"rag": "green", "progress": "Godt i gang"})
    submit_check_in(a, check_in.id, check_in.version, engine=world.engine)
    send(world, inbox, now=at(DUE - dt.timedelta(days=1)))
    assert "Indikatorer som mangler: C Antall, P Andel" in inbox.to(email("udir_a"))[0].part(
        "plain"
    )
    rows = len(outbox(world))
    submitted(world, "udir_a", "1")
    submitted(world, "udir_a", "2", indicator=world.percent)
    send(world, inbox, now=at(DUE + dt.timedelta(days=1)))  # overdue, but nothing missing
    assert [k for k in kinds_to(world, "udir_a") if k.startswith("reminder")] == [K.REMINDER_DUE]
    assert len(outbox(world)) == rows + 4  # the two values, to udir_b and NAV
    assert K.REMINDER_DUE not in kinds_to(world, "nav")  # NAV is only involved


def test_no_reminder_for_a_locked_period(world: Any, inbox: Inbox) -> None:
    set_due(world, DUE)
    with session_scope(write=True, engine=world.engine) as session:
        period = session.get(Period, world.period)
        assert period is not None
        period.locked = True
    send(world, inbox, now=at(DUE + dt.timedelta(days=1)))
    assert outbox(world) == [] and inbox.mails == []


def test_decisions_tell_their_owner_organisation_a_week_before_and_when_overdue(
    world: Any, inbox: Inbox
) -> None:
    with session_scope(engine=world.engine) as session:
        udir = session.get(User, world.actors["udir_a"].id)
        assert udir is not None
        owner = udir.organisation_id
    decision = record_decision(
        world.actors["steering"],
        world.mission,
        {"title": "Felles kartlegging", "due": DUE, "owner_org_id": owner},
        engine=world.engine,
    )
    send(world, inbox, now=at(DUE - dt.timedelta(days=8)))
    assert inbox.mails == []
    send(world, inbox, now=at(DUE - dt.timedelta(days=7)))
    told = sorted(r for m in inbox.mails for r in m.recipients)
    assert told == [email("udir_a"), email("udir_b")]  # not the partner of the same organisation
    subject = inbox.to(email("udir_a"))[0].message["Subject"]
    assert subject == "Beslutningen «Felles kartlegging» skal følges opp innen 1. februar 2026"
    send(world, inbox, now=at(DUE + dt.timedelta(days=1)))
    send(world, inbox, now=at(DUE + dt.timedelta(days=2)))
    decision_rows = [r for r in outbox(world) if r.entity == "decision"]
    assert sorted(r.kind for r in decision_rows) == sorted(
        [K.DECISION_DUE, K.DECISION_DUE, K.DECISION_OVERDUE, K.DECISION_OVERDUE]
    )
    assert all(r.entity_id == decision.id for r in decision_rows)
    overdue = [m for m in inbox.to(email("udir_b")) if "Felles kartlegging" in m.part("plain")]
    assert any(f"{BASE}/styring?oppdrag=m" in m.part("plain") for m in overdue)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - dt.timedelta(days=8), None),
        (DUE - dt.timedelta(days=7), K.REMINDER_DUE),
        (DUE, K.REMINDER_DUE),
        (DUE + dt.timedelta(days=1), K.REMINDER_OVERDUE),
    ],
)
def test_reminder_kind_for_a_given_today(today: dt.date, expected: K | None) -> None:
    assert notifications.reminder_kind(today, DUE, 7) == expected
    assert notifications.reminder_kind(today, None, 7) is None


def test_the_reminder_days_are_a_setting(world: Any, inbox: Inbox) -> None:
    set_due(world, DUE)
    send(world, inbox, now=at(DUE - dt.timedelta(days=7)), reminder_days=3)
    assert inbox.mails == []
    send(world, inbox, now=at(DUE - dt.timedelta(days=3)), reminder_days=3)
    assert len(inbox.to(email("udir_a"))) == 1


def test_the_digest_hour_and_back_off() -> None:
    summer = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)  # 08:00 in Oslo: tomorrow 07:00
    assert next_digest(summer) == dt.datetime(2026, 6, 2, 5, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 5, 5, 0, tzinfo=dt.UTC)  # 06:00 in Oslo: today 07:00
    assert next_digest(winter) == dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
    # past the hour with a fraction of a second: tomorrow at 07:00 sharp (the test of a choice
    # changed on Konto failed every afternoon while the fraction was carried over)
    afternoon = dt.datetime(2026, 12, 5, 14, 2, 34, 636226, tzinfo=dt.UTC)
    assert next_digest(afternoon) == dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)
    assert [back_off(n).total_seconds() / 60 for n in (1, 2, 3, 10, 20)] == [1, 2, 4, 360, 360]


def test_the_server_says_at_start_where_mail_would_go(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, engine: Any
) -> None:
    """make run starts dashboard/server.py, which names where mail goes (or that it waits)."""
    import runpy

    from dashboard.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        runpy.run_path(str(ROOT / "dashboard" / "server.py"))
        assert "SMTP_HOST is not set, so nothing is sent" in capsys.readouterr().out
        monkeypatch.setenv("SMTP_HOST", "smtp.example.no")
        monkeypatch.setenv("SMTP_PORT", "587")
        monkeypatch.setenv("SMTP_STARTTLS", "true")
        get_settings.cache_clear()
        runpy.run_path(str(ROOT / "dashboard" / "server.py"))
        said = capsys.readouterr().out
        assert "through smtp.example.no:587, STARTTLS" in said and "dashboard.notify" in said
    finally:
        get_settings.cache_clear()


# --- the review of issue 16 ---------------------------------------------------------------------


def test_a_second_sender_whose_server_is_down_leaves_what_the_first_sent(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sender B reads the due rows; before its connection fails, sender A sends them all. B
    must not set them waiting again (they would go twice)."""
    import dashboard.notify as notify

    submitted(world, "udir_a", "1")
    now = soon()
    with smtp_server() as inbox:
        original = notify._connect

        def racing(settings: Settings) -> Any:
            monkeypatch.setattr(notify, "_connect", original)
            assert run_once(now=now, engine=world.engine, settings=settings).mails == 2  # A
            raise ConnectionRefusedError("B's mail server is down")

        monkeypatch.setattr(notify, "_connect", racing)
        b = run_once(now=now, engine=world.engine, settings=settings_for(inbox.port))
        assert b.failed == 0
        assert {(r.status, r.last_error) for r in outbox(world)} == {(OutboxStatus.SENT, None)}
        run_once(now=now + back_off(1), engine=world.engine, settings=settings_for(inbox.port))
        assert len(inbox.mails) == 2, "sent twice"


def test_the_guards_of_failed_dropped_and_sent_leave_another_senders_rows_alone(
    world: Any,
) -> None:
    """A row claimed by another sender (another Message-ID) or already sent is neither
    counted as failed, nor dropped, nor marked sent (nor audited) by this one."""
    import dashboard.notify as notify

    submitted(world, "udir_a", "1")
    now = soon()
    ids = [r.id for r in outbox(world) if r.id is not None]
    assert notify._claim(world.engine, ids, "<a@example.no>", now)
    assert not notify._claim(world.engine, ids, "<b@example.no>", now)
    assert notify._failed(world.engine, ids, "<b@example.no>", now, OSError("x")) == 0
    assert notify._drop(world.engine, ids) == 0
    assert notify._unreachable(world.engine, ids, now, OSError("x")) == 0
    batch = notify.Batch(1, email("udir_b"), "B", "nb", True)
    rows = [notify.Row(i, K.ENTRY_SUBMITTED, "indicator_value", 1, {}) for i in ids]
    notify._mark_sent(world.engine, batch, rows, "<b@example.no>", now)
    assert {(r.status, r.message_id) for r in outbox(world)} == {
        (OutboxStatus.SENDING, "<a@example.no>")
    }
    with session_scope(engine=world.engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "mail_sent")).all() == []


def test_a_reply_lost_after_the_message_leaves_it_uncertain_and_never_sent_again(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server has the mail but its 250 comes after the sender gave up waiting: sending it
    again (under a new Message-ID) would deliver it twice."""
    import dashboard.notify as notify

    submitted(world, "udir_a", "1")
    monkeypatch.setattr(notify, "SMTP_TIMEOUT_S", 1)
    now = soon()
    with smtp_server() as inbox:
        inbox.on_data = lambda _: time.sleep(2)
        first = run_once(now=now, engine=world.engine, settings=settings_for(inbox.port))
        assert first.uncertain == 1 and first.mails == 0
        inbox.on_data = None
        time.sleep(2.5)  # the server has answered (to nobody)
        later = run_once(
            now=now + dt.timedelta(hours=1), engine=world.engine, settings=settings_for(inbox.port)
        )
        assert later.mails == 1  # the other recipient's mail, not stopped by the first
        assert len(inbox.mails) == 2, "sent twice"
    statuses = sorted(str(r.status) for r in outbox(world))
    assert statuses == [OutboxStatus.SENT, OutboxStatus.UNCERTAIN]
    (uncertain,) = [r for r in outbox(world) if r.status == OutboxStatus.UNCERTAIN]
    assert uncertain.message_id and "Message-ID" in (uncertain.last_error or "")
    assert uncertain.message_id in {m.message["Message-ID"] for m in inbox.mails}


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that nobody vouches for, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_verifies_the_mail_servers_certificate(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose certificate nobody vouches for gets nothing (and no password); trusted
    (SSL_CERT_FILE, as a private CA would be), it gets the mail over TLS."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    submitted(world, "udir_a", "1")
    now = soon()
    with smtp_server(tls_context=context, require_starttls=True) as inbox:
        refused = send(world, inbox, now=now, smtp_starttls=True)
        assert refused.mails == 0 and inbox.mails == []
        assert all("CERTIFICATE_VERIFY_FAILED" in (r.last_error or "") for r in outbox(world))
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = send(world, inbox, now=now + back_off(1), smtp_starttls=True)
        assert trusted.mails == 2 and len(inbox.mails) == 2


def test_no_login_in_clear_text_to_another_machine(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SMTP_USER without STARTTLS: the sender does not even connect to a remote server, says
    why (Utboks and the log), and counts no try; on this machine, or when allowed, it may."""
    import dashboard.notify as notify

    def connect(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("connected")

    submitted(world, "udir_a", "1")
    remote = Settings(
        smtp_host="smtp.example.no",
        smtp_user="dashbord",
        smtp_password="hemmelig",  # type: ignore[arg-type]
        mail_from="dashbord@example.no",
    )
    assert remote.smtp_login_refused
    assert "refuses to send the password unencrypted" in notify.where_mail_goes(remote)
    monkeypatch.setattr(notify.smtplib, "SMTP", connect)
    result = run_once(now=soon(), engine=world.engine, settings=remote)
    assert result.failed == 2 and result.mails == 0
    for row in outbox(world):
        assert row.status == OutboxStatus.RETRYING and row.attempts == 0
        assert "SMTP_STARTTLS is off" in (row.last_error or "")
    assert not remote.model_copy(update={"smtp_starttls": True}).smtp_login_refused
    assert not remote.model_copy(update={"smtp_allow_plaintext_login": True}).smtp_login_refused
    for host in ("localhost", "127.0.0.1", "::1"):
        assert not remote.model_copy(update={"smtp_host": host}).smtp_login_refused


def import_values(world: Any, data: bytes) -> None:
    """Values imported by the secretariat (they arrive submitted)."""
    from dashboard.services.imports.run import commit_import, dry_run
    from dashboard.services.imports.upload import read_upload

    admin = world.actors["admin"]
    frame = read_upload("verdier.csv", data)
    expected = dry_run(admin, world.mission, frame, engine=world.engine).versions()
    commit_import(
        admin, world.mission, frame, source="verdier.csv", expected=expected, engine=world.engine
    )


def test_a_returned_imported_value_tells_the_secretariat_where_to_correct_it(
    world: Any, inbox: Inbox
) -> None:
    from models import IndicatorValue

    import_values(world, b"indikator;periode;verdi\nC;2025;12\n")
    send(world, inbox)
    inbox.mails.clear()
    with session_scope(engine=world.engine) as session:
        value = session.exec(select(IndicatorValue)).one()
        assert value.entered_by_id == world.actors["admin"].id
        value_id, version = value.id, value.version
    assert value_id is not None
    return_value(world.actors["udir_b"], value_id, version, "Feil tall", engine=world.engine)
    send(world, inbox)
    (mail,) = inbox.to(email("admin"))
    text = mail.part("plain")
    assert mail.message["Subject"] == "Returnert til deg (2025)"
    assert "Begrunnelse: Feil tall" in text and "Administrasjon → Import" in text
    assert f"{BASE}/administrasjon?oppdrag=m" in text and "/rapportering" not in text
    chosen = notification_choices.preferences(world.actors["admin"], engine=world.engine)
    assert chosen.choices[Topic.RETURNED] == Delivery.IMMEDIATE  # and Konto offers it


def test_a_grouped_mail_names_every_entry_in_the_audit_log_and_leaves_reports_alone(
    world: Any, inbox: Inbox
) -> None:
    """An import of two values: each approver's mail is one row, audited once per value; the
    mail_sent rows (and the secretariat's «send again») do not make a status report take every
    figure again."""
    from dashboard.services.snapshots.changes import Changed, changed_since
    from models import IndicatorValue

    import_values(world, b"indikator;periode;verdi\nC;2025;12\nP;2025;34,5\n")
    with session_scope(engine=world.engine) as session:
        values = {str(v.id) for v in session.exec(select(IndicatorValue)).all()}
    taken = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    send(world, inbox)
    with session_scope(engine=world.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "mail_sent")).all()
        assert len(rows) == 6  # three approvers, two values each
        assert {r.entity_id for r in rows} == values
        assert {r.entity for r in rows} == {"indicator_value"}
        assert changed_since(session, world.mission, taken, dt.date(2025, 12, 31)) == Changed(
            set(), set()
        )
    with session_scope(write=True, engine=world.engine) as session:
        row = session.exec(select(OutboxMail)).first()
        assert row is not None and row.id is not None
        row.status = OutboxStatus.FAILED
        failed = row.id
    send_again(world.actors["admin"], failed, engine=world.engine)
    with session_scope(engine=world.engine) as session:
        assert changed_since(session, world.mission, taken, dt.date(2025, 12, 31)) is not None


def test_a_choice_changed_on_konto_applies_to_mail_already_queued(world: Any, inbox: Inbox) -> None:
    """Turned off: what waits is not sent. Moved to the digest: what waits goes at 07:00.
    Moved from the digest to «at once»: what waits for 07:00 goes now."""
    b, nav = world.actors["udir_b"], world.actors["nav"]
    save_preferences(b, None, {Topic.TO_APPROVE: Delivery.DAILY}, engine=world.engine)
    submitted(world, "udir_a", "5")  # B: for the digest; NAV: at once
    save_preferences(b, None, {Topic.TO_APPROVE: Delivery.OFF}, engine=world.engine)
    save_preferences(nav, None, {Topic.TO_APPROVE: Delivery.DAILY}, engine=world.engine)
    now = soon()
    result = send(world, inbox, now=now)
    assert result.mails == 0 and result.dropped == 1 and result.rescheduled == 1
    rows = {r.recipient_id: r for r in outbox(world)}
    assert rows[b.id].status == OutboxStatus.DROPPED
    due = rows[nav.id].due_at
    due = due.replace(tzinfo=dt.UTC) if due.tzinfo is None else due
    assert due == next_digest(now) and due.astimezone(ZoneInfo("Europe/Oslo")).hour == 7
    assert send(world, inbox, now=due - dt.timedelta(minutes=1)).mails == 0
    save_preferences(nav, None, {Topic.TO_APPROVE: Delivery.IMMEDIATE}, engine=world.engine)
    assert send(world, inbox, now=now + dt.timedelta(minutes=1)).mails == 1  # not at 07:00
    assert [m.recipients for m in inbox.mails] == [[email("nav")]]


def test_a_display_name_in_mail_from_makes_a_well_formed_message_id(
    world: Any, inbox: Inbox
) -> None:
    submitted(world, "udir_a", "1")
    send(world, inbox, mail_from="Dashbordet for samfunnsoppdraget <dashbord@example.no>")
    arrived = {str(mail.message["Message-ID"]) for mail in inbox.mails}
    assert all("Dashbordet for samfunnsoppdraget" in str(m.message["From"]) for m in inbox.mails)
    stored = {row.message_id for row in outbox(world)}  # what the secretariat looks for
    assert stored == arrived and len(stored) == 2
    for message_id in stored:
        assert message_id and message_id.startswith("<") and message_id.endswith("@example.no>")
        assert message_id.count(">") == 1


def test_nothing_due_no_connection(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run with nothing to send neither connects nor logs in (every minute, all year)."""
    import dashboard.notify as notify

    calls: list[int] = []
    original = notify._connect
    monkeypatch.setattr(notify, "_connect", lambda s: calls.append(1) or original(s))
    with smtp_server() as inbox:
        assert send(world, inbox).mails == 0
        assert calls == []
        submitted(world, "udir_a", "1")
        assert send(world, inbox).mails == 2
        assert calls == [1]


def test_a_refused_recipient_is_retried_and_the_run_goes_on_to_the_next_mail(
    world: Any, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RCPT TO refused (before the message): nothing was sent, so the row waits for another
    try, counted; the connection takes the next person's mail."""
    import smtplib

    original = smtplib.SMTP.rcpt

    def rcpt(self: smtplib.SMTP, recip: str, options: Any = ()) -> tuple[int, bytes]:
        if recip == email("udir_b"):
            return 550, b"No such user"
        return original(self, recip, options)

    monkeypatch.setattr(smtplib.SMTP, "rcpt", rcpt)
    submitted(world, "udir_a", "1")
    result = send(world, inbox)
    assert result.mails == 1 and result.failed == 1 and result.uncertain == 0
    assert [m.recipients for m in inbox.mails] == [[email("nav")]]  # after udir_b's
    (refused,) = [r for r in outbox(world) if r.recipient_id == world.actors["udir_b"].id]
    assert refused.status == OutboxStatus.RETRYING and refused.attempts == 1
    assert refused.message_id is None and "550" in (refused.last_error or "")


# --- several missions (issue 20): roles are per mission, and so is every mail ----------------


@dataclass
class Other:
    """A second mission beside the world's: its own indicator (Udir's), initiative (NAV's),
    period and people. In it udir_b is a partner, steering sits in its steering group too, and
    udir_a, nav, admin and partner have no role at all."""

    mission: int
    indicator: int
    initiative: int
    period: int
    actors: dict[str, Actor]


def other_mission(world: Any) -> Other:
    with session_scope(write=True, engine=world.engine) as session:
        udir, nav = (
            session.exec(select(Organisation).where(Organisation.key == key)).one().id
            for key in ("Udir", "NAV")
        )
        mission = Mission(key="b", title="Det andre samfunnsoppdraget", short_title="Oppdrag B")
        session.add(mission)
        session.flush()
        assert mission.id is not None
        indicator = Indicator(
            mission_id=mission.id,
            code="B1",
            name="Bare i B",
            responsible_org_id=udir,
            frequency=Frequency.ANNUAL,
        )
        period = Period(
            mission_id=mission.id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        initiative = Initiative(mission_id=mission.id, number=1, name="Satsing i B")
        session.add_all([indicator, period, initiative])
        session.flush()
        assert indicator.id and period.id and initiative.id
        session.add(
            InitiativeOrganisation(
                initiative_id=initiative.id,
                organisation_id=nav,
                role=OrganisationRole.RESPONSIBLE,
            )
        )
        actors = {}
        for name, role, org in (
            ("b_udir", Role.OPERATIVE, udir),
            ("b_nav", Role.OPERATIVE, nav),
            ("b_steering", Role.STEERING, None),
            ("b_admin", Role.ADMIN, None),
        ):
            user = User(email=email(name), name=name, organisation_id=org)
            session.add(user)
            session.flush()
            assert user.id is not None
            missions.set_role(session, user.id, mission.id, role)
            actors[name] = Actor(user.id, user.email, role, org, mission.id)
        for name, role in (("udir_b", Role.PARTNER), ("steering", Role.STEERING)):
            a = world.actors[name]
            missions.set_role(session, a.id, mission.id, role)
            actors[name] = Actor(a.id, a.email, role, a.organisation_id, mission.id)
        return Other(mission.id, indicator.id, initiative.id, period.id, actors)


def told_in(world: Any, mission: int) -> set[str]:
    """Who the outbox rows of mission go to."""
    names = {a.id: name for name, a in world.actors.items() if a.id is not None}
    return {
        names.get(r.recipient_id, str(r.recipient_id))
        for r in outbox(world)
        if r.mission_id == mission
    }


def test_an_entry_in_one_mission_mails_nobody_whose_role_is_only_in_another(
    world: Any, inbox: Inbox
) -> None:
    other = other_mission(world)
    world.actors |= {k: v for k, v in other.actors.items() if k.startswith("b_")}
    partner_b = other.actors["udir_b"]  # operative in the world's mission, partner in B
    save_preferences(partner_b, None, {Topic.TO_APPROVE: Delivery.IMMEDIATE}, engine=world.engine)
    b = other.actors["b_udir"]
    row = save_value(
        b, other.indicator, other.period, {"value": "7"}, version=None, engine=world.engine
    )
    submit_value(b, row.id, row.version, engine=world.engine)
    rows = outbox(world)
    assert {r.mission_id for r in rows} == {other.mission}
    assert told_in(world, other.mission) == {"b_nav"}  # not udir_a, udir_b, nav of the other
    send(world, inbox)
    assert [m.recipients for m in inbox.mails] == [[email("b_nav")]]
    text, html = inbox.mails[0].part("plain"), inbox.mails[0].part("html")
    assert "Samfunnsoppdrag: Oppdrag B" in text and "<h2>Samfunnsoppdrag: Oppdrag B</h2>" in html
    assert f"{BASE}/rapportering?periode={other.period}&oppdrag=b" in text
    assert "Oppdraget" not in text and "oppdrag=m" not in text
    with session_scope(engine=world.engine) as session:  # in B's audit trail
        sent = session.exec(select(AuditEvent).where(AuditEvent.action == "mail_sent")).all()
        assert [(e.entity_id, e.mission_id) for e in sent] == [(str(row.id), other.mission)]
    # returned: told to who entered it, in B
    return_value(other.actors["b_nav"], row.id, row.version + 1, "Nei", engine=world.engine)
    returned = [r for r in outbox(world) if r.kind == K.ENTRY_RETURNED]
    assert [(r.recipient_id, r.mission_id) for r in returned] == [(b.id, other.mission)]


def test_reports_of_a_mission_tell_its_people_and_one_mail_names_each_mission(
    world: Any, inbox: Inbox
) -> None:
    other = other_mission(world)
    world.actors |= {k: v for k, v in other.actors.items() if k.startswith("b_")}
    for who in ("partner", "udir_b"):  # both asked for published reports
        save_preferences(
            world.actors[who], None, {Topic.REPORTS: Delivery.IMMEDIATE}, engine=world.engine
        )
    report_sent(world)
    report = report_sent(world, other.actors["b_udir"], other.mission, other.period)
    assert told_in(world, world.mission) == {"steering"}
    assert told_in(world, other.mission) == {"steering", "b_steering"}
    send(world, inbox)
    (mail,) = inbox.to(email("steering"))  # sits in both: one mail, a section for each
    text = mail.part("plain")
    assert mail.message["Subject"] == "2 varsler fra dashbordet for samfunnsoppdraget"
    first, second = (
        text.index("Samfunnsoppdrag: Oppdraget"),
        text.index("Samfunnsoppdrag: Oppdrag B"),
    )
    assert f"rapport={report.id}&oppdrag=b" in text[second:]
    assert "oppdrag=m" in text[first:second] and "oppdrag=m" not in text[second:]
    inbox.mails.clear()
    approve_report(other.actors["b_steering"], report.id, report.version, engine=world.engine)
    approved = [r for r in outbox(world) if r.kind == K.REPORT_APPROVED]
    assert {r.mission_id for r in approved} == {other.mission}
    names = {a.id: n for n, a in world.actors.items()}
    # B's internal people and the partner there who asked; nobody with no role in B
    assert {names[r.recipient_id] for r in approved} == {
        "b_udir",
        "b_nav",
        "b_steering",
        "b_admin",
        "steering",
        "udir_b",
    }


def test_reminders_and_decisions_of_a_mission_go_to_its_people_only(
    world: Any, inbox: Inbox
) -> None:
    other = other_mission(world)
    world.actors |= {k: v for k, v in other.actors.items() if k.startswith("b_")}
    with session_scope(write=True, engine=world.engine) as session:
        period = session.get(Period, other.period)
        assert period is not None
        period.due = DUE
        udir = session.get(User, world.actors["udir_a"].id)
        assert udir is not None
        owner = udir.organisation_id
    record_decision(
        other.actors["b_steering"],
        other.mission,
        {"title": "Bare i B", "due": DUE, "owner_org_id": owner},
        engine=world.engine,
    )
    send(world, inbox, now=at(DUE - dt.timedelta(days=7)))
    rows = outbox(world)
    assert {r.mission_id for r in rows} == {other.mission}
    reminders = {r.recipient_id for r in rows if r.kind == K.REMINDER_DUE}
    assert reminders == {other.actors["b_udir"].id, other.actors["b_nav"].id}
    decisions = {r.recipient_id for r in rows if r.kind == K.DECISION_DUE}
    assert decisions == {other.actors["b_udir"].id}  # not udir_a, nor udir_b (a partner in B)
    assert sorted(r for m in inbox.mails for r in m.recipients) == [
        email("b_nav"),
        email("b_udir"),
    ]
    (mail,) = inbox.to(email("b_udir"))
    text = mail.part("plain")
    assert "Samfunnsoppdrag: Oppdrag B" in text and "Indikatorer som mangler: B1 Bare i B" in text
    assert f"{BASE}/rapportering?periode={other.period}&oppdrag=b" in text
    assert f"{BASE}/styring?oppdrag=b" in text


def test_the_sender_reads_the_role_in_the_mission_of_each_row(world: Any, inbox: Inbox) -> None:
    """steering is told of a report in each mission; made a partner in B before the sender
    runs, they get the one of the world's mission only. The global administrator counts as
    the secretariat where they have no role."""
    other = other_mission(world)
    report_sent(world)
    report = report_sent(world, other.actors["b_udir"], other.mission, other.period)
    set_role(world, "steering", Role.PARTNER, other.mission)
    result = send(world, inbox)
    (mail,) = inbox.to(email("steering"))
    assert "Oppdrag B" not in mail.part("plain") and result.dropped == 1
    # a global administrator with no role row is told of B's published reports, as B's
    # secretariat; one with a partner's row in B is a partner there
    with session_scope(write=True, engine=world.engine) as session:
        user = session.get(User, world.actors["admin"].id)
        assert user is not None
        user.global_admin = True
    approve_report(other.actors["b_steering"], report.id, report.version, engine=world.engine)
    approved = [r for r in outbox(world) if r.kind == K.REPORT_APPROVED]
    assert world.actors["admin"].id in {r.recipient_id for r in approved}
    assert world.actors["steering"].id not in {r.recipient_id for r in approved}


def test_konto_offers_the_topics_of_every_role_a_person_has(world: Any) -> None:
    """A partner in the world's mission who sits in B's steering group is offered what both
    roles get, reports at once by default (a steering member's), and keeps the choices."""
    other = other_mission(world)
    partner = world.actors["partner"]
    assert list(notification_choices.preferences(partner, engine=world.engine).choices) == [
        Topic.REPORTS
    ]
    set_role(world, "partner", Role.STEERING, other.mission)
    chosen = notification_choices.preferences(partner, engine=world.engine)
    assert chosen.choices == {
        Topic.REPORTS: Delivery.IMMEDIATE,
        Topic.DECISIONS: Delivery.IMMEDIATE,
    }
    save_preferences(
        partner,
        None,
        {Topic.DECISIONS: Delivery.DAILY, Topic.TO_APPROVE: Delivery.IMMEDIATE},
        engine=world.engine,
    )
    chosen = notification_choices.preferences(partner, engine=world.engine)
    assert chosen.choices == {Topic.REPORTS: Delivery.IMMEDIATE, Topic.DECISIONS: Delivery.DAILY}


def test_the_secretariat_sees_and_sends_again_its_own_missions_mails(world: Any) -> None:
    other = other_mission(world)
    submitted(world, "udir_a", "1")
    b = other.actors["b_udir"]
    row = save_value(
        b, other.indicator, other.period, {"value": "7"}, version=None, engine=world.engine
    )
    submit_value(b, row.id, row.version, engine=world.engine)
    with session_scope(write=True, engine=world.engine) as session:
        for mail in session.exec(select(OutboxMail)).all():
            mail.status = OutboxStatus.FAILED
    admin, admin_b = world.actors["admin"], other.actors["b_admin"]
    mine = set(outbox_table(admin, engine=world.engine)["recipient"])
    theirs = set(outbox_table(admin_b, engine=world.engine)["recipient"])
    assert mine == {email("udir_b"), email("nav")} and theirs == {email("b_nav")}
    assert outbox_view.outbox_counts(admin_b, engine=world.engine)[OutboxStatus.FAILED] == 1
    b_row = next(r for r in outbox(world) if r.mission_id == other.mission)
    with pytest.raises(LookupError):
        send_again(admin, b_row.id or 0, engine=world.engine)
    assert outbox_view.send_all_again(admin, engine=world.engine) == 2
    assert {r.status for r in outbox(world) if r.mission_id == other.mission} == {
        OutboxStatus.FAILED
    }
