"""Every page on a mission with nothing in it yet: no crash, and empty states that explain."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest
from support.caches import clear_caches

from dashboard.db import make_engine, session_scope
from dashboard.migrate import upgrade
from dashboard.services.missions import set_role
from dashboard.services.users import actor_of
from models import AuditEvent, Deliverable, Mission, Role, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["mal", "portefolje", "satsing", "organisasjoner", "indikatorer", "styring"]
PAGES += ["kunnskapsgrunnlag"]


@pytest.fixture
def empty_mission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """DATABASE_URL set to a database holding one mission and one undated deliverable only."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(write=True, engine=engine) as session:
        mission = Mission(key="inkludering-barn-unge", title="Et nytt samfunnsoppdrag")
        session.add(mission)
        session.flush()
        assert mission.id is not None
        session.add(Deliverable(mission_id=mission.id, number=1, title="Plan uten dato"))
        session.add(AuditEvent(action="test", entity="mission"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    yield
    clear_caches()


@pytest.mark.usefixtures("empty_mission")
@pytest.mark.parametrize("page", [None, *PAGES])
def test_page_runs_and_explains_what_is_missing(page: str | None) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    notices = " ".join(str(i.value) for i in at.info)
    if page != "styring":
        assert notices, "an empty page says what is missing"
    else:
        assert at.dataframe[-1].value.iloc[0, 1] == "Plan uten dato"


@pytest.mark.usefixtures("empty_mission")
@pytest.mark.parametrize("view", ["matrise", "nettverk", "tidslinje", "koblinger"])
def test_the_portfolio_views_explain_what_is_missing(view: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["visning"] = view
    at.run()
    at.switch_page("../pages/portefolje.py")
    at.run()
    assert not at.exception, at.exception
    assert " ".join(str(i.value) for i in at.info), "an empty view says what is missing"
    assert not at.warning and not at.success  # no gaps claimed, no 'every subgoal has ...'


def test_administrasjon_without_a_mission_keeps_users_and_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database with an administrator and no mission yet: the accounts and the audit log
    work, and the indicator, import and SSB tabs say there is no mission."""
    url = f"sqlite:///{tmp_path / 'none.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(write=True, engine=engine) as session:
        admin = User(email="admin@example.no", name="Admin", global_admin=True)
        session.add(admin)
        session.flush()
        actor = actor_of(admin)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["actor"] = actor
        at.run()
        at.switch_page("../pages/administrasjon.py")
        at.run()
        assert not at.exception, at.exception
        assert "admin@example.no" in set(at.dataframe[0].value["E-post"])
        warnings = [w.value for w in at.warning]
        assert sum(w.startswith("Databasen er tom.") for w in warnings) == 4, (
            warnings
        )  # periods, indicators, import, SSB
    finally:
        clear_caches()


@pytest.mark.usefixtures("empty_mission")
def test_reporting_without_any_period_says_none_exists_and_who_creates_one() -> None:
    engine = make_engine(os.environ["DATABASE_URL"])
    with session_scope(write=True, engine=engine) as session:
        user = User(email="op@example.no", name="Op")
        session.add(user)
        session.flush()
        mission = session.exec(select(Mission.id)).one()
        set_role(session, user.id or 0, mission or 0, Role.OPERATIVE)
        actor = actor_of(user)
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor
    at.run()
    at.switch_page("../pages/rapportering.py")
    at.run()
    assert not at.exception, at.exception
    assert at.info[0].value == (
        "Ingen rapporteringsperiode er opprettet ennå. "
        "Sekretariatet oppretter perioder under Administrasjon."
    )
