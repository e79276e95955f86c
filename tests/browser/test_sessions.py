"""A sign-in that lasts: reloads and new tabs stay signed in, sign-out reaches every tab.

A real `streamlit run dashboard/server.py` in Chromium; the cookie is the browser's own.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from support.browser import screenshot, sign_in, wait_ready
from support.server import FreshApp, demo_app

from dashboard.services.sessions import COOKIE
from dashboard.settings import get_settings

pytestmark = pytest.mark.browser

OPERATIVE = "operativ@demo.invalid"
SIGNED_IN = f"Innlogget som {OPERATIVE}"
ANONYMOUS = "Du ser dashbordet som partner"
DEEP_LINK = "rapportering?fra=epost"  # only internal roles may open Rapportering


@pytest.fixture(scope="module")
def app() -> Iterator[FreshApp]:
    """A freshly served app with the demo accounts."""
    with demo_app() as served:
        yield served


def session_cookie(context: BrowserContext) -> dict[str, Any] | None:
    """The browser's session cookie, or None."""
    return next((dict(c) for c in context.cookies() if c["name"] == COOKIE), None)


def wait_for_cookie(page: Page, present: bool = True) -> dict[str, Any] | None:
    """Wait until the browser holds (or no longer holds) the session cookie."""
    for _ in range(50):
        cookie = session_cookie(page.context)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError(f"the session cookie is {'missing' if present else 'still there'}")


def open_tab(page: Page, url: str) -> Page:
    """A new tab of the same browser on url, once the app has drawn it."""
    tab = page.context.new_page()
    tab.goto(url)
    wait_ready(tab)
    return tab


def sidebar(page: Page) -> Any:
    """The sidebar, for expectations."""
    return expect(page.get_by_test_id("stSidebar"))


def test_a_sign_in_lasts_across_a_reload_and_a_new_tab(page: Page, app: FreshApp) -> None:
    sign_in(page, app, OPERATIVE)
    cookie = wait_for_cookie(page)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert COOKIE not in page.evaluate("document.cookie")  # no script on the page can read it
    assert cookie["value"] not in page.url
    page.reload()
    wait_ready(page)
    sidebar(page).to_contain_text(SIGNED_IN)
    tab = open_tab(page, f"{app.url}/{DEEP_LINK}")
    sidebar(tab).to_contain_text(SIGNED_IN)
    expect(tab.locator("h1", has_text="Rapportering")).to_be_visible()
    expect(tab.get_by_text("Du har ikke tilgang til denne siden")).to_have_count(0)
    screenshot(tab, "sessions-new-tab")


def test_signing_out_in_one_tab_signs_out_the_others_on_their_next_click(
    page: Page, app: FreshApp
) -> None:
    sign_in(page, app, OPERATIVE)
    wait_for_cookie(page)
    other = open_tab(page, f"{app.url}/")
    sidebar(other).to_contain_text(SIGNED_IN)
    page.goto(f"{app.url}/konto")
    wait_ready(page)
    page.get_by_role("button", name="Logg ut").click()
    sidebar(page).to_contain_text(ANONYMOUS)
    wait_for_cookie(page, present=False)
    other.bring_to_front()
    screenshot(other, "sessions-other-tab-before-click")
    other.get_by_test_id("stSidebarNav").get_by_role("link", name="Mål").click()
    wait_ready(other)
    sidebar(other).to_contain_text(ANONYMOUS)
    expect(other.locator("h1", has_text="Mål")).to_be_visible()
    other.reload()
    wait_ready(other)
    sidebar(other).to_contain_text(ANONYMOUS)


def test_a_restricted_deep_link_opens_after_signing_in_on_it(page: Page, app: FreshApp) -> None:
    page.goto(f"{app.url}/{DEEP_LINK}")
    wait_ready(page)
    expect(page.get_by_text("Du har ikke tilgang til denne siden")).to_be_visible()
    page.get_by_label("E-post").fill(OPERATIVE)
    page.get_by_label("Passord").fill(app.passwords[OPERATIVE])
    page.get_by_role("button", name="Logg inn").click()
    sidebar(page).to_contain_text(SIGNED_IN)
    expect(page.locator("h1", has_text="Rapportering")).to_be_visible()
    assert page.url == f"{app.url}/{DEEP_LINK}&oppdrag={get_settings().mission_key}"
    wait_for_cookie(page)
    screenshot(page, "sessions-deep-link-after-sign-in")
