"""Min side in Chromium on a freshly started server: each internal role signs in and lands on
its own start page, whose links open where the work is done; a partner keeps Oversikt and
finds Min side in the menu. Screenshots go to /tmp/shots/ for people to look at."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from support import server
from support.browser import main_text, signed_in_page, wait_ready
from support.server import FreshApp
from support.start_world import (
    DECISION,
    INACTIVE,
    PUBLISHED_SUMMARY,
    RETURN_REASON,
    prepare_start_world,
)

from dashboard.settings import get_settings

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare_start_world) as app:
        yield app


def signed_in(browser: Browser, app: FreshApp, email: str) -> Page:
    """A new browser context signed in as email, after the app has settled."""
    page = signed_in_page(browser, app, email)
    wait_ready(page)
    return page


def shot(page: Page, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main area, so the window grows to fit)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, int(height) + 100)})
    wait_ready(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("styringsgruppe@demo.invalid", ["Statusrapporter til godkjenning (1)", DECISION]),
        ("operativ@demo.invalid", ["Sendt tilbake til deg (1)", RETURN_REASON]),
        ("sekretariat@demo.invalid", ["Organisasjoner på etterskudd (3)", INACTIVE]),
    ],
)
def test_each_internal_role_lands_on_its_start_page(
    browser: Browser, fresh_app: FreshApp, email: str, expected: list[str]
) -> None:
    page = signed_in(browser, fresh_app, email)
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    # the role's first page, at its own address (and the mission's)
    assert page.url == f"{fresh_app.url}/start?oppdrag={get_settings().mission_key}"
    text = main_text(page)
    for words in expected:
        assert words in text
    shot(page, f"start-{email.split('@')[0]}")
    page.context.close()


def test_the_steering_groups_report_link_opens_the_report(
    browser: Browser, fresh_app: FreshApp
) -> None:
    page = signed_in(browser, fresh_app, "styringsgruppe@demo.invalid")
    page.get_by_role("link", name="Statusrapport 2017").click()
    expect(page.get_by_role("heading", level=1, name="Statusrapporter")).to_be_visible()
    wait_ready(page)
    assert "rapport=" in page.url
    assert "Tallene fra 2017." in main_text(page)
    page.context.close()


def test_a_partner_finds_the_published_report_on_min_side_in_the_menu(
    browser: Browser, fresh_app: FreshApp
) -> None:
    page = signed_in(browser, fresh_app, "partner@demo.invalid")
    expect(page.get_by_role("heading", level=1, name="Konto")).to_be_visible()  # stays
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Min side").click()
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    wait_ready(page)
    text = main_text(page)
    assert "Siste publiserte statusrapport: 2016" in text and PUBLISHED_SUMMARY in text
    assert "Tallene fra 2017." not in text  # submitted, not published
    shot(page, "start-partner")
    page.context.close()


def test_a_visitor_lands_on_oversikt(page: Page, fresh_app: FreshApp) -> None:
    page.goto(fresh_app.url)
    wait_ready(page)
    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
