"""Rapportering: a quarter's values with typing mistakes caught, submitted, approved by a colleague.

The grid (st.data_editor) cannot be typed into through AppTest, so the grid's save runs through
the same function the page calls (save_rows) with the frames the page builds; the queue and
the period administration are driven through AppTest itself.
"""

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support.busy import held_database

from dashboard.db import make_engine
from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.reporting import save_value
from dashboard.services.reporting_views import entry_grid
from dashboard.services.users import actor_of
from dashboard.ui.reporting import grid_frame, save_rows
from models import (
    EntryStatus,
    Indicator,
    IndicatorValue,
    Mission,
    PeriodCreate,
    User,
)

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")


def engine() -> Engine:
    """The app's database (the accounts fixture points DATABASE_URL at it)."""
    return make_engine(os.environ["DATABASE_URL"])


def actor(email: str) -> Actor:
    with Session(engine()) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def open_page(email: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor(email)
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def quarter() -> int:
    admin = actor("sekretariat@demo.invalid")
    data = PeriodCreate(
        mission_id=admin.mission_id,
        label="2026-K3",
        kind="quarterly",
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 9, 30),
    )  # type: ignore[arg-type]
    return create_period(admin, data, engine=engine())


def grid_frames(period_id: int, email: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    who = actor(email)
    with Session(engine()) as session:
        mission = session.exec(select(Mission)).first()
        assert mission is not None and mission.id is not None
        grid = entry_grid(session, mission.id, period_id, who.organisation_id or 0)
    shown = pd.DataFrame({"value": [""] * len(grid), "comment": [""] * len(grid)})
    return grid, shown


def neet_id() -> int:
    with Session(engine()) as session:
        ind = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
        assert ind.id is not None
        return ind.id


def neet() -> IndicatorValue | None:
    with Session(engine()) as session:
        ind = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
        return session.exec(
            select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id)
        ).first()


def test_without_an_open_period_the_page_names_the_locked_one() -> None:
    at = open_page("operativ@demo.invalid", "rapportering")
    assert at.title[0].value == "Rapportering"
    # the seed loads the years of its values as locked periods, without an audit trail
    assert at.warning[0].value.startswith("Perioden 2017 er låst")
    assert "viser ikke hvem som låste den" in at.warning[0].value
    assert not any("Ingen periode" in i.value for i in at.info)


def test_the_secretariat_creates_a_period_on_administrasjon() -> None:
    at = open_page("sekretariat@demo.invalid", "administrasjon")
    [name] = [ti for ti in at.text_input if ti.label == "Periode"]
    name.input("2026-K4")
    submit = "FormSubmitter:new-period-Opprett periode"
    at.button(key=submit).click()
    at.run()
    assert any("Velg en dato" in e.value for e in at.error)  # no dates chosen: refused
    dates = {d.label: d for d in at.date_input}
    dates["Fra"].set_value(dt.date(2026, 10, 1))
    dates["Til"].set_value(dt.date(2026, 12, 31))
    at.button(key=submit).click()
    at.run()
    assert any("Perioden 2026\\-K4 er opprettet" in s.value for s in at.success)
    operative = open_page("operativ@demo.invalid", "rapportering")
    assert operative.selectbox(key="url:periode").options == ["2026-K4"]


def test_a_quarter_entered_with_mistakes_submitted_and_approved() -> None:
    period = quarter()
    grid, shown = grid_frames(period, "operativ@demo.invalid")
    codes = list(grid["code"])
    assert "NEET-15-29" in codes  # Avdir reports it
    edited = shown.copy()
    nothing = save_rows(actor("operativ@demo.invalid"), grid, edited, period, submit=True)
    [(kind, text)] = nothing[0]  # pressing save with nothing typed says so
    assert kind == "info" and text.startswith("Ingenting å lagre") and nothing[1] == {}
    row = codes.index("NEET-15-29")
    edited.loc[row, "value"] = "9O 000"  # a letter O for a zero
    operative = actor("operativ@demo.invalid")
    messages, pending = save_rows(operative, grid, edited, period, submit=True)
    assert [kind for kind, _ in messages] == ["error"]
    assert "NEET\\-15\\-29" in messages[0][1] and "er ikke et tall" in messages[0][1]
    assert pending[int(grid.iloc[row]["indicator_id"])] == ("9O 000", "")  # kept for a retry
    assert neet() is None  # nothing saved
    edited.loc[row, "value"] = "90 000"
    edited.loc[row, "comment"] = "Foreløpig tall"
    messages, pending = save_rows(operative, grid, edited, period, submit=True)
    assert messages[0][0] == "success" and pending == {}
    assert messages[0][1] == "1 verdi lagret. 1 verdi sendt til godkjenning."  # in number
    stored = neet()
    assert stored is not None and stored.value == 90_000 and stored.status == EntryStatus.SUBMITTED

    own = open_page("operativ@demo.invalid", "rapportering")
    assert any("1 av verdiene er din egen" in c.value for c in own.caption)  # not to approve
    assert not [b for b in own.button if b.label == "Godkjenn"]

    partner = open_page("partner@demo.invalid", "indikatorer")
    partner.query_params["kode"] = "NEET-15-29"
    partner.run()
    assert not any("90 000" in m.value.replace("\u00a0", " ") for m in partner.caption)

    colleague = open_page("operativ2@demo.invalid", "rapportering")
    [approve] = [b for b in colleague.button if b.label == "Godkjenn"]
    approve.click()
    colleague.run()
    assert not colleague.exception
    assert any("godkjent" in s.value for s in colleague.success)
    stored = neet()
    assert stored is not None and stored.status == EntryStatus.APPROVED
    assert stored.reviewed_by_id == actor("operativ2@demo.invalid").id


def test_two_sessions_one_saves_the_other_is_told_and_keeps_its_input() -> None:
    period = quarter()
    operative = actor("operativ@demo.invalid")
    old_grid, shown = grid_frames(period, "operativ@demo.invalid")  # both open the grid
    row = list(old_grid["code"]).index("NEET-15-29")
    first = shown.copy()
    first.loc[row, "value"] = "95 000"
    assert save_rows(operative, old_grid, first, period, submit=False)[0][0][0] == "success"
    late = shown.copy()
    late.loc[row, "value"] = "96 000"
    messages, pending = save_rows(operative, old_grid, late, period, submit=False)
    assert [kind for kind, _ in messages] == ["error"]
    assert "endret denne verdien" in messages[0][1] and "operativ" in messages[0][1]
    stored = neet()
    assert stored is not None and stored.value == 95_000  # the first save is not overwritten
    indicator = int(old_grid.iloc[row]["indicator_id"])
    assert pending == {indicator: ("96 000", "")}
    fresh_grid, _ = grid_frames(period, "operativ@demo.invalid")  # the page reloads the grid
    # the page fills the fresh grid with what was typed in the rows that failed
    typed = [pending.get(int(i), ("", ""))[0] for i in fresh_grid["indicator_id"]]
    retry = pd.DataFrame({"value": typed, "comment": [""] * len(fresh_grid)})
    messages, pending = save_rows(operative, fresh_grid, retry, period, submit=False)
    assert messages[0][0] == "success" and pending == {}
    stored = neet()
    assert stored is not None and stored.value == 96_000 and stored.version == 2


def test_a_save_while_the_database_is_busy_says_try_again_and_keeps_what_was_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    period = quarter()
    operative = actor("operativ@demo.invalid")
    grid, shown = grid_frames(period, "operativ@demo.invalid")
    row = list(grid["code"]).index("NEET-15-29")
    edited = shown.copy()
    edited.loc[row, "value"] = "91 000"
    with held_database(os.environ["DATABASE_URL"], monkeypatch):
        messages, pending = save_rows(operative, grid, edited, period, submit=True)
    assert messages == [
        (
            "error",
            "NEET\\-15\\-29: Databasen er opptatt med en annen lagring akkurat nå\\. Prøv igjen "
            "om litt; det som allerede er lagret, er ikke endret\\.",
        )
    ]
    assert pending == {int(grid.iloc[row]["indicator_id"]): ("91 000", "")}  # kept for a retry
    assert neet() is None
    messages, pending = save_rows(operative, grid, edited, period, submit=True)
    assert messages[0][0] == "success" and pending == {}
    stored = neet()
    assert stored is not None and stored.value == 91_000


def test_the_grid_shows_blanks_not_nan_where_nothing_is_stored() -> None:
    grid = pd.DataFrame(
        {
            "indicator_id": [1, 2],
            "code": ["A", "B"],
            "name": ["Andel", "Antall"],
            "unit": ["prosent", None],
            "measure": ["percent", "count"],
            "previous": [11.0, float("nan")],
            "previous_period": ["2017", float("nan")],
            "value_id": [7, float("nan")],
            "value": [12.5, float("nan")],
            "status": ["draft", float("nan")],
            "version": [1, float("nan")],
            "comment": ["foreløpig", float("nan")],
            "return_reason": [None, None],
            "approved": [float("nan"), float("nan")],
            "correction_reason": [None, None],
        }
    )
    shown = grid_frame(grid, {2: ("3O", "skrevet")})
    assert list(shown["previous"]) == ["11 % (2017)", "–"]
    assert list(shown["value"]) == ["12,5 %", "3O"]  # what was typed and not saved
    assert list(shown["comment"]) == ["foreløpig", "skrevet"]
    assert list(shown["status"]) == ["Utkast", ""]
    assert list(shown["unit"]) == ["prosent", ""]
    assert list(shown["approved"]) == ["", ""] and list(shown["correction_reason"]) == ["", ""]


def test_an_operative_account_without_organisation_is_told_and_can_still_approve() -> None:
    from dashboard.services.users import update_user
    from models import UserUpdate

    admin = actor("sekretariat@demo.invalid")
    lone = actor("operativ2@demo.invalid")
    assert lone.id is not None
    update_user(admin, lone.id, UserUpdate(organisation_id=None), reason="test", engine=engine())
    at = open_page("operativ2@demo.invalid", "rapportering")
    assert any("ikke knyttet til en organisasjon" in i.value for i in at.info)
    assert [tab.label for tab in at.tabs] == [
        "Din organisasjons indikatorer",
        "Satsinger",
        "Til godkjenning",
        "Fullstendighet",
        "Import",
        "Statistikk fra SSB",
    ]
    assert at.info[1].value.startswith("Kontoen din er ikke knyttet")  # check-ins: the same


def test_send_does_not_submit_a_value_changed_after_the_grid_was_shown() -> None:
    period = quarter()
    me = actor("operativ@demo.invalid")
    indicator = neet_id()
    first = save_value(me, indicator, period, {"value": "10"}, version=None)
    at = open_page("operativ@demo.invalid", "rapportering")  # the grid shows 10 (version 1)
    save_value(me, indicator, period, {"value": "99"}, version=first.version)  # another tab
    send = [b for b in at.button if b.label == "Lagre og send inn"]
    send[0].click()  # the grid's (the check-in form has one too)
    at.run()
    assert any("endret denne verdien" in e.value for e in at.error), at.error
    stored = neet()
    assert stored is not None and (stored.value, stored.status) == (99, EntryStatus.DRAFT)
