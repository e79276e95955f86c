"""Targets for a region through AppTest (issue 19): the secretariat sets a county's target on
Administrasjon › Indikatorer (bad input named in Norwegian and English, nothing typed lost, a
reason required, the change in the indicator's history), and Indikatorer's «Etter fylke» table
gets a column «Status mot mål» for the regions with a target, for partners too, without the
number suppression hides from them. The cells are fictional (made up here)."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from dashboard.db import make_engine
from dashboard.services.framework import editable_indicator
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from dashboard.statistics.breakdowns import approve_batch, submit_batch
from dashboard.statistics.targets import parse_target, set_regional_target
from models import Indicator, RegionalTarget, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")
ADMIN = "sekretariat@demo.invalid"
OPERATIVE, COLLEAGUE = "operativ@demo.invalid", "operativ2@demo.invalid"
PARTNER = "partner@demo.invalid"
CODE = "NEET-15-29"  # a count; fewer is better
# Fictional counts (both genders, ages 15-29): Vestland rising, Bergen's 2024 count small
SERIES = {
    "03": {2022: 5000.0, 2023: 4900.0, 2024: 4700.0},
    "46": {2022: 3000.0, 2023: 3100.0, 2024: 3200.0},
    "4601": {2022: 10.0, 2023: 8.0, 2024: 4.0},
}


def session() -> Session:
    return Session(make_engine(os.environ["DATABASE_URL"]))


def user(email: str) -> User:
    with session() as s:
        return s.exec(select(User).where(User.email == email)).one()


def neet() -> Indicator:
    with session() as s:
        return s.exec(select(Indicator).where(Indicator.code == CODE)).one()


def run_as(email: str | None, page: str, lang: str = "nb", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if email:
        at.session_state["actor"] = actor_of(user(email))
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"../pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def field(at: AppTest, kind: str, name: str) -> Any:
    """The one widget of the regional target form whose key ends with name."""
    found = [
        w
        for w in getattr(at, kind)
        if (w.key or "").startswith("rt-") and w.key.endswith(f"-{name}")
    ]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def plain(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements).replace("\\", "")


def stored() -> list[tuple[str, float, int, int | None]]:
    with session() as s:
        return [
            (t.region, t.target_value, t.target_year, t.baseline_year)
            for t in s.exec(select(RegionalTarget)).all()
        ]


def choose_neet(at: AppTest) -> AppTest:
    at.selectbox(key="framework-edit-code").set_value(CODE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_secretariat_sets_a_countys_target_with_a_reason() -> None:
    at = choose_neet(run_as(ADMIN, "administrasjon"))
    assert "Ingen fylker eller kommuner har eget mål ennå." in plain(at.caption)
    field(at, "text_input", "region").input("0300")
    field(at, "text_input", "value").input("12 personer")
    click(at, "regional-target-save")
    errors = plain(at.error)
    assert "«0300» er ikke SSBs kode for et fylke eller en kommune" in errors
    assert "«Målverdi»: «12 personer» er ikke et tall" in errors
    assert "«Målår»: Feltet må fylles ut." in errors
    assert stored() == []
    assert field(at, "text_input", "region").value == "0300"  # nothing typed is lost
    assert field(at, "text_input", "value").value == "12 personer"

    field(at, "text_input", "region").input("46")
    field(at, "text_input", "value").input("2 500")
    field(at, "number_input", "target_year").set_value(2030)
    click(at, "regional-target-save")
    assert "Du har endret Mål for fylker og kommuner. Skriv en begrunnelse" in plain(at.error)
    assert stored() == []
    assert field(at, "number_input", "target_year").value == 2030

    field(at, "text_area", "reason").input("Vestlands egen plan")
    click(at, "regional-target-save")
    assert f"Målene for fylker og kommuner for {CODE} er endret." in plain(at.success)
    assert stored() == [("46", 2500.0, 2030, None)]
    assert field(at, "text_input", "region").value == ""  # a fresh form
    [table] = [df.value for df in at.dataframe if "Region" in df.value.columns]
    assert list(table["Region"]) == ["46"] and list(table["Målverdi"]) == ["2\xa0500"]

    history = run_as(ADMIN, "indikatorer", kode=CODE)
    table = history.dataframe[-1].value
    assert table["Felt"].iloc[0] == "Mål for fylker og kommuner"
    assert table["Etter"].iloc[0] == "46: 2500 (-2030)"
    assert table["Begrunnelse"].iloc[0] == "Vestlands egen plan"


def test_bad_input_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest calls format_func outside the script run, where only the default language holds
    monkeypatch.setenv("LANGUAGE", "en")
    get_settings.cache_clear()
    at = choose_neet(run_as(ADMIN, "administrasjon", lang="en"))
    field(at, "text_input", "region").input("5")
    field(at, "text_input", "value").input("10")
    field(at, "number_input", "target_year").set_value(2030)
    field(at, "text_area", "reason").input("Plan")
    assert field(at, "text_input", "region").label == "Region code (SSB)"
    click(at, "regional-target-save")
    assert "«5» is not Statistics Norway's code of a county or municipality" in plain(at.error)
    assert stored() == []


def approved_cells() -> None:
    rows = [
        (region, "0", "15-29", year, value, value, None)
        for region, values in SERIES.items()
        for year, value in values.items()
    ]
    cells = pd.DataFrame(
        rows, columns=["region", "gender", "age", "year", "value", "base", "symbol"]
    )
    indicator_id = neet().id
    assert indicator_id is not None
    batch = submit_batch(
        actor_of(user(OPERATIVE)),
        indicator_id,
        cells,
        table_id="99999",
        source="fiktiv.json",
        retrieved_at=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
        age_total="15-29",
    )
    approve_batch(actor_of(user(COLLEAGUE)), batch, 1)


def set_target(region: str, value: str, year: int, baseline: int | None = None) -> None:
    indicator = neet()
    assert indicator.id is not None
    with session() as s:
        shown = editable_indicator(s, indicator.mission_id, CODE)
    assert shown is not None
    raw = {"region": region, "target_value": value, "target_year": year, "baseline_year": baseline}
    set_regional_target(
        actor_of(user(ADMIN)),
        indicator.id,
        parse_target(raw),
        seen=shown.fingerprint,
        reason="Regionens plan",
    )


def county_table(at: AppTest) -> pd.DataFrame:
    [table] = [
        df.value for df in at.dataframe if "Kode" in df.value.columns and "Kjønn" not in df.value
    ]
    return table.set_index("Kode")


def test_the_county_table_shows_the_status_of_the_regions_with_a_target() -> None:
    approved_cells()
    before = county_table(run_as(PARTNER, "indikatorer", kode=CODE))
    assert "Status mot mål" not in before.columns  # no region has a target of its own
    set_target("46", "2500", 2030, 2022)
    set_target("4601", "8", 2030, 2022)
    at = run_as(PARTNER, "indikatorer", kode=CODE)
    table = county_table(at)
    # Vestland: 3000 -> 3200 where fewer was the aim; Oslo has no target of its own
    assert table.loc["46", "Status mot mål"] == "Går feil vei"
    assert table.loc["03", "Status mot mål"] == ""
    at.selectbox(key="bd-county").set_value("46")
    at.run()
    assert not at.exception, at.exception
    table = county_table(at)
    # Bergen's 2024 count of 4 is hidden from the partner; its status tells no number
    assert table.loc["4601", "Status mot mål"] == "Målet er nådd"
    assert table.loc["4601", "2024"] == ":"
    assert not any("4 personer" in str(v) for v in table.loc["4601"])
    # the operative group sees the same status, and the number marked
    internal = run_as(OPERATIVE, "indikatorer", kode=CODE)
    internal.selectbox(key="bd-county").set_value("46")
    internal.run()
    table = county_table(internal)
    assert table.loc["4601", "Status mot mål"] == "Målet er nådd"
    assert table.loc["4601", "2024"].startswith("4 personer")
