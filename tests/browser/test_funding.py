"""Satsing's funding streams and learning log in Chromium, by role: the operative group records
a stream through the form (allocated or applied for chosen, never assumed); a partner reads the
stream and the log, with no forms, and who wrote an entry as the account's role and
organisation, not a person's e-mail address."""

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import screenshot, signed_in_page, wait_ready
from support.server import FreshApp

from dashboard.db import session_scope
from dashboard.services.learning import add_entry
from dashboard.services.users import actor_of
from models import Initiative, LearningInput, User

pytestmark = pytest.mark.browser
NUMBER = 28  # the seed's initiative that Avdir (the demo operative account) is responsible for
LEARNT = "Felles inntak med NAV gir kortere ventetid"


def prepare(engine: Engine) -> None:
    """One learning-log entry on the initiative, written by the operative group."""
    with session_scope(engine=engine) as session:
        user = session.exec(select(User).where(User.email == "operativ@demo.invalid")).one()
        operative = actor_of(user)
        initiative = session.exec(select(Initiative).where(Initiative.number == NUMBER)).one()
    data = LearningInput(
        learnt=LEARNT, shared_with="0-24-nettverket", learnt_on=dt.date(2026, 3, 1)
    )
    add_entry(operative, initiative.id or 0, data, engine=engine)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def test_the_operative_group_records_a_stream_and_a_partner_reads_it(
    browser: Browser, fresh_app: FreshApp
) -> None:
    operative = signed_in_page(browser, fresh_app, "operativ@demo.invalid")
    operative.goto(f"{fresh_app.url}/satsing?nr={NUMBER}")
    wait_ready(operative)
    main = operative.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Læringslogg", exact=True)).to_be_visible()
    funding = main.get_by_test_id("stExpander").filter(has_text="Endre finansieringen")
    funding.locator("summary").click()
    expect(funding.get_by_role("button", name="Lagre strømmen")).to_be_visible()
    funding.get_by_role("combobox", name="Finansieringsstrøm", exact=True).click()
    operative.get_by_role("option", name="Tilskuddsordning", exact=True).click()
    funding.get_by_role("button", name="Lagre strømmen").click()
    wait_ready(operative)
    expect(
        operative.get_by_text("Velg om midlene er tildelt eller søkt. Ingenting er lagret.")
    ).to_be_visible()
    funding.get_by_text("Søkt", exact=True).click()
    funding.get_by_role("button", name="Lagre strømmen").click()
    wait_ready(operative)
    expect(operative.get_by_text("Finansieringsstrømmen er lagret.")).to_be_visible()
    screenshot(operative, "funding-stream-saved")
    operative.context.close()

    partner = signed_in_page(browser, fresh_app, "partner@demo.invalid")
    partner.goto(f"{fresh_app.url}/satsing?nr={NUMBER}")
    wait_ready(partner)
    main = partner.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Læringslogg", exact=True)).to_be_visible()
    expect(main.get_by_test_id("stExpander").filter(has_text="Endre finansieringen")).to_have_count(
        0
    )
    expect(
        main.get_by_test_id("stExpander").filter(has_text="Skriv i læringsloggen")
    ).to_have_count(0)
    # the tables are grids drawn on a canvas; their cells are also in the page's accessible
    # table (glide-cell-<column>-<row>), once scrolled into view
    heading = main.get_by_role("heading", name="Finansiering", exact=True)
    heading.locator(
        "xpath=following::*[@data-testid='stDataFrame'][1]"
    ).scroll_into_view_if_needed()
    cells = partner.locator("[id^=glide-cell-]")
    expect(cells.filter(has_text="Tilskuddsordning").first).to_be_attached()
    expect(cells.filter(has_text="Søkt").first).to_be_attached()
    heading = main.get_by_role("heading", name="Læringslogg", exact=True)
    heading.locator(
        "xpath=following::*[@data-testid='stDataFrame'][1]"
    ).scroll_into_view_if_needed()
    expect(cells.filter(has_text=LEARNT).first).to_be_attached()
    expect(cells.filter(has_text="Operativ gruppe (Avdir)").first).to_be_attached()
    expect(cells.filter(has_text="operativ@demo.invalid")).to_have_count(0)
    screenshot(partner, "funding-learning-partner")
