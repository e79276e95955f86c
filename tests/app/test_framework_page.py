"""Framework administration through AppTest: the secretariat creates and changes indicators on
Administrasjon (a target change needs a reason), the change shows in the history on Indikatorer,
and a period's due date can be moved."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from support.apptest import fill_period_form

from dashboard.db import make_engine
from dashboard.services.framework import editable_indicator, update_indicator
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from models import AuditEvent, Goal, Indicator, IndicatorGoal, IndicatorUpdate, Period, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
ADMIN = "sekretariat@demo.invalid"
pytestmark = pytest.mark.usefixtures("accounts")


def session() -> Session:
    return Session(make_engine(os.environ["DATABASE_URL"]))


def user(email: str) -> User:
    with session() as s:
        found = s.exec(select(User).where(User.email == email)).one()
    return found


def indicator(code: str) -> Indicator | None:
    with session() as s:
        return s.exec(select(Indicator).where(Indicator.code == code)).first()


def goal_id(code: str) -> int:
    with session() as s:
        found = s.exec(select(Goal.id).where(Goal.code == code)).one()
    assert found is not None
    return found


def run_as(email: str | None, page: str, lang: str = "nb", **params: str) -> AppTest:
    """The app with the account signed in (None: nobody), on a page."""
    at = AppTest.from_file(APP, default_timeout=60)
    if email:
        at.session_state["actor"] = actor_of(user(email))
    at.session_state["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def widget(at: AppTest, kind: str, form: str, name: str) -> Any:
    """The one widget of this kind in the new/edit indicator form whose key ends with name."""
    found = [
        w
        for w in getattr(at, kind)
        if (w.key or "").startswith(f"fw-{form}-") and w.key.endswith(f"-{name}")
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


def create_test_indicator(at: AppTest) -> None:
    widget(at, "text_input", "new", "code").input("TEST-1")
    widget(at, "text_input", "new", "name").input("Andel som fullfører")
    widget(at, "selectbox", "new", "measure").set_value("percent")
    widget(at, "text_input", "new", "baseline_value").input("72,5")
    widget(at, "number_input", "new", "baseline_year").set_value(2022)
    widget(at, "text_input", "new", "target_value").input("80")
    widget(at, "number_input", "new", "target_year").set_value(2030)
    widget(at, "multiselect", "new", "goals").set_value([goal_id("1.1")])
    click(at, "framework-create")


def test_the_secretariat_creates_an_indicator_and_changes_its_target_with_a_reason() -> None:
    at = run_as(ADMIN, "administrasjon")
    assert "Indikatorer" in [tab.label for tab in at.tabs]
    create_test_indicator(at)
    assert "Indikatoren TEST-1 er opprettet." in plain(at.success)
    created = indicator("TEST-1")
    assert created is not None and created.id is not None
    assert (created.measure, created.baseline_value, created.target_value) == ("percent", 72.5, 80)
    with session() as s:
        links = s.exec(select(IndicatorGoal).where(IndicatorGoal.indicator_id == created.id))
        assert [link.goal_id for link in links] == [goal_id("1.1")]

    at.selectbox(key="framework-edit-code").set_value("TEST-1")
    at.run()
    assert widget(at, "text_input", "edit", "target_value").value == "80"
    widget(at, "text_input", "edit", "target_value").input("85")
    click(at, "framework-save")
    assert "Du har endret Målverdi. Skriv en begrunnelse" in plain(at.error)
    assert indicator("TEST-1").target_value == 80  # type: ignore[union-attr]
    assert widget(at, "text_input", "edit", "target_value").value == "85"  # kept

    widget(at, "text_area", "edit", "reason").input("Ny handlingsplan")
    click(at, "framework-save")
    assert "Endringene i TEST-1 er lagret: Målverdi." in plain(at.success)
    assert indicator("TEST-1").target_value == 85  # type: ignore[union-attr]
    assert widget(at, "text_area", "edit", "reason").value == ""  # a fresh form
    with session() as s:
        audit = s.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert audit is not None and (audit.action, audit.entity) == ("update", "indicator")
    assert audit.reason == "Ny handlingsplan"
    assert (audit.before or {})["target_value"] == 80 and (audit.after or {})["target_value"] == 85

    history = run_as(ADMIN, "indikatorer", kode="TEST-1")
    assert "Historikk" in plain(history.subheader)
    table = history.dataframe[-1].value
    assert list(table["Felt"]) == ["Målverdi", "(opprettet)"]  # newest first
    assert list(table["Før"]) == ["80", ""] and list(table["Etter"]) == ["85", ""]
    assert list(table["Begrunnelse"]) == ["Ny handlingsplan", ""]
    assert set(table["Hvem"]) == {ADMIN}

    public = run_as(None, "indikatorer", kode="TEST-1")
    table = public.dataframe[-1].value
    assert set(table["Hvem"]) == {"Sekretariat (Forskningsrådet)"}  # no e-mail for partners
    assert list(table["Begrunnelse"]) == ["Ny handlingsplan", ""]


def test_bad_input_is_named_and_nothing_is_saved() -> None:
    at = run_as(ADMIN, "administrasjon")
    widget(at, "text_input", "new", "code").input("NEET-15-29")
    widget(at, "text_input", "new", "name").input("Dobbel")
    widget(at, "selectbox", "new", "measure").set_value("percent")
    widget(at, "text_input", "new", "target_value").input("120")
    click(at, "framework-create")
    assert "«Målverdi»: En prosentandel må være mellom 0 og 100, ikke 120." in plain(at.error)
    widget(at, "text_input", "new", "target_value").input("12 prosent")
    click(at, "framework-create")
    assert "«Målverdi»: «12 prosent» er ikke et tall" in plain(at.error)
    widget(at, "text_input", "new", "target_value").input("12")
    click(at, "framework-create")
    assert "Det finnes allerede en indikator med koden NEET-15-29" in plain(at.error)
    with session() as s:
        assert len(s.exec(select(Indicator).where(Indicator.name == "Dobbel")).all()) == 0


def test_a_change_saved_by_someone_else_in_between_is_not_overwritten() -> None:
    at = run_as(ADMIN, "administrasjon")
    at.selectbox(key="framework-edit-code").set_value("NEET-15-29")
    at.run()
    widget(at, "text_input", "edit", "name").input("Mitt nye navn")
    engine = make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as s:
        shown = editable_indicator(s, indicator("NEET-15-29").mission_id, "NEET-15-29")  # type: ignore[union-attr]
    assert shown is not None
    other = actor_of(user(ADMIN))
    update_indicator(other, shown.id, IndicatorUpdate(unit="unge"), seen=shown.fingerprint)
    click(at, "framework-save")
    assert f"{ADMIN} endret indikatoren" in plain(at.error)
    stored = indicator("NEET-15-29")
    assert stored is not None and stored.name != "Mitt nye navn" and stored.unit == "unge"
    assert widget(at, "text_input", "edit", "name").value == "Mitt nye navn"  # kept
    click(at, "framework-reload")
    assert widget(at, "text_input", "edit", "unit").value == "unge"
    assert widget(at, "text_input", "edit", "name").value == stored.name


def test_coming_back_to_administrasjon_shows_what_is_stored_now() -> None:
    """A form built afresh reads the indicator again, rather than the copy from an earlier
    visit (which would show old values as current and call any save a conflict)."""
    at = run_as(ADMIN, "administrasjon")
    code = at.selectbox(key="framework-edit-code").value
    before = indicator(code)
    assert before is not None and before.id is not None
    assert widget(at, "text_input", "edit", "unit").value == (before.unit or "")
    at.switch_page("../pages/oversikt.py")
    at.run()
    assert not at.exception, at.exception
    with session() as s:
        shown = editable_indicator(s, before.mission_id, code)
    assert shown is not None
    other = actor_of(user(ADMIN))
    update_indicator(other, shown.id, IndicatorUpdate(unit="personer"), seen=shown.fingerprint)

    at.switch_page("../pages/administrasjon.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="framework-edit-code").value == code
    assert widget(at, "text_input", "edit", "unit").value == "personer"  # as stored now
    widget(at, "text_input", "edit", "name").input("Nytt navn etter besøket")
    click(at, "framework-save")
    assert not at.error, plain(at.error)  # no false "someone changed it"
    assert "Endringene i" in plain(at.success)
    stored = indicator(code)
    assert stored is not None and (stored.name, stored.unit) == (
        "Nytt navn etter besøket",
        "personer",
    )


def test_the_tab_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest calls format_func outside the script run, where only the default language holds
    monkeypatch.setenv("LANGUAGE", "en")
    get_settings.cache_clear()
    at = run_as(ADMIN, "administrasjon", lang="en")
    assert "Indicators" in [tab.label for tab in at.tabs]
    at.selectbox(key="framework-edit-code").set_value("NEET-15-29")
    at.run()
    assert widget(at, "text_input", "edit", "baseline_value").label == "Baseline value"
    assert widget(at, "text_input", "edit", "baseline_value").value == "100\u00a0000"
    widget(at, "text_input", "edit", "baseline_value").input("97 162")
    click(at, "framework-save")
    assert "You changed Baseline value. Write a reason" in plain(at.error)
    assert indicator("NEET-15-29").baseline_value == 100000  # type: ignore[union-attr]
    history = run_as(ADMIN, "indikatorer", lang="en", kode="NEET-15-29")
    assert "No changes have been recorded for this indicator." in plain(history.caption)


def test_a_period_is_created_and_its_due_date_moved() -> None:
    at = run_as(ADMIN, "administrasjon")
    start, end, due = dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 20)
    fill_period_form(at, "2026-T1", "tertial", start, end, due)
    assert "Perioden 2026-T1 er opprettet." in plain(at.success)
    with session() as s:
        period = s.exec(select(Period).where(Period.label == "2026-T1")).one()
    assert period.kind == "tertial" and period.due == dt.date(2026, 5, 20)

    at.selectbox(key="due-period").set_value(period.id)
    click(at, "due-change")
    assert "Velg den nye fristen" in plain(at.error)
    at.date_input(key="due-date").set_value(dt.date(2026, 6, 5))
    at.text_input(key="due-reason").input("Sen statistikk fra SSB")
    click(at, "due-change")
    assert "Fristen for 2026-T1 er nå 5. juni 2026." in plain(at.success)
    with session() as s:
        moved = s.get(Period, period.id)
        change = s.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert moved is not None and moved.due == dt.date(2026, 6, 5)
    assert (
        change is not None
        and change.entity == "period"
        and change.reason == "Sen statistikk fra SSB"
    )


@pytest.mark.parametrize(
    "email", ["partner@demo.invalid", "operativ@demo.invalid", "styringsgruppe@demo.invalid"]
)
def test_other_roles_never_reach_the_framework_tab(email: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor_of(user(email))
    at.run()
    with pytest.raises(ValueError):  # Administrasjon is not registered for this role
        at.switch_page("../pages/administrasjon.py")
