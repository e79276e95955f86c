"""Statistics from SSB through AppTest (issue 19): the secretariat on Administrasjon, the
operative group on Rapportering; a fictional file's dry run shows each year, SSB's symbols with
their meaning and the breakdown cells counted; the import lands as submitted; fetching
from an SSB that cannot be reached says so in words, never with an exception box. Every file
is fictional (support.fictional_ssb)."""

import datetime as dt
import os
import socket
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from support import fictional_ssb as fictional

from dashboard.db import make_engine
from dashboard.services.periods import create_period
from dashboard.services.users import actor_of
from models import EntryStatus, Indicator, IndicatorValue, Period, PeriodCreate, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")
ADMIN, OPERATIVE = "sekretariat@demo.invalid", "operativ@demo.invalid"  # operativ: Avdir
CODE = "NEET-15-29"  # Avdir's


def engine() -> Engine:
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
def periods() -> None:
    """Open yearly periods 2024 and 2025 (the fictional file has 2022-2025)."""
    admin = actor_of(user(ADMIN))
    for year in (2024, 2025):
        data = PeriodCreate(
            mission_id=admin.mission_id,
            label=str(year),
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
        create_period(admin, data, engine=engine())


def stored() -> dict[str, tuple[float | None, EntryStatus]]:
    with Session(engine()) as session:
        rows = session.exec(
            select(Period.label, IndicatorValue)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
            .where(Indicator.code == CODE)
        ).all()
        return {label: (v.value, v.status) for label, v in rows}


def years_table(at: AppTest) -> pd.DataFrame:
    [table] = [df.value for df in at.dataframe if "SSB-tegn" in df.value.columns]
    return table


def upload(at: AppTest, data: bytes, name: str = "fiktiv-99999.json", round_: int = 0) -> None:
    at.selectbox(key="ssb-indicator").set_value(CODE)
    at.run()
    at.file_uploader(key=f"ssb-file-{round_}").set_value((name, data, "application/json"))
    at.run()
    assert not at.exception, at.exception


FILE = dict(
    regions=("0", "03"),
    genders=("0", "1", "2"),
    statuses={("0", "0", "15-29", "2025"): ":"},
)


def test_the_secretariat_uploads_a_fictional_file_and_imports_it_as_submitted(
    periods: None,
) -> None:
    at = open_page(ADMIN, "administrasjon")
    assert "Statistikk fra SSB" in [tab.label for tab in at.tabs]
    upload(at, fictional.jsonstat_bytes(**FILE))
    table = years_table(at)
    assert list(table["År"]) == ["2022", "2023", "2024", "2025"]
    assert list(table["Hva skjer"])[:3] == [
        "Importeres ikke: oppdraget har ingen årsperiode 2022",
        "Importeres ikke: oppdraget har ingen årsperiode 2023",
        "Importeres",
    ]
    assert list(table["SSB-tegn"])[3] == "«:» Vises ikke av konfidensialitetshensyn"
    assert list(table["Hva skjer"])[3].startswith("Importeres ikke: SSB oppgir ikke noe tall")
    infos = " ".join(i.value for i in at.info)
    assert "som én samling til godkjenning: 24 celler" in infos
    assert "hele landet: 12, fylke: 12" in infos and "Menn: 8" in infos
    assert stored() == {}  # the dry run wrote nothing
    assert at.button(key="ssb-commit").label == "Importer 1 verdi og fordelingen (24 celler)"
    at.button(key="ssb-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert any("sendt til godkjenning" in s.value for s in at.success)
    assert any("24 celler fra SSB-tabell 99999" in s.value for s in at.success)
    assert stored() == {"2024": (980.0, EntryStatus.SUBMITTED)}


def test_the_operative_group_imports_its_own_indicators_on_rapportering(periods: None) -> None:
    at = open_page(OPERATIVE, "rapportering")
    assert "Statistikk fra SSB" in [tab.label for tab in at.tabs]
    options = at.selectbox(key="ssb-indicator").options
    with Session(engine()) as session:
        avdir = user(OPERATIVE).organisation_id
        own = session.exec(
            select(Indicator.code).where(Indicator.responsible_org_id == avdir)
        ).all()
    assert [o.split(" – ")[0] for o in options] == sorted(own) and CODE in own
    upload(at, fictional.jsonstat_bytes(**FILE))
    at.button(key="ssb-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert stored() == {"2024": (980.0, EntryStatus.SUBMITTED)}  # submitted, not a draft


def test_a_file_that_is_not_json_stat_is_refused_in_words(periods: None) -> None:
    at = open_page(ADMIN, "administrasjon")
    upload(at, b'{"version": "1.0"}')
    assert any("ikke ett JSON-stat 2.0-datasett" in e.value for e in at.error)
    assert not any(b.key == "ssb-commit" for b in at.button)


def test_fetching_from_an_unreachable_ssb_says_so_in_words(
    periods: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine()) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == CODE)).one()
        indicator.ssb_table, indicator.ssb_selection = "99999", "Region=0; Tid=*"
        session.add(indicator)
        session.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SSB_API", f"http://127.0.0.1:{port}/api/pxwebapi/v2")
    monkeypatch.setattr("dashboard.statistics.fetch.time.sleep", lambda seconds: None)
    at = open_page(ADMIN, "administrasjon")
    at.selectbox(key="ssb-indicator").set_value(CODE)
    at.run()
    assert any("SSB-tabell 99999" in m.value for m in at.markdown)
    at.button(key="ssb-fetch").click()
    at.run()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Fikk ikke kontakt med SSB") and "Ingenting er importert." in error
    assert stored() == {}


def test_an_indicator_without_an_ssb_table_cannot_be_fetched(periods: None) -> None:
    at = open_page(ADMIN, "administrasjon")
    at.selectbox(key="ssb-indicator").set_value(CODE)
    at.run()
    assert at.button(key="ssb-fetch").disabled
    assert any("Indikatoren har ingen SSB-tabell" in i.value for i in at.info)


@pytest.mark.parametrize("email", ["partner@demo.invalid", "styringsgruppe@demo.invalid"])
def test_partners_and_the_steering_group_never_reach_the_statistics_import(email: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(user(email))
    at.run()
    for page in ("administrasjon", "rapportering"):
        with pytest.raises(ValueError):  # neither page is registered for these roles
            at.switch_page(f"../pages/{page}.py")
