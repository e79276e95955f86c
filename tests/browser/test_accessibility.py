"""Universal design, checked with axe-core in Chromium (issue 15): every page each role can open,
in bokmål and in English, with every tab opened, Portefølje's views, a Satsing, an indicator, a
status report and Rapportering with an open period. Any critical or serious violation of a
WCAG 2.1 A/AA or best-practice rule fails, and so does a heading that skips a level.

The English run serves the app with LANGUAGE=en, as a language chosen in the sidebar lasts only
as long as the browser's session on the server, and each address here opens a new one.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import screenshot, signed_in_page, wait_ready
from support.server import FreshApp

from dashboard.db import session_scope
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from dashboard.services.users import actor_of
from models import Mission, Period, PeriodKind, User

pytestmark = pytest.mark.browser

RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
FAILING = {"critical", "serious"}
ALWAYS_FAILING = {"heading-order", "color-contrast"}  # moderate by axe's count, fixed here
VIEWS = (
    "portefolje?visning=matrise",
    "portefolje?visning=nettverk",
    "portefolje?visning=tidslinje",
    "portefolje?visning=koblinger",
    "portefolje?visning=trapp",
    "portefolje?visning=medvirkning",
    "portefolje?visning=finansiering",
    "portefolje?visning=matrise&etter=system_levels",
    "satsing?nr=9",
    "indikatorer?kode=NEET-15-29",
    "organisasjoner?organisasjon=bufdir",
)
ROLES = (
    None,  # a visitor who has not signed in (partner rights)
    "partner@demo.invalid",
    "operativ@demo.invalid",
    "styringsgruppe@demo.invalid",
    "sekretariat@demo.invalid",
)
REPORTS: dict[str, int] = {}


def prepare(engine: Engine) -> None:
    """An open quarter; the 2017 report approved (published), the 2016 one submitted."""
    with session_scope(engine=engine) as session:
        people = {u.email: actor_of(u) for u in session.exec(select(User)).all()}
        mission = session.exec(select(Mission)).one()
        periods = {p.label: p.id for p in session.exec(select(Period)).all()}
    operative, steering = people["operativ@demo.invalid"], people["styringsgruppe@demo.invalid"]
    for label in ("2017", "2016"):
        report = create_draft(
            operative, mission.id or 0, periods[label], today=dt.date(2026, 12, 1), engine=engine
        )
        texts = {"summary": "Kort sammendrag.", "decisions_requested": "Ingen.", "version": 1}
        report = update_texts(operative, report.id or 0, texts, engine=engine)
        report = submit_report(operative, report.id or 0, report.version, engine=engine)
        REPORTS[label] = report.id or 0
        if label == "2017":
            approve_report(steering, report.id or 0, report.version, engine=engine)
    with session_scope(write=True, engine=engine) as session:
        session.add(
            Period(
                mission_id=mission.id,
                label="2026-K3",
                kind=PeriodKind.QUARTERLY,
                start=dt.date(2026, 7, 1),
                end=dt.date(2026, 9, 30),
                due=dt.date(2026, 12, 31),
            )
        )


@pytest.fixture(scope="module", params=["nb", "en"])
def fresh_app(request: pytest.FixtureRequest) -> Iterator[tuple[FreshApp, str]]:
    with server.demo_app(prepare, env={"LANGUAGE": request.param}) as app:
        yield app, request.param


def opened(browser: Browser, app: FreshApp, email: str | None, lang: str) -> Page:
    if email:
        return signed_in_page(browser, app, email, lang)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(app.url)
    wait_ready(page)
    return page


def menu(page: Page) -> list[str]:
    """The addresses of every page in the sidebar menu."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [href for href in links.evaluate_all("links => links.map(l => l.href)") if href]


def violations(axe: Axe, page: Page) -> list[str]:
    """What axe finds that fails here: rule, impact, element and axe's summary."""
    found = []
    for violation in axe.run(page, options=RULES).response["violations"]:
        if violation["impact"] in FAILING or violation["id"] in ALWAYS_FAILING:
            found += [
                f"{violation['id']} ({violation['impact']}) {node['target']}: "
                f"{(node.get('failureSummary') or '').splitlines()[-1].strip()}"
                for node in violation["nodes"]
            ]
    return found


@pytest.mark.parametrize("email", ROLES, ids=lambda email: (email or "visitor").split("@")[0])
def test_no_page_tab_or_view_of_a_role_has_a_serious_violation(
    browser: Browser, fresh_app: tuple[FreshApp, str], email: str | None
) -> None:
    app, lang = fresh_app
    who = (email or "visitor").split("@")[0]
    page = opened(browser, app, email, lang)
    axe = Axe()
    found: dict[str, list[str]] = {}
    addresses = menu(page)
    assert f"{app.url}/tilgjengelighet" in addresses
    addresses += [f"{app.url}/{view}" for view in VIEWS]
    addresses += [f"{app.url}/statusrapporter?rapport={REPORTS['2017']}"]
    if email and email != "partner@demo.invalid":
        addresses += [f"{app.url}/statusrapporter?rapport={REPORTS['2016']}"]
    checked = 0
    for address in addresses:
        page.goto(address)
        wait_ready(page)
        tabs = page.get_by_test_id("stMain").get_by_role("tab")
        for index in range(tabs.count() or 1):
            if index:
                tabs.nth(index).click()
                page.wait_for_timeout(300)
            checked += 1
            if nodes := violations(axe, page):
                where = f"{address.removeprefix(app.url)} tab {index}"
                screenshot(page, f"axe-{lang}-{who}-{checked}")
                found[where] = nodes
    page.context.close()
    assert checked >= 20
    assert found == {}


def test_the_page_says_its_language(browser: Browser, fresh_app: tuple[FreshApp, str]) -> None:
    """<html lang> follows the language shown (Streamlit's own page says "en" whatever)."""
    app, lang = fresh_app
    page = opened(browser, app, None, lang)
    assert page.evaluate("document.documentElement.lang") == lang
    page.context.close()


def test_the_network_picture_has_a_name(browser: Browser, fresh_app: tuple[FreshApp, str]) -> None:
    app, lang = fresh_app
    page = opened(browser, app, None, lang)
    page.goto(f"{app.url}/portefolje?visning=nettverk")
    wait_ready(page)
    picture = page.get_by_test_id("stGraphVizChart").locator("svg")
    name = {"nb": "Nettverket av satsinger", "en": "The network of initiatives"}[lang]
    assert picture.get_attribute("role") == "img"
    assert (picture.get_attribute("aria-label") or "").startswith(name)
    page.context.close()
