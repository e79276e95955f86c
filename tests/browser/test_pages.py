"""The app in a real browser: every page renders, deep links and URL filters work."""

import pytest
from playwright.sync_api import Page, expect
from support.browser import screenshot, wait_ready

from dashboard.settings import get_settings

pytestmark = pytest.mark.browser

PAGES = {  # URL path -> h1
    "": "Oversikt",
    "oversikt": "Oversikt",
    "mal": "Mål",
    "portefolje": "Portefølje",
    "satsing": "Satsing",
    "organisasjoner": "Organisasjoner",
    "indikatorer": "Indikatorer",
    "statusrapporter": "Statusrapporter",
    "styring": "Styring",
    "kunnskapsgrunnlag": "Kunnskapsgrunnlag",
}
PORTFOLIO_FILTER = "kategori=3"  # the Portefølje page's query parameter for a goal category


def open_page(page: Page, url: str) -> None:
    """Go to url and wait until Streamlit has finished rendering it without an exception."""
    page.goto(url)
    wait_ready(page)
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, f"{url} shows an exception:\n{errors.first.inner_text()}"


def table_rows(page: Page) -> int:
    """The number of data rows in the first visible dataframe (the portfolio table)."""
    grid = page.locator('[data-testid="stDataFrame"]:visible').first.locator('table[role="grid"]')
    expect(grid).to_have_count(1)
    return int(grid.get_attribute("aria-rowcount") or 0) - 1  # minus the header row


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(page: Page, live_server: str, path: str) -> None:
    """Each page's URL shows its title and no exception."""
    open_page(page, f"{live_server}/{path}")
    screenshot(page, path or "root")
    expect(page.get_by_role("heading", level=1, name=PAGES[path], exact=True)).to_be_visible()


def test_deep_link_opens_initiative(page: Page, live_server: str) -> None:
    """satsing?nr=9 opens initiative number 9."""
    open_page(page, f"{live_server}/satsing?nr=9")
    screenshot(page, "satsing-nr9")
    expect(page.get_by_role("heading", name="0-24-samarbeidet")).to_be_visible()


def test_portfolio_filter_survives_reload(page: Page, live_server: str) -> None:
    """A category filter in the URL narrows the portfolio, also after a reload."""
    open_page(page, f"{live_server}/portefolje")
    everything = table_rows(page)
    open_page(page, f"{live_server}/portefolje?{PORTFOLIO_FILTER}")
    filtered = table_rows(page)
    assert 0 < filtered < everything
    page.reload()
    wait_ready(page)
    screenshot(page, "portefolje-filtered")
    assert PORTFOLIO_FILTER in page.url
    assert table_rows(page) == filtered


def test_the_network_and_the_coverage_matrix_are_drawn(page: Page, live_server: str) -> None:
    """Graphviz draws the groups of linked initiatives; Vega draws the goal x initiative heatmap."""
    open_page(page, f"{live_server}/portefolje?visning=nettverk")
    drawing = page.get_by_test_id("stGraphVizChart").locator("svg")
    expect(drawing).to_be_visible()
    expect(drawing.locator("g.cluster")).to_have_count(4)  # three groups and the unlinked ones
    expect(drawing.locator("g.node").filter(has_text="9. 0-24-samarbeidet")).to_have_count(1)
    screenshot(page, "portefolje-nettverk")
    open_page(page, f"{live_server}/portefolje?visning=matrise")
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["height"] > 34 * 20  # a row for each of the 34 initiatives
    expect(page.get_by_text("Delmål uten noen satsing (2)")).to_be_visible()
    screenshot(page, "portefolje-matrise")


def test_every_page_keeps_its_own_address_and_the_root_goes_on(
    page: Page, live_server: str
) -> None:
    open_page(page, f"{live_server}/oversikt")  # a visitor's first page, by its own address
    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    open_page(page, f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/oversikt?oppdrag={get_settings().mission_key}")
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_the_portfolio_by_step_and_the_system_levels_are_shown(
    page: Page, live_server: str
) -> None:
    """Portefølje's staircase view counts every initiative, none assessed in the seed; the
    coverage split by system level has a column of those not assessed."""
    open_page(page, f"{live_server}/portefolje?visning=trapp")
    expect(
        page.get_by_role("heading", name="Porteføljen i samordningstrappen", exact=True)
    ).to_be_visible()
    assert table_rows(page) == 6  # five steps and «ikke vurdert»
    screenshot(page, "portefolje-trapp")
    open_page(page, f"{live_server}/portefolje?visning=matrise&etter=system_levels")
    expect(
        page.get_by_text("Systemnivåene er lagene i systemisfjellet", exact=False)
    ).to_be_visible()
    screenshot(page, "portefolje-systemnivaer")


def test_the_portfolio_on_the_ladder_of_participation_names_those_not_assessed(
    page: Page, live_server: str
) -> None:
    """Portefølje's involvement view draws the portfolio on Hart's ladder and names every
    initiative, none assessed in the seed, with a link that opens its Satsing page."""
    open_page(page, f"{live_server}/portefolje?visning=medvirkning")
    expect(
        page.get_by_role("heading", name="Porteføljen på deltakelsesstigen", exact=True)
    ).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    links = page.get_by_test_id("stMain").locator('a[href*="satsing?nr="]')
    expect(links).to_have_count(34)  # the seed assesses none: all 34 are named
    screenshot(page, "portefolje-medvirkning")
    nine = links.filter(has_text="9. 0-24-samarbeidet").first
    key = get_settings().mission_key  # a link keeps the mission
    assert (nine.get_attribute("href") or "").endswith(f"satsing?nr=9&oppdrag={key}")
    open_page(page, f"{live_server}/satsing?nr=9")
    heading = page.get_by_role("heading", name="Medvirkning fra barn og unge", exact=True)
    expect(heading).to_be_visible()
    heading.scroll_into_view_if_needed()
    screenshot(page, "satsing-medvirkning")


def test_the_portfolio_by_funding_stream_is_shown(page: Page, live_server: str) -> None:
    """Portefølje's funding view draws the streams (the seed's three allocated over the state
    budget) with its text alternative and names the 31 initiatives not assessed, each a link
    to Satsing."""
    open_page(page, f"{live_server}/portefolje?visning=finansiering")
    expect(
        page.get_by_role("heading", name="Porteføljen etter finansieringsstrøm", exact=True)
    ).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text("3 av 34 satsinger har minst én strøm", exact=False)).to_be_visible()
    expect(
        page.get_by_role("heading", name="Ikke vurdert: 31 satsinger", exact=True)
    ).to_be_visible()
    screenshot(page, "portefolje-finansiering")


def test_styring_shows_the_phases_and_the_agencies_tasks_in_their_tabs(
    page: Page, live_server: str
) -> None:
    """Styring's tabs: the phases with their deliverables, and the agencies' cooperation tasks
    (seed 000's fifteen); Oversikt names the current phase."""
    open_page(page, f"{live_server}/styring")
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    expect(tabs).to_have_count(3)
    tabs.nth(1).click()
    expect(page.get_by_role("heading", name="Samfunnsoppdragets faser", exact=True)).to_be_visible()
    expect(page.get_by_text("Nåværende fase", exact=True)).to_be_visible()
    screenshot(page, "styring-faser")
    tabs.nth(2).click()
    expect(
        page.get_by_role("heading", name="Etatssamarbeidets oppgaver", exact=True)
    ).to_be_visible()
    assert table_rows(page) == 15
    screenshot(page, "styring-etatssamarbeidet")
    open_page(page, f"{live_server}/oversikt")
    expect(page.get_by_text("Fase:", exact=False).first).to_be_visible()
    expect(page.get_by_text("implementering (fra 2024)", exact=False).first).to_be_visible()
