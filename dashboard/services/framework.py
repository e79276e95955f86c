"""Framework administration: indicators (metadata, baseline, target, links) and period due dates.

Every command needs MANAGE_FRAMEWORK (periods: MANAGE_PERIODS), runs in one transaction and is
audited there with the indicator's state before and after (goal links as a list of goal codes).

Lost updates: the edit form carries the fingerprint of the indicator as it was shown, a hash of
the same snapshot the audit log keeps (links included). Saving over a different stored
fingerprint raises StaleIndicator naming who changed it last (from the audit log); the row is
locked while it is compared (FOR UPDATE; SQLite writes are BEGIN IMMEDIATE). No version column
is needed, and an edit that someone else has undone in between is no conflict.

A change of definition, baseline (value or year) or target (value or year) needs a reason; it is
kept in the audit row and shown in the indicator's history. The whole resulting indicator is
validated again, so an update cannot leave a percentage over 100 or a target before its baseline.

History: changes to an indicator's metadata are public, as Open SDG publishes its metadata
changes: everyone who can see the indicator sees when what changed from what to what, and why.
Who made a change is personal data: internal roles (operative, steering, admin) see the
e-mail address; partners and anonymous visitors see only the role and organisation of the
account that made it.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from dashboard.i18n.formatting import OSLO
from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.common import fetch
from dashboard.services.missions import role_column
from dashboard.services.permissions import Action, Actor
from dashboard.statistics import regions
from models import (
    AuditEvent,
    Goal,
    Indicator,
    IndicatorCreate,
    IndicatorGoal,
    IndicatorUpdate,
    Initiative,
    Mission,
    Organisation,
    Period,
    RegionalTarget,
    User,
)
from models.fields import norwegian_number
from models.indicator import IndicatorBase

ENTITY = "indicator"
# Changing one of these needs a reason (issue 4): they change what the indicator measures or
# what counts as success; so does where its series comes from in Statistics Norway (issue 19).
REASON_FIELDS = (
    "definition",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "ssb_table",
    "ssb_selection",
)
NUMBER_FIELDS = ("baseline_value", "target_value", "tolerance")
# Where a problem of the indicator as a whole belongs, for the message to name a field.
_WHOLE_ERRORS = {"year_range": "target_year"}
_EDITABLE = tuple(name for name in IndicatorBase.model_fields if name != "code")
# Ids and the mission are bookkeeping; goals, initiative and organisation are shown by name.
NOT_SHOWN = frozenset({"mission_id", "responsible_org_id", "initiative_id"})

# The indicator's targets for regions (dashboard.statistics.targets), kept in its snapshot
REGIONAL_TARGETS = "regional_targets"

Schema = TypeVar("Schema", bound=SQLModel)


class FrameworkRefused(ValueError):
    """The change is not possible; code names why (message framework.refused.<code>)."""

    def __init__(self, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.details = details or {}


class ReasonRequired(FrameworkRefused):
    """Definition, baseline or target changed without a reason; fields says which."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__("reason_required", {"fields": fields})
        self.fields = fields


@dataclass
class StaleIndicator(Exception):
    """Someone saved the indicator after the form was shown: who (e-mail) and when."""

    changed_by: str | None
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class Links:
    """What an indicator tells about: goals of its mission, and (for outputs) one initiative."""

    goal_ids: Collection[int] = ()
    initiative_id: int | None = None


@dataclass(frozen=True)
class EditableIndicator:
    """An indicator as the edit form shows it, with the fingerprint to save against."""

    id: int
    code: str
    fields: dict[str, Any]  # the editable fields of IndicatorBase and responsible_org_id
    links: Links
    fingerprint: str


# --- validation ------------------------------------------------------------------------------


def parse(schema: type[Schema], raw: Mapping[str, Any]) -> Schema:
    """schema validated from what an administrator typed, every problem on its own field.

    Numbers may be written the Norwegian way ("1 234,5"; empty means none). A problem of the
    indicator as a whole (a percentage over 100, a target year before the baseline year) is put
    on the field it concerns, so the message can name it.
    """
    values = dict(raw)
    errors: list[InitErrorDetails] = []
    for name in NUMBER_FIELDS:
        text = values.get(name)
        if isinstance(text, str):
            try:
                values[name] = norwegian_number(text) if text.strip() else None
            except PydanticCustomError as exc:
                errors.append({"type": exc, "loc": (name,), "input": text})
                values[name] = None
    try:
        result = schema.model_validate(values)
    except ValidationError as exc:
        errors += [_located(error, values) for error in exc.errors()]
    if errors:
        raise ValidationError.from_exception_data(schema.__name__, errors)
    return result


def _located(error: Any, values: Mapping[str, Any]) -> InitErrorDetails:
    """A pydantic error again, on the field it concerns when it was about the whole model."""
    loc = tuple(error["loc"])
    if not loc:
        kind = error["type"]
        value = (error.get("ctx") or {}).get("value")
        number_field = "baseline_value" if values.get("baseline_value") == value else "target_value"
        loc = (_WHOLE_ERRORS.get(kind, number_field),)
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str)}
    return {
        "type": PydanticCustomError(error["type"], error["msg"], ctx or None),
        "loc": loc,
        "input": error.get("input"),
    }


# --- reading ---------------------------------------------------------------------------------


def _goal_codes(session: Session, indicator_id: int) -> list[str]:
    query = (
        select(Goal.code)
        .join(IndicatorGoal, col(IndicatorGoal.goal_id) == Goal.id)
        .where(IndicatorGoal.indicator_id == indicator_id)
        .order_by(col(Goal.code))
    )
    return list(session.exec(query).all())


def regional_target_rows(session: Session, indicator_id: int) -> list[RegionalTarget]:
    """The indicator's targets for regions, counties first, in the tables' order."""
    found = session.exec(
        select(RegionalTarget).where(RegionalTarget.indicator_id == indicator_id)
    ).all()
    return sorted(found, key=lambda t: (len(t.region), regions.order(t.region)))


def target_entries(session: Session, indicator_id: int) -> list[str]:
    """The indicator's regional targets as its snapshot keeps them: «03: 12.5 (2020-2030)»."""
    entries = []
    for target in regional_target_rows(session, indicator_id):
        start = "" if target.baseline_year is None else str(target.baseline_year)
        entries.append(f"{target.region}: {target.target_value:g} ({start}-{target.target_year})")
    return entries


def _snapshot(session: Session, indicator: Indicator) -> dict[str, Any]:
    """What the audit log keeps of an indicator: fields, goal codes, initiative, organisation."""
    assert indicator.id is not None
    fields = {name: getattr(indicator, name) for name in IndicatorBase.model_fields}
    for name in ("mission_id", "responsible_org_id", "initiative_id"):
        fields[name] = getattr(indicator, name)
    initiative = (
        session.get(Initiative, indicator.initiative_id) if indicator.initiative_id else None
    )
    org = (
        session.get(Organisation, indicator.responsible_org_id)
        if indicator.responsible_org_id
        else None
    )
    fields["responsible"] = org.short_name if org else None
    fields["goals"] = _goal_codes(session, indicator.id)
    fields["initiative"] = initiative.number if initiative else None
    if entries := target_entries(session, indicator.id):  # none: as before there were any
        fields[REGIONAL_TARGETS] = entries
    return audit.snapshot(fields) or {}


def fingerprint(snapshot: Mapping[str, Any]) -> str:
    """A short hash of a snapshot: equal exactly when the stored indicator is the same."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def editable_indicator(session: Session, mission_id: int, code: str) -> EditableIndicator | None:
    """The indicator with this code as the edit form needs it, or None."""
    indicator = session.exec(
        select(Indicator).where(Indicator.mission_id == mission_id, Indicator.code == code)
    ).first()
    if indicator is None or indicator.id is None:
        return None
    goal_ids = session.exec(
        select(IndicatorGoal.goal_id).where(IndicatorGoal.indicator_id == indicator.id)
    ).all()
    fields = {name: getattr(indicator, name) for name in _EDITABLE}
    fields["responsible_org_id"] = indicator.responsible_org_id
    return EditableIndicator(
        id=indicator.id,
        code=indicator.code,
        fields=fields,
        links=Links(tuple(sorted(goal_ids)), indicator.initiative_id),
        fingerprint=fingerprint(_snapshot(session, indicator)),
    )


def goal_options(session: Session, mission_id: int) -> list[tuple[int, str, str]]:
    """(id, code, title) of the mission's goals, by code, for a picker."""
    query = select(Goal.id, Goal.code, Goal.title).where(Goal.mission_id == mission_id)
    rows = session.exec(query.order_by(col(Goal.sort_order), col(Goal.code))).all()
    return [(goal_id, code, title) for goal_id, code, title in rows if goal_id is not None]


def initiative_options(session: Session, mission_id: int) -> list[tuple[int, int, str]]:
    """(id, number, name) of the mission's initiatives, by number, for a picker."""
    query = select(Initiative.id, Initiative.number, Initiative.name).where(
        Initiative.mission_id == mission_id
    )
    rows = session.exec(query.order_by(col(Initiative.number))).all()
    return [(i, number, name) for i, number, name in rows if i is not None]


# --- commands --------------------------------------------------------------------------------


def _check_links(session: Session, mission_id: int, links: Links) -> None:
    """Refuse goals or an initiative of another mission (or none at all)."""
    wanted = set(links.goal_ids)
    if wanted:
        found = session.exec(
            select(Goal.id).where(col(Goal.id).in_(wanted), Goal.mission_id == mission_id)
        ).all()
        if set(found) != wanted:
            raise FrameworkRefused("foreign_goal")
    if links.initiative_id is not None:
        initiative = session.get(Initiative, links.initiative_id)
        if initiative is None or initiative.mission_id != mission_id:
            raise FrameworkRefused("foreign_initiative")


def _check_organisation(session: Session, organisation_id: int | None) -> None:
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise FrameworkRefused("no_organisation")


def _set_goals(session: Session, indicator_id: int, goal_ids: Collection[int]) -> None:
    """Link the indicator to exactly these goals."""
    wanted = set(goal_ids)
    stored = set(
        session.exec(
            select(IndicatorGoal.goal_id).where(IndicatorGoal.indicator_id == indicator_id)
        ).all()
    )
    if stored - wanted:
        session.execute(
            sa.delete(IndicatorGoal).where(
                col(IndicatorGoal.indicator_id) == indicator_id,
                col(IndicatorGoal.goal_id).in_(stored - wanted),
            )
        )
    session.add_all(IndicatorGoal(indicator_id=indicator_id, goal_id=g) for g in wanted - stored)
    session.flush()


def create_indicator(
    actor: Actor,
    data: IndicatorCreate,
    goal_ids: Collection[int] = (),
    *,
    engine: Engine | None = None,
) -> int:
    """A new indicator of a mission (admin), linked to goals of that mission; its code is unique
    in the mission whatever the case."""
    try:
        with command(actor, Action.MANAGE_FRAMEWORK, engine=engine) as session:
            if session.get(Mission, data.mission_id) is None:
                raise FrameworkRefused("no_mission")
            taken = session.exec(
                select(Indicator.code).where(
                    Indicator.mission_id == data.mission_id,
                    func.lower(Indicator.code) == data.code.lower(),
                )
            ).first()
            if taken is not None:
                raise FrameworkRefused("duplicate_code", {"code": taken})
            _check_links(session, data.mission_id, Links(goal_ids, data.initiative_id))
            _check_organisation(session, data.responsible_org_id)
            indicator = Indicator.model_validate(data)
            session.add(indicator)
            session.flush()
            assert indicator.id is not None
            _set_goals(session, indicator.id, goal_ids)
            after = _snapshot(session, indicator)
            audit.record(session, actor, "create", ENTITY, indicator.id, after=after)
            return indicator.id
    except IntegrityError as exc:  # the same code saved at the same moment (PostgreSQL)
        raise FrameworkRefused("duplicate_code", {"code": data.code}) from exc


def _last_change(session: Session, indicator_id: int) -> tuple[str | None, dt.datetime | None]:
    """Who saved the indicator last, and when (from the audit log)."""
    row = session.exec(
        select(AuditEvent.actor_email, AuditEvent.at)
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == str(indicator_id))
        .where(col(AuditEvent.action).in_(["create", "update"]))
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return (row[0], row[1]) if row else (None, None)


def update_indicator(
    actor: Actor,
    indicator_id: int,
    data: IndicatorUpdate,
    *,
    seen: str,
    links: Links | None = None,
    engine: Engine | None = None,
) -> list[str]:
    """Change an indicator (admin) from the state whose fingerprint the form was shown with.

    Only the fields set in data change (set to None to clear one); links, when given, replace
    the goal links and the initiative. Returns the names of the fields that changed (none:
    nothing saved, nothing audited). Raises StaleIndicator, ReasonRequired, FrameworkRefused or
    ValidationError (the resulting indicator is inconsistent); nothing is saved then.
    """
    with command(actor, Action.MANAGE_FRAMEWORK, engine=engine) as session:
        indicator = session.get(Indicator, indicator_id, with_for_update=True)
        if indicator is None:
            raise FrameworkRefused("no_indicator")
        before = _snapshot(session, indicator)
        if fingerprint(before) != seen:
            raise StaleIndicator(*_last_change(session, indicator_id))
        changes = data.model_dump(exclude_unset=True, exclude={"reason"})
        merged = {name: getattr(indicator, name) for name in IndicatorBase.model_fields}
        merged |= {k: v for k, v in changes.items() if k in IndicatorBase.model_fields}
        result = parse(IndicatorBase, merged)
        altered = [f for f in REASON_FIELDS if getattr(result, f) != getattr(indicator, f)]
        if altered and not data.reason:
            raise ReasonRequired(altered)
        if "responsible_org_id" in changes:
            _check_organisation(session, changes["responsible_org_id"])
            indicator.responsible_org_id = changes["responsible_org_id"]
        for name in _EDITABLE:
            setattr(indicator, name, getattr(result, name))
        if links is not None:
            _check_links(session, indicator.mission_id, links)
            indicator.initiative_id = links.initiative_id
            _set_goals(session, indicator_id, links.goal_ids)
        session.flush()
        after = _snapshot(session, indicator)
        changed = [k for k in after if after[k] != before.get(k) and k not in NOT_SHOWN]
        if changed:
            audit.record(
                session,
                actor,
                "update",
                ENTITY,
                indicator_id,
                before=before,
                after=after,
                reason=data.reason,
            )
        return changed


def set_period_due(
    actor: Actor,
    period_id: int,
    due: dt.date | None,
    *,
    reason: str | None = None,
    engine: Engine | None = None,
) -> bool:
    """Change (or remove) a period's due date (admin); False when it already was that date."""
    with command(actor, Action.MANAGE_PERIODS, engine=engine) as session:
        period = session.get(Period, period_id)
        if period is None:
            raise FrameworkRefused("no_period")
        if period.due == due:
            return False
        before = period.model_dump(warnings=False)
        period.due = due
        after = period.model_dump(warnings=False)
        reason = reason.strip() if reason and reason.strip() else None
        audit.record(
            session, actor, "update", "period", period_id, before=before, after=after, reason=reason
        )
        return True


# --- history ---------------------------------------------------------------------------------

HISTORY_COLUMNS = ["at", "action", "field", "before", "after", "reason", "who", "role", "org"]


def indicator_history(session: Session, indicator_id: int, *, internal: bool) -> pd.DataFrame:
    """Every recorded change of one indicator, oldest first, one row per changed field.

    Columns: at (Oslo time), action (create, update), field (None for the creation), before,
    after, reason, who (the e-mail, for internal readers only), role and org of the account.
    """
    query = (
        sa.select(
            col(AuditEvent.at),
            col(AuditEvent.action),
            col(AuditEvent.before),
            col(AuditEvent.after),
            col(AuditEvent.reason),
            col(AuditEvent.actor_email),
            role_column(
                sa.select(col(Indicator.mission_id))
                .where(col(Indicator.id) == indicator_id)
                .scalar_subquery()
            ),
            col(Organisation.short_name),
        )
        .outerjoin(User, col(User.id) == AuditEvent.actor_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(col(AuditEvent.entity) == ENTITY, col(AuditEvent.entity_id) == str(indicator_id))
        .where(col(AuditEvent.action).in_(["create", "update"]))
        .order_by(col(AuditEvent.id))
    )
    rows: list[tuple[Any, ...]] = []
    for at, action, before, after, reason, email, role, org in fetch(session, query):
        when = _oslo(at)
        who = email if internal else None
        if action == "create":
            rows.append((when, action, None, None, None, reason, who, role, org))
            continue
        old, new = before or {}, after or {}
        for name in [k for k in new if k not in NOT_SHOWN and new[k] != old.get(k)]:
            rows.append((when, action, name, old.get(name), new[name], reason, who, role, org))
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS, dtype=object)  # None stays None


def _oslo(value: dt.datetime) -> dt.datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite keeps naive UTC
    return aware.astimezone(OSLO)
