"""Universal design, checked with axe-core in Chromium on every page a role can open, and on
Portefølje's views: no text fails WCAG 2.1 AA contrast (the theme in .streamlit/config.toml),
and headings never skip a level (issue 15).

These two rules only; the other axe rules follow as their findings are fixed.
"""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from support import server
from support.browser import screenshot, signed_in_page, wait_ready
from support.server import FreshApp

RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "heading-order"]}}
VIEWS = (
    "portefolje?visning=matrise",
    "portefolje?visning=nettverk",
    "portefolje?visning=tidslinje",
)
ROLES = (
    None,  # a visitor who has not signed in (partner rights)
    "operativ@demo.invalid",
    "styringsgruppe@demo.invalid",
    "sekretariat@demo.invalid",
)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app() as app:
        yield app


def opened(browser: Browser, app: FreshApp, email: str | None) -> Page:
    if email:
        return signed_in_page(browser, app, email)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    page.goto(app.url)
    wait_ready(page)
    return page


def menu(page: Page) -> list[str]:
    """The addresses of every page in the sidebar menu."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [href for href in links.evaluate_all("links => links.map(l => l.href)") if href]


@pytest.mark.parametrize("email", ROLES, ids=lambda email: (email or "visitor").split("@")[0])
def test_no_page_of_a_role_fails_aa_contrast_or_skips_a_heading_level(
    browser: Browser, fresh_app: FreshApp, email: str | None
) -> None:
    page = opened(browser, fresh_app, email)
    axe = Axe()
    found: dict[str, list[str]] = {}
    addresses = menu(page)
    assert len(addresses) >= 8
    addresses += [f"{fresh_app.url}/{view}" for view in VIEWS]
    for address in addresses:
        page.goto(address)
        wait_ready(page)
        result = axe.run(page, options=RULES)
        nodes = [
            node["any"][0]["message"] if node.get("any") else str(node["target"])
            for violation in result.response["violations"]
            for node in violation["nodes"]
        ]
        if nodes:
            screenshot(page, f"contrast-{(email or 'visitor').split('@')[0]}")
            found[address] = nodes
    page.context.close()
    assert found == {}
