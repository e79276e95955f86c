"""Reporting periods of a mission: made, locked and re-opened (audited), and listed."""

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor
from dashboard.services.reporting import WorkflowRefused, required_reason
from models import Period, PeriodCreate


def create_period(actor: Actor, data: PeriodCreate, *, engine: Engine | None = None) -> int:
    """A new reporting period of data.mission_id (admin); labels are unique per mission."""
    with command(actor, Action.MANAGE_PERIODS, engine=engine) as session:
        query = select(Period.id).where(
            Period.mission_id == data.mission_id, Period.label == data.label
        )
        if session.exec(query).first():
            raise WorkflowRefused("duplicate_period")
        period = Period.model_validate(data)
        session.add(period)
        session.flush()
        audit.record(
            session, actor, "create", "period", period.id, after=period.model_dump(warnings=False)
        )
        assert period.id is not None
        return period.id


def set_period_locked(
    actor: Actor,
    period_id: int,
    locked: bool,
    *,
    reason: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Lock a period (admin), or re-open a locked one (admin, steering) with a reason."""
    permission = Action.MANAGE_PERIODS if locked else Action.REOPEN_PERIOD
    if not locked:
        reason = required_reason(reason)
    with command(actor, permission, engine=engine) as session:
        period = session.get(Period, period_id)
        if period is None:
            raise WorkflowRefused("no_period")
        before = period.model_dump(warnings=False)
        period.locked = locked
        audit.record(
            session,
            actor,
            "lock" if locked else "reopen",
            "period",
            period_id,
            before=before,
            after=period.model_dump(warnings=False),
            reason=reason.strip() if reason else None,
        )


def periods(session: Session, mission_id: int) -> list[Period]:
    """Every period of the mission, newest first."""
    query = select(Period).where(Period.mission_id == mission_id)
    return list(session.exec(query.order_by(col(Period.end).desc())).all())
