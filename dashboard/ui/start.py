"""The start page of each role: sections of items, most urgent first, each a link to where it
is done; an empty section says so in one line."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date, local_date, local_time, measured, number
from dashboard.services.permissions import Actor
from dashboard.services.start.admin import accounts_to_check, admin_start, recent_refusals
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
    st.header(f"{t(title_key)} ({count})")
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


def _entry_name(kind: str, code: object, name: object) -> str:
    """A value as 'code name', a check-in as 'Check-in: initiative' (escaped)."""
    if kind == "check_in":
        return t("start.check_in_of", name=esc(name))
    return f"{esc(code)} {esc(name)}"


# --- steering group -----------------------------------------------------------------------------


def steering_view(mission: Mission) -> None:
    """Reports to approve, open decisions, goals off track, red and amber initiatives, headline
    indicators and the review pack."""
    assert mission.id is not None
    start = query(steering_start, mission.id, today())
    if section("start.reports", len(start.reports), "start.reports_none"):
        for row in rows(start.reports.head(MAX_ITEMS)):
            when = date(local_date(row["submitted_at"]), lang()) if row["submitted_at"] else "–"
            text = t(
                "start.report_item",
                period=esc(row["period"]),
                when=when,
                who=esc(row["submitted_by"]),
            )
            item("statusrapporter.py", text, icon=":material/approval:", rapport=row["id"])
        more(len(start.reports), "statusrapporter.py", "report.to_reports")
    if section("start.decisions", len(start.decisions), "start.decisions_none"):
        for row in rows(start.decisions.head(MAX_ITEMS)):
            owner = esc(row["owner"]) if isinstance(row["owner"], str) else t("start.no_owner")
            text = _late(
                f"{esc(row['title'])} · {owner} · {_due(row['due'])}", bool(row["overdue"])
            )
            icon = OVERDUE_ICON if row["overdue"] else ":material/gavel:"
            item("styring.py", text, icon=icon, detail=label(row["status"], "DecisionStatus"))
        more(len(start.decisions), "styring.py", "start.to_governance")
    if section("start.goals", len(start.goals), "start.goals_none"):
        for summary in start.goals[:MAX_ITEMS]:
            goal = summary.goal
            item(
                "mal.py",
                f"{esc(goal.code)} {esc(goal.title)}",
                icon=":material/flag:",
                detail=goal_status_text(summary.progress),
            )
    initiatives = start.initiatives
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
    headline_section(start.headline, start.last_approved)
    pack_section(start.pack_report, mission.title)


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
    if actor.organisation_id is None:
        st.header(f"{t('start.to_enter')} (0)")
        st.caption(t("start.no_organisation"))
    elif section("start.to_enter", len(start.to_enter), "start.to_enter_none"):
        for row in rows(start.to_enter.head(MAX_ITEMS)):
            text = t(
                "start.to_enter_item",
                period=esc(row["period"]),
                values=row["values"],
                check_ins=row["check_ins"],
                due=_due(row["due"]),
            )
            icon = OVERDUE_ICON if row["overdue"] else ":material/edit_note:"
            item("rapportering.py", _late(text, bool(row["overdue"])), icon=icon)
    if section("start.returned", len(start.returned), "start.returned_none"):
        for row in rows(start.returned.head(MAX_ITEMS)):
            text = f"{_entry_name(row['kind'], row['code'], row['name'])} · {esc(row['period'])}"
            detail = t(
                "start.returned_detail",
                reason=esc(row["return_reason"]),
                who=esc(row["reviewer"]),
                when=local_time(row["reviewed_at"]),
            )
            item("rapportering.py", text, icon=":material/undo:", detail=detail)
        more(len(start.returned), "rapportering.py", "start.to_reporting")
    if section("start.to_approve", len(start.to_approve), "start.to_approve_none"):
        for row in rows(start.to_approve.head(MAX_ITEMS)):
            text = t(
                "start.to_approve_item",
                what=_entry_name(row["kind"], row["code"], row["name"]),
                period=esc(row["period"]),
                who=esc(row["who"]),
            )
            item("rapportering.py", text, icon=":material/rule:")
        more(len(start.to_approve), "rapportering.py", "start.to_queue")
    if section("start.drafts", len(start.drafts), "start.drafts_none"):
        for row in rows(start.drafts.head(MAX_ITEMS)):
            what = _entry_name(row["kind"], row["code"], row["name"])
            text = f"{what} · {esc(row['period'])} · {_due(row['due'])}"
            item("rapportering.py", text, icon=":material/draft:")
        more(len(start.drafts), "rapportering.py", "start.to_reporting")


# --- secretariat --------------------------------------------------------------------------------


def admin_view(actor: Actor, mission_id: int) -> None:
    """Completeness by organisation, overdue organisations, periods to lock, accounts that
    cannot sign in, refused actions."""
    start = query(admin_start, mission_id, today())
    if section("start.overdue_orgs", len(start.overdue), "start.overdue_orgs_none"):
        for row in rows(start.overdue.head(MAX_ITEMS)):
            text = t(
                "start.overdue_item",
                organisation=esc(row["organisation"]),
                period=esc(row["period"]),
                count=row["overdue"],
                due=_due(row["due"]),
            )
            item("oversikt.py", text, icon=OVERDUE_ICON)
        more(len(start.overdue), "oversikt.py", "start.to_completeness")
    if section("start.to_lock", len(start.to_lock), "start.to_lock_none"):
        for row in rows(start.to_lock):
            ended = date(row["end"], lang())
            key = "start.to_lock_ready" if row["not_approved"] == 0 else "start.to_lock_item"
            text = t(
                key,
                period=esc(row["period"]),
                end=ended,
                count=row["not_approved"],
                expected=row["expected"],
            )
            item("administrasjon.py", text, icon=":material/lock:")
    completeness_table(start.completeness)
    accounts = accounts_to_check(actor, utcnow())
    if section("start.accounts", len(accounts), "start.accounts_none"):
        for row in rows(accounts.head(MAX_ITEMS)):
            state = (
                t("start.account_inactive")
                if not row["active"]
                else t("start.account_locked", until=local_time(row["locked_until"]))
            )
            item(
                "administrasjon.py", f"{esc(row['email'])} · {state}", icon=":material/person_off:"
            )
        more(len(accounts), "administrasjon.py", "start.to_admin")
    refusals = recent_refusals(actor, today())
    if section("start.refusals", len(refusals), "start.refusals_none", days=14):
        for row in rows(refusals.head(MAX_ITEMS)):
            who = esc(row["actor"]) if isinstance(row["actor"], str) else t("admin.anonymous")
            after = row["after"] if isinstance(row["after"], dict) else {}
            what = esc(row["entity"])
            if after.get("page"):
                what = t("start.refused_page", what=what, page=esc(after["page"]))
            text = f"{local_time(row['at'])} · {who} · {what}"
            item("administrasjon.py", text, icon=":material/block:")
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
