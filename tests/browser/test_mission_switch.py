"""Two missions in one installation, walked in Chromium: the mission is in every address, the
sidebar switches it, the person's role is the one they have in the mission shown, their last
choice is remembered for the next tab, and a link to the other mission opens that one."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import choose, main_text, screenshot, signed_in_page, wait_ready
from support.server import FreshApp

from dashboard.db import session_scope
from dashboard.i18n import translate
from dashboard.services.missions import create_mission, set_role
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from models import Goal, GoalLevel, MissionCreate, Role, User

pytestmark = pytest.mark.browser
OTHER = "syntetisk-oppdrag"
OTHER_TITLE = "Syntetisk oppdrag for testing av bytte"
OTHER_SHORT = "Syntetisk testoppdrag"
OTHER_GOAL = "Syntetisk hovedmål for bytte-testen"


def prepare(engine: Engine) -> None:
    """A second mission made by the global administrator, with one goal; the Bufdir operative
    is operative there too, the Avdir operative has no role there."""
    with session_scope(engine=engine) as session:
        admin = actor_of(
            session.exec(select(User).where(User.email == "sekretariat@demo.invalid")).one()
        )
    data = MissionCreate(key=OTHER, title=OTHER_TITLE, short_title=OTHER_SHORT)
    mission = create_mission(admin, data, engine=engine)
    with session_scope(write=True, engine=engine) as session:
        session.add(Goal(mission_id=mission, code="S1", level=GoalLevel.MAIN, title=OTHER_GOAL))
        bufdir = session.exec(select(User.id).where(User.email == "operativ2@demo.invalid")).one()
        set_role(session, bufdir or 0, mission, Role.OPERATIVE)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def mission_box(page: Page) -> object:
    return page.get_by_test_id("stSidebar").get_by_label(translate("nb", "mission.choose"))


def menu(page: Page) -> str:
    return page.get_by_test_id("stSidebarNav").inner_text()


def test_switching_mission_in_the_sidebar(browser: Browser, fresh_app: FreshApp) -> None:
    real = get_settings().mission_key
    page = signed_in_page(browser, fresh_app, "operativ@demo.invalid")
    try:
        expect(page).to_have_url(f"{fresh_app.url}/start?oppdrag={real}")
        reporting = translate("nb", "page.reporting")
        assert reporting in menu(page)
        choose(page, mission_box(page), OTHER_SHORT)  # type: ignore[arg-type]
        wait_ready(page)
        # a partner there: Min side stays open (a partner's own), Rapportering is gone
        expect(page).to_have_url(f"{fresh_app.url}/start?oppdrag={OTHER}")
        partner = translate("nb", "enum.Role.partner")
        expect(page.get_by_test_id("stSidebar")).to_contain_text(f"({partner})")
        assert reporting not in menu(page)
        screenshot(page, "mission-switched")
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=translate("nb", "page.overview")
        ).click()
        wait_ready(page)
        expect(page).to_have_url(f"{fresh_app.url}/oversikt?oppdrag={OTHER}")
        expect(page.get_by_role("heading", name=OTHER_TITLE)).to_be_visible()
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=translate("nb", "page.goals")
        ).click()
        wait_ready(page)
        expect(page).to_have_url(f"{fresh_app.url}/mal?oppdrag={OTHER}")
        assert OTHER_GOAL in main_text(page)

        # a new tab of the same browser (signed in by its cookie) opens the last choice
        again = page.context.new_page()
        again.goto(f"{fresh_app.url}/oversikt")
        wait_ready(again)
        expect(again).to_have_url(f"{fresh_app.url}/oversikt?oppdrag={OTHER}")
        expect(again.get_by_role("heading", name=OTHER_TITLE)).to_be_visible()

        # a link to the real mission opens it, with the person's role there
        again.goto(f"{fresh_app.url}/oversikt?oppdrag={real}")
        wait_ready(again)
        expect(again.get_by_role("heading", name=OTHER_TITLE)).to_have_count(0)
        assert reporting in menu(again)
        assert OTHER_GOAL not in main_text(again)

        # a key no mission has: said so, and the person's own last choice shown
        again.goto(f"{fresh_app.url}/oversikt?oppdrag=finnes-ikke")
        wait_ready(again)
        expect(again.get_by_test_id("stSidebar")).to_contain_text("«finnes-ikke»")
        expect(again.get_by_test_id("stSidebar")).to_contain_text(f"«{OTHER_SHORT}»")
        expect(again).to_have_url(f"{fresh_app.url}/oversikt?oppdrag={OTHER}")
    finally:
        page.context.close()


def test_an_operative_in_both_missions_stays_operative(
    browser: Browser, fresh_app: FreshApp
) -> None:
    page = signed_in_page(browser, fresh_app, "operativ2@demo.invalid")
    try:
        page.goto(f"{fresh_app.url}/rapportering?oppdrag={OTHER}")
        wait_ready(page)
        expect(page).to_have_url(f"{fresh_app.url}/rapportering?oppdrag={OTHER}")
        operative = translate("nb", "enum.Role.operative")
        expect(page.get_by_test_id("stSidebar")).to_contain_text(f"({operative})")
        assert "NEET" not in main_text(page)  # the real mission's indicators are not offered
        screenshot(page, "mission-reporting-other")
    finally:
        page.context.close()
