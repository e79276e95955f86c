"""Notices at the top of a page: entries sent back to the reader, and why no period is open."""

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import local_time
from dashboard.services.period_locks import REOPENERS, LockedPeriod, locked_periods
from dashboard.services.permissions import Actor
from dashboard.services.reporting_views import returned_to
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.widgets import esc


def returned_notice(actor: Actor, mission_id: int) -> None:
    """What reviewers sent back to this person, each entry named with the reason."""
    if actor.id is None:
        return
    returned = query(returned_to, mission_id, actor.id)
    if returned.empty:
        return
    lines = [t("notice.returned", count=len(returned))]
    lines += [f"- {returned_line(row)}" for _, row in returned.iterrows()]
    st.warning("\n".join(lines), icon=":material/undo:")


def returned_line(row: pd.Series) -> str:
    """One returned entry: what, which period, why, by whom and when."""
    if row["kind"] == "value":
        what = t("notice.returned_value", code=esc(row["code"]), name=esc(row["name"]))
    else:
        what = t("notice.returned_check_in", name=esc(row["name"]))
    if row["is_correction"]:  # the approved figure still stands
        what = t("notice.returned_correction", what=what)
    reviewer = esc(row["reviewer"]) if isinstance(row["reviewer"], str) else t("workflow.someone")
    return t(
        "notice.returned_line",
        what=what,
        period=esc(row["period"]),
        reason=esc(row["return_reason"] or ""),
        who=reviewer,
        when=local_time(row["reviewed_at"], lang()),
    )


def no_open_period_notice(mission_id: int) -> None:
    """Why nothing can be reported in the mission: its newest period is locked (named, with who
    locked it, when, why and who can open it again), or it has no period yet."""
    locked: list[LockedPeriod] = query(locked_periods, mission_id)
    if not locked:
        st.info(f"{t('reporting.no_period')} {t('reporting.who_periods')}", icon=":material/info:")
        return
    st.warning(locked_text(locked[0]), icon=":material/lock:")


def locked_text(period: LockedPeriod) -> str:
    """'Perioden 2025 er låst …': the period, who locked it, when and why, who can re-open it."""
    parts = [t("notice.locked", period=esc(period.label))]
    if period.locked_by or period.locked_at:
        parts.append(
            t(
                "notice.locked_by",
                who=esc(period.locked_by) if period.locked_by else t("workflow.someone"),
                when=local_time(period.locked_at, lang()) or "–",
            )
        )
    else:
        parts.append(t("notice.locked_unknown"))
    if period.report_id is not None:  # worded here, in the reader's language
        parts.append(t("notice.locked_report", report=period.report_id))
    elif period.reason:
        parts.append(t("notice.locked_reason", reason=esc(period.reason)))
    who = t("notice.or").join(t(f"notice.reopener.{r.value}") for r in REOPENERS)
    parts.append(t("notice.reopen_who", who=who[:1].upper() + who[1:]))
    return " ".join(parts)
