"""The decisions log: the steering group's decisions with owner, due date, status and follow-up,
and the forms to record and update them (steering group only)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n.validation import describe
from dashboard.services.common import organisation_names
from dashboard.services.decisions import decision_log, record_decision, update_decision
from dashboard.services.framework import goal_options, initiative_options
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed
from dashboard.services.reporting import WorkflowRefused
from dashboard.services.status_reports import report_list, report_snapshot
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.progress import today
from dashboard.ui.report_tables import Words, decisions_table
from dashboard.ui.reporting import MESSAGES_KEY
from dashboard.ui.widgets import data_table, downloads, esc
from models import DecisionStatus

ROUND_KEY = "decision_form_round"
SHOWN_KEY = "decision_form_versions"  # form key -> the decision's version it was shown with


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The log as a reader sees it, with a column for overdue decisions."""
    table = decisions_table(log, Words(lang()))
    table[t("decision.col.overdue")] = [t("common.yes") if o else "" for o in log["overdue"]]
    return table


def decision_log_section(actor: Actor, mission_id: int) -> None:
    """The whole log (internal roles), and for the steering group the forms to change it."""
    log = query(decision_log, mission_id, today())
    if log.empty:
        st.info(t("decision.none"), icon=":material/info:")
    else:
        open_count = int(log["status"].isin(["open", "in_progress"]).sum())
        st.caption(
            t("decision.counts", total=len(log), open=open_count, overdue=int(log["overdue"].sum()))
        )
        table = log_table(log)
        data_table(table, hide_index=True, width="stretch")
        downloads(table, "beslutninger", key="decisions")
    if not allowed(actor, Action.RECORD_DECISION):
        return
    with st.expander(t("decision.record"), icon=":material/add:"):
        decision_form(actor, mission_id, None, key="decision-new")
    if not log.empty:
        with st.expander(t("decision.update"), icon=":material/edit:"):
            ids = [int(i) for i in log["decision_id"]]
            titles = dict(zip(ids, log["title"], strict=True))
            chosen = st.selectbox(
                t("decision.choose"),
                ids,
                format_func=lambda i: titles[i],
                key="decision-pick",
                placeholder=t("common.choose_one"),
            )
            row = log[log["decision_id"] == chosen].iloc[0].to_dict()
            decision_form(actor, mission_id, None, key=f"decision-{chosen}", current=row)


def published_decisions(mission_id: int) -> None:
    """For partners: the decisions as the latest published report gives them."""
    reports = query(report_list, mission_id, include_unpublished=False)
    if reports.empty:
        st.info(t("report.none_published"), icon=":material/info:")
        return
    latest = query(report_snapshot, int(reports["id"].iloc[0]), include_unpublished=False)
    if latest is None or latest.decisions.empty:
        st.info(t("decision.none"), icon=":material/info:")
        return
    st.caption(t("decision.published_only", period=esc(reports["period"].iloc[0])))
    data_table(decisions_table(latest.decisions, Words(lang())), hide_index=True, width="stretch")


def _options(mission_id: int) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    goals = {i: f"{code} {title}" for i, code, title in query(goal_options, mission_id)}
    initiatives = {i: f"{n}. {name}" for i, n, name in query(initiative_options, mission_id)}
    organisations = dict(sorted(query(organisation_names).items(), key=lambda kv: kv[1].lower()))
    return goals, initiatives, organisations


def _pick_many(label_key: str, options: dict[int, str], chosen: Any, key: str) -> list[int]:
    """A multiselect of options (id -> text), starting from the chosen ids still among them."""
    return st.multiselect(
        t(label_key),
        list(options),
        default=[i for i in chosen if i in options],
        format_func=lambda i: options[i],
        placeholder=t("common.choose_many"),
        key=key,
    )


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def decision_form(
    actor: Actor,
    mission_id: int,
    report_id: int | None,
    *,
    key: str,
    current: Mapping[Any, Any] | None = None,
) -> None:
    """A form to record a decision (current None) or change one; says what went wrong."""
    goals, initiatives, organisations = _options(mission_id)
    statuses: list[str] = [s.value for s in DecisionStatus]
    known = current is not None
    row: Mapping[Any, Any] = current or {}
    round_ = st.session_state.get(ROUND_KEY, 0)  # a fresh form after each save
    form = f"{key}-{round_}"
    # the version the form was first shown with: a colleague's save in between is told
    shown = st.session_state.setdefault(SHOWN_KEY, {})
    version = shown.setdefault(form, row.get("version"))
    with st.form(form):
        title = st.text_input(
            t("decision.col.title"),
            value=str(row.get("title", "")),
            max_chars=300,
            key=f"{form}-title",
        )
        description = st.text_area(
            t("decision.col.description"),
            value=str(row.get("description") or ""),
            max_chars=5000,
            key=f"{form}-description",
        )
        left, middle, right = st.columns(3)
        decided_on = left.date_input(
            t("decision.col.decided_on"),
            value=_date(row["decided_on"]) if known else today(),
            format="DD.MM.YYYY",
            key=f"{form}-decided",
        )
        due = middle.date_input(
            t("col.due"), value=_date(row.get("due")), format="DD.MM.YYYY", key=f"{form}-due"
        )
        status = right.selectbox(
            t("col.status"),
            statuses,
            index=statuses.index(str(row.get("status", "open"))),
            format_func=lambda s: t(f"enum.DecisionStatus.{s}"),
            key=f"{form}-status",
            placeholder=t("common.choose_one"),
        )
        owner_ids: list[int | None] = [None, *organisations]
        owner_now = row.get("owner_org_id")
        owner = st.selectbox(
            t("decision.col.owner"),
            owner_ids,
            index=owner_ids.index(int(owner_now)) if owner_now in organisations else 0,
            format_func=lambda i: organisations[i] if i is not None else "–",
            key=f"{form}-owner",
            placeholder=t("common.choose_one"),
        )
        goal_ids = _pick_many("col.goals", goals, row.get("goal_ids", []), f"{form}-goals")
        initiative_ids = _pick_many(
            "decision.col.initiatives",
            initiatives,
            row.get("initiative_ids", []),
            f"{form}-initiatives",
        )
        follow_up = st.text_area(
            t("decision.col.follow_up"),
            value=str(row.get("follow_up") or ""),
            max_chars=2000,
            key=f"{form}-follow-up",
        )
        sent = st.form_submit_button(t("decision.save"), type="primary")
    if not sent:
        return
    data: dict[str, Any] = {
        "title": title,
        "description": description,
        "decided_on": decided_on,
        "due": due,
        "status": status,
        "owner_org_id": owner,
        "goal_ids": goal_ids,
        "initiative_ids": initiative_ids,
        "follow_up": follow_up,
        "report_id": row.get("report_id", report_id),
    }
    try:
        if known:
            decision_id = int(row["decision_id"])
            update_decision(actor, decision_id, data | {"version": int(version)})
        else:
            record_decision(actor, mission_id, data)
    except ValidationError as exc:
        for problem in describe(exc, lang()):
            st.error(problem)
        st.caption(t("decision.kept"))
        return
    except WorkflowRefused as exc:
        st.error(t(f"workflow.{exc.code}"))
        if exc.code == "stale_decision":  # what is typed stays; saving again goes over it
            shown[form] = row.get("version")
            st.caption(t("decision.kept_stale"))
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    except DatabaseBusy:
        st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
        st.caption(t("decision.kept"))
        return
    st.session_state[MESSAGES_KEY] = [("success", t("decision.saved", title=esc(title.strip())))]
    st.session_state[ROUND_KEY] = round_ + 1
    st.rerun()
