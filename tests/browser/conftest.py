"""Browser fixtures: one Chromium per module, a fresh page (own context) per test."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from support import browser as chromium
from support import server

# A rerun that saves and re-reads can take several seconds while the whole suite loads both
# cores; Playwright's default of 5 s for expect() made the reporting flow fail now and then.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless system Chromium driven by Playwright."""
    if server.chromium_missing():
        pytest.skip(server.CHROMIUM_MISSING)
    with chromium.chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new page in its own browser context (no shared cookies or storage)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
