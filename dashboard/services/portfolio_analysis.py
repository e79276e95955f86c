"""The portfolio as a whole: which goals its initiatives cover, where the gaps are, how the
initiatives hang together, when they run, and which organisations carry them."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboard.i18n import sort_key
from dashboard.services.common import fetch, frame_of
from models import (
    BodyMember,
    Contribution,
    ContributionKind,
    Deliverable,
    Goal,
    GovernanceBody,
    Indicator,
    IndicatorGoal,
    Initiative,
    InitiativeOrganisation,
    InitiativeStatus,
    Organisation,
    OrganisationRole,
)

GAPS = ("no_initiative", "only_indirect", "no_indicator")
# How the coverage can be split; list-valued dimensions count an initiative under each value.
DIMENSIONS = ("focus", "arenas", "system_levels", "orientation", "scope")
NOT_GIVEN = "not_given"
CELL_COLUMNS = ["goal_id", "code", "number", "name", "kind", "strength", "proposal"]


@dataclass
class Coverage:
    """Goals with their contributions: one row per goal, and one per contribution (cells)."""

    goals: (
        pd.DataFrame
    )  # goal_id, code, title, level, parent_id, proposal, depth, leaf; a tree walk
    cells: pd.DataFrame  # CELL_COLUMNS
    indicators: list[tuple[int, int]]  # (goal id, indicator id) of each indicator's goal link


def coverage(session: Session, mission_id: int) -> Coverage:
    """The mission's goal tree in order, every contribution to it, and its indicator counts."""
    goal_rows = fetch(
        session,
        sa.select(
            col(Goal.id),
            col(Goal.code),
            col(Goal.title),
            col(Goal.level),
            col(Goal.parent_id),
            col(Goal.proposal),
        )
        .where(col(Goal.mission_id) == mission_id)
        .order_by(col(Goal.sort_order), col(Goal.code)),
    )
    parent = {row[0]: row[4] for row in goal_rows}
    children: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in goal_rows:  # in sort order, so each goal's children are too
        children.setdefault(row[4] if row[4] in parent else None, []).append(row)
    ordered: list[tuple[tuple[Any, ...], int]] = []  # (row, depth), parents before children

    def walk(goal_id: int | None, depth: int) -> None:
        for row in children.get(goal_id, []):
            ordered.append((row, depth))
            walk(row[0], depth + 1)

    walk(None, 0)
    goals = pd.DataFrame(
        {
            "goal_id": [r[0] for r, _ in ordered],
            "code": [r[1] for r, _ in ordered],
            "title": [r[2] for r, _ in ordered],
            "level": [r[3] for r, _ in ordered],
            "parent_id": [r[4] if r[4] in parent else None for r, _ in ordered],
            "proposal": [bool(r[5]) for r, _ in ordered],
            "depth": [d for _, d in ordered],
            "leaf": [r[0] not in children for r, _ in ordered],
        }
    )
    cells = frame_of(
        fetch(
            session,
            sa.select(
                col(Contribution.goal_id),
                col(Goal.code),
                col(Initiative.number),
                col(Initiative.name),
                col(Contribution.kind),
                col(Contribution.strength),
                col(Contribution.proposal),
            )
            .join(Goal, col(Goal.id) == Contribution.goal_id)
            .join(Initiative, col(Initiative.id) == Contribution.initiative_id)
            .where(col(Initiative.mission_id) == mission_id)
            .order_by(col(Initiative.number)),
        ),
        CELL_COLUMNS,
    )
    linked = fetch(
        session,
        sa.select(col(IndicatorGoal.goal_id), col(IndicatorGoal.indicator_id))
        .join(Goal, col(Goal.id) == IndicatorGoal.goal_id)
        .where(col(Goal.mission_id) == mission_id),
    )
    return Coverage(goals=goals, cells=cells, indicators=[(g, i) for g, i in linked])


def gaps(found: Coverage, numbers: Iterable[int] | None = None) -> pd.DataFrame:
    """Per goal: its initiatives (with a direct contribution, or indirect ones only), its
    indicators, and gap flags; a goal above others counts theirs too.

    Only the goals with nothing below them (the subgoals) are flagged: a goal above them is
    covered through them. numbers narrows the portfolio to those initiatives (a filter).
    """
    cells = found.cells
    if numbers is not None:
        cells = cells[cells["number"].isin(set(numbers))]
    parent = dict(zip(found.goals["goal_id"], found.goals["parent_id"], strict=True))

    def upwards(goal_id: int) -> Iterable[int]:
        """The goal and every goal above it."""
        while goal_id in parent:
            yield goal_id
            goal_id = parent[goal_id]

    every: dict[int, set[int]] = {}
    direct: dict[int, set[int]] = {}
    for goal_id, number, kind in zip(cells["goal_id"], cells["number"], cells["kind"], strict=True):
        for goal in upwards(goal_id):
            every.setdefault(goal, set()).add(number)
            if kind == ContributionKind.DIRECT:
                direct.setdefault(goal, set()).add(number)
    indicators: dict[int, set[int]] = {}
    for goal_id, indicator_id in found.indicators:
        for goal in upwards(goal_id):
            indicators.setdefault(goal, set()).add(indicator_id)
    table = found.goals.copy()

    def counted(found_sets: dict[int, set[int]]) -> list[int]:
        return [len(found_sets.get(g, ())) for g in table["goal_id"]]

    table["initiatives"] = counted(every)
    table["direct"] = counted(direct)
    table["indirect"] = table["initiatives"] - table["direct"]
    table["indicators"] = counted(indicators)
    leaf = table["leaf"]
    table["no_initiative"] = leaf & (table["initiatives"] == 0)
    table["only_indirect"] = leaf & (table["initiatives"] > 0) & (table["direct"] == 0)
    table["no_indicator"] = leaf & (table["indicators"] == 0)
    return table


def wide_matrix(found: Coverage, numbers: Iterable[int]) -> pd.DataFrame:
    """Initiatives (rows) x goals (columns, in tree order): each contribution's strength, empty
    where an initiative does not contribute; for a download."""
    cells = found.cells[found.cells["number"].isin(set(numbers))]
    if cells.empty:
        return pd.DataFrame(columns=["number", "name"])
    # one contribution per (initiative, goal) by constraint, so a plain pivot suffices
    wide = cells.pivot(index=["number", "name"], columns="code", values="strength")
    wide = wide[[c for c in found.goals["code"] if c in wide.columns]]
    return (
        wide.reset_index()
        .sort_values("number", ignore_index=True)
        .astype({c: "Int64" for c in wide.columns})
    )


def shared_profiles(found: Coverage, numbers: Iterable[int]) -> list[tuple[list[str], list[int]]]:
    """Initiatives that contribute directly to exactly the same goals: possible overlaps.

    Each group is (goal codes in tree order, initiative numbers), two initiatives or more,
    the largest group first. Initiatives without a direct contribution are not grouped.
    """
    cells = found.cells[
        found.cells["number"].isin(set(numbers)) & (found.cells["kind"] == ContributionKind.DIRECT)
    ]
    order = {code: i for i, code in enumerate(found.goals["code"])}
    profiles: dict[int, set[str]] = {}
    for number, code in zip(cells["number"], cells["code"], strict=True):
        profiles.setdefault(int(number), set()).add(code)
    groups: dict[tuple[str, ...], list[int]] = {}
    for number, codes in sorted(profiles.items()):
        groups.setdefault(tuple(sorted(codes, key=order.__getitem__)), []).append(number)
    found_groups = [(list(codes), members) for codes, members in groups.items() if len(members) > 1]
    return sorted(found_groups, key=lambda g: (-len(g[1]), g[1][0]))


def _values(item: object) -> list[str]:
    """An initiative's values in one dimension: a list, one value, or 'not given'."""
    if isinstance(item, list | tuple):
        return [str(v) for v in item] or [NOT_GIVEN]
    return [NOT_GIVEN] if item is None or item != item else [str(item)]  # NaN != NaN


def coverage_by(portfolio: pd.DataFrame, found: Coverage, dimension: str) -> pd.DataFrame:
    """Initiatives per goal (rows, in tree order) and value of a dimension (columns).

    The first row, 'all', counts the whole (filtered) portfolio. An initiative with two focus
    types counts under both; one whose value the sources do not give counts as 'not_given'.
    """
    values = {n: _values(v) for n, v in zip(portfolio["number"], portfolio[dimension], strict=True)}
    columns = list(dict.fromkeys(v for vs in values.values() for v in vs))
    rows: dict[object, dict[str, set[int]]] = {"all": {}}
    for number, vs in values.items():
        for v in vs:
            rows["all"].setdefault(v, set()).add(number)
    cells = found.cells[found.cells["number"].isin(values)]
    for goal_id, number in zip(cells["goal_id"], cells["number"], strict=True):
        for v in values[number]:
            rows.setdefault(goal_id, {}).setdefault(v, set()).add(number)
    order = ["all", *found.goals["goal_id"]]
    return pd.DataFrame(
        [[len(rows.get(key, {}).get(c, ())) for c in columns] for key in order],
        index=pd.Index(order, name="goal_id"),
        columns=columns,
    )


# --- network ---------------------------------------------------------------------------------


def clusters(numbers: Iterable[int], pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of initiatives joined by links (directly or through others), largest first;
    an initiative without links is a group of one."""
    root = {n: n for n in numbers}

    def find(n: int) -> int:
        while root[n] != n:
            root[n] = root[root[n]]
            n = root[n]
        return n

    for a, b in pairs:
        if a in root and b in root:
            root[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for n in root:
        groups.setdefault(find(n), []).append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


# --- timeline --------------------------------------------------------------------------------


def timeline(session: Session, mission_id: int, today: dt.date) -> pd.DataFrame:
    """Initiatives (bars from start to end) and deliverables (points) on one time axis.

    An ongoing initiative without an end year runs to today (open_end); one with a single known
    year is drawn over that year; one without any year is left out, as the sources do not say
    when it runs. Columns: kind, number, title, status, start, end, open_end, start_known,
    end_known.
    """
    items = []
    for number, name, status, first, last in fetch(
        session,
        sa.select(
            col(Initiative.number),
            col(Initiative.name),
            col(Initiative.status),
            col(Initiative.start_year),
            col(Initiative.end_year),
        )
        .where(col(Initiative.mission_id) == mission_id)
        .where(col(Initiative.start_year).is_not(None) | col(Initiative.end_year).is_not(None))
        .order_by(col(Initiative.number)),
    ):
        ongoing = last is None and status == InitiativeStatus.ONGOING
        start = dt.date(first or last, 1, 1)
        end = today if ongoing else dt.date(last or first, 12, 31)
        known = (first is not None, last is not None)
        items.append(("initiative", number, name, status, start, max(start, end), ongoing, *known))
    for number, title, status, due, delivered in fetch(
        session,
        sa.select(
            col(Deliverable.number),
            col(Deliverable.title),
            col(Deliverable.status),
            col(Deliverable.due),
            col(Deliverable.delivered),
        )
        .where(col(Deliverable.mission_id) == mission_id)
        .order_by(col(Deliverable.number)),
    ):
        when = delivered or due
        if when is not None:
            items.append(("deliverable", number, title, status, when, when, False, True, True))
    columns = ["kind", "number", "title", "status", "start", "end", "open_end"]
    return frame_of(items, [*columns, "start_known", "end_known"])


def without_years(session: Session, mission_id: int) -> list[tuple[int, str]]:
    """The initiatives whose sources give no start or end year."""
    return [
        (number, name)
        for number, name in fetch(
            session,
            sa.select(col(Initiative.number), col(Initiative.name))
            .where(col(Initiative.mission_id) == mission_id)
            .where(col(Initiative.start_year).is_(None), col(Initiative.end_year).is_(None))
            .order_by(col(Initiative.number)),
        )
    ]


# --- organisations ---------------------------------------------------------------------------

LOAD_COLUMNS = ["id", "key", "short_name", "name", "kind", "responsible", "involved", "bodies"]
LOAD_COLUMNS += ["indicators"]


def organisation_load(session: Session, mission_id: int) -> pd.DataFrame:
    """Every organisation with a part in the mission: initiatives it is responsible for or
    involved in, seats in governance bodies, indicators it reports; the heaviest first."""
    counted: dict[int, dict[str, int]] = {}

    def add(rows: list[tuple[Any, ...]], names: list[str]) -> None:
        for org_id, *counts in rows:
            entry = counted.setdefault(int(org_id), {})
            entry.update(zip(names, (int(c) for c in counts), strict=True))

    roles = [
        sa.func.sum(sa.case((col(InitiativeOrganisation.role) == role, 1), else_=0))
        for role in (OrganisationRole.RESPONSIBLE, OrganisationRole.INVOLVED)
    ]
    add(
        fetch(
            session,
            sa.select(col(InitiativeOrganisation.organisation_id), *roles)
            .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
            .where(col(Initiative.mission_id) == mission_id)
            .group_by(col(InitiativeOrganisation.organisation_id)),
        ),
        ["responsible", "involved"],
    )
    add(
        fetch(
            session,
            sa.select(col(BodyMember.organisation_id), sa.func.count())
            .join(GovernanceBody, col(GovernanceBody.id) == BodyMember.body_id)
            .where(col(GovernanceBody.mission_id) == mission_id)
            .group_by(col(BodyMember.organisation_id)),
        ),
        ["bodies"],
    )
    add(
        fetch(
            session,
            sa.select(col(Indicator.responsible_org_id), sa.func.count())
            .where(col(Indicator.mission_id) == mission_id)
            .where(col(Indicator.responsible_org_id).is_not(None))
            .group_by(col(Indicator.responsible_org_id)),
        ),
        ["indicators"],
    )
    orgs = fetch(
        session,
        sa.select(
            col(Organisation.id),
            col(Organisation.key),
            col(Organisation.short_name),
            col(Organisation.name),
            col(Organisation.kind),
        ).where(col(Organisation.id).in_(list(counted))),
    )
    rows = [(*org, *(counted[org[0]].get(c, 0) for c in LOAD_COLUMNS[5:])) for org in orgs]
    rows.sort(key=lambda r: (-r[5], -(r[5] + r[6]), sort_key(r[2])))
    return frame_of(rows, LOAD_COLUMNS)


@dataclass
class OrganisationProfile:
    """One organisation's part in the mission."""

    organisation: Organisation
    initiatives: pd.DataFrame  # number, name, role, status
    bodies: pd.DataFrame  # key, name, kind, lead, note
    indicators: pd.DataFrame  # code, name, level


def organisation_profile(session: Session, mission_id: int, key: str) -> OrganisationProfile | None:
    """The initiatives, governance seats and reported indicators of the organisation with key."""
    org = session.exec(select(Organisation).where(Organisation.key == key)).first()
    if org is None:
        return None
    initiatives = fetch(
        session,
        sa.select(
            col(Initiative.number),
            col(Initiative.name),
            col(InitiativeOrganisation.role),
            col(Initiative.status),
        )
        .join(InitiativeOrganisation, col(InitiativeOrganisation.initiative_id) == Initiative.id)
        .where(col(Initiative.mission_id) == mission_id)
        .where(col(InitiativeOrganisation.organisation_id) == org.id)
        .order_by(col(InitiativeOrganisation.role).desc(), col(Initiative.number)),
    )
    bodies = fetch(
        session,
        sa.select(
            col(GovernanceBody.key),
            col(GovernanceBody.name),
            col(GovernanceBody.kind),
            col(BodyMember.lead),
            col(BodyMember.note),
        )
        .join(BodyMember, col(BodyMember.body_id) == GovernanceBody.id)
        .where(col(GovernanceBody.mission_id) == mission_id)
        .where(col(BodyMember.organisation_id) == org.id)
        .order_by(col(GovernanceBody.sort_order)),
    )
    indicators = fetch(
        session,
        sa.select(col(Indicator.code), col(Indicator.name), col(Indicator.level))
        .where(col(Indicator.mission_id) == mission_id)
        .where(col(Indicator.responsible_org_id) == org.id)
        .order_by(col(Indicator.code)),
    )
    return OrganisationProfile(
        organisation=org,
        initiatives=frame_of(initiatives, ["number", "name", "role", "status"]),
        bodies=frame_of(bodies, ["key", "name", "kind", "lead", "note"]),
        indicators=frame_of(indicators, ["code", "name", "level"]),
    )
