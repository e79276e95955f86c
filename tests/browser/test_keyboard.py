"""The reporting round by keyboard alone, in Chromium (issue 15, WCAG 2.1.1 and 2.4.7).

From the start page the operative group's member moves only with Tab, Shift+Tab, Enter and
the arrow keys, and types: opens Konto from the sidebar, signs in with Enter in the password
field, opens Rapportering, types a value into the grid, and saves and submits it. No mouse,
no locator.click or fill. On the way, every stop that is checked shows a focus ring: the
focused element (or the box a field sits in, or the frame of the grid) has a visible outline
in the focus colour that it loses when the focus moves on, and a focused sidebar link looks
different from the current page's link.
"""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select
from support import server
from support.browser import screenshot, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from dashboard.i18n import translate
from dashboard.ui.style import FOCUS_COLOUR
from dashboard.ui.widgets import READ_ONLY_BACKGROUND
from models import EntryStatus, Indicator, IndicatorValue

from .test_reporting_flow import prepare

pytestmark = pytest.mark.browser
EMAIL = "operativ@demo.invalid"

# What has the focus, and the element that shows it: the focused element, or the nearest of
# its (up to ten) ancestors with an outline (a field's box, the grid's frame). The element is
# kept in window.__ring (window.__checked once checked), to read again once the focus has moved
# on.
FOCUSED = """() => {
  const focused = document.activeElement;
  const drawn = (n) => {
    const s = getComputedStyle(n);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  };
  let ring = focused;
  for (let i = 0; ring && i < 10 && !drawn(ring); i++) ring = ring.parentElement;
  ring = ring && drawn(ring) ? ring : focused;
  window.__ring = ring;
  const s = getComputedStyle(ring);
  let testid = null;
  for (let n = focused; n && !testid; n = n.parentElement) testid = n.dataset?.testid ?? null;
  // an ancestor (short of the scrolling main area) that cuts off part of the ring
  const reach = parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset);
  const r = ring.getBoundingClientRect();
  let clippedBy = null;
  for (let n = ring.parentElement; n && !clippedBy; n = n.parentElement) {
    const o = getComputedStyle(n);
    if (n.dataset?.testid === 'stMain' || n === document.body) break;
    if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
    const q = n.getBoundingClientRect();
    if (r.left - reach < q.left - 0.5 || r.top - reach < q.top - 0.5
        || r.right + reach > q.right + 0.5 || r.bottom + reach > q.bottom + 0.5)
      clippedBy = n.dataset?.testid || n.tagName;
  }
  return {
    clippedBy,
    tag: focused.tagName, testid, current: focused.getAttribute('aria-current'),
    label: focused.getAttribute('aria-label') ?? '', text: (focused.innerText ?? '').trim(),
    outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' '),
    shadow: s.boxShadow, background: s.backgroundColor,
  };
}"""
CHECKED = "() => { window.__checked = window.__ring; }"
LEFT = """() => {
  const s = getComputedStyle(window.__checked);
  return {outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' '),
          shadow: s.boxShadow, background: s.backgroundColor};
}"""


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FOCUSED)
    return result


def tab_to(page: Page, found: Any, *, back: bool = False, limit: int = 80) -> dict[str, Any]:
    """Press Tab (Shift+Tab with back) until found(focused element) holds; fail after limit."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if found(now):
            return now
    raise AssertionError(f"the keyboard never reached it; last focused: {now}")


def assert_ring(page: Page, now: dict[str, Any], where: str) -> None:
    """The focused element shows a ring of 2 px or more in the focus colour (an outline, as
    the app's CSS draws it) that no container cuts off; assert_ring_gone checks that it goes
    once the focus moves on."""
    style, width, colour = now["outline"].split(" ", 2)
    assert style != "none" and float(width.removesuffix("px")) >= 2, (where, now)
    assert colour == _rgb(FOCUS_COLOUR), (where, now)
    assert now["clippedBy"] is None, (where, now)
    page.evaluate(CHECKED)
    screenshot(page, f"keyboard-{where}")


def assert_ring_gone(page: Page, before: dict[str, Any], where: str) -> None:
    after: dict[str, Any] = page.evaluate(LEFT)
    assert after["outline"] != before["outline"], (where, before, after)
    assert after["outline"].startswith("none") or after["outline"].split(" ")[1] == "0px"


def right_to(page: Page, cell: str) -> None:
    """Move right in the grid with the arrow key until cell (glide-cell-<column>-<row>) has the
    focus. The grid moves the focus a frame after the key: wait for each move."""
    for _ in range(12):
        if focused(page)["testid"] == cell:
            return
        before = page.evaluate("document.activeElement.id")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(before) => document.activeElement.id !== before", arg=before)
    raise AssertionError(f"the arrow keys never reached {cell}; last focused: {focused(page)}")


def grey_share(page: Page) -> float:
    """The share of the grid's pixels in the read-only cells' grey (the grid is a canvas)."""
    image = Image.open(io.BytesIO(page.get_by_test_id("stDataFrameResizable").first.screenshot()))
    grey = tuple(int(READ_ONLY_BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    counts = image.convert("RGB").getcolors(maxcolors=image.width * image.height) or []
    return sum(n for n, colour in counts if colour == grey) / (image.width * image.height)


def sidebar_link(title: str) -> Any:
    return lambda now: now["testid"] == "stSidebarNavLink" and now["text"].endswith(title)


def stored(app: FreshApp) -> IndicatorValue | None:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        neet = session.exec(select(Indicator.id).where(Indicator.code == "NEET-15-29")).one()
        value = session.exec(
            select(IndicatorValue).where(IndicatorValue.indicator_id == neet)
        ).first()
    engine.dispose()
    return value


def test_a_value_is_entered_and_submitted_by_keyboard_alone(
    browser: Browser, fresh_app: FreshApp
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(fresh_app.url)
    wait_ready(page)

    # the sidebar: the current page's link, focused, looks different from itself unfocused
    current = tab_to(page, lambda now: now["testid"] == "stSidebarNavLink" and now["current"])
    assert current["text"].endswith("Oversikt")
    assert_ring(page, current, "0-sidebar-current-page")
    konto = tab_to(page, sidebar_link("Konto"))
    assert_ring_gone(page, current, "sidebar")
    assert_ring(page, konto, "1-sidebar-konto")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Konto", level=1)).to_be_visible()
    wait_ready(page)

    # sign in: type the e-mail, Tab to the password, Enter submits the form
    email = tab_to(page, lambda now: now["label"] == translate("nb", "auth.email"))
    assert_ring(page, email, "2-email")
    page.keyboard.type(EMAIL)
    password = tab_to(page, lambda now: now["label"] == translate("nb", "auth.password"))
    assert_ring_gone(page, email, "email")
    assert_ring(page, password, "3-password")
    page.keyboard.type(fresh_app.passwords[EMAIL])
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Innlogget som")
    wait_ready(page)
    screenshot(page, "keyboard-4-signed-in")

    # Rapportering from the sidebar (back up with Shift+Tab from wherever the focus is)
    link = tab_to(page, sidebar_link("Rapportering"), back=True)
    assert_ring(page, link, "5-sidebar-rapportering")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rapportering", level=1)).to_be_visible()
    wait_ready(page)

    # the tabs, then the grid: NEET-15-29 is Avdir's first row; the value is the fourth column
    tab = tab_to(page, lambda now: now["testid"] == "stTab")
    assert_ring(page, tab, "6-tab")
    grid = tab_to(page, lambda now: now["testid"] == "data-grid-canvas")
    assert_ring_gone(page, tab, "tab")
    assert_ring(page, grid, "7-grid")
    assert grey_share(page) > 0.3  # the read-only columns: most of the grid
    editor = page.locator("textarea.gdg-input")
    right_to(page, "glide-cell-1-0")  # the indicator's name: read-only, typing does nothing
    page.keyboard.type("x")
    page.wait_for_timeout(500)
    expect(editor).to_have_count(0)
    right_to(page, "glide-cell-3-0")
    assert_ring(page, focused(page), "8-grid-cell")
    page.keyboard.type("9")  # the first key opens the cell's editor
    expect(editor).to_be_visible()
    for key in "0 000":
        page.keyboard.type(key, delay=40)
    expect(editor).to_have_value("90 000")
    assert_ring(page, focused(page), "9-typed")  # around the editor
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0)
    wait_ready(page)

    # save and submit: Tab on to the button and press Enter
    submit = tab_to(page, lambda now: now["text"].endswith("Lagre og send inn"))
    assert_ring(page, submit, "10-submit")
    page.keyboard.press("Enter")
    wait_ready(page)
    expect(page.get_by_text("1 verdi lagret. 1 verdi sendt til godkjenning.")).to_be_visible()
    screenshot(page, "keyboard-11-submitted")
    value = stored(fresh_app)
    assert value is not None and value.value == 90_000 and value.status == EntryStatus.SUBMITTED
    context.close()
