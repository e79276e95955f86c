"""The approval queue in Chromium when a colleague reviews meanwhile: the reason is typed and
«Returner» clicked straight after (the browser sends the typing and the click as reruns of
their own), and the return still lands on the value it was written for, never the next one."""

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import screenshot, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.reporting import approve_value, save_value, submit_value
from dashboard.services.users import actor_of, create_user
from models import EntryStatus, Indicator, IndicatorValue, PeriodCreate, Role, User, UserCreate

from .test_reporting_flow import go, signed_in

pytestmark = pytest.mark.browser
THIRD = "operativ3@example.no"


def actor(engine: Engine, email: str) -> Actor:
    with session_scope(engine=engine) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def prepare(engine: Engine) -> None:
    """NEET-15-29 submitted by Avdir for two open quarters, and a third operative person."""
    admin = actor(engine, "sekretariat@demo.invalid")
    create_user(
        admin, UserCreate(email=THIRD, name="Demo operativ 3", role=Role.OPERATIVE), engine=engine
    )
    entrant = actor(engine, "operativ@demo.invalid")
    with session_scope(engine=engine) as session:
        neet = session.exec(select(Indicator.id).where(Indicator.code == "NEET-15-29")).one()
    for label, start, end, value in (
        ("2026-K3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "90 000"),
        ("2026-K4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "91 000"),
    ):
        period = create_period(
            admin,
            PeriodCreate(
                mission_id=admin.mission_id, label=label, kind="quarterly", start=start, end=end
            ),  # type: ignore[arg-type]
            engine=engine,
        )
        saved = save_value(entrant, neet, period, {"value": value}, version=None, engine=engine)
        submit_value(entrant, saved.id or 0, saved.version, engine=engine)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def statuses(app: FreshApp) -> dict[float, EntryStatus]:
    engine = make_engine(app.database_url)
    with session_scope(engine=engine) as session:
        rows = session.exec(select(IndicatorValue).where(IndicatorValue.value > 89_000)).all()
        found = {row.value: row.status for row in rows}
    engine.dispose()
    return found


def test_a_reason_typed_after_a_colleague_approved_returns_nothing_else(
    browser: Browser, fresh_app: FreshApp
) -> None:
    colleague = signed_in(browser, fresh_app, "operativ2@demo.invalid")
    go(colleague, "Rapportering")
    colleague.get_by_role("tab", name="Til godkjenning").click()
    expect(colleague.get_by_role("combobox", name="Velg verdi")).to_be_visible()  # K3 chosen
    engine = make_engine(fresh_app.database_url)
    with session_scope(engine=engine) as session:
        first = session.exec(select(IndicatorValue).where(IndicatorValue.value == 90_000)).one()
    approve_value(actor(engine, THIRD), first.id or 0, first.version, engine=engine)  # meanwhile
    engine.dispose()
    colleague.get_by_role("textbox", name="Begrunnelse (kreves for å returnere)").fill(
        "Tallet for K3 er for høyt"
    )
    colleague.get_by_role("button", name="Returner", exact=True).click()
    wait_ready(colleague)
    expect(colleague.get_by_text(THIRD, exact=False).first).to_be_visible()
    screenshot(colleague, "queue-pick-stale-return")
    assert statuses(fresh_app) == {90_000: EntryStatus.APPROVED, 91_000: EntryStatus.SUBMITTED}
