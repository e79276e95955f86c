"""A page that fails is worded in Norwegian, never Streamlit's exception box: a database that
is away or wrong (here, a table the app reads on every run is gone) reaches no user as a
traceback."""

import sqlite3

import pytest
from playwright.sync_api import Page, expect
from support.browser import screenshot, wait_ready
from support.server import demo_app

pytestmark = pytest.mark.browser


def test_a_broken_database_is_told_in_words_and_the_page_recovers(page: Page) -> None:
    with demo_app() as app:
        page.goto(f"{app.url}/oversikt")
        wait_ready(page)
        path = app.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:  # every page run reads the data version first
            db.execute("ALTER TABLE dataversion RENAME TO dataversion_away")
        page.goto(f"{app.url}/indikatorer")
        wait_ready(page)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("Databasen svarer ikke akkurat nå")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, "database-away")
        with sqlite3.connect(path) as db:
            db.execute("ALTER TABLE dataversion_away RENAME TO dataversion")
        page.reload()
        wait_ready(page)
        expect(page.get_by_role("heading", level=1, name="Indikatorer")).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
