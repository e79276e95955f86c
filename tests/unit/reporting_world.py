"""The reporting world the workflow and correction tests share: one mission, two
organisations, two indicators, an initiative, a period and one person per role."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from dashboard.db import session_scope
from dashboard.services.permissions import ANONYMOUS, Actor
from dashboard.services.reporting import save_check_in, save_value
from models import (
    CheckIn,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Measure,
    Mission,
    MissionRole,
    Organisation,
    OrganisationRole,
    Period,
    Role,
    User,
)


@dataclass
class World:
    """One mission, two organisations, one indicator per measure, a period, one user per role."""

    engine: Engine
    indicator: int  # a count, reported by Udir
    percent: int  # a percentage, reported by Udir
    period: int
    actors: dict[str, Actor]
    initiative: int = 0  # Udir is responsible, NAV involved
    mission: int = 0

    def save(
        self, actor: Actor, data: dict[str, Any], version: int | None = None, *, indicator: int = 0
    ) -> IndicatorValue:
        """save_value in this period, for the count indicator unless told otherwise."""
        return save_value(
            actor,
            indicator or self.indicator,
            self.period,
            data,
            version=version,
            engine=self.engine,
        )

    def check_in(self, actor: Actor, data: dict[str, Any], version: int | None = None) -> CheckIn:
        """save_check_in of the initiative in this period."""
        return save_check_in(
            actor, self.initiative, self.period, data, version=version, engine=self.engine
        )


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


def make_world(engine: Engine) -> World:
    """The world in engine's (migrated, empty) database."""
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, nav, mission])
        session.flush()
        count = Indicator(
            mission_id=mission.id, code="C", name="Antall", responsible_org_id=udir.id
        )
        share = Indicator(
            mission_id=mission.id,
            code="P",
            name="Andel",
            measure=Measure.PERCENT,
            responsible_org_id=udir.id,
        )
        period = Period(
            mission_id=mission.id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        initiative = Initiative(mission_id=mission.id, number=1, name="Satsingen")
        session.add_all([count, share, period, initiative])
        session.flush()
        session.add_all(
            [
                InitiativeOrganisation(
                    initiative_id=initiative.id,
                    organisation_id=udir.id,
                    role=OrganisationRole.RESPONSIBLE,
                ),
                InitiativeOrganisation(
                    initiative_id=initiative.id,
                    organisation_id=nav.id,
                    role=OrganisationRole.INVOLVED,
                ),
            ]
        )
        people = {
            "udir_a": (Role.OPERATIVE, udir.id),
            "udir_b": (Role.OPERATIVE, udir.id),
            "nav": (Role.OPERATIVE, nav.id),
            "steering": (Role.STEERING, None),
            "admin": (Role.ADMIN, None),
            "partner": (Role.PARTNER, udir.id),
        }
        actors = {}
        for name, (role, org) in people.items():
            user = User(email=f"{name}@example.no", name=name, organisation_id=org)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            session.add(MissionRole(user_id=user.id, mission_id=mission.id, role=role))
            actors[name] = Actor(user.id, user.email, role, org, mission.id)
        session.flush()
        assert count.id and share.id and period.id and initiative.id and mission.id
        everyone = actors | {"anonymous": ANONYMOUS}
        return World(engine, count.id, share.id, period.id, everyone, initiative.id, mission.id)
