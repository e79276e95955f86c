"""Statistics from SSB in Chromium (issue 19), on a freshly started server: an operative uploads
a fictional whole-country file on Rapportering › Statistikk fra SSB, sees the dry run and
imports it; a colleague in another organisation approves the value (four eyes). The file is
fictional (support.fictional_ssb: table 99999, labels «fiktiv»)."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import col, select
from support import fictional_ssb as fictional
from support import server
from support.browser import screenshot, sign_in, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from models import EntryStatus, Indicator, IndicatorValue, Mission, Period, PeriodKind, User

pytestmark = pytest.mark.browser


def prepare(engine: Engine) -> None:
    """Open yearly periods 2024 and 2025 (the fictional file has 2022-2025)."""
    with session_scope(write=True, engine=engine) as session:
        mission = session.exec(select(Mission.id)).one()
        for year in (2024, 2025):
            session.add(
                Period(
                    mission_id=mission,
                    label=str(year),
                    kind=PeriodKind.ANNUAL,
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                )
            )


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def signed_in(browser: Browser, app: FreshApp, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, app, email)
    return page


def go(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_ready(page)


def stored(app: FreshApp) -> list[tuple[str, float | None, EntryStatus, str | None]]:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        rows = session.exec(
            select(Period.label, IndicatorValue.value, IndicatorValue.status, User.email)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
            .outerjoin(User, col(User.id) == IndicatorValue.entered_by_id)
            .where(Indicator.code == "NEET-15-29")
        ).all()
    engine.dispose()
    return [(label, value, status, email) for label, value, status, email in rows]


def test_an_operative_imports_a_fictional_national_file_and_a_colleague_approves_it(
    browser: Browser, fresh_app: FreshApp, tmp_path: Path
) -> None:
    file = tmp_path / "fiktiv-99999-hele-landet.json"
    file.write_bytes(fictional.jsonstat_bytes(statuses={("0", "0", "15-29", "2025"): ":"}))
    operative = signed_in(browser, fresh_app, "operativ@demo.invalid")
    go(operative, "Rapportering")
    operative.get_by_role("tab", name="Statistikk fra SSB").click()
    # NEET-15-29 is Avdir's first indicator: the one chosen
    uploader = operative.get_by_test_id("stFileUploader").filter(has_text="Last opp fil fra SSB")
    uploader.locator("input[type=file]").set_input_files(file)
    wait_ready(operative)
    # the grid draws on a canvas; its cells are in the page for assistive technology
    expect(operative.get_by_text("oppdraget har ingen årsperiode 2022")).to_be_attached()
    expect(operative.get_by_text("Vises ikke av konfidensialitetshensyn").first).to_be_attached()
    screenshot(operative, "statistics-flow-1-dry-run")
    assert stored(fresh_app) == []
    operative.get_by_role("button", name="Importer 1 verdi fra SSB").click()
    wait_ready(operative)
    expect(operative.get_by_text("sendt til godkjenning i den operative gruppen")).to_be_visible()
    screenshot(operative, "statistics-flow-2-imported")
    assert stored(fresh_app) == [("2024", 980.0, EntryStatus.SUBMITTED, "operativ@demo.invalid")]

    colleague = signed_in(browser, fresh_app, "operativ2@demo.invalid")  # Bufdir
    go(colleague, "Rapportering")
    colleague.get_by_role("tab", name="Til godkjenning").click()
    expect(colleague.get_by_text("NEET-15-29").first).to_be_attached()
    screenshot(colleague, "statistics-flow-3-queue")
    colleague.get_by_role("button", name="Godkjenn").first.click()
    wait_ready(colleague)
    expect(colleague.get_by_text("Verdien er godkjent")).to_be_visible()
    assert stored(fresh_app) == [("2024", 980.0, EntryStatus.APPROVED, "operativ@demo.invalid")]
