"""Nothing crosses between missions: a command by a person of one mission writes no row of
another, whatever ids it is handed (dashboard.services.mission_guard), on SQLite and PostgreSQL.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from reporting_world import World
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from dashboard.db import session_scope
from dashboard.services.commands import command
from dashboard.services.missions import set_role
from dashboard.services.periods import create_period
from dashboard.services.permissions import Action, Actor, PermissionDenied
from dashboard.services.reporting import approve_value, save_value, submit_value
from dashboard.services.users import actor_of, current_actor_of
from models import (
    AuditEvent,
    Indicator,
    IndicatorValue,
    Mission,
    Organisation,
    Period,
    PeriodCreate,
    Role,
    User,
)


def other_mission(engine: Engine) -> tuple[int, int, int]:
    """A second mission with an indicator and a period of its own: (mission, indicator,
    period)."""
    with session_scope(write=True, engine=engine) as session:
        mission = Mission(key="annet", title="Et annet oppdrag")
        session.add(mission)
        session.flush()
        # reported by the same directorate: organisations are shared between missions
        udir = session.exec(select(Organisation.id).where(Organisation.key == "Udir")).one()
        indicator = Indicator(
            mission_id=mission.id,
            code="X",
            name="Det andre oppdragets tall",
            responsible_org_id=udir,
        )
        period = Period(
            mission_id=mission.id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        session.add_all([indicator, period])
        session.flush()
        assert mission.id and indicator.id and period.id
        return mission.id, indicator.id, period.id


@contextmanager
def refused_command(world: World, action: Action) -> Iterator[Session]:
    """A command of the world's secretariat that is to be refused as a whole."""
    with (
        pytest.raises(PermissionDenied),
        command(world.actors["admin"], action, engine=world.engine) as session,
    ):
        yield session


def refusals(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "refused")).all())


def test_a_value_in_another_missions_indicator_is_refused_and_audited(world: World) -> None:
    _, indicator, _ = other_mission(world.engine)
    with pytest.raises(PermissionDenied):
        world.save(world.actors["udir_a"], {"value": 5}, indicator=indicator)
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(IndicatorValue)).one() == 0
    refused = refusals(world.engine)
    assert refused and refused[-1].after is not None
    assert refused[-1].after["table"] == "indicatorvalue"
    assert refused[-1].mission_id == world.mission


def test_the_own_indicator_in_another_missions_period_is_refused(world: World) -> None:
    _, _, period = other_mission(world.engine)
    world.save(world.actors["udir_a"], {"value": 5})  # its own period: fine
    with pytest.raises(PermissionDenied):
        save_value(
            world.actors["udir_a"],
            world.indicator,
            period,
            {"value": 6},
            version=None,
            engine=world.engine,
        )
    with Session(world.engine) as session:  # that transaction is rolled back, the first kept
        periods = session.exec(select(IndicatorValue.period_id)).all()
    assert periods == [world.period]


def test_an_approval_of_another_missions_value_is_refused(world: World) -> None:
    mission, indicator, period = other_mission(world.engine)
    stranger = replace(world.actors["udir_a"], mission_id=mission)  # operative over there
    saved = save_value(stranger, indicator, period, {"value": 7}, version=None, engine=world.engine)
    submit_value(stranger, saved.id or 0, saved.version, engine=world.engine)
    with pytest.raises(PermissionDenied):  # udir_b is operative in world's mission only
        approve_value(world.actors["udir_b"], saved.id or 0, saved.version + 1, engine=world.engine)
    with Session(world.engine) as session:
        value = session.get(IndicatorValue, saved.id)
        assert value is not None and value.reviewed_by_id is None


def test_a_mission_row_of_another_mission_cannot_be_changed(world: World) -> None:
    mission, _, _ = other_mission(world.engine)
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:
        other = session.get(Mission, mission)
        assert other is not None
        other.title = "Overtatt"
    with Session(world.engine) as session:
        assert session.get(Mission, mission).title == "Et annet oppdrag"  # type: ignore[union-attr]


def test_a_bulk_update_of_another_missions_rows_is_refused(world: World) -> None:
    import sqlalchemy as sa

    _, indicator, _ = other_mission(world.engine)
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:
        session.execute(sa.update(Indicator).values(name="Endret"))  # every mission's
    with Session(world.engine) as session:
        assert session.get(Indicator, indicator).name == "Det andre oppdragets tall"  # type: ignore[union-attr]


def test_a_role_in_another_mission_cannot_be_given(world: World) -> None:
    mission, _, _ = other_mission(world.engine)
    with refused_command(world, Action.MANAGE_USERS) as session:
        set_role(session, world.actors["admin"].id or 0, mission, Role.ADMIN)


def test_a_period_is_made_in_the_actors_mission_only(world: World) -> None:
    mission, _, _ = other_mission(world.engine)
    data = PeriodCreate(
        mission_id=mission, label="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    with pytest.raises(PermissionDenied):
        create_period(world.actors["admin"], data, engine=world.engine)
    own = data.model_copy(update={"mission_id": world.mission})
    create_period(world.actors["admin"], own, engine=world.engine)  # the same label, at home


def test_a_role_is_per_mission(world: World) -> None:
    mission, _, _ = other_mission(world.engine)
    with session_scope(write=True, engine=world.engine) as session:
        user = session.exec(select(User).where(User.email == "udir_a@example.no")).one()
        set_role(session, user.id or 0, mission, Role.PARTNER)
        user_id = user.id or 0
    with Session(world.engine) as session:
        here = current_actor_of(session, user_id, "m")
        there = current_actor_of(session, user_id, "annet")
        user = session.get(User, user_id)
        assert user is not None
        default = actor_of(user)  # the installation's default mission: the first one here
    assert here is not None and here.role == Role.OPERATIVE and here.mission_id == world.mission
    assert there is not None and there.role == Role.PARTNER and there.mission_id == mission
    assert default.mission_id == world.mission


def test_the_global_administrator_is_secretariat_where_they_have_no_role(world: World) -> None:
    mission, _, _ = other_mission(world.engine)
    with session_scope(write=True, engine=world.engine) as session:
        user = User(email="global@example.no", name="Global", global_admin=True)
        session.add(user)
        session.flush()
        user_id = user.id or 0
    with Session(world.engine) as session:
        there = current_actor_of(session, user_id, "annet")
    assert there == Actor(user_id, "global@example.no", Role.ADMIN, None, mission, True)


def test_an_actor_of_no_mission_is_not_held_to_one(world: World) -> None:
    mission, indicator, _ = other_mission(world.engine)
    command_line = Actor(None, "cli", Role.ADMIN)
    with command(command_line, Action.MANAGE_FRAMEWORK, engine=world.engine) as session:
        found = session.get(Indicator, indicator)
        assert found is not None
        found.name = "Endret fra kommandolinjen"
    assert mission


def test_a_bulk_update_that_moves_a_row_into_another_mission_is_refused(world: World) -> None:
    import sqlalchemy as sa

    _, indicator, _ = other_mission(world.engine)
    saved = world.save(world.actors["udir_a"], {"value": 5})
    table = IndicatorValue.__table__  # type: ignore[attr-defined]
    by_id = sa.update(table).where(table.c.id == sa.bindparam("_id"))
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:
        session.execute(by_id, [{"_id": saved.id, "indicator_id": indicator}])
    with Session(world.engine) as session:
        assert session.get(IndicatorValue, saved.id).indicator_id == world.indicator  # type: ignore[union-attr]


def test_values_a_statement_holds_itself_are_checked(world: World) -> None:
    import sqlalchemy as sa

    mission, indicator, _ = other_mission(world.engine)
    table = Indicator.__table__  # type: ignore[attr-defined]
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:
        session.execute(sa.insert(table).values(mission_id=mission, code="Y", name="Inn"))
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:  # moved into the other
        session.execute(sa.update(table).where(table.c.code == "C").values(mission_id=mission))
    with refused_command(world, Action.MANAGE_FRAMEWORK) as session:  # a literal id
        session.execute(sa.delete(table).where(table.c.id == indicator))


def test_the_orms_bulk_update_by_primary_key_touches_only_the_rows_it_names(
    world: World,
) -> None:
    import sqlalchemy as sa

    other_mission(world.engine)  # another mission's indicator in the same table
    admin = world.actors["admin"]
    with command(admin, Action.MANAGE_FRAMEWORK, engine=world.engine) as session:
        session.execute(sa.update(Indicator), [{"id": world.indicator, "name": "Nytt navn"}])
    with Session(world.engine) as session:
        assert session.get(Indicator, world.indicator).name == "Nytt navn"  # type: ignore[union-attr]
