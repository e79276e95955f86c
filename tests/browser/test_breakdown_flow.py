"""SSB breakdowns in Chromium (issue 19), on a freshly started server: an operative uploads a
fictional county file on Rapportering › Statistikk fra SSB, sees the dry run and imports it as
a submitted batch; a colleague approves it on Til godkjenning › Fordelinger fra SSB; a partner
opens Indikatorer, sees the county table, picks Østfold › Halden and reads «:» for the cells
from fewer than 5 persons (also in the CSV), where the operative reads the numbers, marked.
The file is fictional (support.fictional_ssb: table 99999, labels «fiktiv»); the expectations
are tests/app/test_statistics_breakdowns_page.py's."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import fictional_ssb as fictional
from support import server
from support.browser import (
    choose,
    downloaded,
    main_text,
    screenshot,
    signed_in_page,
    wait_ready,
)
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from models import EntryStatus, Indicator, StatisticsBatch

pytestmark = pytest.mark.browser

CODE = "NEET-15-29"  # Avdir's first indicator: the one the Statistikk fra SSB tab chooses
HEADER = "Fordeling etter fylke, kjønn og alder"
MARKER = "(skjult ved publisering)"
YEARS = ["2022", "2023", "2024"]
COUNTY_FILE = fictional.REFORM_COUNTY_FILE


def prepare(engine: Engine) -> None:
    """Give NEET-15-29 the fictional table as its SSB source."""
    with session_scope(write=True, engine=engine) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == CODE)).one()
        indicator.ssb_table = fictional.TABLE
        indicator.ssb_selection = "ContentsCode=Personer; Region=*; Kjonn=*; Alder=15-29,15-19"
        session.add(indicator)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def batches(app: FreshApp) -> list[tuple[EntryStatus, int]]:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        found = [(b.status, b.cells) for b in session.exec(select(StatisticsBatch)).all()]
    engine.dispose()
    return found


def go(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_ready(page)


def pick(page: Page, label: str, option: str) -> None:
    """Pick an option of the select box labelled label."""
    choose(page, page.get_by_role("combobox", name=label, exact=True), option)


def halden_by_gender_and_age(page: Page, app: FreshApp, name: str) -> list[dict[str, str]]:
    """Indikatorer for NEET-15-29, Østfold › Halden, tab «Etter kjønn og alder»: the rows of
    its CSV download (after a screenshot)."""
    page.goto(f"{app.url}/indikatorer?kode={CODE}")
    wait_ready(page)
    expect(page.get_by_role("heading", name=HEADER)).to_be_visible()
    pick(page, "Fylke", "Østfold")
    pick(page, "Kommune", "Halden (fiktiv)")
    tab = page.get_by_role("tab", name="Etter kjønn og alder")
    tab.click()
    panel = page.get_by_role("tabpanel", name="Etter kjønn og alder")
    expect(panel.get_by_test_id("stVegaLiteChart")).to_be_visible()
    panel.get_by_role("button", name="Last ned CSV (Excel)").scroll_into_view_if_needed()
    screenshot(page, name)
    file = downloaded(page, panel.get_by_role("button", name="Last ned CSV (Excel)"))
    text = file.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_an_operative_imports_a_county_file_a_colleague_approves_a_partner_sees_it(
    browser: Browser, fresh_app: FreshApp, tmp_path: Path
) -> None:
    file = tmp_path / "fiktiv-99999-fylker.json"
    file.write_bytes(fictional.jsonstat_bytes(**COUNTY_FILE))
    operative = signed_in_page(browser, fresh_app, "operativ@demo.invalid")
    go(operative, "Rapportering")
    operative.get_by_role("tab", name="Statistikk fra SSB").click()
    uploader = operative.get_by_test_id("stFileUploader").filter(has_text="Last opp fil fra SSB")
    uploader.locator("input[type=file]").set_input_files(file)
    wait_ready(operative)
    # the whole-country series' years (no yearly period for them), then the breakdown's cells
    expect(operative.get_by_text("oppdraget har ingen årsperiode 2022")).to_be_attached()
    dry_run = operative.get_by_test_id("stAlert").filter(has_text="celler")
    expect(dry_run.first).to_contain_text("90 celler")
    expect(dry_run.first).to_contain_text("fylke: 36")
    expect(dry_run.first).to_contain_text("kommune: 36")
    screenshot(operative, "breakdown-flow-1-dry-run")
    assert batches(fresh_app) == []
    operative.get_by_role("button", name="Importer fordelingen (90 celler)").click()
    wait_ready(operative)
    expect(operative.get_by_text("er sendt til godkjenning som samling")).to_be_visible()
    screenshot(operative, "breakdown-flow-2-imported")
    assert batches(fresh_app) == [(EntryStatus.SUBMITTED, 90)]

    # the partner sees no breakdown before a colleague has approved it
    partner = signed_in_page(browser, fresh_app, "partner@demo.invalid")
    partner.goto(f"{fresh_app.url}/indikatorer?kode={CODE}")
    wait_ready(partner)
    expect(partner.get_by_role("heading", name="Om indikatoren")).to_be_visible()
    assert HEADER not in main_text(partner)

    colleague = signed_in_page(browser, fresh_app, "operativ2@demo.invalid")  # Bufdir
    go(colleague, "Rapportering")
    colleague.get_by_role("tab", name="Til godkjenning").click()
    expect(colleague.get_by_role("heading", name="Fordelinger fra SSB")).to_be_visible()
    colleague.get_by_role("button", name="Godkjenn fordelingen").scroll_into_view_if_needed()
    screenshot(colleague, "breakdown-flow-3-queue")
    colleague.get_by_role("button", name="Godkjenn fordelingen").click()
    wait_ready(colleague)
    expect(colleague.get_by_text("Fordelingen er godkjent")).to_be_visible()
    assert batches(fresh_app) == [(EntryStatus.APPROVED, 90)]

    # the county table: the former county Viken under its own code, marked, then Akershus
    partner.goto(f"{fresh_app.url}/indikatorer?kode={CODE}")
    wait_ready(partner)
    expect(partner.get_by_role("heading", name=HEADER)).to_be_visible()
    counties = partner.get_by_role("tabpanel", name="Etter fylke")
    expect(counties.get_by_test_id("stVegaLiteChart")).to_be_visible()
    counties.get_by_test_id("stDataFrame").scroll_into_view_if_needed()
    expect(counties.get_by_text("Viken (2020-2023)").first).to_be_attached()
    expect(counties.get_by_text("Akershus").first).to_be_attached()
    screenshot(partner, "breakdown-flow-4-partner-counties")

    shared = halden_by_gender_and_age(partner, fresh_app, "breakdown-flow-5-partner-halden")
    caption = "«:» Skjult fordi tallet bygger på færre enn 5 personer."
    expect(partner.get_by_role("tabpanel", name="Etter kjønn og alder")).to_contain_text(caption)
    own = halden_by_gender_and_age(operative, fresh_app, "breakdown-flow-6-operative-halden")
    expect(operative.get_by_role("tabpanel", name="Etter kjønn og alder")).to_contain_text(
        "bygger på færre enn 5 personer"
    )
    # 3 genders x 2 ages x 3 years, the same cells in the same order
    assert len(shared) == len(own) == 18
    key = ["Kjønn", "Alder", "År"]
    assert [[r[k] for k in key] for r in shared] == [[r[k] for k in key] for r in own]
    marked = [n for n, row in enumerate(own) if row["Verdi"].endswith(MARKER)]
    assert marked, own
    assert [shared[n]["Verdi"] for n in marked] == [":"] * len(marked)
    hidden = {own[n]["Verdi"].removesuffix(MARKER).strip() for n in marked}
    assert not any("skjult" in row["Verdi"] for row in shared)
    assert not hidden & {row["Verdi"] for row in shared}, (hidden, shared)
    # the cells not hidden read the same for both, SSB's own «:» included
    for n, row in enumerate(own):
        if n not in marked:
            assert shared[n]["Verdi"] == row["Verdi"]
    assert "Status" not in shared[0] and "Status" in own[0]
