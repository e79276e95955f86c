"""Something for every role's start page on the seeded mission with the demo accounts: an
overdue open period, a value returned, a colleague's value to approve, a draft, a published
report and one waiting for approval, an overdue decision, a deactivated account and a refused
action."""

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import select

from dashboard.db import session_scope
from dashboard.services.commands import record_refusal
from dashboard.services.decisions import record_decision
from dashboard.services.missions import set_role
from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.reporting import return_value, save_value, submit_value
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from dashboard.services.users import actor_of
from models import (
    Indicator,
    Mission,
    Organisation,
    Period,
    PeriodCreate,
    Role,
    StatusReport,
    User,
)

RETURN_REASON = "Tallet gjelder 2024, ikke 2025."
DECISION = "Fastsette målverdier for 2030"
REPORT_PERIOD = "2017"  # submitted, waiting for approval
PUBLISHED_PERIOD = "2016"  # approved and published
PUBLISHED_SUMMARY = "Kunnskapsgrunnlaget fra 2016 er lagt inn."
INACTIVE = "tidligere@demo.invalid"


def _actor(engine: Engine, email: str) -> Actor:
    with session_scope(engine=engine) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def _ids(engine: Engine) -> tuple[int, dict[str, int], dict[str, int], int]:
    with session_scope(engine=engine) as session:
        mission = session.exec(select(Mission)).one()
        indicators = {i.code: i.id or 0 for i in session.exec(select(Indicator)).all()}
        query = select(Period).where(Period.mission_id == mission.id)
        periods = {p.label: p.id or 0 for p in session.exec(query).all()}
        avdir = session.exec(select(Organisation.id).where(Organisation.key == "Avdir")).one()
        return mission.id or 0, indicators, periods, avdir or 0


def _sent(actor: Actor, indicator: int, period: int, value: str, engine: Engine) -> tuple[int, int]:
    row = save_value(actor, indicator, period, {"value": value}, version=None, engine=engine)
    row = submit_value(actor, row.id or 0, row.version, engine=engine)
    return row.id or 0, row.version


def _submitted_report(
    actor: Actor, mission: int, period: int, summary: str, engine: Engine
) -> StatusReport:
    report = create_draft(actor, mission, period, today=dt.date(2026, 1, 10), engine=engine)
    texts = {"summary": summary, "decisions_requested": "", "version": report.version}
    report = update_texts(actor, report.id or 0, texts, engine=engine)
    return submit_report(actor, report.id or 0, report.version, engine=engine)


def prepare_start_world(engine: Engine) -> None:
    """Add the items (see the module docstring) through the services, as people would."""
    admin = _actor(engine, "sekretariat@demo.invalid")
    avdir = _actor(engine, "operativ@demo.invalid")
    bufdir = _actor(engine, "operativ2@demo.invalid")
    steering = _actor(engine, "styringsgruppe@demo.invalid")
    for year in (2025, 2026):
        assert admin.mission_id is not None
        data = PeriodCreate(
            mission_id=admin.mission_id,
            label=str(year),
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            due=dt.date(year + 1, 3, 1),
        )
        create_period(admin, data, engine=engine)
    mission, indicators, periods, avdir_org = _ids(engine)
    value_id, version = _sent(avdir, indicators["NEET-15-29"], periods["2025"], "61 000", engine)
    return_value(bufdir, value_id, version, RETURN_REASON, engine=engine)
    _sent(bufdir, indicators["LAVINNTEKT-BARN"], periods["2025"], "110 000", engine)
    save_value(
        avdir,
        indicators["SYSSELSETTING-UNGE"],
        periods["2026"],
        {"value": "70,5"},
        version=None,
        engine=engine,
    )
    published = _submitted_report(
        avdir, mission, periods[PUBLISHED_PERIOD], PUBLISHED_SUMMARY, engine
    )
    approve_report(steering, published.id or 0, published.version, engine=engine)
    _submitted_report(avdir, mission, periods[REPORT_PERIOD], "Tallene fra 2017.", engine)
    record_decision(
        steering,
        mission,
        {"title": DECISION, "due": dt.date(2026, 6, 1), "owner_org_id": avdir_org},
        engine=engine,
    )
    with session_scope(write=True, engine=engine) as session:
        former = User(email=INACTIVE, name="Tidligere ansatt", active=False)
        session.add(former)
        session.flush()
        set_role(session, former.id or 0, mission, Role.OPERATIVE)
    partner = _actor(engine, "partner@demo.invalid")
    record_refusal(partner, "approve_values", {"page": "rapportering"}, engine=engine)
