"""Queries about the portfolio of initiatives."""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.i18n import sort_key
from dashboard.services.common import fetch, frame_of
from dashboard.services.indicators import visible_statuses
from models import (
    CheckIn,
    Contribution,
    Goal,
    GoalCategory,
    Indicator,
    Initiative,
    InitiativeLink,
    InitiativeOrganisation,
    Organisation,
    OrganisationRole,
    Period,
)

UNIT_SEPARATOR = "\x1f"  # cannot occur in a name (control characters are refused)
INITIATIVE_FIELDS = [
    "number",
    "name",
    "status",
    "start_year",
    "end_year",
    "scope",
    "region",
    "category",
    "focus",
    "arenas",
    "system_levels",
    "orientation",
    "description",
]
PORTFOLIO_COLUMNS = [
    *INITIATIVE_FIELDS[:-1],  # all but the description, which comes last
    "responsible",
    "involved",
    "organisation_ids",
    "responsible_ids",
    "description",
]


@dataclass(frozen=True)
class PortfolioFilter:
    """What a user narrowed the portfolio to; empty means everything."""

    categories: tuple[int, ...] = ()
    focus: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    organisations: tuple[int, ...] = ()


def _joined(role: OrganisationRole) -> Any:
    """The short names of an initiative's organisations in one role, joined in SQL."""
    name = sa.case((col(InitiativeOrganisation.role) == role, col(Organisation.short_name)))
    return sa.func.aggregate_strings(name, UNIT_SEPARATOR)


def _names(joined: str | None) -> str:
    """'Udir, Bufdir' sorted from SQL's separator-joined names."""
    return ", ".join(sorted(joined.split(UNIT_SEPARATOR), key=sort_key)) if joined else ""


def _ids(joined: str | None) -> list[int]:
    """[3, 7] from SQL's comma-joined ids."""
    return [int(i) for i in joined.split(",")] if joined else []


def portfolio(session: Session, mission_id: int) -> pd.DataFrame:
    """One row per initiative with its organisations, in Halogen's order."""
    members = (
        sa.select(
            col(InitiativeOrganisation.initiative_id).label("initiative_id"),
            _joined(OrganisationRole.RESPONSIBLE).label("responsible"),
            _joined(OrganisationRole.INVOLVED).label("involved"),
            sa.func.aggregate_strings(sa.cast(col(Organisation.id), sa.String), ",").label("ids"),
            sa.func.aggregate_strings(
                sa.case(
                    (
                        col(InitiativeOrganisation.role) == OrganisationRole.RESPONSIBLE,
                        sa.cast(col(Organisation.id), sa.String),
                    )
                ),
                ",",
            ).label("responsible_ids"),
        )
        .join(Organisation, col(Organisation.id) == InitiativeOrganisation.organisation_id)
        .group_by(col(InitiativeOrganisation.initiative_id))
        .subquery()
    )
    rows = fetch(
        session,
        sa.select(
            *(col(getattr(Initiative, name)) for name in INITIATIVE_FIELDS),
            members.c.responsible,
            members.c.involved,
            members.c.ids,
            members.c.responsible_ids,
        )
        .outerjoin(members, members.c.initiative_id == Initiative.id)
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number)),
    )
    width = len(INITIATIVE_FIELDS)
    frame = frame_of([row[:width] for row in rows], INITIATIVE_FIELDS)
    focus = INITIATIVE_FIELDS.index("focus")
    arenas = INITIATIVE_FIELDS.index("arenas")
    frame["focus"] = [list(row[focus] or []) for row in rows]
    frame["arenas"] = [list(row[arenas] or []) for row in rows]
    levels = INITIATIVE_FIELDS.index("system_levels")
    frame["system_levels"] = [list(row[levels] or []) for row in rows]
    # SQL does not promise an order inside a group, so the names are sorted here
    frame["responsible"] = [_names(row[width]) for row in rows]
    frame["involved"] = [_names(row[width + 1]) for row in rows]
    frame["organisation_ids"] = [_ids(row[width + 2]) for row in rows]
    frame["responsible_ids"] = [_ids(row[width + 3]) for row in rows]
    frame = frame[PORTFOLIO_COLUMNS]
    return frame.astype({"start_year": "Int64", "end_year": "Int64", "category": "Int64"})


def apply_filter(frame: pd.DataFrame, chosen: PortfolioFilter) -> pd.DataFrame:
    """The rows of a portfolio frame that match every chosen criterion."""
    mask = pd.Series(True, index=frame.index)
    if chosen.categories:
        mask &= frame["category"].isin(chosen.categories)
    if chosen.statuses:
        mask &= frame["status"].isin(chosen.statuses)
    if chosen.scopes:
        mask &= frame["scope"].isin(chosen.scopes)
    if chosen.focus:
        wanted = set(chosen.focus)
        mask &= frame["focus"].map(lambda values: bool(wanted & set(values)))
    if chosen.organisations:
        orgs = set(chosen.organisations)
        mask &= frame["organisation_ids"].map(lambda ids: bool(orgs & set(ids)))
    return frame[mask]


def categories(session: Session) -> pd.DataFrame:
    """Halogen's goal categories: number, title, scope."""
    rows = session.exec(select(GoalCategory).order_by(col(GoalCategory.number))).all()
    return pd.DataFrame(
        [{"number": c.number, "title": c.title, "scope": c.scope} for c in rows],
        columns=["number", "title", "scope"],
    )


def portfolio_organisations(session: Session, mission_id: int) -> pd.DataFrame:
    """Organisations taking part in at least one initiative, with their number of initiatives."""
    initiatives = sa.func.count(sa.distinct(col(InitiativeOrganisation.initiative_id)))
    rows = fetch(
        session,
        sa.select(
            col(Organisation.id),
            col(Organisation.short_name),
            col(Organisation.name),
            col(Organisation.kind),
            initiatives.label("initiatives"),
        )
        .join(
            InitiativeOrganisation, col(InitiativeOrganisation.organisation_id) == Organisation.id
        )
        .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
        .where(col(Initiative.mission_id) == mission_id)
        .group_by(col(Organisation.id)),
    )
    rows.sort(key=lambda row: (-row[4], sort_key(row[1])))
    return frame_of(rows, ["id", "short_name", "name", "kind", "initiatives"])


def links(session: Session, mission_id: int, number: int | None = None) -> pd.DataFrame:
    """Links between initiatives (only those touching initiative number, if given)."""
    source = sa.orm.aliased(Initiative)
    target = sa.orm.aliased(Initiative)
    query = (
        sa.select(
            col(source.number),
            col(source.name),
            col(InitiativeLink.kind),
            col(target.number),
            col(target.name),
            col(InitiativeLink.note),
        )
        .join(source, col(source.id) == InitiativeLink.from_id)
        .join(target, col(target.id) == InitiativeLink.to_id)
        .where(col(source.mission_id) == mission_id)
        .order_by(col(source.number), col(target.number), col(InitiativeLink.kind))
    )
    if number is not None:
        query = query.where((col(source.number) == number) | (col(target.number) == number))
    columns = ["from_number", "from_name", "kind", "to_number", "to_name", "note"]
    return frame_of(fetch(session, query), columns)


@dataclass
class InitiativeDetail:
    """Everything the Satsing page shows about one initiative."""

    initiative: Initiative
    category_title: str | None
    responsible: list[Organisation] = field(default_factory=list)
    involved: list[Organisation] = field(default_factory=list)
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    check_ins: pd.DataFrame = field(default_factory=pd.DataFrame)


def initiative_choices(session: Session, mission_id: int) -> list[tuple[int, str]]:
    """(number, name) of every initiative, for a picker."""
    query = (
        select(Initiative.number, Initiative.name)
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number))
    )
    return [(number, name) for number, name in session.exec(query).all()]


def initiative_detail(
    session: Session, mission_id: int, number: int, *, include_unapproved: bool = False
) -> InitiativeDetail | None:
    """One initiative with its organisations, contributions, links, indicators and check-ins."""
    initiative = session.exec(
        select(Initiative).where(Initiative.mission_id == mission_id, Initiative.number == number)
    ).first()
    if initiative is None or initiative.id is None:
        return None
    category = session.get(GoalCategory, initiative.category) if initiative.category else None
    members = session.exec(
        select(InitiativeOrganisation.role, Organisation)
        .join(Organisation, col(Organisation.id) == InitiativeOrganisation.organisation_id)
        .where(InitiativeOrganisation.initiative_id == initiative.id)
    ).all()
    members = sorted(members, key=lambda member: sort_key(member[1].short_name))
    contributions = session.exec(
        select(Goal.code, Goal.title, Contribution)
        .join(Goal, col(Goal.id) == Contribution.goal_id)
        .where(Contribution.initiative_id == initiative.id)
        .order_by(col(Goal.code))
    ).all()
    indicators = session.exec(
        select(Indicator.code, Indicator.name, Indicator.unit).where(
            Indicator.initiative_id == initiative.id
        )
    ).all()
    statuses = visible_statuses(include_unapproved)
    check_ins = session.exec(
        select(Period.label, CheckIn)
        .join(Period, col(Period.id) == CheckIn.period_id)
        .where(
            CheckIn.initiative_id == initiative.id,
            col(CheckIn.status).in_(statuses),
            col(CheckIn.is_correction).is_(False),  # a correction shows once approved
        )
        .order_by(col(Period.start).desc())
    ).all()
    return InitiativeDetail(
        initiative=initiative,
        category_title=category.title if category else None,
        responsible=[o for r, o in members if r == OrganisationRole.RESPONSIBLE],
        involved=[o for r, o in members if r == OrganisationRole.INVOLVED],
        contributions=pd.DataFrame(
            [
                {
                    "goal": code,
                    "title": title,
                    "kind": c.kind,
                    "strength": c.strength,
                    "proposal": c.proposal,
                    "rationale": c.rationale,
                }
                for code, title, c in contributions
            ],
            columns=["goal", "title", "kind", "strength", "proposal", "rationale"],
        ),
        links=links(session, mission_id, number),
        indicators=pd.DataFrame(indicators, columns=["code", "name", "unit"]),
        check_ins=pd.DataFrame(
            [
                {
                    "period": label,
                    "rag": c.rag,
                    "confidence": c.confidence,
                    "progress": c.progress,
                    "next_steps": c.next_steps,
                    "risks": c.risks,
                    "help_needed": c.help_needed,
                    "status": c.status,
                }
                for label, c in check_ins
            ],
            columns=[
                "period",
                "rag",
                "confidence",
                "progress",
                "next_steps",
                "risks",
                "help_needed",
                "status",
            ],
        ),
    )
