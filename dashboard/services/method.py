"""The mission's own way of working: steps on the coordination staircase and system levels.

Steps (1-5, Fafo-notat 2019:21 after Difi 2014) are assessed per reporting period, for each
initiative and for each link between two initiatives, with a short rationale; no assessment
for a period is «ikke vurdert». System levels (the system iceberg, seeds 004 and 000) are the
levels an initiative works on; none named is «ikke vurdert». Admin and the operative group may
change both (Action.MANAGE_PORTFOLIO); every change is audited, and a save over a colleague's
change since the form was shown is refused (StaleRow).
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
    STEPS,
    Initiative,
    InitiativeLink,
    InitiativeStep,
    LinkStep,
    Period,
    StepAssessment,
    SystemLevel,
)
from models.reporting import utcnow

INITIATIVE_STEP = "initiative_step"
LINK_STEP = "link_step"
SYSTEM_LEVELS = "initiative_system_levels"
LEVELS = [level.value for level in SystemLevel]


@dataclass(frozen=True)
class StepNow:
    """One subject's step in a period as the check-in form shows it."""

    subject_id: int  # the initiative's or the link's id
    label: str  # for a link: the other initiative and the link's kind
    step: int | None  # None: not assessed (ikke vurdert) in this period
    rationale: str | None
    previous: int | None  # the step in the latest earlier period assessed, if any
    seen: str  # what the form showed: a save over a change since is refused


def _seen(row: InitiativeStep | LinkStep | None) -> str:
    return "" if row is None else f"{row.step}|{row.rationale}|{row.assessed_at.isoformat()}"


def _open_period(session: Session, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None:
        raise PortfolioRefused("no_period")
    if period.locked:
        raise PortfolioRefused("period_locked")
    return period


def _assess(
    actor: Actor,
    model: type[InitiativeStep] | type[LinkStep],
    subject_id: int,
    period_id: int,
    data: StepAssessment,
    seen: str,
    engine: Engine | None,
) -> bool:
    """Store subject's step in the period; False when it was already so."""
    entity = INITIATIVE_STEP if model is InitiativeStep else LINK_STEP
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        _open_period(session, period_id)
        row: InitiativeStep | LinkStep | None
        if model is InitiativeStep:
            if session.get(Initiative, subject_id) is None:
                raise PortfolioRefused("no_initiative")
            row = session.exec(
                select(InitiativeStep)
                .where(
                    InitiativeStep.initiative_id == subject_id,
                    InitiativeStep.period_id == period_id,
                )
                .with_for_update()
            ).first()
        else:
            if session.get(InitiativeLink, subject_id) is None:
                raise PortfolioRefused("no_link")
            row = session.exec(
                select(LinkStep)
                .where(LinkStep.link_id == subject_id, LinkStep.period_id == period_id)
                .with_for_update()
            ).first()
        if _seen(row) != seen:
            raise last_change(session, entity, row.id if row else None)
        if row is not None and (row.step, row.rationale) == (data.step, data.rationale):
            return False
        before = row.model_dump(warnings=False) if row is not None else None
        if row is None:
            subject = "initiative_id" if model is InitiativeStep else "link_id"
            row = model(**{subject: subject_id, "period_id": period_id, **data.model_dump()})
        else:
            row.step, row.rationale, row.assessed_at = data.step, data.rationale, utcnow()
        row.assessed_by_id = actor.id
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "update" if before else "create",
            entity,
            row.id,
            before=before,
            after=row.model_dump(warnings=False),
        )
        return True


def assess_initiative_step(
    actor: Actor,
    initiative_id: int,
    period_id: int,
    data: StepAssessment,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """The initiative's step in the period, over what the form showed (seen)."""
    return _assess(actor, InitiativeStep, initiative_id, period_id, data, seen, engine)


def assess_link_step(
    actor: Actor,
    link_id: int,
    period_id: int,
    data: StepAssessment,
    *,
    seen: str,
    engine: Engine | None = None,
) -> bool:
    """The link's step in the period, over what the form showed (seen)."""
    return _assess(actor, LinkStep, link_id, period_id, data, seen, engine)


def set_system_levels(
    actor: Actor,
    initiative_id: int,
    levels: Iterable[SystemLevel | str],
    *,
    seen: list[str],
    engine: Engine | None = None,
) -> bool:
    """The system levels the initiative works on (in the iceberg's order), over what the form
    showed (seen); False when nothing changed."""
    chosen = [level.value for level in SystemLevel if level.value in {str(v) for v in levels}]
    unknown = {str(v) for v in levels} - set(LEVELS)
    if unknown:
        raise PortfolioRefused("unknown_level", {"level": ", ".join(sorted(unknown))})
    with command(actor, Action.MANAGE_PORTFOLIO, engine=engine) as session:
        initiative = session.get(Initiative, initiative_id, with_for_update=True)
        if initiative is None:
            raise PortfolioRefused("no_initiative")
        now = [str(v) for v in initiative.system_levels]
        if now != list(seen):
            raise last_change(session, SYSTEM_LEVELS, initiative_id)
        if now == chosen:
            return False
        initiative.system_levels = [SystemLevel(v) for v in chosen]
        session.add(initiative)
        audit.record(
            session,
            actor,
            "update",
            SYSTEM_LEVELS,
            initiative_id,
            before={"system_levels": now},
            after={"system_levels": chosen},
        )
        return True


# --- reading -----------------------------------------------------------------------------------


def _previous_steps(
    session: Session, model: type[InitiativeStep] | type[LinkStep], period: Period
) -> dict[int, int]:
    """Each subject's step in the latest period before period that assessed it."""
    subject = model.initiative_id if model is InitiativeStep else model.link_id  # type: ignore[union-attr]
    rows = session.exec(
        select(subject, model.step)
        .join(Period, col(Period.id) == model.period_id)
        .where(Period.mission_id == period.mission_id, col(Period.start) < period.start)
        .order_by(col(Period.start), col(Period.id))
    ).all()
    return {int(s): step for s, step in rows}  # later periods overwrite earlier ones


def check_in_steps(
    session: Session, initiative_id: int, period_id: int
) -> tuple[StepNow, list[StepNow]]:
    """The initiative's step and its links' steps in the period, for the check-in form."""
    period = session.get(Period, period_id)
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise PortfolioRefused("no_initiative")
    if period is None or period.mission_id != initiative.mission_id:
        raise PortfolioRefused("no_period")
    own = session.exec(
        select(InitiativeStep).where(
            InitiativeStep.initiative_id == initiative_id, InitiativeStep.period_id == period_id
        )
    ).first()
    earlier = _previous_steps(session, InitiativeStep, period)
    mine = StepNow(
        initiative_id,
        f"{initiative.number}. {initiative.name}",
        own.step if own else None,
        own.rationale if own else None,
        earlier.get(initiative_id),
        _seen(own),
    )
    links = session.exec(
        select(InitiativeLink).where(
            (InitiativeLink.from_id == initiative_id) | (InitiativeLink.to_id == initiative_id)
        )
    ).all()
    names = {i.id: (i.number, i.name) for i in session.exec(select(Initiative)).all()}
    steps = {
        s.link_id: s
        for s in session.exec(select(LinkStep).where(LinkStep.period_id == period_id)).all()
    }
    link_earlier = _previous_steps(session, LinkStep, period)
    found = []
    for link in links:
        assert link.id is not None
        other = link.to_id if link.from_id == initiative_id else link.from_id
        number, name = names[other]
        row = steps.get(link.id)
        found.append(
            StepNow(
                link.id,
                f"{number}. {name}|{link.kind}",
                row.step if row else None,
                row.rationale if row else None,
                link_earlier.get(link.id),
                _seen(row),
            )
        )
    found.sort(key=lambda s: s.label)
    return mine, found


def step_history(session: Session, initiative_id: int) -> pd.DataFrame:
    """Every assessed step of the initiative and of its links, period by period: period,
    subject ("" for the initiative, else the other initiative's number and name), link kind,
    step, change (since the subject's previous assessment), rationale."""
    names = {i.id: f"{i.number}. {i.name}" for i in session.exec(select(Initiative)).all()}
    links = {
        link.id: link
        for link in session.exec(
            select(InitiativeLink).where(
                (InitiativeLink.from_id == initiative_id) | (InitiativeLink.to_id == initiative_id)
            )
        ).all()
    }
    rows: list[dict[str, Any]] = []
    own = session.exec(
        select(InitiativeStep, Period)
        .join(Period, col(Period.id) == InitiativeStep.period_id)
        .where(InitiativeStep.initiative_id == initiative_id)
    ).all()
    for step, period in own:
        rows.append(_history_row(period, "", None, step.step, step.rationale, ("i", 0)))
    if links:
        theirs = session.exec(
            select(LinkStep, Period)
            .join(Period, col(Period.id) == LinkStep.period_id)
            .where(col(LinkStep.link_id).in_(list(links)))
        ).all()
        for link_step, period in theirs:
            link = links[link_step.link_id]
            other = link.to_id if link.from_id == initiative_id else link.from_id
            rows.append(
                _history_row(
                    period,
                    names[other],
                    link.kind,
                    link_step.step,
                    link_step.rationale,
                    ("l", link_step.link_id),
                )
            )
    columns = ["period", "subject", "kind", "step", "change", "rationale"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).sort_values(["start", "period_id", "order", "subject"])
    frame["change"] = frame.groupby("key")["step"].diff().fillna(0).astype(int)
    return frame[columns].reset_index(drop=True)


def _history_row(
    period: Period, subject: str, kind: str | None, step: int, rationale: str, key: tuple[str, int]
) -> dict[str, Any]:
    return {
        "period": period.label,
        "start": period.start,
        "period_id": period.id,
        "order": 0 if key[0] == "i" else 1,
        "subject": subject,
        "kind": kind,
        "step": step,
        "rationale": rationale,
        "key": f"{key[0]}{key[1]}",
    }


def latest_steps(session: Session, mission_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Where each initiative and each link stands now: the step of its latest period assessed
    (initiative id -> step, link id -> step); those never assessed are not in them."""
    initiatives = set(
        session.exec(select(Initiative.id).where(Initiative.mission_id == mission_id)).all()
    )
    own = session.exec(
        select(InitiativeStep.initiative_id, InitiativeStep.step)
        .join(Period, col(Period.id) == InitiativeStep.period_id)
        .where(Period.mission_id == mission_id)
        .order_by(col(Period.start), col(Period.id))
    ).all()
    links = session.exec(
        select(LinkStep.link_id, LinkStep.step, InitiativeLink.from_id)
        .join(Period, col(Period.id) == LinkStep.period_id)
        .join(InitiativeLink, col(InitiativeLink.id) == LinkStep.link_id)
        .where(Period.mission_id == mission_id)
        .order_by(col(Period.start), col(Period.id))
    ).all()
    return (
        {i: s for i, s in own if i in initiatives},
        {link: s for link, s, start in links if start in initiatives},
    )


def portfolio_by_step(
    session: Session, mission_id: int, numbers: Iterable[int] | None = None
) -> pd.DataFrame:
    """How many initiatives and links stand on each step now, and how many are not assessed
    (step None): columns step, initiatives, links. numbers narrows it to those initiatives
    (and the links with an end among them)."""
    initiative_steps, link_steps = latest_steps(session, mission_id)
    query = select(Initiative.id, Initiative.number).where(Initiative.mission_id == mission_id)
    chosen = None if numbers is None else set(numbers)
    ids = {i for i, n in session.exec(query).all() if chosen is None or n in chosen}
    links = [
        link_id
        for link_id, a, b in session.exec(
            select(InitiativeLink.id, InitiativeLink.from_id, InitiativeLink.to_id)
        ).all()
        if a in ids or b in ids
    ]
    own = [initiative_steps.get(i) for i in ids if i is not None]
    theirs = [link_steps.get(link) for link in links if link is not None]
    rows: list[dict[str, Any]] = [
        {"step": step, "initiatives": own.count(step), "links": theirs.count(step)}
        for step in [*STEPS, None]
    ]
    frame = pd.DataFrame(rows, columns=["step", "initiatives", "links"])
    frame["step"] = pd.Series([r["step"] for r in rows], dtype=object)  # None stays None
    return frame


def initiative_levels(session: Session, initiative_id: int) -> list[str]:
    """The system levels the initiative works on, in the iceberg's order ([]: not assessed)."""
    initiative = session.get(Initiative, initiative_id)
    named = {str(v) for v in initiative.system_levels} if initiative else set()
    return [v for v in LEVELS if v in named]
