"""Administrasjon through AppTest: users created, changed and deactivated; the audit log."""

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard.db import make_engine
from dashboard.services.users import actor_of
from models import AuditEvent, Role, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")


def users() -> dict[str, User]:
    """Every account in the app's database, by e-mail."""
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        return {u.email: u for u in session.exec(select(User))}


def audit_actions() -> list[str]:
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


def admin_page(lang: str = "nb", email: str = "sekretariat@demo.invalid") -> AppTest:
    """The app with the given account signed in, on Administrasjon."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(users()[email])
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("../pages/administrasjon.py")
    at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_admin_sees_every_account_and_the_audit_log() -> None:
    at = admin_page()
    assert at.title[0].value == "Administrasjon"
    accounts = at.dataframe[0].value
    assert set(accounts["E-post"]) == set(users())
    assert "password_hash" not in " ".join(accounts.columns)
    log = at.dataframe[-1].value
    assert "opprettet" in set(log["Hendelse"])


def test_the_page_in_english() -> None:
    at = admin_page(lang="en")
    assert at.title[0].value == "Administration"
    tabs = [tab.label for tab in at.tabs]
    assert tabs == [
        "Users",
        "Periods",
        "Indicators",
        "Audit log",
        "Import",
        "Statistics from SSB",
        "Outbox",
    ]
    assert "created" in set(at.dataframe[-1].value["Event"])


def test_a_bad_e_mail_is_refused_with_a_message_and_nothing_saved() -> None:
    at = admin_page()
    at.text_input(key="new-email").input("ikke-en-adresse")
    at.text_input(key="new-name").input("Kari")
    submit(at, "create-user")
    assert "Skriv en gyldig e-postadresse" in at.error[0].value.replace("\\", "")
    assert "ikke-en-adresse" not in users()


def test_creating_a_user_shows_the_password_once() -> None:
    at = admin_page()
    at.text_input(key="new-email").input("Kari.Nordmann@Udir.no")
    at.text_input(key="new-name").input("Kari Nordmann")
    at.selectbox(key="new-role").set_value(Role.OPERATIVE)
    submit(at, "create-user")
    created = users()["kari.nordmann@udir.no"]
    assert created.role == Role.OPERATIVE and created.password_hash
    notices = [s.value.replace("\\", "") for s in at.success]
    assert "Brukeren kari.nordmann@udir.no er opprettet." in notices[0]
    assert "Nytt passord for kari" in notices[1]
    assert len(at.code[0].value) >= 20
    at.run()  # the next run no longer shows it
    assert not at.code
    at.text_input(key="new-email").input("KARI.nordmann@udir.no")
    at.text_input(key="new-name").input("Kari igjen")
    submit(at, "create-user")
    assert "finnes allerede en konto" in at.error[0].value


def test_a_change_needs_a_reason_and_deactivation_is_audited() -> None:
    partner = users()["partner@demo.invalid"]
    at = admin_page()
    at.selectbox(key="edit-user").set_value(partner.id)
    at.run()
    at.checkbox(key=f"edit-active-{partner.id}").uncheck()
    submit(at, "save-user")
    assert "Skriv en begrunnelse" in at.error[0].value
    assert users()["partner@demo.invalid"].active
    at.text_input(key=f"edit-reason-{partner.id}").input("Sluttet i KS")
    submit(at, "save-user")
    assert "Endringene for partner@demo.invalid er lagret." in at.success[0].value.replace("\\", "")
    assert not users()["partner@demo.invalid"].active
    assert audit_actions()[-1] == "update"


def test_the_last_admin_cannot_demote_themself() -> None:
    admin = users()["sekretariat@demo.invalid"]
    at = admin_page()
    at.selectbox(key="edit-user").set_value(admin.id)
    at.run()
    at.selectbox(key=f"edit-role-{admin.id}").select_index(list(Role).index(Role.PARTNER))
    at.text_input(key=f"edit-reason-{admin.id}").input("test")
    submit(at, "save-user")
    assert "ville ikke latt noen aktiv bruker" in at.error[0].value
    assert users()["sekretariat@demo.invalid"].role == Role.ADMIN


def test_the_audit_log_filters_by_who_and_what() -> None:
    at = admin_page()
    at.date_input(key="audit-since").set_value(dt.date.today() + dt.timedelta(days=2))
    at.run()
    assert any("Ingen hendelser passer" in i.value for i in at.info)
    at.date_input(key="audit-since").set_value(None)
    action = at.selectbox(key="audit-action")
    action.select_index(action.options.index("opprettet"))
    who = at.selectbox(key="audit-who")
    who.select_index(who.options.index("seed"))
    at.run()
    log = at.dataframe[-1].value
    assert len(log) == 5 and set(log["Hendelse"]) == {"opprettet"}
    assert set(log["Gjelder"]) == {"bruker"}


@pytest.mark.parametrize(
    "email", ["partner@demo.invalid", "operativ@demo.invalid", "styringsgruppe@demo.invalid"]
)
def test_other_roles_never_reach_the_page_script(email: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(users()[email])
    at.run()
    with pytest.raises(ValueError):  # not registered for this role: only a hidden refusal is
        at.switch_page("../pages/administrasjon.py")


def test_a_deactivated_account_is_signed_out_on_its_next_run() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(users()["operativ@demo.invalid"])
    at.run()
    assert "Innlogget som operativ" in " ".join(c.value for c in at.sidebar.caption)
    admin = admin_page()
    operative = users()["operativ@demo.invalid"]
    admin.selectbox(key="edit-user").set_value(operative.id)
    admin.run()
    admin.checkbox(key=f"edit-active-{operative.id}").uncheck()
    admin.text_input(key=f"edit-reason-{operative.id}").input("Permisjon")
    submit(admin, "save-user")
    at.run()
    assert "Du ser dashbordet som partner" in " ".join(c.value for c in at.sidebar.caption)
