"""The production shape (deploy/): PostgreSQL, app processes started as `make run` starts one,
and HAProxy in front, met through HAProxy as browsers and a load balancer meet it.

app1 and app2 serve the shared database; app3 serves a twin of it that the health test drops
under it. Browsers are pinned to a process by HAProxy's own cookie (deploy/haproxy.cfg.in),
and every answer names the process that gave it (X-Backend). The last two tests stop
processes, so they run last, in this order.
"""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from support import pg, server
from support.browser import sign_in, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine
from deploy.shape import COOKIE, HAPROXY_MISSING, Check, Shape, haproxy_bin, prepare, running_shape
from seed.demo import ensure_demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.pg]

ADMIN = "sekretariat@demo.invalid"
COUNT = re.compile(r"(\d+) kontoer\.")


@dataclass
class Deployed:
    """The running shape, its app (HAProxy's URL, demo passwords) and the twin database."""

    shape: Shape
    app: FreshApp
    admin_url: str
    twin: str


@pytest.fixture(scope="module")
def deployed(pg_admin_url: str) -> Iterator[Deployed]:
    if haproxy_bin() is None:
        pytest.skip(HAPROXY_MISSING)
    if server.chromium_missing():
        pytest.skip(server.CHROMIUM_MISSING)
    with pg.database(pg_admin_url) as url:
        prepare(url, demo_accounts=False, quiet=True)
        engine = make_engine(url)
        passwords = {email: pw for _role, email, pw in ensure_demo_accounts(engine)}
        engine.dispose()
        name = make_url(url).database
        twin = f"{name}_twin"
        admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{twin}" TEMPLATE "{name}"')
        admin.dispose()
        twin_url = make_url(url).set(database=twin).render_as_string(hide_password=False)
        try:
            with running_shape([url, url, twin_url], check=Check()) as shape:
                app = FreshApp(url=shape.url, database_url=url, passwords=passwords)
                yield Deployed(shape, app, pg_admin_url, twin)
        finally:
            drop(pg_admin_url, twin)


def drop(admin_url: str, name: str) -> None:
    """Drop a database, closing its connections: to its app process it is unreachable."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def pinned(browser: Browser, deployed: Deployed, backend: str) -> BrowserContext:
    """A new browser whose HAProxy cookie sends it to backend."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": COOKIE, "value": backend, "url": deployed.shape.url}])
    return context


def open_page(page: Page, url: str) -> str:
    """Load url and wait until the page is done; the app process that served it."""
    response = page.goto(url)
    assert response is not None
    wait_ready(page)
    return response.headers["x-backend"]


def accounts(page: Page) -> int:
    """The number of accounts Administrasjon shows (once: a run still drawing the page after
    a save shows the new count beside the old one until it has finished)."""
    expect(page.get_by_text(COUNT)).to_have_count(1)
    expect(page.get_by_text(COUNT)).to_be_visible()
    found = COUNT.search(page.get_by_text(COUNT).inner_text())
    assert found, page.get_by_text(COUNT).inner_text()
    return int(found.group(1))


def create_account(page: Page, email: str) -> None:
    """Create a partner account on Administrasjon (the page is open)."""
    form = page.get_by_test_id("stExpander").filter(has_text="Ny bruker")
    form.get_by_text("Ny bruker").click()
    form.get_by_label("E-post", exact=True).fill(email)
    form.get_by_label("Navn", exact=True).fill("Flyttet Testperson")
    form.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_test_id("stMain")).to_contain_text(f"Brukeren {email} er opprettet.")


def served_by(url: str, cookie: str | None = None) -> tuple[int, str]:
    """Status and X-Backend of GET url through HAProxy, with a HAProxy cookie or none."""
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, answer.headers["X-Backend"]


def test_a_change_saved_through_one_process_shows_on_the_others_next_click(
    browser: Browser, deployed: Deployed
) -> None:
    app = deployed.app
    one, other = (pinned(browser, deployed, name).new_page() for name in ("app1", "app2"))
    for page in (one, other):
        sign_in(page, app, ADMIN)
    assert open_page(one, f"{app.url}/administrasjon") == "app1"
    assert open_page(other, f"{app.url}/administrasjon") == "app2"
    before = accounts(other)  # app2 has read the accounts once
    create_account(one, "lagret.pa.app1@virksomhet.no")
    assert accounts(one) == before + 1

    other.get_by_test_id("stSidebarNav").get_by_role("link", name="Administrasjon").click()
    wait_ready(other)
    assert accounts(other) == before + 1
    assert open_page(other, f"{app.url}/administrasjon") == "app2"  # still app2's
    assert accounts(other) == before + 1
    for page in (one, other):
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.context.close()


def test_the_health_check_takes_a_process_whose_database_is_away_out_of_rotation(
    deployed: Deployed,
) -> None:
    shape = deployed.shape
    for name in ("app1", "app2", "app3"):
        shape.wait_for(name, "UP")
    assert {served_by(f"{shape.url}/healthz")[1] for _ in range(6)} == {"app1", "app2", "app3"}

    drop(deployed.admin_url, deployed.twin)  # app3's database is gone
    shape.wait_for("app3", "DOWN", timeout=20)
    assert shape.states()["app1"] == shape.states()["app2"] == "UP"
    answers = [served_by(f"{shape.url}/healthz") for _ in range(12)]
    assert answers.count((200, "app1")) == answers.count((200, "app2")) == 6, answers
    # a browser HAProxy had sent to app3 goes to a healthy process, and its page comes
    assert served_by(f"{shape.url}/oversikt", cookie="app3") in ((200, "app1"), (200, "app2"))


def test_a_stopped_processs_users_land_on_the_other_still_signed_in_losing_nothing(
    browser: Browser, deployed: Deployed
) -> None:
    shape, app = deployed.shape, deployed.app
    page = pinned(browser, deployed, "app1").new_page()
    sign_in(page, app, ADMIN)
    assert open_page(page, f"{app.url}/administrasjon") == "app1"
    before = accounts(page)
    create_account(page, "lagret.for.stopp@virksomhet.no")  # saved just before app1 stops

    shape.backend("app1").kill()
    # the next click, in the same tab: the frontend's websocket reconnects through HAProxy
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Administrasjon").click()
    wait_ready(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Innlogget som {ADMIN}")
    assert accounts(page) == before + 1
    shape.wait_for("app1", "DOWN", timeout=20)
    assert open_page(page, f"{app.url}/administrasjon") == "app2"  # a reload lands there too
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Innlogget som {ADMIN}")
    assert accounts(page) == before + 1
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.context.close()


def test_with_no_healthy_process_a_visitor_still_reads_norwegian(
    browser: Browser, deployed: Deployed
) -> None:
    """app1 was killed, app3's database is gone: with app2 gone too, app3 (running, its
    database away) says so itself; with none running, HAProxy's page says it, not in English."""
    shape, app = deployed.shape, deployed.app
    shape.backend("app2").kill()
    shape.wait_for("app2", "DOWN", timeout=20)
    assert shape.states()["app3"].startswith("DOWN")
    page = browser.new_context(locale="nb-NO").new_page()
    assert open_page(page, f"{app.url}/oversikt") == "app3"
    expect(page.get_by_test_id("stMain")).to_contain_text("Databasen svarer ikke akkurat nå")
    expect(page.get_by_test_id("stException")).to_have_count(0)

    shape.backend("app3").kill()
    shape.wait_for("app3", "DOWN", timeout=20, proxy="app_running")
    with pytest.raises(urllib.error.HTTPError) as refused:
        served_by(f"{app.url}/oversikt")
    assert refused.value.code == 503
    text = refused.value.read().decode()
    assert "Dashbordet svarer ikke akkurat nå" in text and "Prøv igjen om litt" in text
    page.goto(f"{app.url}/oversikt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashbordet svarer ikke akkurat nå")
    page.context.close()
