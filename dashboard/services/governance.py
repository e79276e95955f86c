"""Queries about governance bodies, deliverables and the mapping's findings."""

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, col, select

from models import BodyMember, Deliverable, Finding, GovernanceBody, MainFinding, Organisation


@dataclass
class Body:
    """A governance body with its members (short name, full name, lead?, note)."""

    body: GovernanceBody
    members: pd.DataFrame


def bodies(session: Session, mission_id: int) -> list[Body]:
    """The governance bodies in their order, with members (lead first)."""
    result = []
    for body in session.exec(
        select(GovernanceBody)
        .where(GovernanceBody.mission_id == mission_id)
        .order_by(col(GovernanceBody.sort_order))
    ).all():
        rows = session.exec(
            select(Organisation.short_name, Organisation.name, BodyMember.lead, BodyMember.note)
            .join(BodyMember, col(BodyMember.organisation_id) == Organisation.id)
            .where(BodyMember.body_id == body.id)
            .order_by(col(BodyMember.lead).desc(), Organisation.short_name)
        ).all()
        members = pd.DataFrame(rows, columns=["short_name", "name", "lead", "note"])
        result.append(Body(body=body, members=members))
    return result


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
