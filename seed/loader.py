"""Load the real mission from seed/data/*.yaml into the database, idempotently."""

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from models import (
    AuditEvent,
    BodyMember,
    Contribution,
    ContributionCreate,
    DatePrecision,
    Deliverable,
    DeliverableCreate,
    EntryStatus,
    EtatsTask,
    EtatsTaskInitiative,
    EtatsTaskOrganisation,
    Finding,
    FundingInput,
    Goal,
    GoalCategory,
    GoalCreate,
    GovernanceBody,
    GovernanceBodyCreate,
    Indicator,
    IndicatorCreate,
    IndicatorGoal,
    IndicatorValue,
    IndicatorValueCreate,
    Initiative,
    InitiativeCreate,
    InitiativeFunding,
    InitiativeLink,
    InitiativeLinkCreate,
    InitiativeOrganisation,
    MainFinding,
    Mission,
    MissionCreate,
    Organisation,
    OrganisationCreate,
    OrganisationRole,
    Period,
    PeriodKind,
    Phase,
    PhaseUpdate,
    TaskInput,
    TaskRole,
)
from seed.upsert import replace_children, upsert

DATA = Path(__file__).parent / "data"


def read(name: str) -> Any:
    """The parsed content of one seed file."""
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def load_real(engine: Engine | None = None) -> int:
    """Load (or refresh) the real mission; returns the mission's id."""
    with session_scope(write=True, engine=engine) as session:
        orgs = _organisations(session)
        mission = _mission(session)
        assert mission.id is not None
        goals = _goals(session, mission.id, read("mission")["goals"], None)
        _categories(session)
        initiatives = _initiatives(session, mission.id, orgs)
        _contributions(session, initiatives, goals)
        _links(session, initiatives)
        _indicators(session, mission.id, orgs, goals, initiatives)
        _governance(session, mission.id, orgs)
        phases = _phases(session, mission.id)
        _deliverables(session, mission.id, phases)
        _tasks(session, mission.id, orgs, initiatives)
        _findings(session, mission.id)
        _funding(session, initiatives, orgs)
        session.add(AuditEvent(action="seed", entity="mission", entity_id=str(mission.id)))
        return mission.id


def _organisations(session: Session) -> dict[str, int]:
    ids = {}
    for row in read("organisations"):
        data = OrganisationCreate.model_validate(row).model_dump()
        org = upsert(session, Organisation, {"key": data.pop("key")}, data)
        assert org.id is not None
        ids[org.key] = org.id
    return ids


def _mission(session: Session) -> Mission:
    raw = {k: v for k, v in read("mission").items() if k != "goals"}
    data = MissionCreate.model_validate(raw).model_dump()
    return upsert(session, Mission, {"key": data.pop("key")}, data)


def _goals(
    session: Session, mission_id: int, nodes: list[dict[str, Any]], parent_id: int | None
) -> dict[str, int]:
    ids: dict[str, int] = {}
    for order, node in enumerate(nodes):
        raw = {k: v for k, v in node.items() if k != "children"}
        raw |= {"mission_id": mission_id, "parent_id": parent_id, "sort_order": order}
        data = GoalCreate.model_validate(raw).model_dump()
        keys = {"mission_id": data.pop("mission_id"), "code": data.pop("code")}
        goal = upsert(session, Goal, keys, data)
        assert goal.id is not None
        ids[goal.code] = goal.id
        ids |= _goals(session, mission_id, node.get("children") or [], goal.id)
    return ids


def _categories(session: Session) -> None:
    for row in read("goal_categories"):
        number = row.pop("number")
        upsert(session, GoalCategory, {"number": number}, row)


def _initiatives(session: Session, mission_id: int, orgs: dict[str, int]) -> dict[int, int]:
    ids = {}
    for row in read("initiatives"):
        raw = {k: v for k, v in row.items() if k not in ("responsible", "involved")}
        data = InitiativeCreate.model_validate(raw | {"mission_id": mission_id}).model_dump()
        keys = {"mission_id": data.pop("mission_id"), "number": data.pop("number")}
        if "system_levels" not in row:  # not in the documents: a person's assessment stays
            data.pop("system_levels")
        initiative = upsert(session, Initiative, keys, data)
        assert initiative.id is not None
        ids[initiative.number] = initiative.id
        members = [
            InitiativeOrganisation(
                initiative_id=initiative.id, organisation_id=orgs[key], role=role
            )
            for role in OrganisationRole
            for key in dict.fromkeys(row.get(role.value) or [])
        ]
        replace_children(session, InitiativeOrganisation, {"initiative_id": initiative.id}, members)
    return ids


def _contributions(session: Session, initiatives: dict[int, int], goals: dict[str, int]) -> None:
    """Proposed contributions, derived from each initiative's Halogen category."""
    # (initiative, goal) pairs a person confirmed, changed or removed: theirs, not the seed's
    touched = _edited(session, "contribution", ("initiative_id", "goal_id"))
    touched |= {
        pair
        for pair in session.exec(
            select(Contribution.initiative_id, Contribution.goal_id).where(
                col(Contribution.proposal).is_(False)
            )
        ).all()
    }
    by_category: dict[int, list[dict[str, Any]]] = {}
    for row in read("category_goals"):
        by_category.setdefault(row["category"], []).append(row)
    for row in read("initiatives"):
        for link in by_category.get(row["category"], []):
            raw = {k: link[k] for k in ("kind", "strength", "rationale")} | {
                "initiative_id": initiatives[row["number"]],
                "goal_id": goals[link["goal"]],
                "proposal": True,
            }
            data = ContributionCreate.model_validate(raw).model_dump()
            keys = {"initiative_id": data.pop("initiative_id"), "goal_id": data.pop("goal_id")}
            if tuple(keys.values()) not in touched:
                upsert(session, Contribution, keys, data)


def _edited(session: Session, entity: str, fields: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """The natural keys of the rows of entity that a person created, changed or removed, from
    the audit log (the seed writes none)."""
    found = set()
    for before, after in session.exec(
        select(AuditEvent.before, AuditEvent.after).where(AuditEvent.entity == entity)
    ).all():
        for state in (before, after):
            if state and all(f in state for f in fields):
                found.add(tuple(state[f] for f in fields))
    return found


def _links(session: Session, initiatives: dict[int, int]) -> None:
    """The links the documents name; a link a person changed or removed is left alone."""
    touched = _edited(session, "initiative_link", ("from_id", "to_id", "kind"))
    for row in read("initiative_links"):
        raw = {
            "from_id": initiatives[row["from"]],
            "to_id": initiatives[row["to"]],
            "kind": row["kind"],
            "note": row.get("note"),
        }
        data = InitiativeLinkCreate.model_validate(raw).model_dump()
        keys = {k: data.pop(k) for k in ("from_id", "to_id", "kind")}
        if (keys["from_id"], keys["to_id"], keys["kind"].value) not in touched:
            upsert(session, InitiativeLink, keys, data)


def year_period(session: Session, year: int, mission_id: int) -> Period:
    """The mission's annual period for a calendar year, created (locked) when missing."""
    values = {
        "kind": PeriodKind.ANNUAL,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "locked": True,
    }
    return upsert(session, Period, {"mission_id": mission_id, "label": str(year)}, values)


def _indicators(
    session: Session,
    mission_id: int,
    orgs: dict[str, int],
    goals: dict[str, int],
    initiatives: dict[int, int],
) -> None:
    for row in read("indicators"):
        raw = {k: v for k, v in row.items() if k not in ("responsible", "goals", "values")}
        raw |= {
            "mission_id": mission_id,
            "responsible_org_id": orgs[row["responsible"]] if row.get("responsible") else None,
            "initiative_id": initiatives[row["initiative"]] if row.get("initiative") else None,
        }
        data = IndicatorCreate.model_validate(raw).model_dump()
        keys = {"mission_id": data.pop("mission_id"), "code": data.pop("code")}
        indicator = upsert(session, Indicator, keys, data)
        assert indicator.id is not None
        links = [IndicatorGoal(indicator_id=indicator.id, goal_id=goals[c]) for c in row["goals"]]
        replace_children(session, IndicatorGoal, {"indicator_id": indicator.id}, links)
        for value in row.get("values") or []:
            period = year_period(session, value["year"], mission_id)
            assert period.id is not None
            checked = IndicatorValueCreate.model_validate(
                {
                    "indicator_id": indicator.id,
                    "period_id": period.id,
                    "value": value["value"],
                    "source_note": value.get("note"),
                }
            ).model_dump()
            keys = {k: checked.pop(k) for k in ("indicator_id", "period_id")}
            keys["is_correction"] = False
            upsert(session, IndicatorValue, keys, checked | {"status": EntryStatus.APPROVED})


def _governance(session: Session, mission_id: int, orgs: dict[str, int]) -> None:
    for order, row in enumerate(read("governance")):
        raw = {k: v for k, v in row.items() if k != "members"}
        raw |= {"mission_id": mission_id, "sort_order": order}
        data = GovernanceBodyCreate.model_validate(raw).model_dump()
        keys = {"mission_id": data.pop("mission_id"), "key": data.pop("key")}
        body = upsert(session, GovernanceBody, keys, data)
        assert body.id is not None
        members = {
            orgs[m["org"]]: BodyMember(
                body_id=body.id,
                organisation_id=orgs[m["org"]],
                lead=bool(m.get("lead")),
                note=m.get("note"),
            )
            for m in row.get("members") or []
        }
        replace_children(session, BodyMember, {"body_id": body.id}, list(members.values()))


def parse_partial_date(text: str | None) -> tuple[dt.date | None, DatePrecision]:
    """A date from "2024" (year precision), "2024-02" (month) or "2024-02-15" (day)."""
    if not text:
        return None, DatePrecision.DAY
    if len(str(text)) == 4:
        return dt.date(int(text), 1, 1), DatePrecision.YEAR
    if len(str(text)) == 7:
        year, month = str(text).split("-")
        return dt.date(int(year), int(month), 1), DatePrecision.MONTH
    return dt.date.fromisoformat(str(text)), DatePrecision.DAY


def _phases(session: Session, mission_id: int) -> dict[str, int]:
    """The mission's phases (seed 004); a phase a person edited keeps their text and dates."""
    touched = _edited(session, "phase", ("mission_id", "kind"))
    ids = {}
    for order, row in enumerate(read("phases")):
        start, start_precision = parse_partial_date(row.get("start"))
        end, end_precision = parse_partial_date(row.get("end"))
        data = PhaseUpdate.model_validate(
            {
                "description": row.get("description"),
                "note": row.get("note"),
                "start": start,
                "start_precision": start_precision,
                "end": end,
                "end_precision": end_precision,
            }
        ).model_dump()
        keys = {"mission_id": mission_id, "kind": row["kind"]}
        values = {"sort_order": order} | ({} if (mission_id, row["kind"]) in touched else data)
        phase = upsert(session, Phase, keys, values)
        assert phase.id is not None
        ids[row["kind"]] = phase.id
    return ids


def _tasks(
    session: Session, mission_id: int, orgs: dict[str, int], initiatives: dict[int, int]
) -> None:
    """The agencies' cooperation tasks of seed 000's two tables; a task a person changed or
    removed is left alone."""
    touched = {key for (key,) in _edited(session, "etats_task", ("key",))}
    for order, row in enumerate(read("etatssamarbeid")):
        if row["key"] in touched:
            continue
        end, precision = parse_partial_date(row.get("end"))
        data = TaskInput.model_validate(
            {k: row.get(k) for k in ("title", "description", "involved", "status", "note")}
            | {"end_kind": row["end_kind"], "end": end, "end_precision": precision}
        ).model_dump(exclude={"lead_ids", "participant_ids", "initiative_ids"})
        keys = {"mission_id": mission_id, "key": row["key"]}
        values = data | {"source_table": row["source_table"], "sort_order": order}
        task = upsert(session, EtatsTask, keys, values)
        assert task.id is not None
        members = [
            EtatsTaskOrganisation(task_id=task.id, organisation_id=orgs[key], role=role)
            for role, column in ((TaskRole.LEAD, "lead"), (TaskRole.PARTICIPANT, "participants"))
            for key in dict.fromkeys(row.get(column) or [])
        ]
        replace_children(session, EtatsTaskOrganisation, {"task_id": task.id}, members)
        same_work = [
            EtatsTaskInitiative(task_id=task.id, initiative_id=initiatives[number])
            for number in row.get("initiatives") or []
        ]
        replace_children(session, EtatsTaskInitiative, {"task_id": task.id}, same_work)


def _deliverables(session: Session, mission_id: int, phases: dict[str, int]) -> None:
    for row in read("deliverables"):
        phase = row.pop("phase", None)
        due, due_precision = parse_partial_date(row.get("due"))
        delivered, delivered_precision = parse_partial_date(row.get("delivered"))
        precision = (
            DatePrecision.MONTH
            if DatePrecision.MONTH in (due_precision, delivered_precision)
            else DatePrecision.DAY
        )
        raw = row | {
            "mission_id": mission_id,
            "due": due,
            "delivered": delivered,
            "date_precision": precision,
        }
        data = DeliverableCreate.model_validate(raw).model_dump()
        keys = {"mission_id": data.pop("mission_id"), "number": data.pop("number")}
        upsert(session, Deliverable, keys, data | {"phase_id": phases.get(phase or "")})


def _findings(session: Session, mission_id: int) -> None:
    findings = read("findings")
    main_ids = {}
    for row in findings["main"]:
        values = {k: row[k] for k in ("theme", "theme_inferred", "title")}
        keys = {"mission_id": mission_id, "number": row["number"]}
        main = upsert(session, MainFinding, keys, values)
        main_ids[main.number] = main.id
    for row in findings["sub"]:
        keys = {"main_finding_id": main_ids[row["main"]], "letter": row["letter"]}
        upsert(session, Finding, keys, {"title": row["title"]})


def _funding(session: Session, initiatives: dict[int, int], orgs: dict[str, int]) -> None:
    """The funding streams the documents give for a mapped initiative (seed/data/funding.yaml);
    a stream a person changed or removed is left alone."""
    touched = _edited(session, "initiative_funding", ("initiative_id", "stream", "state"))
    for row in read("funding"):
        raw = {
            "stream": row["stream"],
            "state": row["state"],
            "funder_id": orgs[row["funder"]] if row.get("funder") else None,
            "note": row.get("note"),
        }
        data = FundingInput.model_validate(raw).model_dump()
        keys = {
            "initiative_id": initiatives[row["initiative"]],
            "stream": data.pop("stream"),
            "state": data.pop("state"),
            "funder_id": data.pop("funder_id"),
        }
        if (keys["initiative_id"], keys["stream"].value, keys["state"].value) not in touched:
            upsert(session, InitiativeFunding, keys, data)
