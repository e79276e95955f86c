"""The start page of each role: sections of items, most urgent first, each a link to where it
is done; an empty section says so in one line."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n.formatting import date, local_date, local_time, measured, number
from dashboard.services.overview import GoalSummary
from dashboard.services.permissions import Actor
from dashboard.services.start.admin import (
    REFUSALS_DAYS,
    accounts_to_check,
    admin_start,
    recent_refusals,
)
from dashboard.services.start.operative import operative_start
from dashboard.services.start.partner import latest_published
from dashboard.services.start.steering import steering_start
from dashboard.services.status_reports import report_detail
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.navigation import PAGES_DIR
from dashboard.ui.progress import goal_status_text, today
from dashboard.ui.status_reports import changes_view, pack_downloads
from dashboard.ui.widgets import esc, link_to
from models import Mission, Role
from models.reporting import utcnow

MAX_ITEMS = 8  # per section; the rest is one link away
OVERDUE_ICON = ":material/warning:"


def intro_key(role: Role) -> str:
    """The one-line introduction of the start page for a role."""
    return f"start.intro.{role.value}"


def start_view(actor: Actor, mission: Mission) -> None:
    """The start page's sections for the actor's role."""
    assert mission.id is not None
    if actor.role == Role.STEERING:
        steering_view(mission)
    elif actor.role == Role.OPERATIVE:
        operative_view(actor, mission.id)
    elif actor.role == Role.ADMIN:
        admin_view(actor, mission.id)
    else:
        partner_view(mission.id)


# --- building blocks ----------------------------------------------------------------------------


def section(title_key: str, count: int, empty_key: str, **values: object) -> bool:
    """A section heading with its count; False (after one line saying so) when it is empty."""
    st.subheader(f"{t(title_key)} ({count})")
    if count == 0:
        st.caption(t(empty_key, **values))
    return count > 0


def item(
    script: str,
    text: str,
    *,
    icon: str,
    detail: str | None = None,
    **params: object,
) -> None:
    """One item: a link to where it is done (text escaped by the caller), a detail below."""
    st.page_link(
        PAGES_DIR / script,
        label=text,
        icon=icon,
        query_params={k: str(v) for k, v in params.items()},
    )
    if detail:
        st.caption(detail)


def cards(count: int) -> list[DeltaGenerator]:
    """count bordered boxes, two to a row (one under the other on a narrow screen)."""
    boxes: list[DeltaGenerator] = []
    for first in range(0, count, 2):
        columns = st.columns(2)
        boxes += [column.container(border=True) for column in columns[: count - first]]
    return boxes


def more(count: int, script: str, link_key: str) -> None:
    """When a section holds more items than it shows: how many, and where they all are."""
    if count > MAX_ITEMS:
        st.caption(t("start.more", count=count - MAX_ITEMS))
        link_to(script, t(link_key))


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dictionaries by column name."""
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _due(value: object) -> str:
    """A due date in words ('no due date' for none)."""
    if isinstance(value, dt.date):
        return t("start.due", due=date(value, lang()))
    return t("start.no_due")


def _late(text: str, overdue: bool) -> str:
    """Text marked as overdue in words (not by colour alone)."""
    return f"**{t('start.overdue')}**: {text}" if overdue else text


def _entry(row: dict[str, Any]) -> tuple[str, str]:
    """A value or check-in as a short link text (the code, or 'Check-in: initiative') and its
    indicator's name for the line below (escaped); long names do not fit a link."""
    if row["kind"] == "check_in":
        return t("start.check_in_of", name=esc(row["name"])), ""
    return esc(row["code"]), esc(row["name"])


def _lines(*parts: str) -> str:
    """Caption lines (markdown line breaks), leaving out empty ones."""
    return "  \n".join(part for part in parts if part)


# --- steering group -----------------------------------------------------------------------------


def steering_view(mission: Mission) -> None:
    """Reports to approve, open decisions, goals off track, red and amber initiatives, headline
    indicators and the review pack."""
    assert mission.id is not None
    start = query(steering_start, mission.id, today())
    st.header(t("start.group.waiting"))
    reports_box, decisions_box = cards(2)
    with reports_box:
        reports_section(start.reports)
    with decisions_box:
        decisions_section(start.decisions)
    st.header(t("start.group.status"))
    goals_box, initiatives_box = cards(2)
    with goals_box:
        goals_section(start.goals)
    with initiatives_box:
        initiatives_section(start.initiatives)
    with st.container(border=True):
        headline_section(start.headline, start.last_approved)
    pack_section(start.pack_report, mission.title)


def reports_section(reports: pd.DataFrame) -> None:
    """Status reports waiting for approval, the longest waiting first."""
    if section("start.reports", len(reports), "start.reports_none"):
        for row in rows(reports.head(MAX_ITEMS)):
            when = date(local_date(row["submitted_at"]), lang()) if row["submitted_at"] else "–"
            sent = t("start.report_sent", when=when, who=esc(row["submitted_by"]))
            text = t("start.report_item", period=esc(row["period"]))
            item(
                "statusrapporter.py",
                text,
                icon=":material/approval:",
                detail=sent,
                rapport=row["id"],
            )
        more(len(reports), "statusrapporter.py", "report.to_reports")


def decisions_section(decisions: pd.DataFrame) -> None:
    """Open decisions, the overdue first, with owner and due date."""
    if section("start.decisions", len(decisions), "start.decisions_none"):
        for row in rows(decisions.head(MAX_ITEMS)):
            owner = esc(row["owner"]) if isinstance(row["owner"], str) else t("start.no_owner")
            text = _late(
                f"{esc(row['title'])} · {owner} · {_due(row['due'])}", bool(row["overdue"])
            )
            icon = OVERDUE_ICON if row["overdue"] else ":material/gavel:"
            status = t("start.status", status=label(row["status"], "DecisionStatus"))
            item("styring.py", text, icon=icon, detail=status)
        more(len(decisions), "styring.py", "start.to_governance")


def goals_section(goals: list[GoalSummary]) -> None:
    """Goals off track or getting worse."""
    if section("start.goals", len(goals), "start.goals_none"):
        for summary in goals[:MAX_ITEMS]:
            goal = summary.goal
            item(
                "mal.py",
                f"{esc(goal.code)} {esc(goal.title)}",
                icon=":material/flag:",
                detail=goal_status_text(summary.progress),
            )


def initiatives_section(initiatives: pd.DataFrame) -> None:
    """Red and amber initiatives and the help they ask for."""
    if section("start.initiatives", len(initiatives), "start.initiatives_none"):
        for row in rows(initiatives.head(MAX_ITEMS)):
            text = t(
                "start.initiative_item",
                rag=label(row["rag"], "Rag"),
                number=row["number"],
                name=esc(row["name"]),
                period=esc(row["check_in_period"]),
            )
            help_needed = row["help_needed"] if isinstance(row["help_needed"], str) else None
            detail = t("start.help", text=esc(help_needed)) if help_needed else t("start.no_help")
            item("satsing.py", text, icon=":material/report:", detail=detail, nr=row["number"])
        more(len(initiatives), "portefolje.py", "overview.to_portfolio")


def headline_section(headline: pd.DataFrame, last_approved: int | None) -> None:
    """The headline indicators: latest approved value and the change since the last report."""
    if not section("start.headline", len(headline), "start.headline_none"):
        return
    language = lang()
    table = pd.DataFrame(
        {
            t("col.indicator"): [
                f"{c} {n}" for c, n in zip(headline["code"], headline["name"], strict=True)
            ],
            t("col.value"): [
                measured(v, m, u, language) if pd.notna(v) else "–"
                for v, m, u in zip(
                    headline["value"], headline["measure"], headline["unit"], strict=True
                )
            ],
            t("col.period"): headline["period"].fillna("–"),
            t("start.in_last_report"): [
                measured(v, m, u, language) if pd.notna(v) else "–"
                for v, m, u in zip(
                    headline["before"], headline["measure"], headline["unit"], strict=True
                )
            ],
            t("start.change"): [
                (("+" if c > 0 else "") + number(c, language)) if pd.notna(c) else "–"
                for c in headline["change"]
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if last_approved is None:
        st.caption(t("start.headline_no_report"))
    link_to("indikatorer.py", t("overview.to_indicators"))


def pack_section(report_id: int | None, mission_title: str) -> None:
    """The review pack of the report waiting (else of the last approved one), one click away."""
    if report_id is None:
        st.header(t("report.pack"))
        st.caption(t("start.pack_none"))
        return
    detail = query(report_detail, report_id, include_unpublished=True)
    if detail is None:
        return
    pack_downloads(detail, mission_title)
    status = label(detail.report.status, "ReportStatus")
    link_to(
        "statusrapporter.py",
        t("start.pack_for", period=detail.period, status=status),
        rapport=report_id,
    )


# --- operative group ----------------------------------------------------------------------------


def operative_view(actor: Actor, mission_id: int) -> None:
    """What to enter, what was returned, what to approve, drafts not sent."""
    start = query(operative_start, mission_id, actor.id, actor.organisation_id, today())
    st.header(t("start.group.yours"))
    enter_box, returned_box, approve_box, drafts_box = cards(4)
    with enter_box:
        to_enter_section(start.to_enter, has_organisation=actor.organisation_id is not None)
    with returned_box:
        returned_section(start.returned)
    with approve_box:
        to_approve_section(start.to_approve)
    with drafts_box:
        drafts_section(start.drafts)


def to_enter_section(to_enter: pd.DataFrame, *, has_organisation: bool) -> None:
    """Per open period: values and check-ins not sent yet, overdue periods first."""
    if not has_organisation:
        section("start.to_enter", 0, "start.no_organisation")
    elif section("start.to_enter", len(to_enter), "start.to_enter_none"):
        for row in rows(to_enter.head(MAX_ITEMS)):
            text = t("start.to_enter_item", period=esc(row["period"]), due=_due(row["due"]))
            detail = t("start.to_enter_detail", values=row["values"], check_ins=row["check_ins"])
            icon = OVERDUE_ICON if row["overdue"] else ":material/edit_note:"
            item("rapportering.py", _late(text, bool(row["overdue"])), icon=icon, detail=detail)


def returned_section(returned: pd.DataFrame) -> None:
    """What reviewers returned to this person, with their reason."""
    if section("start.returned", len(returned), "start.returned_none"):
        for row in rows(returned.head(MAX_ITEMS)):
            what, name = _entry(row)
            text = f"{what} · {esc(row['period'])}"
            detail = _lines(
                name,
                t(
                    "start.returned_detail",
                    reason=esc(row["return_reason"]),
                    who=esc(row["reviewer"]),
                    when=local_time(row["reviewed_at"]),
                ),
            )
            item("rapportering.py", text, icon=":material/undo:", detail=detail)
        more(len(returned), "rapportering.py", "start.to_reporting")


def to_approve_section(to_approve: pd.DataFrame) -> None:
    """Colleagues' values and check-ins waiting for this person's approval."""
    if section("start.to_approve", len(to_approve), "start.to_approve_none"):
        for row in rows(to_approve.head(MAX_ITEMS)):
            what, name = _entry(row)
            text = t("start.to_approve_item", what=what, period=esc(row["period"]))
            detail = _lines(name, t("start.from", who=esc(row["who"])))
            item("rapportering.py", text, icon=":material/rule:", detail=detail)
        more(len(to_approve), "rapportering.py", "start.to_queue")


def drafts_section(drafts: pd.DataFrame) -> None:
    """This person's drafts not sent yet, the earliest due first."""
    if section("start.drafts", len(drafts), "start.drafts_none"):
        for row in rows(drafts.head(MAX_ITEMS)):
            what, name = _entry(row)
            text = f"{what} · {esc(row['period'])} · {_due(row['due'])}"
            item("rapportering.py", text, icon=":material/draft:", detail=name)
        more(len(drafts), "rapportering.py", "start.to_reporting")


# --- secretariat --------------------------------------------------------------------------------


def admin_view(actor: Actor, mission_id: int) -> None:
    """Completeness by organisation, overdue organisations, periods to lock, accounts that
    cannot sign in, refused actions."""
    start = query(admin_start, mission_id, today())
    st.header(t("start.group.reporting"))
    overdue_box, lock_box = cards(2)
    with overdue_box:
        overdue_section(start.overdue)
    with lock_box:
        to_lock_section(start.to_lock)
    with st.container(border=True):
        completeness_table(start.completeness)
    st.header(t("start.group.access"))
    accounts_box, refusals_box = cards(2)
    with accounts_box:
        accounts_section(accounts_to_check(actor, utcnow()))
    with refusals_box:
        refusals_section(recent_refusals(actor, today()))


def overdue_section(overdue: pd.DataFrame) -> None:
    """Organisations with overdue values, the most overdue first."""
    if section("start.overdue_orgs", len(overdue), "start.overdue_orgs_none"):
        for row in rows(overdue.head(MAX_ITEMS)):
            text = t(
                "start.overdue_item",
                organisation=esc(row["organisation"]),
                period=esc(row["period"]),
            )
            detail = t("start.overdue_detail", count=row["overdue"], due=_due(row["due"]))
            item("oversikt.py", text, icon=OVERDUE_ICON, detail=detail)
        more(len(overdue), "oversikt.py", "start.to_completeness")


def to_lock_section(to_lock: pd.DataFrame) -> None:
    """Periods that have ended and are still open, with what is not approved in them."""
    if section("start.to_lock", len(to_lock), "start.to_lock_none"):
        for row in rows(to_lock):
            text = t("start.to_lock_item", period=esc(row["period"]), end=date(row["end"], lang()))
            key = "start.to_lock_ready" if row["not_approved"] == 0 else "start.to_lock_open"
            detail = t(key, count=row["not_approved"], expected=row["expected"])
            item("administrasjon.py", text, icon=":material/lock:", detail=detail)


def accounts_section(accounts: pd.DataFrame) -> None:
    """Accounts that cannot sign in: deactivated or locked out."""
    if section("start.accounts", len(accounts), "start.accounts_none"):
        for row in rows(accounts.head(MAX_ITEMS)):
            state = (
                t("start.account_inactive")
                if not row["active"]
                else t("start.account_locked", until=local_time(row["locked_until"]))
            )
            text = f"{esc(row['email'])} · {state}"
            item("administrasjon.py", text, icon=":material/person_off:")
        more(len(accounts), "administrasjon.py", "start.to_admin")


def refusals_section(refusals: pd.DataFrame) -> None:
    """Actions and pages refused lately, the newest first."""
    if section("start.refusals", len(refusals), "start.refusals_none", days=REFUSALS_DAYS):
        for row in rows(refusals.head(MAX_ITEMS)):
            who = esc(row["actor"]) if isinstance(row["actor"], str) else t("admin.anonymous")
            after = row["after"] if isinstance(row["after"], dict) else {}
            what = esc(row["entity"])
            if after.get("page"):
                what = t("start.refused_page", what=what, page=esc(after["page"]))
            item(
                "administrasjon.py",
                who,
                icon=":material/block:",
                detail=f"{local_time(row['at'])}: {what}",
            )
        more(len(refusals), "administrasjon.py", "start.to_admin")


def completeness_table(frame: pd.DataFrame) -> None:
    """Every open period's values per organisation and state, as one table."""
    periods = frame["period"].nunique() if len(frame) else 0
    if not section("start.completeness", periods, "start.completeness_none"):
        return
    states = ["approved", "submitted", "draft", "returned", "missing"]
    table = pd.DataFrame(
        {
            t("col.period"): frame["period"],
            t("col.organisation"): frame["organisation"],
            t("start.expected"): frame["total"],
            **{
                label(s, "EntryStatus") if s != "missing" else t("progress.state.missing"): frame[s]
                for s in states
            },
            t("start.overdue"): frame["overdue"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    link_to("oversikt.py", t("start.to_completeness"))


# --- partners and visitors ----------------------------------------------------------------------


def partner_view(mission_id: int) -> None:
    """The latest published report's summary and what changed since the one before."""
    detail = query(latest_published, mission_id)
    if detail is None:
        st.header(t("start.latest_none_title"))
        st.caption(t("start.latest_none"))
        return
    st.header(t("start.latest", period=esc(detail.period)))
    approved = local_date(detail.report.approved_at)
    if approved:
        st.caption(t("start.approved_on", when=date(approved, lang())))
    st.markdown(esc(detail.report.summary) if detail.report.summary else t("start.no_summary"))
    link_to("statusrapporter.py", t("start.open_report"), rapport=detail.report.id)
    if detail.changes is None or detail.previous_period is None:
        st.header(t("start.changes_title"))
        st.caption(t("start.first_report"))
        return
    st.header(t("start.changes_since", period=esc(detail.previous_period)))
    changes_view(detail.changes)
