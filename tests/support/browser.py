"""Drive the system Chromium with Playwright, and wait until a Streamlit page is done."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.server import APP_DONE, CHROMIUM, CHROMIUM_ARGS, SKELETON
from dashboard.i18n import translate
from dashboard.services.sessions import COOKIE
from support.server import FreshApp

SCREENS = Path("/tmp/screens")  # screenshots for people to look at; not in the repo


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless /usr/bin/chromium under Playwright (no downloaded browser)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_ready(page: Page, timeout: float = 30_000) -> None:
    """Wait until the script has run, the session is connected and no skeleton is left."""
    page.wait_for_selector(APP_DONE, timeout=timeout)
    expect(page.locator(SKELETON)).to_have_count(0, timeout=timeout)
    page.wait_for_timeout(300)  # a rerun may be requested right after the first run
    page.wait_for_selector(APP_DONE, timeout=timeout)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to /tmp/screens/<name>.png and return its path."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def choose(page: Page, box: Locator, option: str, *, tries: int = 3) -> None:
    """Pick an option of a select box. A list opened while the page still moves (an expander
    opening, a scroll) closes again: the box is scrolled into view first, and opened again
    when its option did not come."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(tries):
        box.scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        box.click()
        try:
            wanted.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
    wait_ready(page)


def downloaded(page: Page, button: Locator, *, tries: int = 3) -> Path:
    """The file a download button gives. A click during a page run (the button's file is made
    again by each run) can give no download: the page is let finish and the button clicked
    again."""
    for attempt in range(tries):
        wait_ready(page)
        button.scroll_into_view_if_needed()
        try:
            with page.expect_download(timeout=10_000) as download:
                button.click()
            return Path(download.value.path())
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def main_text(page: Page) -> str:
    """The main area's visible text, with Norwegian (narrow) no-break spaces as plain spaces."""
    text = page.get_by_test_id("stMain").inner_text()
    return text.replace("\xa0", " ").replace("\u202f", " ")


def sign_in(page: Page, app: FreshApp, email: str, lang: str = "nb") -> None:
    """Sign in on Konto with a demo account's password, on a server showing lang."""
    page.goto(f"{app.url}/konto")
    wait_ready(page)
    page.get_by_label(translate(lang, "auth.email"), exact=True).fill(email)
    page.get_by_label(translate(lang, "auth.password"), exact=True).fill(app.passwords[email])
    page.get_by_role("button", name=translate(lang, "auth.sign_in")).click()
    signed_in_as = translate(lang, "auth.signed_in_as", email=email, role="")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(signed_in_as.split("(")[0])
    wait_for_session_cookie(page)


def wait_for_session_cookie(page: Page, timeout_s: float = 20.0) -> None:
    """Wait until the browser holds the sign-in cookie: the page shows the person signed in a
    moment before the browser has exchanged its one-time grant for the cookie (POST /session),
    and that exchange writes the session's row; a test that compares the database before and
    after must start once it is done."""
    deadline = time.monotonic() + timeout_s
    while not any(c["name"] == COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {COOKIE} cookie {timeout_s:.0f} s after signing in")
        page.wait_for_timeout(100)


def signed_in_page(browser: Browser, app: FreshApp, email: str, lang: str = "nb") -> Page:
    """A new browser context (1400 x 1000) signed in on Konto as email, on a server showing
    lang."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, app, email, lang)
    return page
