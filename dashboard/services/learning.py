"""The learning log per initiative (finding H, seed 001: feedback loops and systematic sharing
between initiatives are weak or absent): what was learnt, shared with whom (a text and/or
organisations), when, and who recorded it.

An entry belongs to every reporting period its date falls in (Period.start <= learnt_on <=
Period.end, as periods are defined in models.reporting; an annual and a quarterly period may
both hold it), and the status report of a period lists that period's entries. Who may write
is who may assess an initiative's step on the coordination staircase (dashboard.services.method):
the operative group and the secretariat (Action.MANAGE_PORTFOLIO). Every change is audited, and
a save over a colleague's change since the form was shown is refused (StaleRow).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.missions import role_column
from dashboard.services.permissions import Action, Actor
from dashboard.services.portfolio_edit import PortfolioRefused, last_change
from models import (
    Initiative,
    LearningEntry,
    LearningInput,
    LearningShare,
    Organisation,
    Period,
    User,
)
from models.reporting import utcnow

ENTITY = "learning_entry"


@dataclass(frozen=True)
class Entry:
    """One learning-log entry as the page shows it."""

    id: int
    learnt: str
    shared_with: str | None
    organisation_ids: list[int]
    organisations: list[str]  # their short names
    learnt_on: dt.date
    recorded_by: str | None  # e-mail of who recorded it last, for internal readers only
    recorder_role: str | None  # the role and organisation of that account (for everyone)
    recorder_org: str | None
    recorded_at: dt.datetime
    periods: list[str]  # the labels of the periods its date falls in
    version: int


def _organisations(session: Session, ids: list[int]) -> list[int]:
    """ids without repeats, refused when one is no organisation."""
    chosen = list(dict.fromkeys(ids))
    known = set(session.exec(select(Organisation.id).where(col(Organisation.id).in_(chosen))).all())
    if set(chosen) - known:
        raise PortfolioRefused("no_organisation")
    return chosen


def _state(session: Session, row: LearningEntry) -> dict[str, Any]:
    """The entry and the organisations it was shared with, for the audit log."""
    shares = session.exec(
        select(LearningShare.organisation_id)
        .where(LearningShare.entry_id == row.id)
        .order_by(col(LearningShare.organisation_id))
    ).all()
    return {**row.model_dump(warnings=False), "organisation_ids": list(shares)}


def _share(session: Session, entry_id: int, organisation_ids: list[int]) -> None:
    session.execute(sa.delete(LearningShare).where(col(LearningShare.entry_id) == entry_id))
    session.add_all(LearningShare(entry_id=entry_id, organisation_id=o) for o in organisation_ids)


def add_entry(
    actor: Actor, initiative_id: int, data: LearningInput, *, engine: Engine | None = None
) -> int:
    """Add an entry to the initiative's learning log; returns its id."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        if session.get(Initiative, initiative_id) is None:
            raise PortfolioRefused("no_initiative")
        organisations = _organisations(session, data.organisation_ids)
        row = LearningEntry(
            initiative_id=initiative_id,
            recorded_by_id=actor.id,
            **data.model_dump(exclude={"organisation_ids"}),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        _share(session, row.id, organisations)
        session.flush()
        audit.record(session, actor, "create", ENTITY, row.id, after=_state(session, row))
        return row.id


def _row(session: Session, entry_id: int, version: int) -> LearningEntry:
    """The entry as the form showed it (its version), locked; StaleRow when changed or gone."""
    row = session.get(LearningEntry, entry_id, with_for_update=True)
    if row is None or row.version != version:
        raise last_change(session, ENTITY, entry_id)
    return row


def update_entry(
    actor: Actor, entry_id: int, data: LearningInput, *, version: int, engine: Engine | None = None
) -> bool:
    """Change an entry, over the version the form showed; False when nothing changed."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _row(session, entry_id, version)
        before = _state(session, row)
        organisations = _organisations(session, data.organisation_ids)
        fields = data.model_dump(exclude={"organisation_ids"})
        if all(before[k] == v for k, v in fields.items()) and sorted(organisations) == sorted(
            before["organisation_ids"]
        ):
            return False
        for name, value in fields.items():
            setattr(row, name, value)
        row.recorded_by_id, row.recorded_at, row.version = actor.id, utcnow(), row.version + 1
        session.add(row)
        _share(session, entry_id, organisations)
        session.flush()
        audit.record(
            session, actor, "update", ENTITY, entry_id, before=before, after=_state(session, row)
        )
        return True


def delete_entry(
    actor: Actor, entry_id: int, *, version: int, engine: Engine | None = None
) -> None:
    """Remove an entry from the log, as the form showed it."""
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        row = _row(session, entry_id, version)
        before = _state(session, row)
        _share(session, entry_id, [])
        session.flush()
        session.delete(row)
        audit.record(session, actor, "delete", ENTITY, entry_id, before=before)


# --- reading -----------------------------------------------------------------------------------


def periods_of(session: Session, mission_id: int, day: dt.date) -> list[Period]:
    """The mission's reporting periods a date falls in (start and end included), earliest
    start first."""
    return list(
        session.exec(
            select(Period)
            .where(
                Period.mission_id == mission_id, col(Period.start) <= day, col(Period.end) >= day
            )
            .order_by(col(Period.start), col(Period.id))
        ).all()
    )


def initiative_entries(session: Session, initiative_id: int, *, internal: bool) -> list[Entry]:
    """The initiative's learning log, newest first (by date, then by when it was recorded).
    Who recorded an entry is named by e-mail for internal readers only (internal); others get
    the account's role and organisation, as in an indicator's history."""
    rows = session.exec(
        select(
            LearningEntry,
            User.email,
            role_column(
                sa.select(col(Initiative.mission_id))
                .where(col(Initiative.id) == initiative_id)
                .scalar_subquery()
            ),
            Organisation.short_name,
        )
        .outerjoin(User, col(User.id) == LearningEntry.recorded_by_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(LearningEntry.initiative_id == initiative_id)
        .order_by(
            col(LearningEntry.learnt_on).desc(),
            col(LearningEntry.recorded_at).desc(),
            col(LearningEntry.id).desc(),
        )
    ).all()
    ids = [r.id for r, *_ in rows]
    shares: dict[int, list[tuple[int, str]]] = {}
    for entry_id, org_id, short in session.exec(
        select(LearningShare.entry_id, Organisation.id, Organisation.short_name)
        .join(Organisation, col(Organisation.id) == LearningShare.organisation_id)
        .where(col(LearningShare.entry_id).in_(ids))
        .order_by(col(Organisation.short_name))
    ).all():
        shares.setdefault(entry_id, []).append((int(org_id or 0), short))
    periods = session.exec(
        select(Period)
        .join(Initiative, col(Initiative.mission_id) == Period.mission_id)
        .where(Initiative.id == initiative_id)
        .order_by(col(Period.start), col(Period.id))
    ).all()
    return [
        Entry(
            id=r.id or 0,
            learnt=r.learnt,
            shared_with=r.shared_with,
            organisation_ids=[o for o, _ in shares.get(r.id or 0, [])],
            organisations=[s for _, s in shares.get(r.id or 0, [])],
            learnt_on=r.learnt_on,
            recorded_by=email if internal else None,
            recorder_role=None if role is None else str(role),
            recorder_org=org,
            recorded_at=r.recorded_at,
            periods=[p.label for p in periods if p.start <= r.learnt_on <= p.end],
            version=int(r.version),
        )
        for r, email, role, org in rows
    ]


def period_entries(session: Session, mission_id: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The mission's learning-log entries dated within start..end (a period), by date and
    initiative: entry_id, number, name, learnt, shared_with (the text and the organisations'
    short names, joined), learnt_on."""
    rows = session.exec(
        select(LearningEntry, Initiative.number, Initiative.name)
        .join(Initiative, col(Initiative.id) == LearningEntry.initiative_id)
        .where(
            Initiative.mission_id == mission_id,
            col(LearningEntry.learnt_on) >= start,
            col(LearningEntry.learnt_on) <= end,
        )
        .order_by(col(LearningEntry.learnt_on), col(Initiative.number), col(LearningEntry.id))
    ).all()
    names: dict[int, list[str]] = {}
    for entry_id, short in session.exec(
        select(LearningShare.entry_id, Organisation.short_name)
        .join(Organisation, col(Organisation.id) == LearningShare.organisation_id)
        .where(col(LearningShare.entry_id).in_([r.id for r, _, _ in rows]))
        .order_by(col(Organisation.short_name))
    ).all():
        names.setdefault(entry_id, []).append(short)
    records = [
        {
            "entry_id": r.id,
            "number": number,
            "name": name,
            "learnt": r.learnt,
            "shared_with": shared_text(r.shared_with, names.get(r.id or 0, [])),
            "learnt_on": r.learnt_on,
        }
        for r, number, name in rows
    ]
    columns = ["entry_id", "number", "name", "learnt", "shared_with", "learnt_on"]
    return pd.DataFrame(records, columns=columns)


def shared_text(text: str | None, organisations: list[str]) -> str | None:
    """With whom an entry was shared, in one line: the organisations, then the text."""
    parts = [", ".join(organisations)] if organisations else []
    if text:
        parts.append(text)
    return "; ".join(parts) or None
