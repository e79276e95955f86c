"""The steering group's start page: reports to approve, open decisions, goals off track, red and
amber initiatives, headline indicators and the review pack."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date, local_date, number
from dashboard.services.overview import GoalSummary
from dashboard.services.start.steering import steering_start
from dashboard.services.status_reports import report_detail
from dashboard.ui.context import label, lang, sees_suppressed, t
from dashboard.ui.data import query
from dashboard.ui.progress import goal_status_text, today
from dashboard.ui.start.blocks import (
    MAX_ITEMS,
    OVERDUE_ICON,
    cards,
    due_text,
    item,
    late,
    more,
    rows,
    section,
)
from dashboard.ui.status_reports import pack_downloads
from dashboard.ui.suppression import shown_value
from dashboard.ui.widgets import data_table, esc, link_to
from models import Mission


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
            text = late(
                f"{esc(row['title'])} · {owner} · {due_text(row['due'])}", bool(row["overdue"])
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
                shown_value(v, m, u, language, internal=sees_suppressed())
                for v, m, u in zip(
                    headline["value"], headline["measure"], headline["unit"], strict=True
                )
            ],
            t("col.period"): headline["period"].fillna("–"),
            t("start.in_last_report"): [
                shown_value(v, m, u, language, internal=sees_suppressed())
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
    data_table(table, hide_index=True, width="stretch")
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
