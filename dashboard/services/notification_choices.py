"""A person's choices of what they are told, and how: the topics of their roles in every
mission, and each topic's delivery."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col

from dashboard.db import session_scope
from dashboard.i18n import LANGUAGES
from dashboard.services import audit
from dashboard.services.common import fetch
from dashboard.services.permissions import Actor
from models import Mission, MissionRole, Role, User
from models.notifications import ROLE_TOPICS, Delivery, Topic, delivery


@dataclass(frozen=True)
class Preferences:
    """A person's mail language and how they get each topic one of their roles has; missions:
    how many missions they are told of (the choices hold in each)."""

    language: str | None
    choices: dict[Topic, Delivery]
    missions: int = 0


def roles_of(session: Session, user: User) -> set[Role]:
    """Every role a person has in some mission: their role rows, the secretariat's for the
    global administrator, a partner's for someone with neither."""
    query = sa.select(col(MissionRole.role)).where(col(MissionRole.user_id) == user.id)
    roles = {Role(row[0]) for row in fetch(session, query)}
    if user.global_admin:
        roles.add(Role.ADMIN)
    return roles or {Role.PARTNER}


def topics_of(roles: Iterable[Role]) -> list[Topic]:
    """The topics Konto offers a person with roles (in one mission or another), in order."""
    offered = {topic for role in roles for topic in ROLE_TOPICS[role]}
    return [topic for topic in Topic if topic in offered]


def shown_delivery(choices: dict[str, str] | None, roles: Iterable[Role], topic: Topic) -> Delivery:
    """How Konto shows a topic to a person with roles: their choice, else the default of a role
    that has the topic, at once when one that is not a partner's has it (each mission's mails
    follow the choice, or the default of the person's role there)."""
    having = [role for role in roles if topic in ROLE_TOPICS[role]]
    if not having:
        return Delivery.OFF
    internal = [role for role in having if role != Role.PARTNER]
    return delivery(choices, (internal or having)[0], topic)


def preferences(actor: Actor, *, engine: Engine | None = None) -> Preferences:
    """The signed-in person's choices (the defaults where they made none), for the topics of
    their roles across the missions they are in."""
    with session_scope(engine=engine) as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        if user is None:
            return Preferences(None, {})
        roles = roles_of(session, user)
        counted = (
            sa.select(sa.func.count())
            .select_from(MissionRole)
            .where(col(MissionRole.user_id) == user.id)
        )
        if user.global_admin:
            counted = sa.select(sa.func.count()).select_from(Mission)
        return Preferences(
            user.language,
            {t: shown_delivery(user.notifications, roles, t) for t in topics_of(roles)},
            int(session.execute(counted).scalar_one()),
        )


def save_preferences(
    actor: Actor,
    language: str | None,
    choices: dict[Topic, Delivery],
    *,
    engine: Engine | None = None,
) -> None:
    """Store the signed-in person's mail language and choices (their own account only)."""
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    with session_scope(write=True, engine=engine, data=False) as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        if user is None:
            raise LookupError("no such user")
        before = {"language": user.language, "notifications": user.notifications}
        offered = topics_of(roles_of(session, user))
        user.language = language
        user.notifications = {
            topic.value: how.value for topic, how in choices.items() if topic in offered
        }
        after = {"language": user.language, "notifications": user.notifications}
        audit.record(session, actor, "update", "user", user.id, before=before, after=after)


# --- the outbox as the secretariat sees it ------------------------------------------------------
