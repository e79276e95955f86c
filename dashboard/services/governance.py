"""Queries about governance bodies, deliverables and the mapping's findings."""

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.i18n import sort_key
from dashboard.services.common import fetch
from models import BodyMember, Deliverable, Finding, GovernanceBody, MainFinding, Organisation


@dataclass
class Body:
    """A governance body with its members (short name, full name, lead?, note)."""

    body: GovernanceBody
    members: pd.DataFrame


def bodies(session: Session, mission_id: int) -> list[Body]:
    """The governance bodies in their order, with members (lead first)."""
    found = session.exec(
        select(GovernanceBody)
        .where(GovernanceBody.mission_id == mission_id)
        .order_by(col(GovernanceBody.sort_order))
    ).all()
    rows = fetch(
        session,
        sa.select(
            col(BodyMember.body_id),
            col(Organisation.short_name),
            col(Organisation.name),
            col(BodyMember.lead),
            col(BodyMember.note),
        )
        .join(BodyMember, col(BodyMember.organisation_id) == Organisation.id)
        .join(GovernanceBody, col(GovernanceBody.id) == BodyMember.body_id)
        .where(col(GovernanceBody.mission_id) == mission_id),
    )
    rows.sort(key=lambda row: (not row[3], sort_key(row[1])))  # the lead first, then by name
    members: dict[int, list[tuple[object, ...]]] = {}
    for body_id, *member in rows:
        members.setdefault(body_id, []).append(tuple(member))
    columns = ["short_name", "name", "lead", "note"]
    return [
        Body(body=body, members=pd.DataFrame(members.get(body.id or 0, []), columns=columns))
        for body in found
    ]


def deliverables(session: Session, mission_id: int) -> pd.DataFrame:
    """The design-phase deliverables in number order."""
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.mission_id == mission_id)
        .order_by(col(Deliverable.number))
    ).all()
    columns = [
        "number",
        "title",
        "description",
        "due",
        "delivered",
        "date_precision",
        "status",
        "note",
    ]
    return pd.DataFrame(
        [d.model_dump(include=set(columns), warnings=False) for d in rows], columns=columns
    )


def findings(session: Session, mission_id: int) -> pd.DataFrame:
    """The sub-findings A-W with their main finding and theme."""
    rows = session.exec(
        select(MainFinding, Finding)
        .join(Finding, col(Finding.main_finding_id) == MainFinding.id)
        .where(MainFinding.mission_id == mission_id)
        .order_by(col(MainFinding.number), col(Finding.letter))
    ).all()
    return pd.DataFrame(
        [
            {
                "main_number": m.number,
                "main_title": m.title,
                "theme": m.theme,
                "theme_inferred": m.theme_inferred,
                "letter": f.letter,
                "title": f.title,
            }
            for m, f in rows
        ],
        columns=["main_number", "main_title", "theme", "theme_inferred", "letter", "title"],
    )
