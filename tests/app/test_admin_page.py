"""Administrasjon through AppTest: users created, changed and deactivated, with their roles in
the mission shown; the audit log; a new mission (the global administrator only)."""

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from dashboard.db import make_engine
from dashboard.services.missions import role_in
from dashboard.services.users import actor_of, create_user
from dashboard.settings import get_settings
from models import AuditEvent, Mission, Role, User, UserCreate

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")


def users() -> dict[str, User]:
    """Every account in the app's database, by e-mail."""
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        return {u.email: u for u in session.exec(select(User))}


def role(email: str, key: str | None = None) -> Role:
    """The role of the account with email in the mission with key (default: the real one)."""
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        mission = session.exec(
            select(Mission.id).where(Mission.key == (key or get_settings().mission_key))
        ).one()
        return role_in(session, user, mission)


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


def audit_log(at: AppTest) -> pd.DataFrame:
    """The audit log's table (the one with a column of events)."""
    found = [d.value for d in at.dataframe if {"Hendelse", "Event"} & set(d.value.columns)]
    assert len(found) == 1
    return found[0]


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
    assert "opprettet" in set(audit_log(at)["Hendelse"])


def test_the_page_in_english() -> None:
    at = admin_page(lang="en")
    assert at.title[0].value == "Administration"
    tabs = [tab.label for tab in at.tabs]
    assert tabs == [
        "Users",
        "Missions",  # the demo secretariat is the global administrator
        "Periods",
        "Indicators",
        "Audit log",
        "Import",
        "Statistics from SSB",
        "Outbox",
    ]
    assert "created" in set(audit_log(at)["Event"])


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
    assert role(created.email) == Role.OPERATIVE and created.password_hash
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
    assert role("sekretariat@demo.invalid") == Role.ADMIN


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
    log = audit_log(at)
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


def test_the_roles_shown_and_set_are_the_ones_in_this_mission() -> None:
    at = admin_page()
    accounts = at.dataframe[0].value
    shown = dict(
        zip(accounts["E-post"], accounts["Rolle i Inkludering av barn og unge"], strict=True)
    )
    assert shown["operativ@demo.invalid"] == "operativ gruppe"
    assert any("gjelder bare i Inkludering av barn og unge" in c.value for c in at.caption)
    partner = users()["operativ@demo.invalid"]
    at.selectbox(key="edit-user").set_value(partner.id)
    at.run()
    choice = at.selectbox(key=f"edit-role-{partner.id}")
    assert choice.label == "Rolle i Inkludering av barn og unge"
    choice.set_value(Role.PARTNER)  # no role here any more
    at.text_input(key=f"edit-reason-{partner.id}").input("Byttet oppdrag")
    submit(at, "save-user")
    assert role("operativ@demo.invalid") == Role.PARTNER


def choices(at: AppTest) -> list[Selectbox[str]]:
    """The sidebar's choice of mission (none while there is one mission)."""
    return [s for s in at.sidebar.selectbox if s.key == "mission_choice"]


def new_mission(at: AppTest, key: str, title: str, year: int | None = None) -> AppTest:
    at.text_input(key="mission-key").input(key)
    at.text_input(key="mission-title").input(title)
    at.text_input(key="mission-short-title").input(title)
    at.number_input(key="mission-horizon").set_value(year)
    return submit(at, "create-mission")


def test_the_global_administrator_creates_a_mission_that_the_sidebar_offers() -> None:
    at = admin_page()
    assert [tab.label for tab in at.tabs][1] == "Samfunnsoppdrag"
    assert not choices(at)  # one mission: no choice
    new_mission(at, "Klima 2030", "Klima")
    assert "Bruk bare små bokstaver a–z" in at.error[0].value
    new_mission(at, get_settings().mission_key, "Enda en")
    assert "finnes allerede et samfunnsoppdrag med nøkkelen" in at.error[0].value
    new_mission(at, "klima-2030", "Klima", 2030)
    assert not at.error
    notices = " ".join(s.value for s in at.success)
    assert "Samfunnsoppdraget «Klima» er opprettet" in notices
    [choice] = choices(at)
    assert choice.options == ["Inkludering av barn og unge", "Klima"]
    choice.set_value("klima-2030")
    at.run()
    assert not at.exception, at.exception
    assert at.query_params["oppdrag"] == "klima-2030"
    assert role("sekretariat@demo.invalid", "klima-2030") == Role.ADMIN
    assert role("operativ@demo.invalid", "klima-2030") == Role.PARTNER
    assert "Rolle i Klima" in at.dataframe[0].value.columns


def test_a_missions_own_secretariat_cannot_create_missions_nor_see_the_installations_log() -> None:
    boss = users()["sekretariat@demo.invalid"]
    data = UserCreate(email="sek2@example.no", name="Sekretær", role=Role.ADMIN)
    create_user(actor_of(boss), data, engine=make_engine(os.environ["DATABASE_URL"]))
    at = admin_page(email="sek2@example.no")
    assert "Samfunnsoppdrag" not in [tab.label for tab in at.tabs]
    assert not [b for b in at.button if b.key == "create-mission"]
    log = audit_log(at)
    assert set(log["Hvem"]) == {"sekretariat@demo.invalid"}  # not the seed's rows (no mission)
    assert any("bare den globale administratoren" in c.value for c in at.caption)
