"""On a phone (390 x 844) every chart draws its marks on the screen and keeps most of its width
for the plot, and the sidebar gets out of the way after a page is chosen in it (issue 15).

The charts learn their width in the browser (dashboard.ui.charts.label_room and on_phone); the
screenshots in /tmp/screens/phone-*.png show each chart as a phone shows it.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import screenshot, sign_in, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from dashboard.services.periods import create_period
from dashboard.services.reporting import save_value, submit_value
from dashboard.services.status_reports import create_draft
from dashboard.services.users import actor_of
from models import Indicator, Mission, Period, PeriodCreate, StatusReport, User

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
PHONE_AGENT = (  # Streamlit closes the sidebar after a page is chosen when the agent is a phone
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
OPERATIVE = "operativ@demo.invalid"
# (address, the number of charts on it, the tab they are in); a visitor reads approved data
# and published reports
VISITOR_PAGES: tuple[tuple[str, int, str | None], ...] = (
    ("", 1, None),  # Oversikt: initiatives per subgoal
    ("organisasjoner", 1, None),
    ("portefolje?visning=matrise", 1, None),  # the coverage heatmap
    ("portefolje?visning=tidslinje", 1, None),
    ("portefolje?visning=medvirkning", 1, None),  # the portfolio on Hart's ladder
    ("portefolje?visning=finansiering", 1, None),  # the portfolio by funding stream
    ("indikatorer?kode=NEET-15-29", 1, None),
    ("styring", 1, "Faser og leveranser"),  # the deliverables' timeline
)
LEAST_PLOT_SHARE = 0.4  # of the chart's width, for the plot beside its axis labels

# Every chart's boxes in page pixels: the chart, all Vega draws (axes, legends, marks), the
# plot area (the view's background) and each data mark with a size.
BOXES = """charts => charts.map(chart => {
    const box = element => {
        const r = element.getBoundingClientRect();
        return {left: r.left, right: r.right, width: r.width, height: r.height};
    };
    const root = chart.querySelector('g.role-frame.root');
    const plot = chart.querySelector('g.role-frame.root > g > path.background');
    const marks = [...chart.querySelectorAll('g.role-mark > *')]
        .map(box).filter(b => b.width > 0 || b.height > 0);
    return {chart: box(chart), drawn: root && box(root), plot: plot && box(plot), marks};
})"""

# The chart's top just below Streamlit's header (which lies over the top 60 px of the page).
SCROLL_TO = """chart => {
    chart.scrollIntoView({block: 'start'});
    let scroller = chart.parentElement;
    const scrolls = element => ['auto', 'scroll'].includes(getComputedStyle(element).overflowY)
        && element.scrollHeight > element.clientHeight;
    while (scroller && !scrolls(scroller)) {
        scroller = scroller.parentElement;
    }
    if (scroller) scroller.scrollTop -= 80;
}"""


def prepare(engine: Engine) -> None:
    """A draft status report (its charts show to the operative group only), and a submitted
    value for NEET-15-29 (the operative group's chart marks it as not approved)."""
    with session_scope(engine=engine) as session:
        users = {u.email: actor_of(u) for u in session.exec(select(User)).all()}
        mission = session.exec(select(Mission)).one()
        periods = {p.label: p.id for p in session.exec(select(Period)).all()}
        neet = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
    operative = users[OPERATIVE]
    create_draft(
        operative, mission.id or 0, periods["2017"], today=dt.date(2026, 12, 1), engine=engine
    )
    period = create_period(
        users["sekretariat@demo.invalid"],
        PeriodCreate(
            mission_id=mission.id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        ),
        engine=engine,
    )
    value = save_value(
        operative, neet.id or 0, period, {"value": "95 000"}, version=None, engine=engine
    )
    submit_value(operative, value.id or 0, value.version, engine=engine)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def phone(browser: Browser) -> Page:
    """A new browser context that looks like a phone."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        user_agent=PHONE_AGENT,
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def draft_report(app: FreshApp) -> int:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        report_id = session.exec(select(StatusReport.id)).one()
    engine.dispose()
    assert report_id is not None
    return report_id


def charts_fit(
    page: Page, address: str, count: int, name: str, tab: str | None = None
) -> list[str]:
    """Open address (and the tab named so) and say what is wrong with any of its charts
    (nothing: []); screenshot each chart as the phone shows it."""
    page.goto(address)
    wait_ready(page)
    if tab:
        page.get_by_test_id("stMain").get_by_role("tab", name=tab).click()
        wait_ready(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(count)
    for chart in charts.all():
        expect(chart.locator("g.role-mark").first).to_be_attached()
    problems = []
    for index, found in enumerate(charts.evaluate_all(BOXES)):
        where = f"{name} chart {index + 1}"
        problems += fit_problems(where, found)
        charts.nth(index).evaluate(SCROLL_TO)
        page.wait_for_timeout(200)
        screenshot(page, f"phone-{name}-{index + 1}")
    return problems


def fit_problems(where: str, found: dict[str, Any]) -> list[str]:
    """What keeps a chart from fitting the phone's width."""

    def outside(box: dict[str, float]) -> bool:
        return box["left"] < -1 or box["right"] > WIDTH + 1

    problems = []
    chart, drawn, plot, marks = found["chart"], found["drawn"], found["plot"], found["marks"]
    if not marks:
        problems.append(f"{where}: no marks drawn")
    if outside(chart) or (drawn and outside(drawn)):
        problems.append(f"{where}: drawn from {drawn['left']:.0f} to {drawn['right']:.0f} px")
    if off := [m for m in marks if outside(m)]:
        problems.append(f"{where}: {len(off)} of {len(marks)} marks off the screen")
    if plot is None or plot["width"] < LEAST_PLOT_SHARE * chart["width"]:
        share = plot["width"] / chart["width"] if plot else 0
        problems.append(f"{where}: the plot has {share:.0%} of the chart's width")
    return problems


def test_every_chart_a_visitor_sees_fits_a_phone(browser: Browser, fresh_app: FreshApp) -> None:
    page = phone(browser)
    problems = []
    for path, count, tab in VISITOR_PAGES:
        name = "visitor-" + (path.split("=")[-1] or "oversikt")
        problems += charts_fit(page, f"{fresh_app.url}/{path}", count, name, tab)
    page.context.close()
    assert problems == []


def test_the_charts_only_the_operative_group_sees_fit_a_phone(
    browser: Browser, fresh_app: FreshApp
) -> None:
    page = phone(browser)
    sign_in(page, fresh_app, OPERATIVE)
    report = f"{fresh_app.url}/statusrapporter?rapport={draft_report(fresh_app)}"
    problems = charts_fit(page, report, 2, "operativ-statusrapport")  # indicators, initiatives
    indicator = f"{fresh_app.url}/indikatorer?kode=NEET-15-29"
    problems += charts_fit(page, indicator, 1, "operativ-NEET-15-29")  # with its pending value
    page.context.close()
    assert problems == []


def test_the_sidebar_closes_on_a_phone_when_a_page_is_chosen(
    browser: Browser, fresh_app: FreshApp
) -> None:
    page = phone(browser)
    page.goto(fresh_app.url)
    wait_ready(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # "auto" starts it closed
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Styring").click()
    wait_ready(page)
    expect(page.get_by_role("heading", name="Styring", level=1)).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    page.context.close()
