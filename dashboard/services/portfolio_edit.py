"""Commands on the portfolio's structure: contributions to goals and links between initiatives.

Admin and the operative group may change both (Action.MANAGE_PORTFOLIO); every change is
audited in its own transaction. A form carries the fingerprint of the row it showed, so a save
over a colleague's change is refused (StaleRow) instead of overwriting it.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from models import (
    AuditEvent,
    Contribution,
    ContributionCreate,
    ContributionUpdate,
    Goal,
    Initiative,
    InitiativeLink,
    InitiativeLinkCreate,
    InitiativeLinkUpdate,
    LinkKind,
    LinkStep,
)

Row = TypeVar("Row", Contribution, InitiativeLink)

CONTRIBUTION = "contribution"
LINK = "initiative_link"
# Kinds that read the same both ways: A-B is the same link as B-A. The others have a direction
# (from is part of, builds on, or depends on to).
SYMMETRIC = frozenset(
    {LinkKind.SYNERGY, LinkKind.OVERLAP, LinkKind.SHARED_TARGET_GROUP, LinkKind.CO_FUNDING}
)


class PortfolioRefused(ValueError):
    """The change is not possible; code names why (message portfolio.refused.<code>)."""

    def __init__(self, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.details = details or {}


@dataclass
class StaleRow(Exception):
    """Someone changed or removed the row after the form was shown: who (e-mail) and when."""

    changed_by: str | None
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class EditableContribution:
    id: int
    goal_code: str
    goal_title: str
    kind: str
    strength: int
    rationale: str | None
    proposal: bool
    fingerprint: str


@dataclass(frozen=True)
class EditableLink:
    id: int
    outgoing: bool  # this initiative is the link's "from"
    other_number: int
    other_name: str
    kind: str
    note: str | None
    fingerprint: str


def fingerprint(row: Contribution | InitiativeLink) -> str:
    """A short digest of what a row holds, to tell whether it changed since a form showed it."""
    data = audit.snapshot(row.model_dump(warnings=False))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _initiative(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise PortfolioRefused("no_initiative")
    return initiative


def last_change(session: Session, entity: str, row_id: int | None) -> StaleRow:
    """A save refused over a colleague's change: who changed the row last and when, from the
    audit log (nobody named for a row that does not exist yet)."""
    row = (
        session.exec(
            select(AuditEvent.actor_email, AuditEvent.at)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(row_id))
            .order_by(col(AuditEvent.id).desc())
        ).first()
        if row_id is not None
        else None
    )
    return StaleRow(*(row or (None, None)))


def _locked(session: Session, model: type[Row], entity: str, row_id: int, seen: str) -> Row:
    """The row as the form showed it, locked for the change; StaleRow when it changed since."""
    row = session.get(model, row_id, with_for_update=True)
    if row is None or fingerprint(row) != seen:
        raise last_change(session, entity, row_id)
    return row


def _insert(session: Session, actor: Actor, entity: str, row: Contribution | InitiativeLink) -> int:
    """Add a new row and audit its creation; its id."""
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(session, actor, "create", entity, row.id, after=row.model_dump(warnings=False))
    return row.id


# --- contributions ---------------------------------------------------------------------------


def editable_contributions(session: Session, initiative_id: int) -> list[EditableContribution]:
    """An initiative's contributions as the edit form shows them, in goal order."""
    rows = session.exec(
        select(Contribution, Goal.code, Goal.title)
        .join(Goal, col(Goal.id) == Contribution.goal_id)
        .where(Contribution.initiative_id == initiative_id)
        .order_by(col(Goal.sort_order), col(Goal.code))
    ).all()
    return [
        EditableContribution(
            id=c.id or 0,
            goal_code=code,
            goal_title=title,
            kind=c.kind,
            strength=c.strength,
            rationale=c.rationale,
            proposal=c.proposal,
            fingerprint=fingerprint(c),
        )
        for c, code, title in rows
    ]


def create_contribution(
    actor: Actor, data: ContributionCreate, *, engine: Engine | None = None
) -> int:
    """A new contribution from an initiative to a goal of the same mission; one per pair."""
    try:
        with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
            initiative = _initiative(session, data.initiative_id)
            goal = session.get(Goal, data.goal_id)
            if goal is None or goal.mission_id != initiative.mission_id:
                raise PortfolioRefused("foreign_goal")
            taken = session.exec(
                select(Contribution.id).where(
                    Contribution.initiative_id == data.initiative_id,
                    Contribution.goal_id == data.goal_id,
                )
            ).first()
            if taken is not None:
                raise PortfolioRefused("duplicate_contribution", {"goal": goal.code})
            return _insert(session, actor, CONTRIBUTION, Contribution.model_validate(data))
    except IntegrityError as exc:  # the same pair saved at the same moment
        with session_scope(engine=engine) as session:
            goal = session.get(Goal, data.goal_id)
        code = goal.code if goal else str(data.goal_id)
        raise PortfolioRefused("duplicate_contribution", {"goal": code}) from exc


def update_contribution(
    actor: Actor,
    contribution_id: int,
    data: ContributionUpdate,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """Change a contribution shown with fingerprint seen; False when nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _locked(session, Contribution, CONTRIBUTION, contribution_id, seen)
        before = row.model_dump(warnings=False)
        for name, value in data.model_dump(exclude_unset=True).items():
            if value is not None or name == "rationale":
                setattr(row, name, value)
        after = row.model_dump(warnings=False)
        if after == before:
            return False
        session.add(row)
        audit.record(
            session, actor, "update", CONTRIBUTION, contribution_id, before=before, after=after
        )
        return True


def delete_contribution(
    actor: Actor, contribution_id: int, *, seen: str, engine: Engine | None = None
) -> None:
    """Remove a contribution shown with fingerprint seen."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _locked(session, Contribution, CONTRIBUTION, contribution_id, seen)
        before = row.model_dump(warnings=False)
        session.delete(row)
        audit.record(session, actor, "delete", CONTRIBUTION, contribution_id, before=before)


# --- links between initiatives ---------------------------------------------------------------


def editable_links(session: Session, initiative_id: int) -> list[EditableLink]:
    """The links touching an initiative as the edit form shows them."""
    rows = session.exec(
        select(InitiativeLink, Initiative.number, Initiative.name)
        .join(
            Initiative,
            (
                (col(Initiative.id) == InitiativeLink.to_id)
                & (InitiativeLink.from_id == initiative_id)
            )
            | (
                (col(Initiative.id) == InitiativeLink.from_id)
                & (InitiativeLink.to_id == initiative_id)
            ),
        )
        .order_by(col(Initiative.number), col(InitiativeLink.kind))
    ).all()
    return [
        EditableLink(
            id=link.id or 0,
            outgoing=link.from_id == initiative_id,
            other_number=number,
            other_name=name,
            kind=link.kind,
            note=link.note,
            fingerprint=fingerprint(link),
        )
        for link, number, name in rows
    ]


def _check_link(
    session: Session, from_id: int, to_id: int, kind: LinkKind, own: int | None
) -> None:
    """Both ends in one mission, and no such link yet (either way round, for symmetric kinds)."""
    if from_id == to_id:
        raise PortfolioRefused("self_link")
    source, target = _initiative(session, from_id), _initiative(session, to_id)
    if source.mission_id != target.mission_id:
        raise PortfolioRefused("foreign_initiative")
    pairs = [(from_id, to_id)] + ([(to_id, from_id)] if kind in SYMMETRIC else [])
    for a, b in pairs:
        taken = session.exec(
            select(InitiativeLink.id).where(
                InitiativeLink.from_id == a, InitiativeLink.to_id == b, InitiativeLink.kind == kind
            )
        ).first()
        if taken is not None and taken != own:
            raise PortfolioRefused("duplicate_link", {"a": source.number, "b": target.number})


def create_link(actor: Actor, data: InitiativeLinkCreate, *, engine: Engine | None = None) -> int:
    """A new typed link between two initiatives of one mission."""
    try:
        with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
            _check_link(session, data.from_id, data.to_id, data.kind, None)
            return _insert(session, actor, LINK, InitiativeLink.model_validate(data))
    except IntegrityError as exc:  # the same link saved at the same moment
        with session_scope(engine=engine) as session:
            ends = [session.get(Initiative, i) for i in (data.from_id, data.to_id)]
        a, b = (end.number if end else "?" for end in ends)
        raise PortfolioRefused("duplicate_link", {"a": a, "b": b}) from exc


def update_link(
    actor: Actor,
    link_id: int,
    data: InitiativeLinkUpdate,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """Change a link's kind or note, shown with fingerprint seen; False when nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _locked(session, InitiativeLink, LINK, link_id, seen)
        before = row.model_dump(warnings=False)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("kind") is not None:
            _check_link(session, row.from_id, row.to_id, changes["kind"], link_id)
            row.kind = changes["kind"]
        if "note" in changes:
            row.note = changes["note"]
        after = row.model_dump(warnings=False)
        if after == before:
            return False
        session.add(row)
        audit.record(session, actor, "update", LINK, link_id, before=before, after=after)
        return True


def delete_link(actor: Actor, link_id: int, *, seen: str, engine: Engine | None = None) -> None:
    """Remove a link shown with fingerprint seen."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _locked(session, InitiativeLink, LINK, link_id, seen)
        before = row.model_dump(warnings=False)
        for step in session.exec(select(LinkStep).where(LinkStep.link_id == link_id)).all():
            # the link's steps on the coordination staircase go with it (the audit keeps them)
            audit.record(
                session,
                actor,
                "delete",
                "link_step",
                step.id,
                before=step.model_dump(warnings=False),
            )
            session.delete(step)
        session.flush()
        session.delete(row)
        audit.record(session, actor, "delete", LINK, link_id, before=before)
