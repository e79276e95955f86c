"""A second, clearly synthetic mission beside the real one, to test several missions with.

It shares the organisations of the real mission (organisations belong to no mission) and has
everything else of its own: a small goal tree, six initiatives, three indicators with approved
values in its own annual periods, and one approved status report. Every name in it begins
with "Syntetisk", and its note says it is test data. Loading it twice changes nothing.
"""

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.missions import set_role
from dashboard.services.permissions import Actor
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from models import (
    AuditEvent,
    Contribution,
    ContributionKind,
    Direction,
    EntryStatus,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    InitiativeStatus,
    Measure,
    Mission,
    Organisation,
    OrganisationRole,
    Period,
    ReportStatus,
    Role,
    StatusReport,
    User,
)
from seed.loader import year_period
from seed.upsert import replace_children, upsert

MISSION_KEY = "syntetisk-oppdrag"
NOTE = "Syntetiske testdata: dette oppdraget finnes ikke. Det er laget for å prøve løsningen."
MISSION = {
    "title": "Syntetisk oppdrag: Flere eldre bor trygt og aktivt hjemme",
    "short_title": "Syntetisk oppdrag",
    "aim": "Syntetisk formål: eldre som vil bo hjemme, får den hjelpen de trenger i tide.",
    "horizon_year": 2035,
    "note": NOTE,
}
# (code, title); the first is the main goal, the rest hang under it
GOALS = [
    ("0", "Syntetisk hovedmål: Eldre bor trygt hjemme lenger"),
    ("1", "Syntetisk delmål: Færre fallulykker i hjemmet"),
    ("2", "Syntetisk delmål: Mindre ensomhet blant hjemmeboende eldre"),
    ("3", "Syntetisk delmål: Pårørende får avlastning når de trenger det"),
]
# (number, name, goal, responsible, involved)
INITIATIVES = [
    (1, "Syntetisk fallforebygging i kommunene", "1", "Hdir", ["KS"]),
    (2, "Syntetisk hjemmebesøk for alle over 75", "1", "KS", ["Hdir", "NAV"]),
    (3, "Syntetisk møteplass i nabolaget", "2", "KS", ["Bufdir"]),
    (4, "Syntetisk digital følgetjeneste", "2", "NAV", ["Forskningsrådet"]),
    (5, "Syntetisk avlastningsordning for pårørende", "3", "Bufdir", ["KS", "Hdir"]),
    (6, "Syntetisk forskningsprogram om aldring hjemme", "0", "Forskningsrådet", ["FHI"]),
]
# (code, name, unit, measure, direction, responsible, goal, baseline, target, values by year)
INDICATORS = [
    (
        "SYNT-FALL",
        "Syntetisk indikator: Fallskader per 1000 eldre",
        "per 1000",
        Measure.RATE,
        Direction.DOWN,
        "Hdir",
        "1",
        42.0,
        30.0,
        {2023: 41.0, 2024: 39.5, 2025: 37.8},
    ),
    (
        "SYNT-ENSOM",
        "Syntetisk indikator: Andel eldre som ofte er ensomme",
        "prosent",
        Measure.PERCENT,
        Direction.DOWN,
        "FHI",
        "2",
        18.0,
        12.0,
        {2023: 17.6, 2024: 16.9},
    ),
    (
        "SYNT-AVLAST",
        "Syntetisk indikator: Pårørende med avlastningstilbud",
        "personer",
        Measure.COUNT,
        Direction.UP,
        "Bufdir",
        "3",
        5200.0,
        9000.0,
        {2024: 5600.0, 2025: 6100.0},
    ),
]
YEARS = (2023, 2024, 2025)
REPORT_YEAR = 2025
REPORT_SUMMARY = (
    "Syntetisk statusrapport: fallforebyggingen er i gang i de første kommunene, og "
    "avlastningsordningen er utvidet. Tallene er oppdiktet."
)
# the demo accounts' roles here: the secretariat is the global administrator already, and
# operativ@demo.invalid has none, so it reads this mission as a partner does
DEMO_ROLES = {
    "operativ2@demo.invalid": Role.OPERATIVE,
    "styringsgruppe@demo.invalid": Role.STEERING,
}


def add_second_mission(engine: Engine | None = None) -> int:
    """Add (or refresh) the synthetic second mission; returns its id. The real mission's
    organisations must be loaded (python -m seed)."""
    with session_scope(write=True, engine=engine) as session:
        orgs = {k: i for k, i in session.exec(select(Organisation.key, Organisation.id)) if i}
        missing = {org for *_, lead, others in INITIATIVES for org in [lead, *others]} - set(orgs)
        missing |= {row[5] for row in INDICATORS} - set(orgs)
        if missing:
            raise RuntimeError("Load the real mission first (python -m seed).")
        mission = upsert(session, Mission, {"key": MISSION_KEY}, MISSION)
        assert mission.id is not None
        mission_id = mission.id
        goals = _goals(session, mission_id)
        _initiatives(session, mission_id, orgs, goals)
        _indicators(session, mission_id, orgs, goals)
        give_demo_roles(session, mission_id)
        audit = AuditEvent(
            action="seed_second_mission", entity="mission", entity_id=str(mission_id)
        )
        session.add(audit)
    _report(mission_id, engine)
    return mission_id


def give_demo_roles(session: Session, mission_id: int | None = None) -> None:
    """The demo accounts' roles in the synthetic mission, where both exist."""
    if mission_id is None:
        mission_id = session.exec(select(Mission.id).where(Mission.key == MISSION_KEY)).first()
        if mission_id is None:
            return
    for email, role in DEMO_ROLES.items():
        user_id = session.exec(select(User.id).where(User.email == email)).first()
        if user_id is not None:
            set_role(session, user_id, mission_id, role)


def _goals(session: Session, mission_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    for order, (code, title) in enumerate(GOALS):
        main = code == "0"
        values = {
            "level": GoalLevel.MAIN if main else GoalLevel.GOAL,
            "title": title,
            "parent_id": None if main else ids["0"],
            "sort_order": order,
            "note": NOTE,
        }
        goal = upsert(session, Goal, {"mission_id": mission_id, "code": code}, values)
        assert goal.id is not None
        ids[code] = goal.id
    return ids


def _initiatives(
    session: Session, mission_id: int, orgs: dict[str, int], goals: dict[str, int]
) -> None:
    for number, name, goal, lead, involved in INITIATIVES:
        values = {
            "name": name,
            "description": NOTE,
            "status": InitiativeStatus.ONGOING,
            "start_year": 2024,
            "end_year": 2030,
            "category": number % 9 + 1,
            "note": NOTE,
        }
        initiative = upsert(
            session, Initiative, {"mission_id": mission_id, "number": number}, values
        )
        assert initiative.id is not None
        roles = [(lead, OrganisationRole.RESPONSIBLE)]
        roles += [(key, OrganisationRole.INVOLVED) for key in involved]
        members = [
            InitiativeOrganisation(initiative_id=initiative.id, organisation_id=orgs[k], role=r)
            for k, r in roles
        ]
        replace_children(session, InitiativeOrganisation, {"initiative_id": initiative.id}, members)
        keys = {"initiative_id": initiative.id, "goal_id": goals[goal]}
        values = {"kind": ContributionKind.DIRECT, "strength": 2, "rationale": NOTE}
        upsert(session, Contribution, keys, values)


def _indicators(
    session: Session, mission_id: int, orgs: dict[str, int], goals: dict[str, int]
) -> None:
    periods = {}
    for year in YEARS:
        period = year_period(session, year, mission_id)
        assert period.id is not None
        periods[year] = period.id
    for code, name, unit, measure, direction, org, goal, base, target, by_year in INDICATORS:
        values = {
            "name": name,
            "definition": NOTE,
            "unit": unit,
            "measure": measure,
            "direction": direction,
            "source": "Syntetisk kilde (oppdiktet)",
            "responsible_org_id": orgs[org],
            "baseline_value": base,
            "baseline_year": 2022,
            "target_value": target,
            "target_year": 2030,
            "note": NOTE,
        }
        indicator = upsert(session, Indicator, {"mission_id": mission_id, "code": code}, values)
        assert indicator.id is not None
        links = [IndicatorGoal(indicator_id=indicator.id, goal_id=goals[goal])]
        replace_children(session, IndicatorGoal, {"indicator_id": indicator.id}, links)
        for year, figure in by_year.items():
            keys = {
                "indicator_id": indicator.id,
                "period_id": periods[year],
                "is_correction": False,
            }
            data = {"value": figure, "status": EntryStatus.APPROVED, "source_note": NOTE}
            upsert(session, IndicatorValue, keys, data)


def _report(mission_id: int, engine: Engine | None) -> None:
    """One approved (so published) status report of the last year, made through the services
    as the mission's operative group and steering group would (a report a run left half-way
    is taken on from where it stands)."""
    with session_scope(engine=engine) as session:
        label = str(REPORT_YEAR)
        period = session.exec(
            select(Period).where(Period.mission_id == mission_id, Period.label == label)
        ).one()
        assert period.id is not None
        period_id = period.id
        query = select(StatusReport).where(
            StatusReport.mission_id == mission_id, StatusReport.period_id == period_id
        )
        report = session.exec(query).first()
    operative = Actor(None, "seed", Role.OPERATIVE, mission_id=mission_id)
    steering = Actor(None, "seed", Role.STEERING, mission_id=mission_id)
    if report is None:
        today = dt.date(REPORT_YEAR + 1, 2, 1)
        report = create_draft(operative, mission_id, period_id, today=today, engine=engine)
    report_id = report.id
    assert report_id is not None
    if report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        texts = {"summary": REPORT_SUMMARY, "version": report.version}
        report = update_texts(operative, report_id, texts, engine=engine)
        report = submit_report(operative, report_id, report.version, engine=engine)
    if report.status == ReportStatus.SUBMITTED:
        approve_report(steering, report_id, report.version, engine=engine)
