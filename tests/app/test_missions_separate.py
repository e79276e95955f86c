"""Two missions in one database (the real one and seed.second_mission's synthetic one): every
page each demo account may open shows nothing of the other mission, whichever ?oppdrag= it is
opened with, and a person's role is the one they have in the mission shown (issue 20)."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.text_format import MessageToString
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Dataframe, Element, Node, Table
from support.apptest import APP, actor
from support.caches import clear_caches

from dashboard import i18n
from dashboard.db import make_engine
from dashboard.migrate import upgrade
from dashboard.settings import get_settings
from dashboard.ui.data import MISSION_PARAM
from dashboard.ui.navigation import PAGES, PageSpec, pages_for
from models import Goal, Indicator, Initiative, Mission, Role
from seed import load_real
from seed.demo import DEMO_ACCOUNTS, ensure_demo_accounts
from seed.second_mission import MISSION_KEY, add_second_mission

REAL = get_settings().mission_key
SYNTHETIC = MISSION_KEY
EMAILS = [email for _role, email, *_ in DEMO_ACCOUNTS]
APP_TEXTS = [
    text
    for catalog in (Path(i18n.__file__).parent).glob("*.json")
    for text in json.loads(catalog.read_text(encoding="utf-8")).values()
]
# a detail page opened on a number or code both missions could have (initiative 1 exists in
# each): the one shown must be the mission's own
DETAIL = {"satsing": {"nr": "1"}, "indikatorer": {"kode": "SYNT-FALL"}}
# pages that show the mission's own goals, initiatives or indicators to everyone
OWN = {"oversikt", "mal", "portefolje", "satsing", "indikatorer"}


@dataclass(frozen=True)
class TwoMissions:
    """The database's URL, and per mission key the names only that mission has (goal titles,
    initiative names, indicator names and codes)."""

    url: str
    names: dict[str, list[str]]


@pytest.fixture(scope="module")
def two_missions(tmp_path_factory: pytest.TempPathFactory) -> TwoMissions:
    """A database with both missions and the demo accounts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('missions') / 'two.db'}"
    upgrade(url)
    engine = make_engine(url)
    load_real(engine)
    ensure_demo_accounts(engine)
    add_second_mission(engine)
    names: dict[str, list[str]] = {}
    with Session(engine) as session:
        for mission in session.exec(select(Mission)).all():
            found = [*session.exec(select(Goal.title).where(Goal.mission_id == mission.id))]
            found += session.exec(
                select(Initiative.name).where(Initiative.mission_id == mission.id)
            )
            for code, name in session.exec(
                select(Indicator.code, Indicator.name).where(Indicator.mission_id == mission.id)
            ):
                found += [code, name]
            names[mission.key] = [name for name in found if not in_the_app_texts(name)]
    engine.dispose()
    return TwoMissions(url, names)


@pytest.fixture
def names(
    two_missions: TwoMissions, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, list[str]]]:
    """DATABASE_URL set to the two missions' database for this test; their names."""
    monkeypatch.setenv("DATABASE_URL", two_missions.url)
    clear_caches()
    yield two_missions.names
    clear_caches()


def rendered(node: Node) -> str:
    """All the text a run drew: every element's message, and every table's cells."""
    if isinstance(node, Block):
        return "\n".join(rendered(child) for child in node.children.values())
    if isinstance(node, Dataframe | Table):
        value = node.value
        return value.to_csv() if isinstance(value, pd.DataFrame) else str(value)
    if isinstance(node, Element):
        text = MessageToString(node.proto, as_utf8=True)
        return text.replace("\\", "")  # markdown's escapes and the message's quoting
    return ""


def in_the_app_texts(name: str) -> bool:
    """Whether the app's own texts use name (the goal «Styring» is also the page «Styring»,
    and a help text gives NEET-15-29 as an example of a code): no proof of a leak."""
    return any(shows(text, name) for text in APP_TEXTS)


def shows(text: str, name: str) -> bool:
    """Whether text holds name as words of its own (goal 2.4 «Samordning» is not in
    «Samordningstrappen», the method page's title)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def opened(email: str, key: str, spec: PageSpec) -> AppTest:
    """The page run as email with ?oppdrag=key (and the detail page's parameters)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor(email)
    at.query_params[MISSION_PARAM] = key
    for name, value in DETAIL.get(spec.url_path, {}).items():
        at.query_params[name] = value
    at.switch_page(f"../pages/{spec.script}")
    at.run()
    assert not at.exception, (email, spec.url_path, at.exception)
    return at


@pytest.mark.parametrize(("shown", "other"), [(REAL, SYNTHETIC), (SYNTHETIC, REAL)])
@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_no_page_shows_the_other_mission(
    names: dict[str, list[str]], spec: PageSpec, shown: str, other: str
) -> None:
    opened_by = 0
    for email in EMAILS:
        at = opened(email, shown, spec)
        role = at.session_state["actor"].role
        if spec not in pages_for(role):
            continue
        opened_by += 1
        text = rendered(at._tree)
        assert at.session_state["mission_key"] == shown
        leaked = [name for name in names[other] if shows(text, name)]
        assert not leaked, (spec.url_path, email, leaked[:5])
        if spec.url_path in OWN:
            assert any(shows(text, name) for name in names[shown]), (spec.url_path, email)
    assert opened_by, f"no demo account opens {spec.url_path}"


def test_a_role_is_the_one_in_the_mission_shown(names: dict[str, list[str]]) -> None:
    """operativ@ has no role in the synthetic mission: there it reads as a partner, without
    Rapportering; operativ2@ is operative in both."""
    roles = {}
    reporting = next(spec for spec in PAGES if spec.url_path == "rapportering")
    for email in ("operativ@demo.invalid", "operativ2@demo.invalid", "styringsgruppe@demo.invalid"):
        for key in (REAL, SYNTHETIC):
            at = opened(email, key, reporting)
            roles[email, key] = at.session_state["actor"].role
            refused = any("ikke tilgang" in str(e.value) for e in at.error)
            assert refused == (roles[email, key] not in (Role.OPERATIVE, Role.ADMIN)), (email, key)
    assert roles == {
        ("operativ@demo.invalid", REAL): Role.OPERATIVE,
        ("operativ@demo.invalid", SYNTHETIC): Role.PARTNER,
        ("operativ2@demo.invalid", REAL): Role.OPERATIVE,
        ("operativ2@demo.invalid", SYNTHETIC): Role.OPERATIVE,
        ("styringsgruppe@demo.invalid", REAL): Role.STEERING,
        ("styringsgruppe@demo.invalid", SYNTHETIC): Role.STEERING,
    }


def test_links_to_other_pages_keep_the_mission(names: dict[str, list[str]]) -> None:
    """A table's links name the mission shown, so a link opened in a new tab shows it too."""
    portfolio = next(spec for spec in PAGES if spec.url_path == "portefolje")
    at = opened("partner@demo.invalid", SYNTHETIC, portfolio)
    links = set(at.dataframe[0].value["Lenke"])
    assert links == {f"satsing?nr={n}&oppdrag={SYNTHETIC}" for n in range(1, 7)}
    goals = next(spec for spec in PAGES if spec.url_path == "mal")
    at = opened("partner@demo.invalid", SYNTHETIC, goals)
    links = {link for df in at.dataframe if "Lenke" in df.value for link in df.value["Lenke"]}
    assert "indikatorer?kode=SYNT-FALL&oppdrag=syntetisk-oppdrag" in links
    assert all(link.endswith(f"&oppdrag={SYNTHETIC}") for link in links), links
