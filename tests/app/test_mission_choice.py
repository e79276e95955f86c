"""Which mission a run shows (dashboard/ui/missions.py): ?oppdrag=KEY, the sidebar's choice,
the person's last choice, and the role they have in the mission shown."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support.apptest import APP
from support.caches import clear_caches

from dashboard.db import make_engine, session_scope
from dashboard.i18n import translate
from dashboard.migrate import upgrade
from dashboard.services.missions import set_role
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from models import Goal, GoalLevel, Mission, Role, User

OTHER = "annet-oppdrag"
EMAIL = "person@example.no"


@pytest.fixture
def two_missions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL set to a database with two missions, each with one goal of its own, and a
    person who is operative in the first and has no role in the second."""
    url = f"sqlite:///{tmp_path / 'two.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(write=True, engine=engine) as session:
        first = Mission(key=get_settings().mission_key, title="Det første oppdraget")
        second = Mission(key=OTHER, title="Det andre oppdraget", short_title="Andre")
        person = User(email=EMAIL, name="Person")
        session.add_all([first, second, person])
        session.flush()
        for mission, title in ((first, "Første mål"), (second, "Andre mål")):
            session.add(Goal(mission_id=mission.id, code="H", level=GoalLevel.MAIN, title=title))
        set_role(session, person.id or 0, first.id or 0, Role.OPERATIVE)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    yield url
    clear_caches()


def app(signed_in: bool = False, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if signed_in:
        with Session(make_engine(get_settings().database_url)) as session:
            user = session.exec(select(User).where(User.email == EMAIL)).one()
            at.session_state["actor"] = actor_of(user)
    at.run()
    at.switch_page("../pages/oversikt.py")
    for key, value in params.items():  # a link to Oversikt
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def heading(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def mission_box(at: AppTest) -> object:
    label = translate("nb", "mission.choose")
    return next(box for box in at.sidebar.selectbox if box.label == label)


@pytest.mark.usefixtures("two_missions")
def test_the_default_mission_opens_and_is_put_in_the_address() -> None:
    at = app()
    assert "Det første oppdraget" in heading(at)
    assert at.query_params["oppdrag"] == get_settings().mission_key
    assert mission_box(at).options == ["Det første oppdraget", "Andre"]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("two_missions")
def test_the_sidebar_switches_and_nothing_of_the_first_is_served_from_the_cache() -> None:
    at = app()
    mission_box(at).set_value(OTHER).run()  # type: ignore[attr-defined]
    assert not at.exception
    assert "Det andre oppdraget" in heading(at) and "Det første oppdraget" not in heading(at)
    assert at.query_params["oppdrag"] == OTHER
    texts = " ".join(str(m.value) for m in at.markdown)
    assert "Andre mål" in texts and "Første mål" not in texts


@pytest.mark.usefixtures("two_missions")
def test_a_link_opens_its_mission_and_an_unknown_key_is_said() -> None:
    assert "Det andre oppdraget" in heading(app(oppdrag=OTHER))
    at = app(oppdrag="finnes-ikke")
    assert "Det første oppdraget" in heading(at)
    warning = " ".join(str(w.value) for w in at.sidebar.warning)
    assert "«finnes\\-ikke»" in warning  # escaped for markdown


@pytest.mark.usefixtures("two_missions")
def test_the_role_is_the_one_in_the_mission_shown() -> None:
    at = app(signed_in=True)
    assert at.session_state["actor"].role == Role.OPERATIVE
    at.switch_page("../pages/rapportering.py")  # registered for the operative group
    at.switch_page("../pages/oversikt.py")
    at.run()
    mission_box(at).set_value(OTHER).run()  # type: ignore[attr-defined]
    assert at.session_state["actor"].role == Role.PARTNER
    with pytest.raises(ValueError):  # not registered for a partner: only a hidden refusal is
        at.switch_page("../pages/rapportering.py")


def test_the_last_choice_is_remembered_for_the_next_visit(two_missions: str) -> None:
    at = app(signed_in=True)
    mission_box(at).set_value(OTHER).run()  # type: ignore[attr-defined]
    with Session(make_engine(two_missions)) as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        assert user.mission_key == OTHER
    assert "Det andre oppdraget" in heading(app(signed_in=True))  # a new session, no link
    assert "Det første oppdraget" in heading(app(signed_in=False))  # a visitor: the default


@pytest.mark.usefixtures("app_env")
def test_one_mission_needs_no_choice() -> None:
    at = app()
    label = translate("nb", "mission.choose")
    assert all(box.label != label for box in at.sidebar.selectbox)
