"""Portfolio analysis on a hand-built portfolio whose gaps, groups and load are known; and the
commands that change contributions and links: validation, roles, audit. SQLite and PostgreSQL.

The portfolio: main goal 0 with goal 1 and its subgoals 1.1 (two direct contributions, an
indicator), 1.2 (an indirect one only, no indicator) and 1.3 (nothing at all). Initiatives 1-4:
1 and 2 overlap, 2 builds on 3, 4 stands alone. Udir is responsible for 1 and 2, NAV for 3 and
involved in 1; Udir sits in the steering group and reports the indicator.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services.missions import set_role
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.portfolio import portfolio
from dashboard.services.portfolio_analysis import (
    clusters,
    coverage,
    coverage_by,
    gaps,
    organisation_load,
    organisation_profile,
    shared_profiles,
    timeline,
    without_years,
)
from dashboard.services.portfolio_edit import (
    PortfolioRefused,
    StaleRow,
    create_contribution,
    create_link,
    delete_contribution,
    delete_link,
    editable_contributions,
    editable_links,
    update_contribution,
    update_link,
)
from models import (
    Arena,
    AuditEvent,
    BodyKind,
    BodyMember,
    Contribution,
    ContributionCreate,
    ContributionKind,
    ContributionUpdate,
    Deliverable,
    DeliverableStatus,
    Goal,
    GoalLevel,
    GovernanceBody,
    Indicator,
    IndicatorGoal,
    Initiative,
    InitiativeLink,
    InitiativeLinkCreate,
    InitiativeLinkUpdate,
    InitiativeOrganisation,
    InitiativeStatus,
    LinkKind,
    Mission,
    Organisation,
    OrganisationRole,
    Role,
    Scope,
    User,
)

TODAY = dt.date(2026, 12, 1)


@dataclass
class Portfolio:
    engine: Engine
    mission: int
    goals: dict[str, int]
    initiatives: dict[int, int]  # number -> id
    actors: dict[Role, Actor]

    def contributions(self) -> list[Contribution]:
        with Session(self.engine) as session:
            return list(session.exec(select(Contribution).order_by(col(Contribution.id))).all())

    def audit(self, entity: str) -> list[AuditEvent]:
        with Session(self.engine) as session:
            query = select(AuditEvent).where(AuditEvent.entity == entity)
            return list(session.exec(query.order_by(col(AuditEvent.id))).all())


@pytest.fixture
def built(engine: Engine) -> Portfolio:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        other = Mission(key="n", title="Et annet oppdrag")
        session.add_all([udir, nav, mission, other])
        session.flush()
        assert mission.id and other.id

        def goal(code: str, level: GoalLevel, parent: Goal | None, order: int) -> Goal:
            row = Goal(
                mission_id=mission.id,
                code=code,
                level=level,
                title=f"Mål {code}",
                parent_id=parent.id if parent else None,
                sort_order=order,
            )
            session.add(row)
            session.flush()
            return row

        main = goal("0", GoalLevel.MAIN, None, 0)
        one = goal("1", GoalLevel.GOAL, main, 1)
        subs = {
            code: goal(code, GoalLevel.SUBGOAL, one, i)
            for i, code in enumerate(["1.1", "1.2", "1.3"])
        }
        foreign = Goal(mission_id=other.id, code="9", level=GoalLevel.MAIN, title="Fremmed")
        initiatives = [
            Initiative(
                mission_id=mission.id,
                number=1,
                name="Skoleløftet",
                status=InitiativeStatus.ONGOING,
                start_year=2020,
                scope=Scope.NATIONAL,
                arenas=[Arena.EDUCATION, Arena.WORK],
            ),
            Initiative(
                mission_id=mission.id,
                number=2,
                name="Jobbsjansen",
                status=InitiativeStatus.COMPLETED,
                start_year=2015,
                end_year=2018,
                scope=Scope.REGIONAL,
                arenas=[Arena.WORK],
            ),
            Initiative(
                mission_id=mission.id,
                number=3,
                name="Forløperen",
                end_year=2014,
                status=InitiativeStatus.COMPLETED,
            ),
            Initiative(mission_id=mission.id, number=4, name="Alene"),
            Initiative(mission_id=other.id, number=1, name="I et annet oppdrag"),
        ]
        indicator = Indicator(
            mission_id=mission.id, code="FULLFØRT", name="Fullført", responsible_org_id=udir.id
        )
        body = GovernanceBody(
            mission_id=mission.id, key="sg", name="Styringsgruppen", kind=BodyKind.STEERING_GROUP
        )
        session.add_all([foreign, *initiatives, indicator, body])
        session.flush()
        ids = {i.number: i.id or 0 for i in initiatives if i.mission_id == mission.id}
        session.add_all(
            [
                Contribution(
                    initiative_id=ids[1],
                    goal_id=subs["1.1"].id,
                    kind=ContributionKind.DIRECT,
                    strength=3,
                ),
                Contribution(
                    initiative_id=ids[2],
                    goal_id=subs["1.1"].id,
                    kind=ContributionKind.DIRECT,
                    strength=2,
                ),
                Contribution(
                    initiative_id=ids[3],
                    goal_id=subs["1.2"].id,
                    kind=ContributionKind.INDIRECT,
                    strength=1,
                    proposal=True,
                ),
                IndicatorGoal(indicator_id=indicator.id, goal_id=subs["1.1"].id),
                InitiativeLink(from_id=ids[1], to_id=ids[2], kind=LinkKind.OVERLAP),
                InitiativeLink(from_id=ids[2], to_id=ids[3], kind=LinkKind.SUCCESSOR),
                InitiativeOrganisation(
                    initiative_id=ids[1], organisation_id=udir.id, role=OrganisationRole.RESPONSIBLE
                ),
                InitiativeOrganisation(
                    initiative_id=ids[2], organisation_id=udir.id, role=OrganisationRole.RESPONSIBLE
                ),
                InitiativeOrganisation(
                    initiative_id=ids[3], organisation_id=nav.id, role=OrganisationRole.RESPONSIBLE
                ),
                InitiativeOrganisation(
                    initiative_id=ids[1], organisation_id=nav.id, role=OrganisationRole.INVOLVED
                ),
                BodyMember(body_id=body.id, organisation_id=udir.id, lead=True),
                Deliverable(
                    mission_id=mission.id,
                    number=1,
                    title="Plan",
                    due=dt.date(2024, 3, 1),
                    status=DeliverableStatus.PLANNED,
                ),
            ]
        )
        goals = {g.code: g.id or 0 for g in [main, one, *subs.values()]} | {
            "foreign": foreign.id or 0
        }
        actors = {}
        for role in Role:
            user = User(email=f"{role.value}@example.no", name=role.value, organisation_id=udir.id)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, role)
            actors[role] = Actor(user.id, user.email, role, udir.id, mission.id)
        ids[-1] = next(i.id or 0 for i in initiatives if i.mission_id == other.id)
        return Portfolio(engine, mission.id, goals, ids, actors)


# --- gaps and coverage -------------------------------------------------------------------------


def test_gaps_are_found_where_the_portfolio_was_built_with_them(built: Portfolio) -> None:
    with Session(built.engine) as session:
        found = coverage(session, built.mission)
    table = gaps(found).set_index("code")
    assert list(table.index) == ["0", "1", "1.1", "1.2", "1.3"]  # parents before children
    flagged = {
        gap: sorted(table.index[table[gap]])
        for gap in ("no_initiative", "only_indirect", "no_indicator")
    }
    assert flagged == {
        "no_initiative": ["1.3"],
        "only_indirect": ["1.2"],
        "no_indicator": ["1.2", "1.3"],
    }
    assert table.loc["1.1", ["initiatives", "direct", "indirect", "indicators"]].tolist() == [
        2,
        2,
        0,
        1,
    ]
    assert not table.loc["1"].no_initiative  # a goal above subgoals is covered through them
    assert table.loc["1", ["initiatives", "direct", "indirect", "indicators"]].tolist() == [
        3,
        2,
        1,
        1,
    ]


def test_a_filter_that_drops_the_direct_initiatives_opens_a_gap(built: Portfolio) -> None:
    with Session(built.engine) as session:
        found = coverage(session, built.mission)
    table = gaps(found, numbers=[3, 4]).set_index("code")
    assert sorted(table.index[table.no_initiative]) == ["1.1", "1.3"]


def test_initiatives_with_the_same_direct_goals_are_possible_overlaps(built: Portfolio) -> None:
    with Session(built.engine) as session:
        found = coverage(session, built.mission)
    assert shared_profiles(found, [1, 2, 3, 4]) == [(["1.1"], [1, 2])]
    assert shared_profiles(found, [1, 3, 4]) == []  # 3 is indirect only, 4 contributes nothing


def test_coverage_by_arena_counts_an_initiative_under_each_of_its_arenas(built: Portfolio) -> None:
    with Session(built.engine) as session:
        found = coverage(session, built.mission)
        frame = portfolio(session, built.mission)
    split = coverage_by(frame, found, "arenas")
    assert split.loc["all"].to_dict() == {"education": 1, "work": 2, "not_given": 2}
    assert split.loc[built.goals["1.1"]].to_dict() == {"education": 1, "work": 2, "not_given": 0}
    scope = coverage_by(frame, found, "scope")
    assert scope.loc["all"].to_dict() == {"national": 1, "regional": 1, "not_given": 2}


def test_clusters_group_linked_initiatives_and_keep_the_isolated_apart() -> None:
    assert clusters([1, 2, 3, 4, 5], [(1, 2), (3, 2), (9, 1)]) == [[1, 2, 3], [4], [5]]
    assert clusters([], []) == []


def test_timeline_runs_ongoing_initiatives_to_today_and_leaves_out_undated(
    built: Portfolio,
) -> None:
    with Session(built.engine) as session:
        items = timeline(session, built.mission, TODAY).set_index(["kind", "number"])
        undated = without_years(session, built.mission)
    assert items.loc[("initiative", 1), "end"] == TODAY and items.loc[("initiative", 1), "open_end"]
    assert items.loc[("initiative", 2), ["start", "end"]].tolist() == [
        dt.date(2015, 1, 1),
        dt.date(2018, 12, 31),
    ]
    assert not items.loc[("initiative", 3), "start_known"]  # only its end year is known
    assert items.loc[("deliverable", 1), "start"] == dt.date(2024, 3, 1)
    assert ("initiative", 4) not in items.index and undated == [(4, "Alene")]


def test_organisation_load_puts_who_carries_most_first(built: Portfolio) -> None:
    with Session(built.engine) as session:
        load = organisation_load(session, built.mission)
        profile = organisation_profile(session, built.mission, "Udir")
        assert organisation_profile(session, built.mission, "ukjent") is None
    assert load[
        ["short_name", "responsible", "involved", "bodies", "indicators"]
    ].values.tolist() == [
        ["Udir", 2, 0, 1, 1],
        ["NAV", 1, 1, 0, 0],
    ]
    assert profile is not None
    assert profile.initiatives["number"].tolist() == [1, 2]
    assert profile.bodies[["name", "lead"]].values.tolist() == [["Styringsgruppen", True]]
    assert profile.indicators["code"].tolist() == ["FULLFØRT"]


# --- contributions -----------------------------------------------------------------------------


def contribution(built: Portfolio, number: int, goal: str, **values: object) -> ContributionCreate:
    raw = {"initiative_id": built.initiatives[number], "goal_id": built.goals[goal]} | values
    return ContributionCreate.model_validate(raw)


@pytest.mark.parametrize("strength", [0, 4, "sterk"])
def test_a_contribution_strength_is_one_to_three(built: Portfolio, strength: object) -> None:
    with pytest.raises(ValidationError):
        contribution(built, 4, "1.3", strength=strength)
    with pytest.raises(ValidationError):
        ContributionUpdate.model_validate({"strength": strength})


def test_contributions_are_created_changed_and_removed_with_an_audit_trail(
    built: Portfolio,
) -> None:
    operative, admin = built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    new = create_contribution(
        operative,
        contribution(built, 4, "1.3", kind="direct", strength=2, rationale="Fyller hullet"),
        engine=built.engine,
    )
    with Session(built.engine) as session:
        found = gaps(coverage(session, built.mission)).set_index("code")
        shown = {c.goal_code: c for c in editable_contributions(session, built.initiatives[4])}
    assert not found.loc["1.3"].no_initiative
    changed = update_contribution(
        admin,
        new,
        ContributionUpdate(strength=3),
        seen=shown["1.3"].fingerprint,
        engine=built.engine,
    )
    assert changed
    with Session(built.engine) as session:
        again = editable_contributions(session, built.initiatives[4])[0]
    assert not update_contribution(
        admin, new, ContributionUpdate(strength=3), seen=again.fingerprint, engine=built.engine
    )
    delete_contribution(operative, new, seen=again.fingerprint, engine=built.engine)
    events = built.audit("contribution")
    assert [(e.action, e.actor_email) for e in events] == [
        ("create", "operative@example.no"),
        ("update", "admin@example.no"),
        ("delete", "operative@example.no"),
    ]
    assert events[1].before["strength"] == 2 and events[1].after["strength"] == 3
    assert events[2].before["rationale"] == "Fyller hullet"
    assert len(built.contributions()) == 3


def test_confirming_a_proposal_clears_its_mark(built: Portfolio) -> None:
    with Session(built.engine) as session:
        proposed = editable_contributions(session, built.initiatives[3])[0]
    assert proposed.proposal
    update_contribution(
        built.actors[Role.OPERATIVE],
        proposed.id,
        ContributionUpdate(proposal=False),
        seen=proposed.fingerprint,
        engine=built.engine,
    )
    assert not any(c.proposal for c in built.contributions())


def test_a_second_contribution_to_the_same_goal_or_one_to_another_mission_is_refused(
    built: Portfolio,
) -> None:
    operative = built.actors[Role.OPERATIVE]
    with pytest.raises(PortfolioRefused) as duplicate:
        create_contribution(operative, contribution(built, 1, "1.1"), engine=built.engine)
    assert duplicate.value.code == "duplicate_contribution" and duplicate.value.details == {
        "goal": "1.1"
    }
    with pytest.raises(PortfolioRefused) as foreign:
        create_contribution(operative, contribution(built, 1, "foreign"), engine=built.engine)
    assert foreign.value.code == "foreign_goal"
    assert len(built.contributions()) == 3 and built.audit("contribution") == []


def test_a_save_over_a_colleagues_change_is_refused_and_names_them(built: Portfolio) -> None:
    operative, admin = built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    with Session(built.engine) as session:
        shown = editable_contributions(session, built.initiatives[1])[0]
    update_contribution(
        admin,
        shown.id,
        ContributionUpdate(rationale="Ny begrunnelse"),
        seen=shown.fingerprint,
        engine=built.engine,
    )
    with pytest.raises(StaleRow) as stale:
        update_contribution(
            operative,
            shown.id,
            ContributionUpdate(strength=1),
            seen=shown.fingerprint,
            engine=built.engine,
        )
    assert stale.value.changed_by == "admin@example.no"
    with pytest.raises(StaleRow):
        delete_contribution(operative, shown.id, seen=shown.fingerprint, engine=built.engine)
    assert built.contributions()[0].strength == 3  # the colleague's change is kept, nothing else


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STEERING])
def test_only_admin_and_the_operative_group_change_the_portfolio(
    built: Portfolio, role: Role
) -> None:
    actor = built.actors[role]
    with Session(built.engine) as session:
        shown = editable_contributions(session, built.initiatives[1])[0]
        link = editable_links(session, built.initiatives[1])[0]
    attempts = [
        lambda: create_contribution(actor, contribution(built, 4, "1.3"), engine=built.engine),
        lambda: update_contribution(
            actor,
            shown.id,
            ContributionUpdate(strength=1),
            seen=shown.fingerprint,
            engine=built.engine,
        ),
        lambda: delete_contribution(actor, shown.id, seen=shown.fingerprint, engine=built.engine),
        lambda: create_link(actor, link_data(built, 3, 4, "synergy"), engine=built.engine),
        lambda: update_link(
            actor,
            link.id,
            InitiativeLinkUpdate(note="x"),
            seen=link.fingerprint,
            engine=built.engine,
        ),
        lambda: delete_link(actor, link.id, seen=link.fingerprint, engine=built.engine),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    refusals = built.audit("manage_portfolio")
    assert len(refusals) == len(attempts) and {e.action for e in refusals} == {"refused"}
    assert len(built.contributions()) == 3 and built.audit("contribution") == []


# --- links -------------------------------------------------------------------------------------


def link_data(
    built: Portfolio, a: int, b: int, kind: str, note: str | None = None
) -> InitiativeLinkCreate:
    return InitiativeLinkCreate.model_validate(
        {"from_id": built.initiatives[a], "to_id": built.initiatives[b], "kind": kind, "note": note}
    )


def test_an_initiative_cannot_be_linked_to_itself(built: Portfolio) -> None:
    with pytest.raises(ValidationError) as exc:
        link_data(built, 1, 1, "synergy")
    assert exc.value.errors()[0]["type"] == "self_link"


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [(1, 2, "overlap"), (2, 1, "overlap"), (2, 3, "successor")],  # overlap reads both ways
)
def test_the_same_link_twice_is_refused(built: Portfolio, a: int, b: int, kind: str) -> None:
    with pytest.raises(PortfolioRefused) as exc:
        create_link(built.actors[Role.OPERATIVE], link_data(built, a, b, kind), engine=built.engine)
    assert exc.value.code == "duplicate_link"


def test_a_directed_link_may_go_the_other_way_and_links_stay_in_one_mission(
    built: Portfolio,
) -> None:
    operative = built.actors[Role.OPERATIVE]
    create_link(operative, link_data(built, 3, 2, "successor", "Omvendt"), engine=built.engine)
    with pytest.raises(PortfolioRefused) as exc:
        create_link(operative, link_data(built, 1, -1, "synergy"), engine=built.engine)
    assert exc.value.code == "foreign_initiative"


def test_links_are_created_changed_and_removed_with_an_audit_trail(built: Portfolio) -> None:
    operative, admin = built.actors[Role.OPERATIVE], built.actors[Role.ADMIN]
    new = create_link(
        operative,
        link_data(built, 4, 1, "shared_target_group", "Samme elever"),
        engine=built.engine,
    )
    with Session(built.engine) as session:
        shown = next(
            link for link in editable_links(session, built.initiatives[1]) if link.id == new
        )
        groups = clusters(range(1, 5), [(1, 2), (2, 3), (4, 1)])
    assert not shown.outgoing and shown.other_number == 4 and groups == [[1, 2, 3, 4]]
    assert update_link(
        admin,
        new,
        InitiativeLinkUpdate(kind=LinkKind.CO_FUNDING, note="Felles midler"),
        seen=shown.fingerprint,
        engine=built.engine,
    )
    with Session(built.engine) as session:
        again = next(
            link for link in editable_links(session, built.initiatives[4]) if link.id == new
        )
    assert again.outgoing and again.kind == "co_funding"
    delete_link(operative, new, seen=again.fingerprint, engine=built.engine)
    events = built.audit("initiative_link")
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert (
        events[1].before["kind"] == "shared_target_group"
        and events[1].after["note"] == "Felles midler"
    )


def test_changing_a_link_into_one_that_exists_is_refused(built: Portfolio) -> None:
    operative = built.actors[Role.OPERATIVE]
    new = create_link(operative, link_data(built, 2, 1, "synergy"), engine=built.engine)
    with Session(built.engine) as session:
        shown = next(
            link for link in editable_links(session, built.initiatives[2]) if link.id == new
        )
    with pytest.raises(PortfolioRefused) as exc:  # 1-2 overlap exists, and overlap reads both ways
        update_link(
            operative,
            new,
            InitiativeLinkUpdate(kind=LinkKind.OVERLAP),
            seen=shown.fingerprint,
            engine=built.engine,
        )
    assert exc.value.code == "duplicate_link"
