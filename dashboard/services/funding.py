"""Funding streams per initiative (Halogen's funding-stream model, seed 001; finding V).

An initiative has zero or more streams, each allocated (tildelt) or applied for (søkt), with
the funding organisation and a short note when known; no amounts (the documents give none per
initiative). No stream recorded is «ikke vurdert». Who may change them is who may assess an
initiative's step on the coordination staircase (dashboard.services.method): the operative
group and the secretariat (Action.MANAGE_PORTFOLIO). Every change is audited, and a save over a
colleague's change since the form was shown is refused (StaleRow).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from dashboard.services.portfolio_edit import PortfolioRefused, last_change
from models import (
    FundingInput,
    FundingState,
    FundingStream,
    Initiative,
    InitiativeFunding,
    Organisation,
)
from models.reporting import utcnow

ENTITY = "initiative_funding"
STREAMS = [s.value for s in FundingStream]
STATES = [s.value for s in FundingState]


@dataclass(frozen=True)
class Stream:
    """One funding stream of an initiative as the page shows it."""

    id: int
    stream: str
    state: str
    funder_id: int | None
    funder: str | None  # the funding organisation's short name
    note: str | None
    version: int


def _check(session: Session, initiative_id: int, data: FundingInput, row_id: int | None) -> None:
    """Refuse an unknown initiative or funder, or a stream the initiative already has (the same
    stream, state and funder)."""
    if session.get(Initiative, initiative_id) is None:
        raise PortfolioRefused("no_initiative")
    if data.funder_id is not None and session.get(Organisation, data.funder_id) is None:
        raise PortfolioRefused("no_funder")
    same = select(InitiativeFunding.id).where(
        InitiativeFunding.initiative_id == initiative_id,
        InitiativeFunding.stream == data.stream,
        InitiativeFunding.state == data.state,
        col(InitiativeFunding.funder_id).is_(None)
        if data.funder_id is None
        else InitiativeFunding.funder_id == data.funder_id,
    )
    if any(found != row_id for found in session.exec(same).all()):
        raise PortfolioRefused("duplicate_stream")


def add_stream(
    actor: Actor, initiative_id: int, data: FundingInput, *, engine: Engine | None = None
) -> int:
    """Record a stream that carries the initiative; returns its id."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        _check(session, initiative_id, data, None)
        row = InitiativeFunding(
            initiative_id=initiative_id, recorded_by_id=actor.id, **data.model_dump()
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(session, actor, "create", ENTITY, row.id, after=row.model_dump(warnings=False))
        return row.id


def _row(session: Session, row_id: int, version: int) -> InitiativeFunding:
    """The stream as the form showed it (its version), locked; StaleRow when changed or gone."""
    row = session.get(InitiativeFunding, row_id, with_for_update=True)
    if row is None or row.version != version:
        raise last_change(session, ENTITY, row_id)
    return row


def update_stream(
    actor: Actor, row_id: int, data: FundingInput, *, version: int, engine: Engine | None = None
) -> bool:
    """Change a stream, over the version the form showed; False when nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _row(session, row_id, version)
        fields = data.model_dump()
        if all(getattr(row, k) == v for k, v in fields.items()):
            return False
        _check(session, row.initiative_id, data, row_id)
        before = row.model_dump(warnings=False)
        for name, value in fields.items():
            setattr(row, name, value)
        row.recorded_by_id, row.recorded_at, row.version = actor.id, utcnow(), row.version + 1
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "update",
            ENTITY,
            row_id,
            before=before,
            after=row.model_dump(warnings=False),
        )
        return True


def delete_stream(actor: Actor, row_id: int, *, version: int, engine: Engine | None = None) -> None:
    """Remove a stream, as the form showed it."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _row(session, row_id, version)
        before = row.model_dump(warnings=False)
        session.delete(row)
        audit.record(session, actor, "delete", ENTITY, row_id, before=before)


# --- reading -----------------------------------------------------------------------------------


def initiative_streams(session: Session, initiative_id: int) -> list[Stream]:
    """The initiative's streams in the model's order ([]: not assessed, «ikke vurdert»)."""
    rows = session.exec(
        select(InitiativeFunding, Organisation.short_name)
        .outerjoin(Organisation, col(Organisation.id) == InitiativeFunding.funder_id)
        .where(InitiativeFunding.initiative_id == initiative_id)
    ).all()
    found = [
        Stream(r.id or 0, str(r.stream), str(r.state), r.funder_id, funder, r.note, int(r.version))
        for r, funder in rows
    ]
    return sorted(found, key=lambda s: (STREAMS.index(s.stream), STATES.index(s.state), s.id))


def funder_choices(session: Session) -> list[tuple[int, str]]:
    """Every organisation as (id, 'short name – name'), by short name."""
    rows = session.exec(
        select(Organisation.id, Organisation.short_name, Organisation.name).order_by(
            col(Organisation.short_name)
        )
    ).all()
    return [(int(i), s if s == n else f"{s} – {n}") for i, s, n in rows if i is not None]


def portfolio_by_stream(
    session: Session, mission_id: int, numbers: Iterable[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chosen initiatives (all, or those with these numbers) by stream: a frame with
    stream, allocated, applied_for (how many initiatives each stream carries, by state; an
    initiative counts once per stream and state) and one of the initiatives with no stream
    recorded (number, name)."""
    chosen = None if numbers is None else set(numbers)
    initiatives = {
        i: (n, name)
        for i, n, name in session.exec(
            select(Initiative.id, Initiative.number, Initiative.name)
            .where(Initiative.mission_id == mission_id)
            .order_by(col(Initiative.number))
        ).all()
        if i is not None and (chosen is None or n in chosen)
    }
    pairs = {
        (i, str(stream), str(state))
        for i, stream, state in session.exec(
            select(
                InitiativeFunding.initiative_id, InitiativeFunding.stream, InitiativeFunding.state
            ).where(col(InitiativeFunding.initiative_id).in_(list(initiatives)))
        ).all()
    }
    rows = [
        {
            "stream": stream,
            **{
                state: sum(1 for _, s, t in pairs if s == stream and t == state) for state in STATES
            },
        }
        for stream in STREAMS
    ]
    counts = pd.DataFrame(rows, columns=["stream", *STATES])
    carried = {i for i, _, _ in pairs}
    missing = pd.DataFrame(
        [{"number": n, "name": name} for i, (n, name) in initiatives.items() if i not in carried],
        columns=["number", "name"],
    )
    return counts, missing
