"""The operative group's start page: what to enter in open periods, what was returned, what
colleagues sent for approval, one's own drafts not sent yet, and the corrections to approved
figures that are still waiting."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from dashboard.services.common import fetch, frame_of
from dashboard.services.progress import MISSING, open_completeness
from dashboard.services.reporting_views import (
    RETURNED_COLUMNS,
    approval_queue,
    check_in_list,
    check_in_queue,
    returned_to,
)
from models import (
    CheckIn,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeStatus,
    Period,
    User,
)

E = EntryStatus
NOT_SENT = (MISSING, E.DRAFT.value, E.RETURNED.value)  # states that still need the reporter
TO_ENTER_COLUMNS = ["period_id", "period", "due", "overdue", "values", "check_ins"]
ENTRY_COLUMNS = ["kind", "entry_id", "period", "code", "name", "who", "due"]
CORRECTION_COLUMNS = [*ENTRY_COLUMNS, "status", "reason", "locked"]


@dataclass
class OperativeStart:
    """One operative's lists, each most urgent first."""

    to_enter: pd.DataFrame  # TO_ENTER_COLUMNS: per open period, what the organisation owes
    returned: pd.DataFrame  # reporting_views.RETURNED_COLUMNS
    to_approve: pd.DataFrame  # ENTRY_COLUMNS (who: entered by), colleagues' entries
    drafts: pd.DataFrame  # ENTRY_COLUMNS (who: empty), one's own unsent drafts
    corrections: pd.DataFrame  # CORRECTION_COLUMNS (who: proposed by), not approved yet

    @property
    def total(self) -> int:
        """How many items there are in all; a correction also listed as a draft, returned or
        to approve counts once."""
        entries = {
            (kind, int(entry_id))
            for frame in (self.returned, self.to_approve, self.drafts, self.corrections)
            for kind, entry_id in zip(frame["kind"], frame["entry_id"], strict=True)
        }
        return len(self.to_enter) + len(entries)


def operative_start(
    session: Session,
    mission_id: int,
    actor_id: int | None,
    organisation_id: int | None,
    today: dt.date,
) -> OperativeStart:
    """What needs this person (and their organisation) now."""
    return OperativeStart(
        to_enter=to_enter(session, mission_id, organisation_id, today),
        returned=returned_to(session, mission_id, actor_id)
        if actor_id is not None
        else frame_of([], RETURNED_COLUMNS),
        to_approve=to_approve(session, mission_id, actor_id),
        drafts=my_drafts(session, mission_id, actor_id),
        corrections=corrections_waiting(session, mission_id),
    )


def to_enter(
    session: Session, mission_id: int, organisation_id: int | None, today: dt.date
) -> pd.DataFrame:
    """Per open, started period: how many of the organisation's values and check-ins are not
    sent yet (missing, draft or returned); overdue periods first, then by due date."""
    if organisation_id is None:
        return frame_of([], TO_ENTER_COLUMNS)
    finished = finished_initiatives(session, mission_id)
    rows = []
    for period in open_completeness(session, mission_id, today):
        mine = period.rows[period.rows["organisation_id"] == organisation_id]
        values = int(mine["state"].isin(NOT_SENT).sum())
        owed = owed_check_ins(session, mission_id, period.period_id, organisation_id, finished)
        if values or len(owed):
            late = period.due is not None and today > period.due
            rows.append((period.period_id, period.label, period.due, late, values, len(owed)))
    rows.sort(key=lambda r: (not r[3], r[2] is None, r[2] or dt.date.max))
    return frame_of(rows, TO_ENTER_COLUMNS).astype({"overdue": bool})


def finished_initiatives(session: Session, mission_id: int) -> set[int]:
    """The ids of the mission's completed initiatives (they owe no check-in)."""
    query = sa.select(col(Initiative.id)).where(
        col(Initiative.mission_id) == mission_id,
        col(Initiative.status) == InitiativeStatus.COMPLETED,
    )
    return {row[0] for row in fetch(session, query)}


def owed_check_ins(
    session: Session, mission_id: int, period_id: int, organisation_id: int, finished: set[int]
) -> pd.DataFrame:
    """The check-ins of the period an organisation has not sent yet (missing, draft or
    returned), of its initiatives not finished: check_in_list's rows."""
    check_ins = check_in_list(session, mission_id, period_id, organisation_id)
    owed = check_ins["status"].isna() | check_ins["status"].isin(NOT_SENT)
    owed &= check_ins["approved"].isna()  # an approved one being corrected is not owed
    owed &= ~check_ins["initiative_id"].isin(finished)
    return check_ins[owed]


def to_approve(session: Session, mission_id: int, actor_id: int | None) -> pd.DataFrame:
    """The values and check-ins colleagues submitted, which this person may approve (four
    eyes: never their own), the oldest period first."""
    values = approval_queue(session, mission_id)
    values = values[values["entered_by_id"] != actor_id]
    check_ins = check_in_queue(session, mission_id)
    check_ins = check_ins[check_ins["entered_by_id"] != actor_id]
    rows = [
        ("value", v, p, c, n, who, None)
        for v, p, c, n, who in zip(
            values["value_id"],
            values["period"],
            values["code"],
            values["name"],
            values["entered_by"],
            strict=True,
        )
    ]
    rows += [
        ("check_in", i, p, str(number), n, who, None)
        for i, p, number, n, who in zip(
            check_ins["check_in_id"],
            check_ins["period"],
            check_ins["number"],
            check_ins["name"],
            check_ins["entered_by"],
            strict=True,
        )
    ]
    return frame_of(rows, ENTRY_COLUMNS)


def my_drafts(session: Session, mission_id: int, actor_id: int | None) -> pd.DataFrame:
    """This person's values and check-ins saved as drafts and not sent, in open periods; the
    earliest due date first."""
    if actor_id is None:
        return frame_of([], ENTRY_COLUMNS)
    rows: list[tuple[Any, ...]] = []
    for kind, entry, subject, code, link in (
        ("value", IndicatorValue, Indicator, col(Indicator.code), IndicatorValue.indicator_id),
        ("check_in", CheckIn, Initiative, col(Initiative.number), CheckIn.initiative_id),
    ):
        rows += [
            (kind, entry_id, period, str(number), name, None, due)
            for entry_id, period, number, name, due in fetch(
                session,
                sa.select(
                    col(entry.id), col(Period.label), code, col(subject.name), col(Period.due)
                )
                .join(subject, col(subject.id) == link)
                .join(Period, col(Period.id) == entry.period_id)
                .where(
                    col(subject.mission_id) == mission_id,
                    col(entry.entered_by_id) == actor_id,
                    col(entry.status) == E.DRAFT,
                    col(Period.locked).is_(False),
                ),
            )
        ]
    rows.sort(key=lambda r: (r[6] is None, r[6] or dt.date.max, r[2], r[3]))
    return frame_of(rows, ENTRY_COLUMNS)


def corrections_waiting(session: Session, mission_id: int) -> pd.DataFrame:
    """The mission's corrections to approved values and check-ins that are not approved yet
    (draft, submitted or returned): the approved figure still holds until one is. One in a
    locked period (locked) waits for the period to be re-opened. The oldest period first."""
    rows: list[tuple[Any, ...]] = []
    for kind, entry, subject, code, link in (
        ("value", IndicatorValue, Indicator, col(Indicator.code), IndicatorValue.indicator_id),
        ("check_in", CheckIn, Initiative, col(Initiative.number), CheckIn.initiative_id),
    ):
        rows += [
            (kind, entry_id, period, str(number), name, who, due, status, reason, locked, end)
            for entry_id, period, number, name, who, due, status, reason, locked, end in fetch(
                session,
                sa.select(
                    col(entry.id),
                    col(Period.label),
                    code,
                    col(subject.name),
                    col(User.email),
                    col(Period.due),
                    col(entry.status),
                    col(entry.correction_reason),
                    col(Period.locked),
                    col(Period.end),
                )
                .join(subject, col(subject.id) == link)
                .join(Period, col(Period.id) == entry.period_id)
                .outerjoin(User, col(User.id) == entry.entered_by_id)
                .where(col(subject.mission_id) == mission_id, col(entry.is_correction).is_(True)),
            )
        ]
    rows.sort(key=lambda r: (r[10], r[3]))
    return frame_of([r[:10] for r in rows], CORRECTION_COLUMNS)
