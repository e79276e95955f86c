"""Statusrapporter in Chromium on a freshly started server: the steering group reads a submitted
report with its charts, downloads the PDF review pack and approves; a partner then sees the
published report, and never the draft of the next period."""

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import main_text, screenshot, signed_in_page, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from dashboard.services.status_reports import create_draft, submit_report, update_texts
from dashboard.services.users import actor_of
from models import Mission, Period, ReportStatus, StatusReport, User

pytestmark = pytest.mark.browser
SUMMARY = "Kunnskapsgrunnlaget fra 2017 er lagt inn; nye tall kommer i 2026."


def prepare(engine: Engine) -> None:
    """A submitted report for 2017, and a draft for 2016 that partners must never see."""
    with session_scope(engine=engine) as session:
        operative = actor_of(
            session.exec(select(User).where(User.email == "operativ@demo.invalid")).one()
        )
        mission = session.exec(select(Mission)).one()
        periods = {p.label: p.id for p in session.exec(select(Period)).all()}
    today = dt.date(2026, 12, 1)
    report = create_draft(operative, mission.id or 0, periods["2017"], today=today, engine=engine)
    data = {"summary": SUMMARY, "decisions_requested": "Fastsette målverdier", "version": 1}
    report = update_texts(operative, report.id or 0, data, engine=engine)
    submit_report(operative, report.id or 0, report.version, engine=engine)
    create_draft(operative, mission.id or 0, periods["2016"], today=today, engine=engine)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def signed_in(browser: Browser, app: FreshApp, email: str) -> Page:
    page = signed_in_page(browser, app, email)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Statusrapporter").click()
    expect(page.get_by_role("heading", name="Statusrapporter", level=1)).to_be_visible()
    wait_ready(page)
    return page


def reports(app: FreshApp) -> dict[str, StatusReport]:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        found = {
            label: report
            for report, label in session.exec(
                select(StatusReport, Period.label).join(
                    Period,
                    Period.id == StatusReport.period_id,  # type: ignore[arg-type]
                )
            ).all()
        }
    engine.dispose()
    return found


def test_the_steering_group_reads_downloads_and_approves(
    browser: Browser, fresh_app: FreshApp
) -> None:
    steering = signed_in(browser, fresh_app, "styringsgruppe@demo.invalid")
    steering.get_by_role("combobox", name="Statusrapport").click()
    steering.get_by_role("option", name="2017", exact=True).click()
    wait_ready(steering)
    expect(steering.get_by_text(SUMMARY)).to_be_visible()
    charts = steering.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(2)
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    screenshot(steering, "status-report-steering")

    with steering.expect_download() as download:
        steering.get_by_role("button", name="Last ned PDF").click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Statusrapport 2017" in text and SUMMARY.split(";")[0] in text

    steering.get_by_role("tab", name="Behandling").click()
    steering.get_by_text("Jeg har lest rapporten").click()
    steering.get_by_role("button", name="Godkjenn og publiser").click()
    wait_ready(steering)
    expect(steering.get_by_text("Rapporten er godkjent, publisert")).to_be_visible()
    assert reports(fresh_app)["2017"].status == ReportStatus.APPROVED

    partner = signed_in(browser, fresh_app, "partner@demo.invalid")
    screenshot(partner, "status-report-partner")
    text = main_text(partner)
    assert SUMMARY in text and "Godkjent av styringsgruppen" in text
    partner.get_by_role("combobox", name="Statusrapport").click()
    options = partner.get_by_role("option").all_inner_texts()
    assert options == ["2017"]
    draft = reports(fresh_app)["2016"]
    partner.goto(f"{fresh_app.url}/statusrapporter?rapport={draft.id}")
    wait_ready(partner)
    assert "2016" not in main_text(partner)
