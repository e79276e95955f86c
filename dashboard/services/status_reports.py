"""Status reports (design sections 4-5): the operative group drafts a period's report from the
approved values and check-ins; the steering group overrides goal statuses with a justification,
and approves the report (which freezes it, publishes it to partners and locks the period) or
returns it with a reason.

A draft's rows are taken when it is created and again when the operative group refreshes it;
the steering group approves exactly the rows it read. Once approved, nothing here writes to the
report or its rows again: a later correction shows up in the next report, as a correction.
"""

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dashboard.services import audit, notifications
from dashboard.services.commands import command
from dashboard.services.common import fetch, frame_of
from dashboard.services.permissions import Action, Actor
from dashboard.services.reporting import WorkflowRefused, required_reason
from dashboard.services.snapshots.changes import since
from dashboard.services.snapshots.compare import Comparison, compare
from dashboard.services.snapshots.rows import Snapshot, blank
from dashboard.services.snapshots.store import load, store, store_rows
from dashboard.services.snapshots.take import decision_rows, take
from models import (
    Period,
    ProgressStatus,
    ReportStatus,
    SnapshotGoal,
    StatusReport,
    StatusReportUpdate,
    User,
)
from models.reporting import utcnow
from models.status_report import Justification

R = ReportStatus
EDITABLE = frozenset({R.DRAFT, R.RETURNED})  # the operative group may change the report
UNDER_REVIEW = frozenset({R.DRAFT, R.RETURNED, R.SUBMITTED})  # goal overrides may change
REPORT_COLUMNS = [
    "id",
    "period_id",
    "period",
    "period_end",
    "status",
    "created_at",
    "submitted_at",
    "approved_at",
    "approved_by",
    "submitted_by",
]


def _fields(report: StatusReport) -> dict[str, Any]:
    return report.model_dump(warnings=False)


def _report(session: Session, report_id: int, version: int | None) -> StatusReport:
    """The report, refusing a change made from an older version than the stored one."""
    report = session.get(StatusReport, report_id)
    if report is None:
        raise WorkflowRefused("no_report")
    if version is not None and version != report.version:
        raise WorkflowRefused("stale_report")
    return report


def _in(report: StatusReport, states: frozenset[ReportStatus], code: str) -> None:
    if report.status not in states:
        raise WorkflowRefused(code)


def previous_approved(
    session: Session, mission_id: int, before: dt.date, *, excluding: int | None = None
) -> int | None:
    """The id of the latest approved report of a period that ends before the date."""
    row = session.exec(
        select(StatusReport.id)
        .join(Period, col(Period.id) == StatusReport.period_id)
        .where(
            StatusReport.mission_id == mission_id,
            StatusReport.status == R.APPROVED,
            col(Period.end) < before,
            col(StatusReport.id) != (excluding or 0),
        )
        .order_by(col(Period.end).desc(), col(StatusReport.approved_at).desc())
    ).first()
    return row


def _take(
    session: Session,
    report: StatusReport,
    today: dt.date,
    overrides: pd.DataFrame | None = None,
) -> Snapshot:
    period = session.get(Period, report.period_id)
    assert period is not None
    previous_id = previous_approved(session, report.mission_id, period.end, excluding=report.id)
    previous = load(session, previous_id) if previous_id else None
    return take(
        session, report.mission_id, period, today=today, previous=previous, overrides=overrides
    )


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    report: StatusReport,
    before: dict[str, Any] | None,
    reason: str | None = None,
) -> None:
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "status_report",
        report.id,
        before=before,
        after=_fields(report),
        reason=reason,
    )


def create_draft(
    actor: Actor, mission_id: int, period_id: int, *, today: dt.date, engine: Engine | None = None
) -> StatusReport:
    """A new draft report for a period, its rows taken from the approved state now."""
    with command(actor, Action.DRAFT_REPORT, engine=engine) as session:
        period = session.get(Period, period_id)
        if period is None or period.mission_id != mission_id:  # another mission's: none here
            raise WorkflowRefused("no_period")
        exists = session.exec(
            select(StatusReport.id).where(
                StatusReport.mission_id == mission_id, StatusReport.period_id == period_id
            )
        ).first()
        if exists:
            raise WorkflowRefused("report_exists")
        report = StatusReport(
            mission_id=mission_id,
            period_id=period_id,
            created_by_id=actor.id,
            generated_at=utcnow(),
        )
        session.add(report)
        session.flush()
        assert report.id is not None
        store(session, report.id, _take(session, report, today))
        _audit(session, actor, "create", report, None)
        return report


def refresh_draft(
    actor: Actor, report_id: int, version: int, *, today: dt.date, engine: Engine | None = None
) -> StatusReport:
    """Take a draft's rows again from the approved state now; goal overrides carry over."""
    with command(actor, Action.DRAFT_REPORT, engine=engine) as session:
        report = _report(session, report_id, version)
        _in(report, EDITABLE, "report_not_editable")
        before = _fields(report)
        overrides = load(session, report_id).goals
        store(session, report_id, _take(session, report, today, overrides))
        report.generated_at, report.version = utcnow(), report.version + 1
        _audit(session, actor, "refresh", report, before)
        return report


def update_texts(
    actor: Actor, report_id: int, data: dict[str, Any], *, engine: Engine | None = None
) -> StatusReport:
    """Save the summary and the decisions asked of the steering group (data holds version)."""
    update = StatusReportUpdate.model_validate(data)
    with command(actor, Action.DRAFT_REPORT, engine=engine) as session:
        report = _report(session, report_id, update.version)
        _in(report, EDITABLE, "report_not_editable")
        before = _fields(report)
        report.summary, report.decisions_requested = update.summary, update.decisions_requested
        report.version += 1
        _audit(session, actor, "update", report, before)
        return report


def submit_report(
    actor: Actor, report_id: int, version: int, *, engine: Engine | None = None
) -> StatusReport:
    """Send a draft (or returned) report to the steering group."""
    with command(actor, Action.DRAFT_REPORT, engine=engine) as session:
        report = _report(session, report_id, version)
        _in(report, EDITABLE, "report_not_editable")
        if not (report.summary or "").strip():
            raise WorkflowRefused("summary_required")
        before = _fields(report)
        report.status, report.version = R.SUBMITTED, report.version + 1
        report.submitted_by_id, report.submitted_at = actor.id, utcnow()
        _audit(session, actor, "submitted", report, before)
        notifications.report_submitted(session, actor, report)
        return report


def return_report(
    actor: Actor, report_id: int, version: int, reason: str, *, engine: Engine | None = None
) -> StatusReport:
    """Send a submitted report back to the operative group, saying why."""
    checked = required_reason(reason)  # ValidationError: NUL, control characters, too long
    with command(actor, Action.APPROVE_REPORT, engine=engine) as session:
        report = _report(session, report_id, version)
        _in(report, frozenset({R.SUBMITTED}), "report_not_submitted")
        before = _fields(report)
        report.status, report.version = R.RETURNED, report.version + 1
        report.return_reason = checked
        report.returned_by_id, report.returned_at = actor.id, utcnow()
        _audit(session, actor, "returned", report, before, reason=report.return_reason)
        notifications.report_returned(session, actor, report)
        return report


def approve_report(
    actor: Actor, report_id: int, version: int, *, engine: Engine | None = None
) -> StatusReport:
    """Approve a submitted report: its rows are frozen as read, the decisions recorded so far
    are copied beside them, partners see it, and its period is locked."""
    with command(actor, Action.APPROVE_REPORT, engine=engine) as session:
        report = _report(session, report_id, version)
        _in(report, frozenset({R.SUBMITTED}), "report_not_submitted")
        before = _fields(report)
        # the decisions as they stand at the meeting, including those recorded during it
        store_rows(session, report_id, "decisions", decision_rows(session, report.mission_id))
        report.status, report.version = R.APPROVED, report.version + 1
        report.approved_by_id, report.approved_at = actor.id, utcnow()
        report.return_reason = None
        _audit(session, actor, "approved", report, before)
        notifications.report_approved(session, actor, report)
        period = session.get(Period, report.period_id)
        if period is not None and not period.locked:
            period_before = period.model_dump(warnings=False)
            period.locked = True
            audit.record(
                session,
                actor,
                "lock",
                "period",
                period.id,
                before=period_before,
                # the report's id lets a notice word the reason in the reader's language
                after=period.model_dump(warnings=False) | {"status_report_id": report_id},
                reason=f"Statusrapporten for {period.label} er godkjent (rapport {report_id}).",
            )
        return report


def override_goal(
    actor: Actor,
    report_id: int,
    version: int,
    code: str,
    status: ProgressStatus | str | None,
    justification: str | None,
    *,
    engine: Engine | None = None,
) -> StatusReport:
    """Set (or clear, with status None) the steering group's status of one goal in a report
    under review; the computed status stays beside it."""
    try:
        chosen = ProgressStatus(status) if status else None
    except ValueError as exc:
        raise WorkflowRefused("no_status") from exc
    text = (justification or "").strip()
    if chosen is not None and not text:
        raise WorkflowRefused("justification_required")
    if text:  # ValidationError: NUL, control characters, bidirectional controls, too long
        text = Justification(justification=text).justification
    with command(actor, Action.OVERRIDE_GOAL_STATUS, engine=engine) as session:
        report = _report(session, report_id, version)
        _in(report, UNDER_REVIEW, "report_frozen")
        goal = session.exec(
            select(SnapshotGoal).where(
                SnapshotGoal.report_id == report_id, SnapshotGoal.code == code
            )
        ).first()
        if goal is None:
            raise WorkflowRefused("no_goal")
        before = goal.model_dump(warnings=False)
        goal.override_status = chosen
        goal.override_justification = text if chosen else None
        goal.override_by_id, goal.override_at = (actor.id, utcnow()) if chosen else (None, None)
        report.version += 1
        session.flush()
        audit.record(
            session,
            actor,
            "override" if chosen else "clear_override",
            "goal_status",
            goal.id,
            before=before,
            after=goal.model_dump(warnings=False),
            reason=text or None,
        )
        return report


# --- queries ------------------------------------------------------------------------------------


def report_list(session: Session, mission_id: int, *, include_unpublished: bool) -> pd.DataFrame:
    """The reports a reader may see (partners: the approved ones), the newest period first, with
    who approved and who sent each."""
    visible = list(R) if include_unpublished else [R.APPROVED]
    approver, sender = aliased(User), aliased(User)
    rows = fetch(
        session,
        sa.select(
            col(StatusReport.id),
            col(StatusReport.period_id),
            col(Period.label),
            col(Period.end),
            col(StatusReport.status),
            col(StatusReport.created_at),
            col(StatusReport.submitted_at),
            col(StatusReport.approved_at),
            col(approver.name),
            sa.func.coalesce(col(sender.name), col(sender.email)),
        )
        .join(Period, col(Period.id) == StatusReport.period_id)
        .outerjoin(approver, col(approver.id) == StatusReport.approved_by_id)
        .outerjoin(sender, col(sender.id) == StatusReport.submitted_by_id)
        .where(col(StatusReport.mission_id) == mission_id, col(StatusReport.status).in_(visible))
        .order_by(col(Period.end).desc(), col(StatusReport.id).desc()),
    )
    return frame_of([(*r[:4], str(r[4]), *r[5:]) for r in rows], REPORT_COLUMNS)


def periods_without_report(session: Session, mission_id: int) -> list[tuple[int, str]]:
    """(id, label) of the periods that have no report of the mission yet, the newest first."""
    taken = select(StatusReport.period_id).where(StatusReport.mission_id == mission_id)
    rows = session.exec(
        select(Period.id, Period.label)
        .where(Period.mission_id == mission_id, col(Period.id).not_in(taken))
        .order_by(col(Period.end).desc())
    ).all()
    return [(pid, label) for pid, label in rows if pid is not None]


@dataclass
class ReportDetail:
    """One report with its period, the people behind it, its rows, and what changed since the
    approved report before it."""

    report: StatusReport
    period: str
    people: dict[str, str | None]  # created_by, submitted_by, returned_by, approved_by -> name
    snapshot: Snapshot
    previous_id: int | None
    previous_period: str | None
    changes: Comparison | None  # since the previous approved report
    override_by: dict[str, str]  # goal code -> the name of who overrode it

    @property
    def frozen(self) -> bool:
        """Whether the report is approved (and so never changes)."""
        return self.report.status == R.APPROVED


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return (user.name or user.email) if user else None


def visible_report(
    session: Session, report_id: int, *, include_unpublished: bool
) -> StatusReport | None:
    """The report with this id if the reader may see it (partners: approved ones only)."""
    report = session.get(StatusReport, report_id)
    if report is None or (report.status != R.APPROVED and not include_unpublished):
        return None
    return report


def report_detail(
    session: Session, report_id: int, *, include_unpublished: bool
) -> ReportDetail | None:
    """The report with this id, or None when there is none the reader may see."""
    report = visible_report(session, report_id, include_unpublished=include_unpublished)
    if report is None:
        return None
    period = session.get(Period, report.period_id)
    assert period is not None and report.id is not None
    snapshot = load(session, report.id)
    previous_id = previous_approved(session, report.mission_id, period.end, excluding=report.id)
    previous_period = None
    changes = None
    if previous_id is not None:
        previous = session.get(StatusReport, previous_id)
        assert previous is not None
        earlier = session.get(Period, previous.period_id)
        previous_period = earlier.label if earlier else None
        changes = compare(load(session, previous_id), snapshot)
    people = {
        role: _name(session, getattr(report, f"{role}_id"))
        for role in ("created_by", "submitted_by", "returned_by", "approved_by")
    }
    override_by = {
        str(code): name
        for code, user_id in zip(
            snapshot.goals["code"], snapshot.goals["override_by_id"], strict=True
        )
        if user_id is not None and not pd.isna(user_id) and (name := _name(session, int(user_id)))
    }
    return ReportDetail(
        report, period.label, people, snapshot, previous_id, previous_period, changes, override_by
    )


def report_snapshot(
    session: Session, report_id: int, *, include_unpublished: bool
) -> Snapshot | None:
    """The stored rows of a report the reader may see."""
    visible = visible_report(session, report_id, include_unpublished=include_unpublished)
    return load(session, report_id) if visible else None


def compare_reports(
    session: Session, earlier_id: int, later_id: int, *, include_unpublished: bool
) -> Comparison | None:
    """What changed from one report to another (None when either is not visible)."""
    a = report_snapshot(session, earlier_id, include_unpublished=include_unpublished)
    b = report_snapshot(session, later_id, include_unpublished=include_unpublished)
    return compare(a, b) if a is not None and b is not None else None


def draft_drift(session: Session, report_id: int, today: dt.date) -> Comparison | None:
    """For a report under review: how the approved state now differs from its rows (None for
    an approved report, whose rows stand)."""
    report = session.get(StatusReport, report_id)
    if report is None or report.status == R.APPROVED:
        return None
    stored = load(session, report_id)
    fresh = _take(session, report, today, stored.goals)
    fresh.decisions = stored.decisions
    drift = compare(stored, fresh)
    # the draft already shows its corrections; only new or changed ones are drift
    shown = {
        (r["code"], r["corrected_period"], r["corrected_from"], r["corrected_to"])
        for r in stored.indicators.to_dict("records")
        if not blank(r["corrected_period"])
    }
    new = [
        (r["code"], r["period"], r["shown"], r["now"]) not in shown
        for r in drift.corrections.to_dict("records")
    ]
    kept = pd.Series(new, index=drift.corrections.index, dtype=bool)  # [] would drop columns
    return replace(drift, corrections=drift.corrections[kept])


@dataclass
class SinceLastReport:
    """The last approved report and what changed in the approved state since."""

    report_id: int
    period: str
    approved_at: dt.datetime | None
    changes: Comparison


def since_last_report(
    session: Session, mission_id: int, today: dt.date, *, include_unpublished: bool
) -> SinceLastReport | None:
    """What changed in the approved values, check-ins and goal statuses since the last approved
    report, and (for internal readers) the decisions since (None when none is approved yet)."""
    row = session.exec(
        select(StatusReport, Period.label)
        .join(Period, col(Period.id) == StatusReport.period_id)
        .where(StatusReport.mission_id == mission_id, StatusReport.status == R.APPROVED)
        .order_by(col(Period.end).desc(), col(StatusReport.approved_at).desc())
    ).first()
    if row is None:
        return None
    report, label = row
    assert report.id is not None
    period = session.get(Period, report.period_id)
    assert period is not None
    # the steering group's overrides stand until its next report
    stored, now = since(session, mission_id, report.id, report.generated_at, period.end, today)
    if not include_unpublished:  # partners know the decisions of published reports only
        now.decisions = stored.decisions
    return SinceLastReport(report.id, label, report.approved_at, compare(stored, now))
