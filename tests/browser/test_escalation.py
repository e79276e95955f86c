"""Escalation attempts on a freshly started server: deep links and role-like query parameters.

Anonymous visitors and a signed-in partner try to open Administrasjon and to see a value that
is not approved yet; every attempt is refused, nothing in the database changes but the audit
log, where a refused page is logged once per session, page and minute.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import SQLModel, select
from support import server
from support.browser import main_text, screenshot, sign_in, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from models import AuditEvent, EntryStatus, Indicator, IndicatorValue, Period, PeriodKind

pytestmark = pytest.mark.browser

SECRET_VALUE = 987_654  # a submitted, not yet approved NEET figure: only internal roles see it
SHOWN = "987 654"  # as the page would print it (Norwegian thousands separator)
ATTEMPTS = [
    "administrasjon",
    "administrasjon?role=admin",
    "administrasjon?rolle=sekretariat&admin=true",
    "administrasjon?actor=sekretariat%40demo.invalid",
]
PUSH_STATE = (
    "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }"
)
LOGGED = frozenset({"auditevent", "dataversion"})  # what an attempt may change


def add_secret_value(engine: Engine) -> None:
    """One submitted value a partner must never see."""
    with session_scope(write=True, engine=engine) as session:
        neet = session.exec(select(Indicator.id).where(Indicator.code == "NEET-15-29")).one()
        period = Period(
            mission_id=session.exec(select(Indicator.mission_id).where(Indicator.id == neet)).one(),
            label="2025",
            kind=PeriodKind.ANNUAL,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        session.add(period)
        session.flush()
        assert period.id is not None
        session.add(
            IndicatorValue(
                indicator_id=neet,
                period_id=period.id,
                value=SECRET_VALUE,
                status=EntryStatus.SUBMITTED,
            )
        )


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(add_secret_value) as app:
        yield app


def contents(database_url: str) -> dict[str, list[Any]]:
    """Every row of every table but the audit log and the data-version counter."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        found = {
            name: sorted(map(repr, connection.execute(sa.select(table))))
            for name, table in SQLModel.metadata.tables.items()
            if name not in LOGGED
        }
    engine.dispose()
    return found


def refusals(database_url: str, email: str | None) -> list[dict[str, Any]]:
    """The 'refused' audit rows of one visitor (None: anonymous), oldest first."""
    engine = make_engine(database_url)
    with session_scope(engine=engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "refused", AuditEvent.actor_email == email)
            .order_by(AuditEvent.id)
        ).all()
        found = [{"entity": r.entity, **(r.after or {})} for r in rows]
    engine.dispose()
    return found


def visit(page: Page, app: FreshApp, path: str, *, in_session: bool) -> None:
    """Open path: by a fresh page load, or inside the running session by rewriting the URL.

    A page load starts a new Streamlit session; a signed-in visitor keeps the session by
    changing the address client-side (history API), which is what a partner tampering with
    the app from their own browser can do.
    """
    if in_session:
        page.evaluate(PUSH_STATE, f"/{path}")
        page.wait_for_timeout(300)
    else:
        page.goto(f"{app.url}/{path}")
    wait_ready(page)


def try_everything(page: Page, app: FreshApp, who: str, *, in_session: bool = False) -> None:
    """Open Administrasjon by every deep link, then look for the unapproved value."""
    for attempt in ATTEMPTS:
        visit(page, app, attempt, in_session=in_session)
        expect(page.get_by_text("Du har ikke tilgang til denne siden.")).to_be_visible()
        expect(page.get_by_role("heading", name="Administrasjon")).to_have_count(0)
        expect(page.get_by_text("Brukere", exact=True)).to_have_count(0)
        assert "sekretariat@demo.invalid" not in main_text(page)
    screenshot(page, f"escalation-{who}")
    for path in ["indikatorer?kode=NEET-15-29", "indikatorer?kode=NEET-15-29&status=submitted"]:
        visit(page, app, f"{path}&role=operative", in_session=in_session)
        expect(page.get_by_role("heading", name="Indikatorer", level=1)).to_be_visible()
        assert "Ingen målte verdier etter utgangsverdien ennå." in main_text(page)
        assert SHOWN not in main_text(page)


def test_an_anonymous_visitor_is_refused_everywhere(page: Page, fresh_app: FreshApp) -> None:
    before = contents(fresh_app.database_url)
    try_everything(page, fresh_app, "anonymous")
    assert contents(fresh_app.database_url) == before
    logged = refusals(fresh_app.database_url, None)
    assert len(logged) == len(ATTEMPTS)
    assert {(r["entity"], r["page"], r["role"]) for r in logged} == {
        ("manage_users", "administrasjon", "partner")
    }


def test_a_signed_in_partner_is_refused_everywhere(page: Page, fresh_app: FreshApp) -> None:
    sign_in(page, fresh_app, "partner@demo.invalid")
    before = contents(fresh_app.database_url)
    try_everything(page, fresh_app, "partner", in_session=True)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Innlogget som partner@demo.invalid (partner)")
    assert contents(fresh_app.database_url) == before
    logged = refusals(fresh_app.database_url, "partner@demo.invalid")
    # every attempt was refused, and one audit row says so: one per session, page and minute
    assert [r["page"] for r in logged] == ["administrasjon"]


def test_the_operative_group_does_see_the_submitted_value(page: Page, fresh_app: FreshApp) -> None:
    sign_in(page, fresh_app, "operativ@demo.invalid")
    visit(page, fresh_app, "indikatorer?kode=NEET-15-29", in_session=True)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Innlogget som operativ@demo")
    assert SHOWN in main_text(page)
    screenshot(page, "escalation-operative-sees-submitted")


def menu(page: Page) -> list[str]:
    """The page titles in the sidebar menu (the last line of each link, after its icon)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]


PUBLIC_MENU = ["Min side", "Oversikt", "Mål", "Portefølje", "Satsing", "Organisasjoner"]
PUBLIC_MENU += ["Indikatorer"]
PUBLIC_MENU += ["Statusrapporter"]
PUBLIC_MENU += ["Styring"]
PUBLIC_MENU += ["Kunnskapsgrunnlag"]


@pytest.mark.parametrize(
    ("email", "extra"),
    [
        ("partner@demo.invalid", []),
        ("operativ@demo.invalid", ["Rapportering"]),
        ("styringsgruppe@demo.invalid", []),
        ("sekretariat@demo.invalid", ["Administrasjon"]),
    ],
)
def test_each_demo_account_sees_exactly_its_pages(
    page: Page, fresh_app: FreshApp, email: str, extra: list[str]
) -> None:
    page.goto(fresh_app.url)
    wait_ready(page)
    assert menu(page) == [*PUBLIC_MENU, "Åpne data", "Konto", "Tilgjengelighet"]  # anonymous
    sign_in(page, fresh_app, email)
    wait_ready(page)
    assert menu(page) == [*PUBLIC_MENU, *extra, "Åpne data", "Konto", "Tilgjengelighet"]
