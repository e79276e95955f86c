"""Children's and young people's involvement in each initiative: whether they take part, how
(a short method), in which phases, roughly how many, and how far on Roger Hart's ladder of
participation (Hart 1992; rungs 1-3 are non-participation). No row is «ikke vurdert», which is
not the same as «assessed: no involvement».

The same right as the mission method's steps and levels (dashboard.services.method): admin (the
secretariat) and the operative group may change it (Action.MANAGE_PORTFOLIO); every change is
audited, and a save over a colleague's change since the form was shown is refused (StaleRow).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from dashboard.services.portfolio_edit import PortfolioRefused, last_change
from models import (
    RUNGS,
    Initiative,
    InitiativeInvolvement,
    Involvement,
    NoInvolvement,
)
from models.reporting import utcnow

ENTITY = "initiative_involvement"
NONE = "none"  # assessed: no involvement (a level of its own beside the rungs)
NOT_ASSESSED = "not_assessed"
LEVELS: list[int | str] = [NOT_ASSESSED, NONE, *RUNGS]  # the portfolio's order


@dataclass(frozen=True)
class InvolvementNow:
    """An initiative's involvement as its page shows it (row None: not assessed)."""

    row: InitiativeInvolvement | None
    seen: str  # what the form showed: a save over a change since is refused

    @property
    def level(self) -> int | str:
        """The rung, NONE or NOT_ASSESSED."""
        return level_of(self.row)


def level_of(row: InitiativeInvolvement | None) -> int | str:
    if row is None:
        return NOT_ASSESSED
    return int(row.rung) if row.involved and row.rung is not None else NONE


def _seen(row: InitiativeInvolvement | None) -> str:
    return "" if row is None else f"{row.id}|{row.assessed_at.isoformat()}"


def _row(session: Session, initiative_id: int, lock: bool = False) -> InitiativeInvolvement | None:
    query = select(InitiativeInvolvement).where(
        InitiativeInvolvement.initiative_id == initiative_id
    )
    return session.exec(query.with_for_update() if lock else query).first()


def involvement(session: Session, initiative_id: int) -> InvolvementNow:
    """The initiative's involvement now, with the fingerprint its form saves over."""
    row = _row(session, initiative_id)
    return InvolvementNow(row, _seen(row))


def _fields(row: InitiativeInvolvement) -> tuple[Any, ...]:
    return (row.involved, row.method, row.rung, [str(p) for p in row.phases], row.participants)


def save_involvement(
    actor: Actor,
    initiative_id: int,
    data: Involvement | NoInvolvement | None,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """Store the initiative's involvement (None: back to not assessed) over what the form
    showed (seen); False when it was already so."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        if session.get(Initiative, initiative_id) is None:
            raise PortfolioRefused("no_initiative")
        row = _row(session, initiative_id, lock=True)
        if _seen(row) != seen:
            raise last_change(session, ENTITY, initiative_id)
        if row is None and data is None:
            return False
        before = row.model_dump(mode="json", warnings=False) if row is not None else None
        if data is None:
            assert row is not None
            session.delete(row)
            audit.record(session, actor, "delete", ENTITY, initiative_id, before=before)
            return True
        values: dict[str, Any] = {
            "involved": data.involved,
            "method": getattr(data, "method", None),
            "rung": getattr(data, "rung", None),
            "phases": list(getattr(data, "phases", [])),
            "participants": getattr(data, "participants", None),
        }
        candidate = InitiativeInvolvement(initiative_id=initiative_id, **values)
        if row is not None and _fields(row) == _fields(candidate):
            return False
        if row is None:
            row = candidate
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.assessed_at = utcnow()
        row.assessed_by_id = actor.id
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "update" if before else "create",
            ENTITY,
            initiative_id,
            before=before,
            after=row.model_dump(mode="json", warnings=False),
        )
        return True


# --- the portfolio -----------------------------------------------------------------------------


def portfolio_involvement(
    session: Session, mission_id: int, numbers: Iterable[int] | None = None
) -> pd.DataFrame:
    """Each initiative of the mission (only those numbered in numbers, when given) with its
    involvement: number, name, level (a rung, NONE or NOT_ASSESSED), method, phases,
    participants; by number."""
    chosen = None if numbers is None else set(numbers)
    rows = session.exec(
        select(Initiative, InitiativeInvolvement)
        .outerjoin(InitiativeInvolvement, col(InitiativeInvolvement.initiative_id) == Initiative.id)
        .where(Initiative.mission_id == mission_id)
        .order_by(col(Initiative.number))
    ).all()
    records = [
        {
            "number": initiative.number,
            "name": initiative.name,
            "level": level_of(found),
            "method": found.method if found else None,
            "phases": [str(p) for p in found.phases] if found else [],
            "participants": str(found.participants) if found and found.participants else None,
        }
        for initiative, found in rows
        if chosen is None or initiative.number in chosen
    ]
    columns = ["number", "name", "level", "method", "phases", "participants"]
    return pd.DataFrame.from_records(records, columns=columns)


def portfolio_by_rung(frame: pd.DataFrame) -> pd.DataFrame:
    """How many of the initiatives in frame (portfolio_involvement's) stand at each level:
    columns level, initiatives, in LEVELS' order (every level, zero or not)."""
    counts = frame["level"].value_counts() if not frame.empty else pd.Series(dtype=int)
    levels = pd.Series(LEVELS, dtype=object)
    return pd.DataFrame({"level": levels, "initiatives": [int(counts.get(v, 0)) for v in LEVELS]})
