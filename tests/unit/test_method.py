"""The mission's own way of working: steps on the coordination staircase per initiative and
link and period, and the system levels an initiative works on. Who may change them, the audit
trail, stale forms, the portfolio by step and the levels per goal; the seeded mission has none
of either assessed (the documents give none). SQLite and PostgreSQL.

The portfolio is test_portfolio_analysis's: initiatives 1 and 2 overlap (a link), 2 builds on 3
(a link), 4 stands alone; 1 and 2 contribute to goal 1.1, 3 to goal 1.2.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portfolio_analysis import Portfolio, built  # noqa: F401  (registers the fixture)

from dashboard.db import session_scope
from dashboard.services.method import (
    assess_initiative_step,
    assess_link_step,
    check_in_steps,
    portfolio_by_step,
    set_system_levels,
    step_history,
)
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.portfolio import portfolio
from dashboard.services.portfolio_analysis import coverage, coverage_by
from dashboard.services.portfolio_edit import (
    PortfolioRefused,
    StaleRow,
    delete_link,
    editable_links,
)
from models import (
    STEPS,
    Initiative,
    InitiativeLink,
    InitiativeStep,
    LinkStep,
    Mission,
    Period,
    Role,
    StepAssessment,
    SystemLevel,
    User,
)


@dataclass
class Periods:
    built: Portfolio
    first: int
    second: int
    links: dict[tuple[int, int], int]  # (from number, to number) -> link id


@pytest.fixture
def periods(built: Portfolio) -> Periods:  # noqa: F811
    with session_scope(write=True, engine=built.engine) as session:
        first = Period(
            mission_id=built.mission,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        second = Period(
            mission_id=built.mission,
            label="2026",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        )
        session.add_all([first, second])
        session.flush()
        numbers = {v: k for k, v in built.initiatives.items()}
        links = {
            (numbers[link.from_id], numbers[link.to_id]): link.id or 0
            for link in session.exec(select(InitiativeLink)).all()
        }
        return Periods(built, first.id or 0, second.id or 0, links)


def step(value: int, rationale: str = "Felles møter hver måned") -> StepAssessment:
    return StepAssessment(step=value, rationale=rationale)


def test_a_step_is_one_to_five_with_a_rationale() -> None:
    for wrong in ({"step": 0, "rationale": "x"}, {"step": 6, "rationale": "x"}, {"step": 3}):
        with pytest.raises(ValidationError):
            StepAssessment.model_validate(wrong)
    with pytest.raises(ValidationError):
        StepAssessment(step=2, rationale="  ")


def test_an_initiatives_step_is_assessed_per_period_with_an_audit_trail(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative, one = pf.actors[Role.OPERATIVE], pf.initiatives[1]
    with Session(engine) as session:
        mine, _ = check_in_steps(session, one, periods.first)
    assert (mine.step, mine.previous) == (None, None)  # not assessed (ikke vurdert)
    assert assess_initiative_step(
        operative, one, periods.first, step(2), seen=mine.seen, engine=engine
    )
    with Session(engine) as session:
        mine, _ = check_in_steps(session, one, periods.first)
    assert (mine.step, mine.rationale) == (2, "Felles møter hver måned")
    assert not assess_initiative_step(
        operative, one, periods.first, step(2), seen=mine.seen, engine=engine
    )  # unchanged
    admin = pf.actors[Role.ADMIN]  # the secretariat may too
    assert assess_initiative_step(
        admin, one, periods.first, step(3, "Avklart roller"), seen=mine.seen, engine=engine
    )
    events = pf.audit("initiative_step")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].before is not None and events[1].before["step"] == 2
    assert events[1].after is not None and events[1].after["step"] == 3
    with Session(engine) as session:
        mine, _ = check_in_steps(session, one, periods.second)
    assert (mine.step, mine.previous) == (None, 3)  # the next period starts from the last step


def test_a_save_over_a_colleagues_assessment_is_refused_and_names_them(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative, one = pf.actors[Role.OPERATIVE], pf.initiatives[1]
    assess_initiative_step(operative, one, periods.first, step(2), seen="", engine=engine)
    with pytest.raises(StaleRow) as refused:
        assess_initiative_step(operative, one, periods.first, step(4), seen="", engine=engine)
    assert refused.value.changed_by == operative.email
    with Session(engine) as session:
        assert session.exec(select(InitiativeStep)).one().step == 2


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STEERING])
def test_only_admin_and_the_operative_group_assess_steps_and_levels(
    periods: Periods, role: Role
) -> None:
    pf, engine = periods.built, periods.built.engine
    actor, one = pf.actors[role], pf.initiatives[1]
    attempts = [
        lambda: assess_initiative_step(actor, one, periods.first, step(2), seen="", engine=engine),
        lambda: assess_link_step(
            actor, periods.links[(1, 2)], periods.first, step(2), seen="", engine=engine
        ),
        lambda: set_system_levels(actor, one, [SystemLevel.HOW_WE_WORK], seen=[], engine=engine),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    with Session(engine) as session:
        assert session.exec(select(InitiativeStep)).all() == []
        assert session.exec(select(LinkStep)).all() == []
        assert session.get(Initiative, one).system_levels == []  # type: ignore[union-attr]


def test_a_locked_period_takes_no_step(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    with session_scope(write=True, engine=engine) as session:
        period = session.get(Period, periods.first)
        assert period is not None
        period.locked = True
        session.add(period)
    with pytest.raises(PortfolioRefused, match="period_locked"):
        assess_initiative_step(
            pf.actors[Role.OPERATIVE],
            pf.initiatives[1],
            periods.first,
            step(2),
            seen="",
            engine=engine,
        )


def test_links_have_steps_and_the_history_shows_the_movement(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative, two = pf.actors[Role.OPERATIVE], pf.initiatives[2]
    link = periods.links[(1, 2)]
    assess_link_step(
        operative, link, periods.first, step(1, "Deler rapporter"), seen="", engine=engine
    )
    assess_link_step(
        operative, link, periods.second, step(3, "Felles rutiner"), seen="", engine=engine
    )
    assess_initiative_step(operative, two, periods.second, step(4), seen="", engine=engine)
    with Session(engine) as session:
        _, links = check_in_steps(session, two, periods.second)
        history = step_history(session, two)
    assert [(s.subject_id, s.step, s.previous) for s in links] == [
        (link, 3, 1),
        (periods.links[(2, 3)], None, None),
    ]
    assert links[0].label.startswith("1. ")
    assert history[["period", "step", "change"]].values.tolist() == [
        ["2025", 1, 0],
        ["2026", 4, 0],
        ["2026", 3, 2],
    ]
    assert history["subject"].tolist()[0].startswith("1. ")
    assert [e.action for e in pf.audit("link_step")] == ["create", "create"]


def test_the_portfolio_by_step_counts_where_each_initiative_and_link_stands_now(
    periods: Periods,
) -> None:
    pf, engine = periods.built, periods.built.engine
    operative = pf.actors[Role.OPERATIVE]
    one, two = pf.initiatives[1], pf.initiatives[2]
    assess_initiative_step(operative, one, periods.first, step(1), seen="", engine=engine)
    assess_initiative_step(operative, one, periods.second, step(2), seen="", engine=engine)
    assess_initiative_step(operative, two, periods.first, step(2), seen="", engine=engine)
    assess_link_step(
        operative, periods.links[(1, 2)], periods.first, step(4), seen="", engine=engine
    )
    with Session(engine) as session:
        table = portfolio_by_step(session, pf.mission)
    counts = {r["step"]: (r["initiatives"], r["links"]) for r in table.to_dict("records")}
    assert counts[1] == (0, 0)  # initiative 1 moved on to 2
    assert counts[2] == (2, 0)
    assert counts[4] == (0, 1)
    assert counts[None] == (2, 1)  # 3 and 4, and the link 2-3, not assessed


def test_system_levels_are_set_in_the_icebergs_order_with_an_audit_trail(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative, one = pf.actors[Role.OPERATIVE], pf.initiatives[1]
    levels = [SystemLevel.MENTAL_MODELS, SystemLevel.VISIBLE_CHALLENGES]
    assert set_system_levels(operative, one, levels, seen=[], engine=engine)
    with Session(engine) as session:
        stored = session.get(Initiative, one)
        assert stored is not None
        assert stored.system_levels == ["visible_challenges", "mental_models"]
    assert not set_system_levels(
        operative, one, levels, seen=["visible_challenges", "mental_models"], engine=engine
    )
    with pytest.raises(StaleRow):
        set_system_levels(operative, one, [], seen=[], engine=engine)
    with pytest.raises(PortfolioRefused, match="unknown_level"):
        set_system_levels(operative, one, ["symptoms"], seen=[], engine=engine)
    (event,) = pf.audit("initiative_system_levels")
    assert event.before == {"system_levels": []}
    assert event.after == {"system_levels": ["visible_challenges", "mental_models"]}


def test_the_levels_per_goal_show_what_the_portfolio_reaches(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative = pf.actors[Role.OPERATIVE]
    set_system_levels(
        operative, pf.initiatives[1], [SystemLevel.VISIBLE_CHALLENGES], seen=[], engine=engine
    )
    set_system_levels(
        operative,
        pf.initiatives[2],
        [SystemLevel.VISIBLE_CHALLENGES, SystemLevel.RULES_AND_STRUCTURES],
        seen=[],
        engine=engine,
    )
    with Session(engine) as session:
        found = coverage(session, pf.mission)
        table = coverage_by(portfolio(session, pf.mission), found, "system_levels")
    codes = dict(zip(found.goals["goal_id"], found.goals["code"], strict=True))
    rows = {codes.get(g, g): row for g, row in table.to_dict("index").items()}
    assert rows["1.1"] == {"visible_challenges": 2, "rules_and_structures": 1, "not_given": 0}
    assert rows["1.2"] == {"visible_challenges": 0, "rules_and_structures": 0, "not_given": 1}
    assert rows["all"] == {"visible_challenges": 2, "rules_and_structures": 1, "not_given": 2}


def test_the_seeded_mission_has_no_step_or_level_the_documents_do_not_give(
    seeded_engine: Engine,
) -> None:
    with Session(seeded_engine) as session:
        initiatives = session.exec(select(Initiative)).all()
        assert len(initiatives) > 20
        assert all(i.system_levels == [] for i in initiatives)
        assert session.exec(select(InitiativeStep)).all() == []
        assert session.exec(select(LinkStep)).all() == []


def test_removing_a_link_removes_its_steps_with_an_audit_trail(periods: Periods) -> None:
    pf, engine = periods.built, periods.built.engine
    operative, link = pf.actors[Role.OPERATIVE], periods.links[(1, 2)]
    assess_link_step(operative, link, periods.first, step(2), seen="", engine=engine)
    with Session(engine) as session:
        shown = next(e for e in editable_links(session, pf.initiatives[1]) if e.id == link)
    delete_link(operative, link, seen=shown.fingerprint, engine=engine)
    with Session(engine) as session:
        assert session.exec(select(LinkStep)).all() == []
    assert [e.action for e in pf.audit("link_step")] == ["create", "delete"]


def test_seeding_again_keeps_the_levels_a_person_set(engine: Engine) -> None:
    from dashboard.services.missions import set_role
    from seed import load_real

    load_real(engine)
    with session_scope(write=True, engine=engine) as session:
        user = User(email="sekretariat@example.no", name="S")
        session.add(user)
        session.flush()
        mission = session.exec(select(Mission.id)).one()
        assert user.id is not None
        set_role(session, user.id, mission, Role.ADMIN)
        actor = Actor(user.id, user.email, Role.ADMIN, None, mission)
        first = session.exec(select(Initiative).where(Initiative.number == 1)).one()
        assert first.id is not None
        initiative_id = first.id
    set_system_levels(actor, initiative_id, [SystemLevel.HOW_WE_WORK], seen=[], engine=engine)
    load_real(engine)
    with Session(engine) as session:
        again = session.get(Initiative, initiative_id)
        assert again is not None and again.system_levels == ["how_we_work"]


# The scales as the documents word them: Fafo-notat 2019:21 (seed 002) and the system iceberg
# (seeds 004 and 000).
FAFO_STEPS = {
    1: "Vi må ha felles kunnskap",
    2: "Vi må se de samme problemene",
    3: "Vi må trekke i samme retning",
    4: "Vi må jobbe sammen",
    5: "Et trinn til: implementere ny praksis i ordinær drift",
}
ICEBERG = ["Synlige utfordringer", "Hvordan vi jobber", "Regler og strukturer", "Mentale modeller"]


def test_the_scales_are_named_as_the_documents_name_them() -> None:
    from dashboard.i18n import translate

    assert tuple(FAFO_STEPS) == STEPS
    for step, wording in FAFO_STEPS.items():
        name = translate("nb", f"method.step.{step}").lower()
        assert name.split()[-2:] == wording.lower().split()[-2:], (step, name)
    assert [translate("nb", f"enum.SystemLevel.{level.value}") for level in SystemLevel] == ICEBERG
