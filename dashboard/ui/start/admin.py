"""The secretariat's start page: overdue organisations, periods to lock, completeness by
organisation, accounts that cannot sign in, refused actions."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import date, local_time
from dashboard.services.permissions import Actor
from dashboard.services.start.admin import (
    REFUSALS_DAYS,
    accounts_to_check,
    admin_start,
    recent_refusals,
)
from dashboard.ui.admin import term
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.progress import today
from dashboard.ui.start.blocks import (
    MAX_ITEMS,
    OVERDUE_ICON,
    cards,
    due_text,
    item,
    more,
    rows,
    section,
)
from dashboard.ui.widgets import data_table, esc, link_to
from models.reporting import utcnow


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
            detail = t("start.overdue_detail", count=row["overdue"], due=due_text(row["due"]))
            item("oversikt.py", text, icon=OVERDUE_ICON, detail=detail)
        more(len(overdue), "oversikt.py", "start.to_completeness")


def to_lock_section(to_lock: pd.DataFrame) -> None:
    """Periods that have ended and are still open, with what is not approved in them."""
    if section("start.to_lock", len(to_lock), "start.to_lock_none"):
        for row in rows(to_lock):
            text = t("start.to_lock_item", period=esc(row["period"]), end=date(row["end"], lang()))
            ready = row["not_approved"] == 0 and row["corrections"] == 0
            key = "start.to_lock_ready" if ready else "start.to_lock_open"
            detail = t(key, count=row["not_approved"], expected=row["expected"])
            if row["corrections"]:
                detail += ". " + t("start.to_lock_corrections", count=row["corrections"])
            item("administrasjon.py", text, icon=":material/lock:", detail=detail)


def accounts_section(accounts: pd.DataFrame) -> None:
    """Accounts that cannot sign in: deactivated or locked out."""
    if section("start.accounts", len(accounts), "start.accounts_none"):
        for row in rows(accounts.head(MAX_ITEMS)):
            state = (
                t("start.account_inactive")
                if not row["active"]
                else t("start.account_locked", until=local_time(row["locked_until"], lang()))
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
            what = esc(term("entity", row["entity"]))
            if after.get("page"):
                what = t("start.refused_page", what=what, page=esc(after["page"]))
            item(
                "administrasjon.py",
                who,
                icon=":material/block:",
                detail=f"{local_time(row['at'], lang())}: {what}",
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
    data_table(table, hide_index=True, width="stretch")
    link_to("oversikt.py", t("start.to_completeness"))
