"""The import through AppTest: the secretariat on Administrasjon, the operative group on
Rapportering; a bad file shows its bad rows and no import button, a good file imports.

Streamlit 1.67's AppTest drives st.file_uploader itself (set_value with name, bytes and type),
so the upload goes through the page as a person's would.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from support.busy import held_database

from dashboard.db import make_engine
from dashboard.services.periods import create_period
from dashboard.services.reporting import save_value
from dashboard.services.users import actor_of
from models import (
    AuditEvent,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Period,
    PeriodCreate,
    User,
)

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")
ADMIN, OPERATIVE = "sekretariat@demo.invalid", "operativ@demo.invalid"  # operativ: Avdir


def engine() -> Engine:
    """The app's database (the accounts fixture points DATABASE_URL at it)."""
    return make_engine(os.environ["DATABASE_URL"])


def user(email: str) -> User:
    with Session(engine()) as session:
        return session.exec(select(User).where(User.email == email)).one()


def open_page(email: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(user(email))
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def period() -> str:
    """An open period, created by the secretariat."""
    admin = actor_of(user(ADMIN))
    data = PeriodCreate(
        mission_id=admin.mission_id,
        label="2026",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    create_period(admin, data, engine=engine())
    return "2026"


def upload(at: AppTest, name: str, lines: list[str], round_: int = 0) -> AppTest:
    text = "\r\n".join(["indikator;periode;verdi;kommentar", *lines]) + "\r\n"
    at.file_uploader(key=f"import-file-{round_}").set_value((name, text.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def has_import_button(at: AppTest) -> bool:
    return any(button.key == "import-commit" for button in at.button)


def values(period: str = "2026") -> dict[str, IndicatorValue]:
    """The values stored for period, by indicator code."""
    with Session(engine()) as session:
        found = session.exec(
            select(Indicator.code, IndicatorValue)
            .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .where(Period.label == period)
        ).all()
        return {code: value for code, value in found}


def test_the_secretariat_imports_any_indicator_after_a_dry_run(period: str) -> None:
    at = open_page(ADMIN, "administrasjon")
    assert "Import" in [tab.label for tab in at.tabs]
    keys = {button.key for button in at.get("download_button")}
    assert {"import-template-csv", "import-template-xlsx"} <= keys  # the template
    bad = [
        f"NEET-15-29;{period};90 000;",
        f"MOBBING-6-15;{period};140 %;",  # over 100 %
        f"FINNES-IKKE;{period};1;",
        "LAVINNTEKT-BARN;2019;5;",  # no such period
    ]
    upload(at, "verdier.csv", bad)
    assert any("3 rader har feil" in e.value for e in at.error)
    assert not has_import_button(at)
    table = at.dataframe[-1].value
    assert list(table["Resultat"]) == ["Feil", "Feil", "Feil", "Ny verdi"]
    assert list(table["Rad"]) == [3, 4, 5, 2]  # the bad rows first
    reasons = " ".join(table["Årsak"])
    assert "«Verdi»: En prosentandel må være mellom 0 og 100, ikke 140." in reasons
    assert "har koden «FINNES-IKKE»" in reasons and "heter «2019»" in reasons
    assert values() == {}  # the dry run wrote nothing

    good = [f"NEET-15-29;{period};90 000;Fra SSB", f"MOBBING-6-15;{period};7,5 %;"]
    upload(at, "verdier.csv", good)
    assert not at.error
    at.button(key="import-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert any("nye verdier: 2, endrede verdier: 0" in s.value for s in at.success)
    stored = values()
    assert {code: (v.value, v.status) for code, v in stored.items()} == {
        "NEET-15-29": (90000, EntryStatus.SUBMITTED),
        "MOBBING-6-15": (7.5, EntryStatus.SUBMITTED),
    }
    assert stored["NEET-15-29"].entered_by_id == user(ADMIN).id
    with Session(engine()) as session:
        audited = session.exec(select(AuditEvent.reason).where(AuditEvent.action == "import"))
        assert list(audited) == ["verdier.csv", "verdier.csv"]
    assert at.file_uploader(key="import-file-1").value is None  # a fresh uploader


def ids(code: str, period: str) -> tuple[int, int]:
    with Session(engine()) as session:
        indicator = session.exec(select(Indicator.id).where(Indicator.code == code)).one()
        period_id = session.exec(select(Period.id).where(Period.label == period)).one()
    assert indicator is not None and period_id is not None
    return indicator, period_id


def test_a_value_saved_after_the_dry_run_is_not_overwritten_by_the_import(period: str) -> None:
    at = open_page(ADMIN, "administrasjon")
    upload(at, "verdier.csv", [f"NEET-15-29;{period};90 000;", f"MOBBING-6-15;{period};7,5 %;"])
    assert list(at.dataframe[-1].value["Resultat"]) == ["Ny verdi", "Ny verdi"]
    # a colleague saves a value for one of the rows while the dry run is on screen
    indicator, period_id = ids("NEET-15-29", period)
    save_value(
        actor_of(user(OPERATIVE)),
        indicator,
        period_id,
        {"value": "80 000"},
        version=None,
        engine=engine(),
    )
    at.button(key="import-commit").click()
    at.run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "Ingenting ble importert" in errors
    assert f"rad 2, NEET-15-29 {period}: endret av {OPERATIVE}" in errors
    assert "MOBBING-6-15" not in errors
    stored = values()
    assert {code: (v.value, v.status) for code, v in stored.items()} == {
        "NEET-15-29": (80000, EntryStatus.DRAFT)  # the colleague's value, as they left it
    }
    assert stored["NEET-15-29"].entered_by_id == user(OPERATIVE).id
    # the person now sees a fresh dry run, and importing from it goes through
    assert list(at.dataframe[-1].value["Resultat"]) == ["Endres", "Ny verdi"]
    at.button(key="import-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert any("nye verdier: 1, endrede verdier: 1" in s.value for s in at.success)
    assert {code: v.value for code, v in values().items()} == {
        "NEET-15-29": 90000,
        "MOBBING-6-15": 7.5,
    }


def test_an_import_while_the_database_is_busy_says_try_again_and_writes_nothing(
    period: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(ADMIN, "administrasjon")
    upload(at, "verdier.csv", [f"NEET-15-29;{period};90 000;", f"MOBBING-6-15;{period};7,5 %;"])
    with held_database(os.environ["DATABASE_URL"], monkeypatch):
        at.button(key="import-commit").click()
        at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "Databasen er opptatt med en annen lagring akkurat nå. Prøv igjen om litt; det som "
        "allerede er lagret, er ikke endret."
    ]
    assert values() == {}  # nothing written
    assert list(at.dataframe[-1].value["Resultat"]) == ["Ny verdi", "Ny verdi"]  # still shown
    at.button(key="import-commit").click()  # trying again once the database is free
    at.run()
    assert not at.exception, at.exception
    assert any("nye verdier: 2, endrede verdier: 0" in s.value for s in at.success)
    assert {code: v.value for code, v in values().items()} == {
        "NEET-15-29": 90000,
        "MOBBING-6-15": 7.5,
    }


def test_a_file_that_is_not_what_it_claims_is_refused_with_a_message(period: str) -> None:
    at = open_page(ADMIN, "administrasjon")
    uploader = at.file_uploader(key="import-file-0")
    uploader.set_value(("verdier.xlsx", b"indikator;periode;verdi\r\n", "text/csv"))
    at.run()
    assert any("ikke en gyldig Excel-arbeidsbok" in e.value for e in at.error)
    assert not has_import_button(at) and values() == {}


def test_the_operative_group_imports_its_own_indicators_as_drafts(period: str) -> None:
    at = open_page(OPERATIVE, "rapportering")
    assert "Import" in [tab.label for tab in at.tabs]
    upload(at, "avdir.csv", [f"NEET-15-29;{period};85 000;", f"MOBBING-6-15;{period};5 %;"])
    table = at.dataframe[-1].value
    assert table["Resultat"].iloc[0] == "Feil"
    assert "rapporteres av en annen organisasjon" in table["Årsak"].iloc[0]
    assert not has_import_button(at)

    upload(at, "avdir.csv", [f"NEET-15-29;{period};85 000;", f"SYSSELSETTING-UNGE;{period};70 %;"])
    at.button(key="import-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert any("lagret som utkast" in s.value for s in at.success)
    stored = values()
    assert {code: v.status for code, v in stored.items()} == {
        "NEET-15-29": EntryStatus.DRAFT,
        "SYSSELSETTING-UNGE": EntryStatus.DRAFT,
    }
    assert stored["NEET-15-29"].entered_by_id == user(OPERATIVE).id


@pytest.mark.parametrize("page", ["administrasjon", "rapportering"])
def test_a_partner_never_reaches_the_import(page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(user("partner@demo.invalid"))
    at.run()
    assert not at.file_uploader
    with pytest.raises(ValueError):  # not registered for the partner: only a hidden refusal is
        at.switch_page(f"../pages/{page}.py")
