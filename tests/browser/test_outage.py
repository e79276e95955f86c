"""The database away under a running server: PostgreSQL stopped, then started again. Every page
says in Norwegian that the data cannot be reached and to try again (never Streamlit's box),
/healthz says 503 until the database is back, and the next click works again."""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from support import pg
from support.browser import screenshot, sign_in, signed_in_page, wait_ready
from support.server import demo_app

pytestmark = [pytest.mark.browser, pytest.mark.pg]

AWAY = "Databasen svarer ikke akkurat nå"
OPERATIVE = "operativ@demo.invalid"


@pytest.fixture
def own_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of this test's own, since the test stops it; its admin URL."""
    if pg.server_bin() is None:
        pytest.skip(pg.MISSING)
    with pg.cluster() as admin_url:
        yield admin_url


def health(base: str) -> tuple[int, dict[str, str]]:
    """Status and JSON body of GET /healthz."""
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def assert_worded(tab: Page) -> None:
    """The page says the database is away, in Norwegian, and shows nothing of Streamlit's."""
    expect(tab.get_by_test_id("stMain")).to_contain_text(AWAY)
    expect(tab.get_by_test_id("stException")).to_have_count(0)
    assert "Ask Google" not in tab.locator("body").inner_text()


def test_postgresql_stopped_under_a_running_app(browser: Browser, own_cluster: str) -> None:
    with pg.database(own_cluster) as url, demo_app(database_url=url) as app:
        signed = signed_in_page(browser, app, OPERATIVE)
        visitor = browser.new_context(locale="nb-NO").new_page()
        visitor.goto(f"{app.url}/konto")
        wait_ready(visitor)
        assert health(app.url) == (200, {"status": "ok"})

        seconds: dict[str, float] = {}
        with pg.stopped(own_cluster):
            assert health(app.url) == (503, {"status": "unavailable", "database": "unreachable"})
            visits = [(visitor, p) for p in ("/oversikt", "/indikatorer", "/portefolje", "/")]
            visits += [(signed, p) for p in ("/start", "/rapportering", "/statusrapporter")]
            for tab, path in visits:
                started = time.monotonic()
                tab.goto(f"{app.url}{path}")
                wait_ready(tab)
                assert_worded(tab)
                seconds[path] = time.monotonic() - started
            screenshot(signed, "postgresql-stopped")
            # a sign-in (its form needs no data) fails in words too, and so does its cookie
            visitor.goto(f"{app.url}/konto")
            wait_ready(visitor)
            visitor.get_by_label("E-post").fill(OPERATIVE)
            visitor.get_by_label("Passord").fill(app.passwords[OPERATIVE])
            visitor.get_by_role("button", name="Logg inn").click()
            wait_ready(visitor)
            assert_worded(visitor)
        assert max(seconds.values()) < 10, seconds  # refused at once, not after a long wait

        assert health(app.url) == (200, {"status": "ok"})
        signed.reload()  # the next click works, still signed in
        wait_ready(signed)
        expect(signed.get_by_role("heading", level=1, name="Statusrapporter")).to_be_visible()
        expect(signed.get_by_test_id("stSidebar")).to_contain_text(f"Innlogget som {OPERATIVE}")
        sign_in(visitor, app, OPERATIVE)
        for tab in (signed, visitor):
            expect(tab.get_by_test_id("stException")).to_have_count(0)
