"""The missions of the installation, each person's role in each, and the one they last chose."""

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from dashboard.db import DatabaseBusy, read_only, session_scope
from dashboard.services import audit
from dashboard.services.commands import command, record_refusal
from dashboard.services.permissions import Action, Actor, PermissionDenied
from models import Mission, MissionCreate, MissionRole, Role, User

LOG = logging.getLogger("dashboard")


class DuplicateMission(ValueError):
    """Another mission already has that key."""


def list_missions(session: Session) -> list[Mission]:
    """Every mission, the first made first."""
    return list(session.exec(select(Mission).order_by(col(Mission.id))).all())


def role_in(session: Session, user: User, mission_id: int | None) -> Role:
    """user's role in mission_id: the one given there, else the secretariat's for the global
    administrator, else a partner's (who reads what is published)."""
    if mission_id is not None and user.id is not None:
        query = select(MissionRole.role).where(
            MissionRole.user_id == user.id, MissionRole.mission_id == mission_id
        )
        given = session.exec(query).first()
        if given is not None:
            return Role(given)
    return Role.ADMIN if user.global_admin else Role.PARTNER


def role_column(mission_id: Any) -> sa.ColumnElement[str]:
    """role_in as SQL, for the User of the query and mission_id (a value or a column)."""
    given = (
        sa.select(col(MissionRole.role))
        .where(col(MissionRole.user_id) == User.id, col(MissionRole.mission_id) == mission_id)
        .scalar_subquery()
    )
    default = sa.case(
        (col(User.global_admin).is_(True), Role.ADMIN.value), else_=Role.PARTNER.value
    )
    return sa.func.coalesce(given, default)


def set_role(session: Session, user_id: int, mission_id: int, role: Role) -> None:
    """Give user_id role in mission_id, in the caller's transaction."""
    query = select(MissionRole).where(
        MissionRole.user_id == user_id, MissionRole.mission_id == mission_id
    )
    row = session.exec(query).first()
    if row is None:
        session.add(MissionRole(user_id=user_id, mission_id=mission_id, role=role))
    else:
        row.role = role


def remember_mission(actor: Actor, key: str, *, engine: Engine | None = None) -> None:
    """Keep the mission a person chose, to open it next time no link names one."""
    if actor.id is None:
        return
    try:
        with session_scope(write=True, engine=engine, data=False) as session:
            user = session.get(User, actor.id)
            if user is not None and user.mission_key != key:
                user.mission_key = key
    except (DatabaseBusy, DBAPIError) as exc:  # only a preference: the switch itself stands
        if isinstance(exc, DBAPIError) and not read_only(exc):
            raise
        LOG.warning("The chosen mission was not remembered (the database is busy or read-only)")


def create_mission(actor: Actor, data: MissionCreate, *, engine: Engine | None = None) -> int:
    """Create a mission (the global administrator only), with its creator as its secretariat."""
    if not actor.global_admin:
        record_refusal(actor, "create_mission", {"key": data.key}, engine=engine)
        raise PermissionDenied(actor, Action.MANAGE_FRAMEWORK)
    unbound = Actor(actor.id, actor.email, Role.ADMIN, actor.organisation_id, None, True)
    with command(unbound, Action.MANAGE_FRAMEWORK, engine=engine) as session:
        if session.exec(select(Mission.id).where(Mission.key == data.key)).first() is not None:
            raise DuplicateMission(data.key)
        mission = Mission.model_validate(data)
        session.add(mission)
        try:
            session.flush()
        except IntegrityError as exc:  # made by someone else just now
            raise DuplicateMission(data.key) from exc
        assert mission.id is not None
        if actor.id is not None:
            set_role(session, actor.id, mission.id, Role.ADMIN)
        audit.record(session, unbound, "create", "mission", mission.id, after=data.model_dump())
        return mission.id
