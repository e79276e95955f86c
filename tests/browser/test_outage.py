"""The database away or wrong under a running server, as a person and a load balancer meet it.

PostgreSQL stopped, then started again: every page says in Norwegian that the data cannot be
reached and to try again (never Streamlit's box), /healthz says 503 until the database is back,
and the next click works again. A read-only SQLite database shows its data and words a write.
An empty database says what to run, in the page and in the server's log.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from support import pg
from support.browser import main_text, screenshot, sign_in, signed_in_page, wait_ready
from support.read_only import read_only
from support.server import ROOT, demo_app

from bench import server as bench_server
from dashboard.db import make_engine
from seed.demo import ensure_demo_accounts

pytestmark = pytest.mark.browser

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


@pytest.mark.pg
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


def run_module(module: str, database_url: str) -> None:
    """python -m module on database_url (migrate, seed), as make does."""
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True)


@contextmanager
def served(database_url: str, log: Path, prefix: Sequence[str] = ()) -> Iterator[str]:
    """`make run`'s server on database_url, its command run under prefix; the base URL."""
    port = bench_server.free_port()
    command = [*prefix, sys.executable, "-m", *bench_server.run_command(port)]
    env = {**os.environ, "DATABASE_URL": database_url}
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not bench_server.healthy(base):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_read_only_database_shows_its_data_and_words_a_write(page: Page, tmp_path: Path) -> None:
    """The database file and its directory cannot be written (see support/read_only.py)."""
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'dashboard.db'}"
    for module in ("dashboard.migrate", "seed"):
        run_module(module, url)
    engine = make_engine(url)
    passwords = {email: pw for _role, email, pw in ensure_demo_accounts(engine)}
    engine.dispose()
    with read_only(folder) as prefix, served(url, tmp_path / "server.log", prefix) as base:
        assert health(base) == (200, {"status": "ok"})
        page.goto(f"{base}/indikatorer?kode=NEET-15-29")
        wait_ready(page)
        assert "NEET-15-29" in main_text(page), main_text(page)  # the data, not a message
        page.goto(f"{base}/konto")
        wait_ready(page)
        page.get_by_label("E-post").fill(OPERATIVE)
        page.get_by_label("Passord").fill(passwords[OPERATIVE])
        page.get_by_role("button", name="Logg inn").click()  # a sign-in writes its session
        wait_ready(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("Databasen kan bare leses")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, "database-read-only")


def test_an_empty_database_says_what_to_run_until_it_is_migrated(
    page: Page, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    log = tmp_path / "server.log"
    with served(url, log) as base:
        assert health(base) == (503, {"status": "unavailable", "database": "not_migrated"})
        page.goto(f"{base}/oversikt")
        wait_ready(page)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("Databasen er ikke klargjort")
        expect(main).to_contain_text("python -m dashboard.migrate")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert "python -m dashboard.migrate" in log.read_text()  # said at start, and per page
        screenshot(page, "database-not-migrated")
        for module in ("dashboard.migrate", "seed"):
            run_module(module, url)
        assert health(base) == (200, {"status": "ok"})
        page.reload()
        wait_ready(page)
        expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
