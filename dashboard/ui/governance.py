"""Styring's tables and the deliverables' timeline as a reader sees them: pure functions of
query results and the reader's language, worked out once and shared (dashboard.ui.data.derived,
which calls them by module and name: they cannot live in the page script)."""

from typing import Any

import pandas as pd

from dashboard.i18n.formatting import date
from dashboard.services.governance import Body
from dashboard.ui.charts import timeline_chart
from dashboard.ui.context import label, lang, t
from dashboard.ui.portfolio import TIMELINE_COLOURS
from dashboard.ui.widgets import chart_spec


def when(row: pd.Series, column: str) -> str:
    """A deliverable date in words, as precise as the sources are."""
    value = row[column]
    if pd.isna(value):
        return "–"
    return date(value, lang(), month_only=row["date_precision"] == "month")


def member_tables(all_bodies: list[Body]) -> list[pd.DataFrame | None]:
    """Each body's members as a reader sees them (None: no members); worked out once per
    mission and language and shared (derived)."""
    return [
        None
        if entry.members.empty
        else pd.DataFrame(
            {
                t("col.organisation"): entry.members["short_name"],
                t("col.name"): entry.members["name"],
                t("col.lead"): [t("common.yes") if x else "" for x in entry.members["lead"]],
                t("col.note"): entry.members["note"].fillna(""),
            }
        )
        for entry in all_bodies
    ]


def deliverables_view(items: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any] | None, str]:
    """The deliverables' table, their timeline's chart (None: nothing dated) and its text
    alternative; worked out once per mission and language and shared (derived)."""
    table = pd.DataFrame(
        {
            t("col.number"): items["number"],
            t("col.deliverable"): items["title"],
            t("col.due"): [when(r, "due") for _, r in items.iterrows()],
            t("col.delivered"): [when(r, "delivered") for _, r in items.iterrows()],
            t("col.status"): [label(s, "DeliverableStatus") for s in items["status"]],
            t("col.note"): items["note"].fillna(""),
        }
    )
    dated = (
        items.assign(when=items["delivered"].fillna(items["due"]))
        .dropna(subset=["when"])
        .sort_values("when")
    )
    if dated.empty:  # nothing to put on a time axis: the table says it all
        return table, None, ""
    timeline = pd.DataFrame(
        {
            "date": pd.to_datetime(dated["when"]),
            "title": [f"{n}. {x}" for n, x in zip(dated["number"], dated["title"], strict=True)],
            "status": [label(s, "DeliverableStatus") for s in dated["status"]],
        }
    )
    colours = {  # as on Portefølje's timeline, for the statuses shown
        label(status, kind): colour
        for status, kind, colour, _look in TIMELINE_COLOURS
        if kind == "DeliverableStatus" and label(status, kind) in set(timeline["status"])
    }
    chart = chart_spec(
        timeline_chart,
        points=timeline,
        status_title=t("col.status"),
        colours=colours,
        lang=lang(),
    )
    alt_text = t(
        "governance.timeline_alt",
        count=len(dated),
        first=when(dated.iloc[0], "delivered" if pd.notna(dated.iloc[0]["delivered"]) else "due"),
        last=when(dated.iloc[-1], "delivered" if pd.notna(dated.iloc[-1]["delivered"]) else "due"),
        undated=len(items) - len(dated),
    )
    return table, chart, alt_text
