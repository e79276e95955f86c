"""E-mail notifications on the pages (issue 16): each person chooses on Konto what they are told
and in which language; the secretariat sees the outbox on Administrasjon (queued, sent, failed
with the error) and can queue a failed mail again."""

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard.db import make_engine
from dashboard.services.common import mission_by_key
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from models import OutboxMail, User
from models.notifications import NotificationKind, OutboxStatus

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")


def user(email: str) -> User:
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        found = session.exec(select(User).where(User.email == email)).one()
        session.expunge(found)
        return found


def page(script: str, email: str, lang: str = "nb") -> AppTest:
    """The app with email signed in, on script."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(user(email))
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"../pages/{script}")
    at.run()
    assert not at.exception, at.exception
    return at


def test_konto_lets_an_operative_choose_each_notification_and_the_mail_language() -> None:
    at = page("konto.py", "operativ@demo.invalid")
    assert "Varsler på e-post" in [h.value for h in at.header]  # an h2 under the page's h1
    assert [r.label for r in at.radio] == [
        "Registreringer som venter på din godkjenning",
        "Registreringer som returneres til deg",
        "Statusrapporter (sendt til godkjenning, returnert, godkjent)",
        "Påminnelser om rapportering",
        "Frister for beslutninger",
    ]
    assert {r.value for r in at.radio} == {"immediate"}  # the default: at once
    at.radio(key="notify-to_approve").set_value("daily")
    at.radio(key="notify-reminders").set_value("off")
    at.selectbox(key="notify-language").set_value("en")
    next(b for b in at.button if b.label == "Lagre varslene").click()
    at.run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Varslene dine er lagret."
    saved = user("operativ@demo.invalid")
    assert saved.language == "en"
    assert saved.notifications == {
        "to_approve": "daily",
        "returned": "immediate",
        "reports": "immediate",
        "reminders": "off",
        "decisions": "immediate",
    }
    again = page("konto.py", "operativ@demo.invalid", lang="en")
    assert "E-mail notifications" in [h.value for h in again.header]
    assert again.radio(key="notify-to_approve").value == "daily"
    assert again.selectbox(key="notify-language").value == "en"


def test_a_partner_is_offered_published_reports_only_and_off_by_default() -> None:
    at = page("konto.py", "partner@demo.invalid")
    assert [(r.label, r.value) for r in at.radio] == [
        ("Statusrapporter (sendt til godkjenning, returnert, godkjent)", "off")
    ]


def mission_id(key: str | None = None) -> int:
    """The id of the mission with key (the installation's default mission, unless told)."""
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        mission = mission_by_key(session, key or get_settings().mission_key)
        assert mission is not None and mission.id is not None
        return mission.id


def queue(status: OutboxStatus, error: str | None = None, mission: int | None = None) -> int:
    """An outbox row to the operative, in status, of mission (the default one, unless told)."""
    mission = mission or mission_id()
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        row = OutboxMail(
            kind=NotificationKind.REPORT_APPROVED,
            recipient_id=user("operativ@demo.invalid").id or 0,
            mission_id=mission,
            entity="status_report",
            entity_id=1,
            payload={"report_id": 1, "period_id": 1, "period": "2025"},
            status=status,
            attempts=12 if status == OutboxStatus.FAILED else 0,
            last_error=error,
            due_at=dt.datetime.now(dt.UTC),
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def test_administrasjon_shows_the_outbox_with_errors_and_sends_a_failed_mail_again() -> None:
    queue(OutboxStatus.QUEUED)
    failed = queue(OutboxStatus.FAILED, "SMTPRecipientsRefused: {'operativ@demo.invalid': 550}")
    at = page("administrasjon.py", "sekretariat@demo.invalid")
    assert [tab.label for tab in at.tabs][-1] == "Utboks"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Venter"] == "1" and metrics["Feilet"] == "1" and metrics["Sendt"] == "0"
    table = at.dataframe[-1].value
    assert list(table["Status"]) == ["Feilet", "Venter"]
    assert set(table["Mottaker"]) == {"operativ@demo.invalid"}
    assert "SMTPRecipientsRefused" in table["Feil"].iloc[0]
    assert list(table["Varsel"]) == ["Statusrapport godkjent"] * 2
    at.selectbox(key="outbox-again-id").set_value(failed)
    next(b for b in at.button if b.label == "Send på nytt").click()
    at.run()
    assert not at.exception, at.exception
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        row = session.get(OutboxMail, failed)
        assert row is not None and row.status == OutboxStatus.QUEUED and row.attempts == 0
    # the page read after the button: the mail waits, nothing is failed, nothing to resend
    assert list(at.dataframe[-1].value["Status"]) == ["Venter", "Venter"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Venter"] == "2" and metrics["Feilet"] == "0"
    assert [s.value for s in at.success] == ["Lagt i kø igjen; den sendes ved neste kjøring."]
    assert not [b for b in at.button if b.label in ("Send på nytt", "Send alle feilede på nytt")]


def test_send_again_of_a_mail_someone_else_sent_again_says_so() -> None:
    """Two secretaries, or a second tab: the mail was queued again meanwhile."""
    from dashboard.services.outbox import send_again

    failed = queue(OutboxStatus.FAILED, "x")
    at = page("administrasjon.py", "sekretariat@demo.invalid")
    secretariat = actor_of(user("sekretariat@demo.invalid"))
    send_again(secretariat, failed, engine=make_engine(os.environ["DATABASE_URL"]))
    next(b for b in at.button if b.label == "Send på nytt").click()
    at.run()
    assert not at.exception, at.exception
    assert (
        "Denne e-posten er ikke lenger feilet eller usikker (noen har alt sendt den på nytt). "
        "Listen er oppdatert."
    ) in [w.value for w in at.warning]
    assert list(at.dataframe[-1].value["Status"]) == ["Venter"]


def test_send_all_failed_again() -> None:
    """After an outage or a refusing server, every failed mail is queued with one button;
    an uncertain one is left for a look."""
    for _ in range(3):
        queue(OutboxStatus.FAILED, "SMTPDataError: (554, b'Nei')")
    uncertain = queue(OutboxStatus.UNCERTAIN, "lost")
    at = page("administrasjon.py", "sekretariat@demo.invalid")
    next(b for b in at.button if b.label == "Send alle feilede på nytt").click()
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["3 e-poster er lagt i kø igjen."]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Venter"] == "3" and metrics["Feilet"] == "0"
    assert not [b for b in at.button if b.label == "Send alle feilede på nytt"]
    assert at.selectbox(key="outbox-again-id").options == [str(uncertain)]


def test_utboks_says_when_the_sender_refuses_a_clear_text_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_HOST", "smtp.example.no")
    monkeypatch.setenv("SMTP_USER", "dashbord")
    get_settings.cache_clear()
    try:
        at = page("administrasjon.py", "sekretariat@demo.invalid")
        assert any(
            "passordet ville gått ukryptert til smtp.example.no" in w.value for w in at.warning
        )
        monkeypatch.setenv("SMTP_STARTTLS", "true")
        get_settings.cache_clear()
        at = page("administrasjon.py", "sekretariat@demo.invalid")
        assert not any("ukryptert" in w.value for w in at.warning)
    finally:
        get_settings.cache_clear()


def test_konto_offers_the_secretariat_returned_values() -> None:
    """The secretariat enters values by import, so it is told when one is returned."""
    at = page("konto.py", "sekretariat@demo.invalid")
    assert [(r.label, r.value) for r in at.radio] == [
        ("Registreringer som returneres til deg", "immediate"),
        ("Statusrapporter (sendt til godkjenning, returnert, godkjent)", "immediate"),
        ("Frister for beslutninger", "immediate"),
    ]


def test_the_outbox_in_english_and_empty() -> None:
    at = page("administrasjon.py", "sekretariat@demo.invalid", lang="en")
    assert [tab.label for tab in at.tabs][-1] == "Outbox"
    assert "The outbox is empty." in [i.value for i in at.info]


def test_a_mails_link_opens_rapportering_on_the_period_it_names() -> None:
    """/rapportering?periode=ID, the link in a mail, opens that period (not the first open)."""
    from dashboard.services.periods import create_period
    from models import PeriodCreate

    admin = actor_of(user("sekretariat@demo.invalid"))
    engine = make_engine(os.environ["DATABASE_URL"])
    ids = [
        create_period(
            admin,
            PeriodCreate(
                mission_id=mission_id(),
                label=label,
                kind="quarterly",  # type: ignore[arg-type]
                start=start,
                end=end,
            ),
            engine=engine,
        )
        for label, start, end in (
            ("2026-K3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
            ("2026-K4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        )
    ]
    at = page("rapportering.py", "operativ@demo.invalid")
    chosen = at.selectbox(key="url:periode").value
    other = next(i for i in ids if i != chosen)
    at.query_params["periode"] = str(other)
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="url:periode").value == other


def second_mission() -> int:
    """A second mission, key "b", in the app's database."""
    from models import Mission

    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        mission = Mission(key="b", title="Det andre samfunnsoppdraget", short_title="Oppdrag B")
        session.add(mission)
        session.commit()
        assert mission.id is not None
        return mission.id


def test_konto_offers_the_topics_of_a_persons_roles_in_every_mission() -> None:
    """A partner here who sits in another mission's steering group chooses what both get."""
    from dashboard.services.missions import set_role
    from models import Role

    other = second_mission()
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        set_role(session, user("partner@demo.invalid").id or 0, other, Role.STEERING)
        session.commit()
    at = page("konto.py", "partner@demo.invalid")
    assert [(r.label, r.value) for r in at.radio] == [
        ("Statusrapporter (sendt til godkjenning, returnert, godkjent)", "immediate"),
        ("Frister for beslutninger", "immediate"),
    ]
    said = "Valgene gjelder i alle samfunnsoppdragene du er med i"
    assert any(said in c.value for c in at.caption)
    assert not any(said in c.value for c in page("konto.py", "operativ@demo.invalid").caption)


def test_the_outbox_shows_the_mails_of_the_mission_shown() -> None:
    """The secretariat of one mission never sees (or sends again) another mission's mails."""
    other = second_mission()
    queue(OutboxStatus.FAILED, "her")
    there = queue(OutboxStatus.FAILED, "der", mission=other)
    at = page("administrasjon.py", "sekretariat@demo.invalid")
    table = at.dataframe[-1].value
    assert list(table["Feil"]) == ["her"] and {m.label: m.value for m in at.metric}["Feilet"] == "1"
    assert there not in [int(o) for o in at.selectbox(key="outbox-again-id").options]
    at.query_params["oppdrag"] = "b"  # the global administrator, as B's secretariat
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[-1].value["Feil"]) == ["der"]
