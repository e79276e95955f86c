"""E-mail notifications (issue 16): each event tells the right people through the outbox, and
the sender delivers it through a real SMTP server (aiosmtpd, started here) exactly once, in the
recipient's language, with a link to the exact page; a partner never reads a draft figure; a
mail server that is down or a sender killed mid-send loses nothing and sends nothing twice.
Runs on SQLite and PostgreSQL (the world fixture's engine)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select
from support.databases import url_of
from support.smtp import Inbox, Received, free_port, smtp_server

from dashboard.db import session_scope
from dashboard.notify import CLAIM_LEASE, run_once
from dashboard.services import notifications
from dashboard.services.decisions import record_decision
from dashboard.services.notifications import outbox_table, save_preferences, send_again
from dashboard.services.reporting import return_value, submit_check_in, submit_value
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    return_report,
    submit_report,
    update_texts,
)
from dashboard.settings import Settings
from models import AuditEvent, OutboxMail, Period, User
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
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="dashbord@example.no",
        app_base_url=BASE,
        **more,
    )


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
    link = f"{BASE}/rapportering?periode={world.period}"
    assert link in text and f'href="{link}"' in html
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
    assert f"{BASE}/rapportering?periode={world.period}" in text
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


def report_sent(world: Any) -> Any:
    """A draft report for the world's period, with a summary, sent to the steering group."""
    a = world.actors["udir_a"]
    report = create_draft(a, world.mission, world.period, today=soon().date(), engine=world.engine)
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
    link = f"{BASE}/statusrapporter?rapport={report.id}"
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
        assert f"{BASE}/statusrapporter?rapport={report.id}" in body


def test_a_partner_is_not_told_unless_they_asked(world: Any, inbox: Inbox) -> None:
    report = report_sent(world)
    approve_report(world.actors["steering"], report.id, report.version, engine=world.engine)
    send(world, inbox)
    assert inbox.to(email("partner")) == []


def test_the_sender_drops_what_a_recipient_may_no_longer_read(world: Any, inbox: Inbox) -> None:
    """A row written for an operative who is a partner (or deactivated) by the time it is sent
    is not sent: the role is read again at sending."""
    submitted(world, "udir_a", "4242")
    with session_scope(write=True, engine=world.engine) as session:
        user = session.get(User, world.actors["udir_b"].id)
        assert user is not None
        user.role = "partner"  # type: ignore[assignment]
        nav = session.get(User, world.actors["nav"].id)
        assert nav is not None
        nav.active = False
    result = send(world, inbox)
    assert inbox.mails == [] and result.dropped == 2
    assert {row.status for row in outbox(world)} == {OutboxStatus.DROPPED}


# --- each person's choices ------------------------------------------------------------------


def test_a_topic_turned_off_writes_nothing_and_a_daily_digest_waits_for_its_hour(
    world: Any, inbox: Inbox
) -> None:
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
    assert due.astimezone(dt.timezone(dt.timedelta(hours=1))).hour == 7  # Oslo in winter
    assert send(world, inbox, now=dt.datetime.now(dt.UTC)).mails == 0
    assert send(world, inbox, now=due).mails == 1


def test_preferences_keep_only_the_topics_of_the_role(world: Any) -> None:
    partner = world.actors["partner"]
    save_preferences(
        partner,
        "en",
        {Topic.REPORTS: Delivery.DAILY, Topic.TO_APPROVE: Delivery.IMMEDIATE},
        engine=world.engine,
    )
    chosen = notifications.preferences(partner, engine=world.engine)
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
    assert all(r.attempts == 1 and r.last_error and "Connection" in r.last_error for r in rows)
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


def test_failures_back_off_and_then_give_up_with_the_error_for_the_secretariat(
    world: Any,
) -> None:
    port = free_port()
    submitted(world, "udir_a", "1")
    now = soon()
    for attempt in range(1, 13):
        run_once(now=now, engine=world.engine, settings=settings_for(port))
        now += back_off(attempt)
    rows = outbox(world)
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.FAILED, 12)}
    shown = outbox_table(world.actors["admin"], engine=world.engine)
    assert (
        set(shown["status"]) == {"failed"} and shown["last_error"].str.contains("Connection").all()
    )
    send_again(world.actors["admin"], rows[0].id, engine=world.engine)
    with smtp_server(port) as inbox:
        assert run_once(now=now, engine=world.engine, settings=settings_for(port)).mails == 1
        assert len(inbox.mails) == 1


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
    assert f"{BASE}/rapportering?periode={world.period}" in text
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
    assert any(f"{BASE}/styring" in m.part("plain") for m in overdue)


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
