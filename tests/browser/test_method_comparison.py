"""The coordination staircase in Chromium, across two status reports: the operative group
assessed its initiative on step 2 in the first quarter and the steering group approved that
quarter's report; in the second quarter the operative group moves it to step 4 on Satsing, and
the second quarter's report shows the step as moved up since the approved one."""

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine
from sqlmodel import select
from support import server
from support.browser import choose, main_text, screenshot, signed_in_page, wait_ready
from support.server import FreshApp

from dashboard.db import make_engine, session_scope
from dashboard.services.method import assess_initiative_step
from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from dashboard.services.users import actor_of
from models import (
    Initiative,
    InitiativeStep,
    Mission,
    Period,
    PeriodCreate,
    StatusReport,
    StepAssessment,
    User,
)

pytestmark = pytest.mark.browser
NUMBER = 28  # the seed's initiative that Avdir (the demo operative account) is responsible for
FIRST, SECOND = "2026-K1", "2026-K2"
TODAY = dt.date(2026, 12, 1)


def _actor(engine: Engine, email: str) -> Actor:
    with session_scope(engine=engine) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def _report(engine: Engine, label: str) -> None:
    """The operative group's report for the period, submitted."""
    operative = _actor(engine, "operativ@demo.invalid")
    with session_scope(engine=engine) as session:
        mission = session.exec(select(Mission)).one()
        period = session.exec(select(Period).where(Period.label == label)).one()
    report = create_draft(operative, mission.id or 0, period.id or 0, today=TODAY, engine=engine)
    data = {"summary": f"Status for {label}", "decisions_requested": "", "version": 1}
    report = update_texts(operative, report.id or 0, data, engine=engine)
    submit_report(operative, report.id or 0, report.version, engine=engine)


def prepare(engine: Engine) -> None:
    """Two quarters; step 2 in the first, whose report the steering group approved."""
    secretariat = _actor(engine, "sekretariat@demo.invalid")
    for label, start, end in (
        (FIRST, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (SECOND, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ):
        data = PeriodCreate(
            mission_id=secretariat.mission_id, label=label, kind="quarterly", start=start, end=end
        )  # type: ignore[arg-type]
        create_period(secretariat, data, engine=engine)
    with session_scope(engine=engine) as session:
        initiative = session.exec(select(Initiative).where(Initiative.number == NUMBER)).one()
        first = session.exec(select(Period).where(Period.label == FIRST)).one()
    assess_initiative_step(
        _actor(engine, "operativ@demo.invalid"),
        initiative.id or 0,
        first.id or 0,
        StepAssessment(step=2, rationale="Møtes jevnlig om de samme sakene"),
        seen="",
        engine=engine,
    )
    _report(engine, FIRST)
    steering = _actor(engine, "styringsgruppe@demo.invalid")
    with session_scope(engine=engine) as session:
        approved = session.exec(select(Period).where(Period.label == FIRST)).one()
        report = session.exec(
            select(StatusReport).where(StatusReport.period_id == approved.id)
        ).one()
    approve_report(steering, report.id or 0, report.version, engine=engine)


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[FreshApp]:
    with server.demo_app(prepare) as app:
        yield app


def test_a_step_moved_up_shows_as_moved_in_the_next_reports_comparison(
    browser: Browser, fresh_app: FreshApp
) -> None:
    operative = signed_in_page(browser, fresh_app, "operativ@demo.invalid")
    operative.goto(f"{fresh_app.url}/satsing?nr={NUMBER}")
    wait_ready(operative)
    main = operative.get_by_test_id("stMain")
    staircase = main.get_by_test_id("stExpander").filter(has_text="Samordningstrappen")
    staircase.locator("summary").click()
    choose(operative, staircase.get_by_role("combobox", name="Periode"), SECOND)
    choose(operative, staircase.get_by_role("combobox", name="Trinn").first, "4. Jobbe sammen")
    staircase.get_by_role("textbox", name="Begrunnelse").first.fill(
        "Felles tiltak med NAV fra april"
    )
    staircase.get_by_role("button", name="Lagre trinnene").click()
    wait_ready(operative)
    expect(operative.get_by_text("1 trinn er lagret.")).to_be_visible()
    screenshot(operative, "method-step-saved")

    engine = make_engine(fresh_app.database_url)
    with session_scope(engine=engine) as session:
        steps = session.exec(select(InitiativeStep)).all()
        assert sorted(s.step for s in steps) == [2, 4]
    _report(engine, SECOND)
    engine.dispose()

    steering = signed_in_page(browser, fresh_app, "styringsgruppe@demo.invalid")
    steering.goto(f"{fresh_app.url}/statusrapporter")
    wait_ready(steering)
    choose(steering, steering.get_by_role("combobox", name="Statusrapport"), SECOND)
    assert "Trinn i samordningstrappen (1)" in main_text(steering)
    # the changes table is a grid drawn on a canvas; its cells are also in the page's
    # accessible table (glide-cell-<column>-<row>), once it is scrolled into view
    heading = steering.get_by_text("Trinn i samordningstrappen (1)", exact=True).first
    heading.locator(
        "xpath=following::*[@data-testid='stDataFrame'][1]"
    ).scroll_into_view_if_needed()
    cells = steering.locator("[id^=glide-cell-]")
    expect(cells.filter(has_text="Flyttet opp").first).to_be_attached()
    expect(
        cells.filter(has_text="2. Se de samme problemene → 4. Jobbe sammen").first
    ).to_be_attached()
    screenshot(steering, "method-step-moved-in-report")
