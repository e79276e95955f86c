"""Framework administration: indicators created and changed by the secretariat, on SQLite and
PostgreSQL. A change of definition, baseline or target needs a reason; every change is audited
and shows in the indicator's history; a form shown before someone else saved cannot overwrite.
"""

import datetime as dt
import threading
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_permissions import rows

from dashboard.db import session_scope
from dashboard.i18n.validation import describe
from dashboard.services.framework import (
    EditableIndicator,
    FrameworkRefused,
    Links,
    ReasonRequired,
    StaleIndicator,
    create_indicator,
    editable_indicator,
    indicator_history,
    parse,
    set_period_due,
    update_indicator,
)
from dashboard.services.missions import set_role
from dashboard.services.periods import create_period
from dashboard.services.permissions import ANONYMOUS, Actor, PermissionDenied
from models import (
    AuditEvent,
    Direction,
    Frequency,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorCreate,
    IndicatorGoal,
    IndicatorLevel,
    IndicatorUpdate,
    Initiative,
    Measure,
    Mission,
    Organisation,
    Period,
    PeriodCreate,
    PeriodKind,
    Role,
    User,
)


@dataclass
class World:
    """Two missions with goals and an initiative each, two organisations, one user per role."""

    engine: Engine
    mission: int
    other_mission: int
    goals: dict[str, int]  # code -> id, of the first mission
    other_goal: int
    initiative: int
    other_initiative: int
    orgs: dict[str, int]
    actors: dict[str, Actor]

    @property
    def admin(self) -> Actor:
        return self.actors["admin"]

    def create(self, goal_codes: tuple[str, ...] = ("1",), **fields: Any) -> int:
        """An indicator created by the admin (code K1, a count, unless told otherwise)."""
        data = {"mission_id": self.mission, "code": "K1", "name": "Antall", **fields}
        goal_ids = [self.goals[c] for c in goal_codes]
        return create_indicator(
            self.admin, IndicatorCreate.model_validate(data), goal_ids, engine=self.engine
        )

    def editable(self, code: str = "K1") -> EditableIndicator:
        with Session(self.engine) as session:
            found = editable_indicator(session, self.mission, code)
        assert found is not None
        return found

    def update(
        self,
        indicator_id: int,
        changes: dict[str, Any],
        *,
        actor: Actor | None = None,
        seen: str | None = None,
        links: Links | None = None,
    ) -> list[str]:
        """update_indicator from the state stored now (unless told what was seen)."""
        data = parse(IndicatorUpdate, changes)
        return update_indicator(
            actor or self.admin,
            indicator_id,
            data,
            seen=seen or self.editable().fingerprint,
            links=links,
            engine=self.engine,
        )

    def stored(self, indicator_id: int) -> Indicator:
        with Session(self.engine) as session:
            indicator = session.get(Indicator, indicator_id)
            assert indicator is not None
            return indicator

    def goal_codes(self, indicator_id: int) -> list[str]:
        with Session(self.engine) as session:
            query = (
                select(Goal.code)
                .join(IndicatorGoal, IndicatorGoal.goal_id == Goal.id)  # type: ignore[arg-type]
                .where(IndicatorGoal.indicator_id == indicator_id)
            )
            return sorted(session.exec(query).all())

    def history(self, indicator_id: int, *, internal: bool = True) -> list[tuple[Any, ...]]:
        with Session(self.engine) as session:
            frame = indicator_history(session, indicator_id, internal=internal)
        return list(frame.itertuples(index=False, name=None))


@pytest.fixture
def world(engine: Engine) -> World:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        other = Mission(key="n", title="Et annet oppdrag")
        session.add_all([udir, nav, mission, other])
        session.flush()
        assert mission.id and other.id and udir.id and nav.id
        goals = [
            Goal(mission_id=mission.id, code=code, level=GoalLevel.GOAL, title=f"Mål {code}")
            for code in ("1", "1.1", "1.2")
        ]
        foreign = Goal(mission_id=other.id, code="1", level=GoalLevel.GOAL, title="Annet mål")
        ours = Initiative(mission_id=mission.id, number=9, name="Satsing ni")
        theirs = Initiative(mission_id=other.id, number=9, name="Annen satsing")
        session.add_all([*goals, foreign, ours, theirs])
        session.flush()
        actors = {}
        for role in Role:
            user = User(
                email=f"{role.value}@example.no",
                name=role.value,
                organisation_id=udir.id if role == Role.ADMIN else nav.id,
            )
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, role)
            actors[role.value] = Actor(user.id, user.email, role, user.organisation_id, mission.id)
        assert foreign.id and ours.id and theirs.id
        return World(
            engine,
            mission.id,
            other.id,
            {g.code: g.id for g in goals if g.id},
            foreign.id,
            ours.id,
            theirs.id,
            {"Udir": udir.id, "NAV": nav.id},
            actors | {"anonymous": ANONYMOUS},
        )


def audits(world: World, action: str | None = None) -> list[AuditEvent]:
    with Session(world.engine) as session:
        query = select(AuditEvent).where(AuditEvent.entity == "indicator")
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query.order_by(AuditEvent.id)).all())  # type: ignore[arg-type]


# --- creating --------------------------------------------------------------------------------


def test_an_indicator_is_created_with_every_field_and_audited(world: World) -> None:
    indicator_id = world.create(
        ("1.1", "1.2"),
        definition="Andel elever som fullfører",
        unit="elever",
        measure=Measure.PERCENT,
        direction=Direction.UP,
        source="SSB",
        source_table="12971",
        frequency=Frequency.TERTIAL,
        level=IndicatorLevel.OUTPUT,
        baseline_value=78.5,
        baseline_year=2022,
        baseline_note="foreløpig",
        target_value=85,
        target_year=2030,
        tolerance=1.5,
        note="merknad",
        responsible_org_id=world.orgs["Udir"],
        initiative_id=world.initiative,
    )
    stored = world.stored(indicator_id)
    assert (stored.measure, stored.frequency, stored.level) == ("percent", "tertial", "output")
    assert (stored.baseline_value, stored.baseline_year) == (78.5, 2022)
    assert (stored.target_value, stored.target_year, stored.tolerance) == (85, 2030, 1.5)
    assert (stored.source_table, stored.initiative_id) == ("12971", world.initiative)
    assert world.goal_codes(indicator_id) == ["1.1", "1.2"]
    [created] = audits(world, "create")
    assert created.actor_email == "admin@example.no" and created.entity_id == str(indicator_id)
    assert created.after is not None
    assert created.after["goals"] == ["1.1", "1.2"] and created.after["initiative"] == 9
    assert created.after["target_value"] == 85 and created.after["responsible"] == "Udir"


def test_codes_are_unique_in_a_mission_whatever_the_case(world: World) -> None:
    world.create()
    with pytest.raises(FrameworkRefused) as refused:
        world.create(code="k1", name="Et annet navn")
    assert refused.value.code == "duplicate_code" and refused.value.details == {"code": "K1"}
    assert rows(world.engine, Indicator) == 1 and len(audits(world)) == 1
    data = IndicatorCreate(mission_id=world.other_mission, code="K1", name="Samme kode")
    there = replace(world.admin, mission_id=world.other_mission)  # its secretariat
    create_indicator(there, data, engine=world.engine)  # another mission may use it
    assert rows(world.engine, Indicator) == 2


def test_goals_and_initiatives_of_another_mission_are_refused(world: World) -> None:
    data = IndicatorCreate(mission_id=world.mission, code="K1", name="Antall")
    with pytest.raises(FrameworkRefused, match="foreign_goal"):
        create_indicator(
            world.admin, data, [world.goals["1"], world.other_goal], engine=world.engine
        )
    foreign = data.model_copy(update={"initiative_id": world.other_initiative})
    with pytest.raises(FrameworkRefused, match="foreign_initiative"):
        create_indicator(world.admin, foreign, engine=world.engine)
    assert rows(world.engine, Indicator) == 0 and rows(world.engine, IndicatorGoal) == 0
    indicator_id = world.create()
    for links, code in [
        (Links([world.other_goal]), "foreign_goal"),
        (Links([999_999]), "foreign_goal"),
        (Links([], world.other_initiative), "foreign_initiative"),
    ]:
        with pytest.raises(FrameworkRefused, match=code):
            world.update(indicator_id, {"unit": "personer"}, links=links)
    assert world.goal_codes(indicator_id) == ["1"] and world.stored(indicator_id).unit is None


# --- changing --------------------------------------------------------------------------------

CHANGES: list[tuple[str, Any, Any]] = [  # field, as typed, as stored
    ("name", "Nytt navn", "Nytt navn"),
    ("definition", "Ny definisjon", "Ny definisjon"),
    ("unit", "personer", "personer"),
    ("measure", Measure.RATE, "rate"),
    ("direction", Direction.DOWN, "down"),
    ("source", "NAV", "NAV"),
    ("source_table", "11615", "11615"),
    ("ssb_table", "12971", "12971"),
    (
        "ssb_selection",
        " Region = 0 ;Tid=*; Alder=15-29, 15-19",
        "Region=0; Tid=*; Alder=15-29,15-19",
    ),
    ("frequency", Frequency.QUARTERLY, "quarterly"),
    ("level", IndicatorLevel.OUTPUT, "output"),
    ("baseline_value", "1 234,5", 1234.5),
    ("baseline_year", 2021, 2021),
    ("baseline_note", "anslag", "anslag"),
    ("target_value", "90 000", 90000),
    ("target_year", 2030, 2030),
    ("tolerance", "2,5", 2.5),
    ("note", "Merknad", "Merknad"),
]


@pytest.mark.parametrize(("field", "typed", "stored"), CHANGES, ids=[c[0] for c in CHANGES])
def test_every_field_can_be_changed_and_the_change_is_audited(
    world: World, field: str, typed: Any, stored: Any
) -> None:
    indicator_id = world.create(baseline_value=1000, baseline_year=2020)
    changed = world.update(indicator_id, {field: typed, "reason": "Ny kunnskap"})
    assert changed == [field]
    assert getattr(world.stored(indicator_id), field) == stored
    update = audits(world, "update")[-1]
    assert update.before is not None and update.after is not None
    assert update.after[field] == stored and update.before[field] != stored
    assert update.reason == "Ny kunnskap" and update.actor_email == "admin@example.no"


def test_a_field_can_be_emptied_and_the_organisation_changed(world: World) -> None:
    indicator_id = world.create(unit="barn", target_value=10, target_year=2030)
    changes = {"unit": "", "responsible_org_id": world.orgs["NAV"]}
    assert world.update(indicator_id, changes) == ["unit", "responsible"]
    changes = {"target_value": "", "target_year": None, "reason": "Målet er trukket tilbake"}
    assert world.update(indicator_id, changes) == ["target_value", "target_year"]
    stored = world.stored(indicator_id)
    assert stored.unit is None and stored.target_value is None and stored.target_year is None
    assert stored.responsible_org_id == world.orgs["NAV"]


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("definition", "Endret definisjon"),
        ("baseline_value", "120"),
        ("baseline_year", 2019),
        ("target_value", "50"),
        ("target_year", 2035),
        ("definition", ""),
        ("ssb_table", "12971"),
        ("ssb_selection", "ContentsCode=Personer; Region=0; Tid=*"),
    ],
)
def test_definition_baseline_and_target_need_a_reason(world: World, field: str, typed: Any) -> None:
    indicator_id = world.create(
        definition="Definisjon", baseline_value=100, baseline_year=2020, target_value=80
    )
    before = world.stored(indicator_id)
    for reason in (None, "", "   "):
        with pytest.raises(ReasonRequired) as refused:
            world.update(indicator_id, {field: typed, "reason": reason})
        assert refused.value.fields == [field]
    assert world.stored(indicator_id) == before and audits(world, "update") == []
    world.update(indicator_id, {field: typed, "unit": "barn", "reason": "Revidert i SSB"})
    [update] = audits(world, "update")
    assert update.reason == "Revidert i SSB"
    assert update.before is not None and update.after is not None
    assert update.before[field] == getattr(before, field)
    assert update.after[field] == getattr(world.stored(indicator_id), field)


def test_a_reason_names_every_field_that_needs_it(world: World) -> None:
    indicator_id = world.create(target_value=80, target_year=2030)
    with pytest.raises(ReasonRequired) as refused:
        world.update(indicator_id, {"target_value": "70", "target_year": 2031, "name": "Nytt"})
    assert refused.value.fields == ["target_value", "target_year"]
    assert world.stored(indicator_id).name == "Antall"


def test_name_unit_and_links_change_without_a_reason(world: World) -> None:
    indicator_id = world.create(target_value=80)
    links = Links([world.goals["1.2"]], world.initiative)
    changed = world.update(indicator_id, {"name": "Nytt navn", "unit": "barn"}, links=links)
    assert changed == ["name", "unit", "goals", "initiative"]
    assert world.goal_codes(indicator_id) == ["1.2"]
    [update] = audits(world, "update")
    assert update.reason is None
    assert update.before and update.before["goals"] == ["1"] and update.before["initiative"] is None
    assert update.after and update.after["goals"] == ["1.2"] and update.after["initiative"] == 9


def test_saving_what_is_stored_changes_nothing_and_audits_nothing(world: World) -> None:
    indicator_id = world.create(baseline_value=5, baseline_year=2020)
    same = {"name": "Antall", "baseline_value": "5", "baseline_year": 2020}
    assert world.update(indicator_id, same, links=Links([world.goals["1"]])) == []
    assert audits(world, "update") == []


@pytest.mark.parametrize(
    ("start", "changes", "field", "message"),
    [
        (
            {},
            {"measure": Measure.PERCENT, "target_value": "120"},
            "target_value",
            "«Målverdi»: En prosentandel må være mellom 0 og 100, ikke 120.",
        ),
        (
            {"baseline_value": 250},
            {"measure": Measure.PERCENT},
            "baseline_value",
            "«Utgangsverdi»: En prosentandel må være mellom 0 og 100, ikke 250.",
        ),
        (
            {"baseline_year": 2022},
            {"target_year": 2020, "reason": "r"},
            "target_year",
            "«Målår»: Sluttåret (2020) er før startåret (2022).",
        ),
        (
            {},
            {"target_value": "-3", "reason": "r"},
            "target_value",
            "«Målverdi»: Et antall kan ikke være negativt (-3).",
        ),
        (
            {},
            {"tolerance": "tre"},
            "tolerance",
            "«Toleranse»: «tre» er ikke et tall. Skriv for eksempel 1 234,5 eller 12 %.",
        ),
    ],
    ids=["percent-target", "percent-baseline", "years", "negative-count", "not-a-number"],
)
def test_an_update_cannot_make_the_indicator_inconsistent(
    world: World, start: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    indicator_id = world.create(**start)
    before = world.stored(indicator_id)
    with pytest.raises(ValidationError) as refused:
        world.update(indicator_id, {"reason": "r", **changes})
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]
    assert describe(refused.value, "nb") == [message]
    assert world.stored(indicator_id) == before and audits(world, "update") == []


def test_a_new_indicator_is_checked_the_same_way() -> None:
    raw = {"mission_id": 1, "code": "P", "name": "Andel", "measure": "percent"}
    with pytest.raises(ValidationError) as refused:
        parse(IndicatorCreate, raw | {"target_value": "120", "baseline_value": "abc", "name": ""})
    assert sorted(e["loc"][0] for e in refused.value.errors()) == [
        "baseline_value",
        "name",
    ]  # the whole indicator is checked once its fields are valid
    with pytest.raises(ValidationError) as refused:
        parse(IndicatorCreate, raw | {"target_value": "120"})
    assert describe(refused.value, "en") == [
        "«Target value»: A percentage must be between 0 and 100, not 120."
    ]
    assert parse(IndicatorCreate, raw | {"target_value": "12,5 %"}).target_value == 12.5


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "partner", "operative", "steering"])
def test_only_the_secretariat_manages_indicators(world: World, who: str) -> None:
    indicator_id = world.create()
    before = world.stored(indicator_id)
    actor = world.actors[who]
    data = IndicatorCreate(mission_id=world.mission, code="K2", name="Nytt")
    with pytest.raises(PermissionDenied):
        create_indicator(actor, data, engine=world.engine)
    with pytest.raises(PermissionDenied):
        world.update(indicator_id, {"target_value": "1", "reason": "r"}, actor=actor)
    period = create_period(
        world.admin,
        PeriodCreate(
            mission_id=world.mission,
            label="2026",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        ),
        engine=world.engine,
    )
    with pytest.raises(PermissionDenied):
        set_period_due(actor, period, dt.date(2027, 2, 1), engine=world.engine)
    assert rows(world.engine, Indicator) == 1 and world.stored(indicator_id) == before
    assert len(audits(world)) == 1
    refused = rows(world.engine, AuditEvent, action="refused", actor_email=actor.email)
    assert refused == 3


# --- concurrent edits ------------------------------------------------------------------------


def test_a_form_shown_before_someone_else_saved_cannot_overwrite(world: World) -> None:
    indicator_id = world.create(target_value=80, target_year=2030)
    shown = world.editable().fingerprint
    world.update(indicator_id, {"target_value": "75", "reason": "Ny plan"}, seen=shown)
    with pytest.raises(StaleIndicator) as stale:
        world.update(indicator_id, {"name": "Mitt navn"}, seen=shown)
    assert stale.value.changed_by == "admin@example.no"
    assert stale.value.changed_at is not None
    stored = world.stored(indicator_id)
    assert stored.name == "Antall" and stored.target_value == 75
    goals_seen = world.editable().fingerprint  # a goal link is part of what was seen
    world.update(indicator_id, {}, seen=goals_seen, links=Links([world.goals["1.1"]]))
    with pytest.raises(StaleIndicator):
        world.update(indicator_id, {"unit": "barn"}, seen=goals_seen)


def test_concurrent_saves_from_the_same_form_lose_no_update(world: World) -> None:
    indicator_id = world.create()
    shown = world.editable().fingerprint
    outcomes: list[str] = []

    def save(n: int) -> None:
        try:
            world.update(indicator_id, {"name": f"Navn {n}"}, seen=shown)
            outcomes.append(f"Navn {n}")
        except StaleIndicator:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if o != "stale"]
    assert len(outcomes) == 4 and len(saved) == 1
    assert world.stored(indicator_id).name == saved[0] and len(audits(world, "update")) == 1


# --- history ---------------------------------------------------------------------------------


def test_the_history_lists_the_changes_in_order_with_their_reasons(world: World) -> None:
    indicator_id = world.create(target_value=80, target_year=2030)
    world.update(indicator_id, {"target_value": "75", "reason": "Ny handlingsplan"})
    world.update(
        indicator_id, {"unit": "barn"}, links=Links([world.goals["1"], world.goals["1.2"]])
    )
    world.update(indicator_id, {"definition": "Presisert", "reason": "Avklart med SSB"})
    history = world.history(indicator_id)
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in history] == [
        ("create", None, None, None, None),
        ("update", "target_value", 80, 75, "Ny handlingsplan"),
        ("update", "unit", None, "barn", None),
        ("update", "goals", ["1"], ["1", "1.2"], None),
        ("update", "definition", None, "Presisert", "Avklart med SSB"),
    ]
    times = [r[0] for r in history]
    assert times == sorted(times) and all(str(t.tzinfo) == "Europe/Oslo" for t in times)
    assert {r[6] for r in history} == {"admin@example.no"}


def test_partners_see_what_changed_but_not_who(world: World) -> None:
    indicator_id = world.create(target_value=80)
    world.update(indicator_id, {"target_value": "75", "reason": "Ny handlingsplan"})
    public = world.history(indicator_id, internal=False)
    assert [(r[2], r[5], r[6], r[7], r[8]) for r in public] == [
        (None, None, None, "admin", "Udir"),
        ("target_value", "Ny handlingsplan", None, "admin", "Udir"),
    ]


def test_an_indicator_without_recorded_changes_has_an_empty_history(world: World) -> None:
    indicator_id = world.create()
    other = world.create(code="K2")
    world.update(other, {"unit": "barn"}, seen=world.editable("K2").fingerprint)
    assert len(world.history(indicator_id)) == 1  # only its creation
    with Session(world.engine) as session:
        assert indicator_history(session, 999_999, internal=True).empty


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind", "start", "end"),
    [
        ("2026", PeriodKind.ANNUAL, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-T2", PeriodKind.TERTIAL, dt.date(2026, 5, 1), dt.date(2026, 8, 31)),
        ("2026-K3", PeriodKind.QUARTERLY, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ],
)
def test_periods_of_each_kind_get_a_due_date_that_can_change(
    world: World, label: str, kind: PeriodKind, start: dt.date, end: dt.date
) -> None:
    due = end + dt.timedelta(days=30)
    data = PeriodCreate(
        mission_id=world.mission, label=label, kind=kind, start=start, end=end, due=due
    )
    period_id = create_period(world.admin, data, engine=world.engine)
    later = due + dt.timedelta(days=14)
    assert set_period_due(
        world.admin, period_id, later, reason="Sen statistikk", engine=world.engine
    )
    assert not set_period_due(world.admin, period_id, later, engine=world.engine)
    assert set_period_due(world.admin, period_id, None, engine=world.engine)
    with Session(world.engine) as session:
        stored = session.get(Period, period_id)
        assert stored is not None and stored.kind == kind and stored.due is None
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "period", AuditEvent.action == "update")
        ).all()
    assert [(c.before or {}).get("due") for c in changes] == [due.isoformat(), later.isoformat()]
    assert [(c.after or {}).get("due") for c in changes] == [later.isoformat(), None]
    assert [c.reason for c in changes] == ["Sen statistikk", None]
    with pytest.raises(FrameworkRefused, match="no_period"):
        set_period_due(world.admin, 999_999, later, engine=world.engine)


# --- the source in Statistics Norway (issue 19) ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("ssb_table", "1297", "ssb_table"),
        ("ssb_table", "1297a", "ssb_table"),
        ("ssb_selection", "Region", "ssb_selection"),
        ("ssb_selection", "Region=0; Region=03", "ssb_selection"),
        ("ssb_selection", "Region=0 3", "ssb_selection"),
        ("ssb_selection", "Region=", "ssb_selection"),
        ("ssb_selection", "1Region=0", "ssb_selection"),
    ],
)
def test_an_ssb_source_that_the_api_cannot_take_is_refused_in_words(
    world: World, field: str, typed: str, error: str
) -> None:
    indicator_id = world.create()
    with pytest.raises(ValidationError) as refused:
        world.update(indicator_id, {field: typed, "reason": "Ny kilde"})
    assert [e["type"] for e in refused.value.errors()] == [error]
    [message] = describe(refused.value, "nb")
    assert typed.split(";")[-1].strip() in message or typed in message
    assert world.stored(indicator_id).ssb_table is None and audits(world, "update") == []


def test_the_ssb_source_shows_in_the_indicators_history_with_its_reason(world: World) -> None:
    indicator_id = world.create()
    source = {"ssb_table": "12971", "ssb_selection": "Region=0; Tid=*"}
    world.update(indicator_id, source | {"reason": "Serien hentes fra SSB"})
    with Session(world.engine) as session:
        history = indicator_history(session, indicator_id, internal=True)
    changed = history[history["action"] == "update"]
    assert set(changed["field"]) == {"ssb_table", "ssb_selection"}
    assert set(changed["reason"]) == {"Serien hentes fra SSB"}
    assert set(changed["after"]) == {"12971", "Region=0; Tid=*"}
