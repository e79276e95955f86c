"""Corrections of approved values and check-ins on the Rapportering page: the notice and reason
before saving, withdrawing a pending correction, and the history of approved corrections."""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time
from dashboard.services.corrections import history
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import StaleVersion, WorkflowRefused, discard_correction
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.widgets import data_table, esc
from models import CheckIn, IndicatorValue


def reason_key(kind: str, period_id: int) -> str:
    """The session key of the correction reason typed for kind ("value", "check_in")."""
    return f"correction-reason-{kind}-{period_id}"


def reason_input(kind: str, period_id: int) -> str:
    """The reason a person gives for correcting approved figures (kept until a save succeeds)."""
    return st.text_input(
        t("correction.reason"),
        max_chars=1000,
        help=t("correction.reason_help"),
        key=reason_key(kind, period_id),
    )


def grid_notice(grid: pd.DataFrame, period_id: int) -> str | None:
    """Name the grid's rows whose value is approved, say that saving one starts a correction,
    and ask for the reason (None when no row is approved)."""
    approved = grid[grid["approved"].notna()]
    if approved.empty:
        return None
    codes = ", ".join(esc(code) for code in approved["code"])
    st.info(t("correction.grid_notice", codes=codes), icon=":material/edit_note:")
    return reason_input("value", period_id)


def status_text(status: Any, correction_reason: Any) -> str:
    """An entry's state in words; a pending correction says so."""
    if not isinstance(status, str):
        return ""
    state = label(status, "EntryStatus")
    return t("correction.status", status=state) if isinstance(correction_reason, str) else state


def queue_columns(queue: pd.DataFrame, approved: list[str]) -> dict[str, list[str]]:
    """The approval queue's columns about corrections: the approved figure now (approved: as
    shown, per row) and the reason; blank for entries that correct nothing."""
    correcting = [isinstance(reason, str) for reason in queue["correction_reason"]]
    return {
        t("correction.approved_now"): [
            figure if is_correction else ""
            for figure, is_correction in zip(approved, correcting, strict=True)
        ],
        t("correction.reason"): [
            reason if isinstance(reason, str) else "" for reason in queue["correction_reason"]
        ],
    }


def discard_section(actor: Actor, kind: str, pending: dict[int, tuple[str, int]], key: str) -> bool:
    """Withdraw one of the pending corrections (id -> (what it is, version shown)); whether
    one was withdrawn (problems are shown here)."""
    if not pending:
        return False
    with st.expander(t("correction.discard_header"), icon=":material/delete:"):
        chosen = st.selectbox(
            t("correction.discard_pick"),
            list(pending),
            format_func=lambda i: pending[i][0],
            key=f"{key}-pick",
            placeholder=t("common.choose_one"),
        )
        if not st.button(t("correction.discard"), key=f"{key}-button"):
            return False
        try:
            if kind == "check_in":
                discard_correction(actor, CheckIn, chosen, pending[chosen][1])
            else:
                discard_correction(actor, IndicatorValue, chosen, pending[chosen][1])
        except StaleVersion as exc:
            who = esc(exc.changed_by or t("workflow.someone"))
            st.error(t("workflow.stale", who=who, when=local_time(exc.changed_at, lang())))
        except WorkflowRefused as exc:
            st.error(t(f"workflow.{exc.code}"))
        except PermissionDenied:
            st.error(t("auth.not_allowed"))
        except DatabaseBusy:
            st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
        else:
            return True
    return False


def history_section(
    kind: str, period_id: int, names: dict[int, str], show: Callable[[int, dict[str, Any]], str]
) -> None:
    """The approved corrections of the period among names (subject id -> name): before and
    after (show formats a subject's figures), who proposed and approved them, when and why."""
    entity = "check_in" if kind == "check_in" else "indicator_value"
    past = query(history, entity, period_id)
    past = past[past["subject_id"].isin(list(names))]
    if past.empty:
        return
    with st.expander(t("correction.history", count=len(past)), icon=":material/history:"):
        data_table(
            pd.DataFrame(
                {
                    t("correction.subject"): [names[int(s)] for s in past["subject_id"]],
                    t("correction.before"): [
                        show(int(s), f)
                        for s, f in zip(past["subject_id"], past["before"], strict=True)
                    ],
                    t("correction.after"): [
                        show(int(s), f)
                        for s, f in zip(past["subject_id"], past["after"], strict=True)
                    ],
                    t("correction.proposed_by"): past["proposed_by"].fillna(""),
                    t("correction.approved_by"): past["approved_by"].fillna(""),
                    t("correction.when"): [local_time(at, lang()) for at in past["at"]],
                    t("correction.reason"): past["reason"].fillna(""),
                }
            ),
            hide_index=True,
            width="stretch",
        )
