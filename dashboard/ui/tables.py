"""Display tables: service frames with translated headers, labels and Norwegian numbers."""

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from dashboard.i18n import enum_key, translate
from dashboard.i18n.formatting import measured
from dashboard.services.goals import GoalNode, goal_tree
from dashboard.services.progress import GoalProgress
from dashboard.ui.context import label, labels, lang, t
from dashboard.ui.progress import state_column, status_column
from dashboard.ui.suppression import shown_value
from dashboard.ui.widgets import page_href
from models import ContributionKind, FocusType, Goal, Mission


def _measured_column(frame: pd.DataFrame, column: str, missing: str = "–") -> list[str]:
    language = lang()
    return [
        measured(v, m, u, language) if pd.notna(v) else missing
        for v, m, u in zip(frame[column], frame["measure"], frame["unit"], strict=True)
    ]


def _shown_column(frame: pd.DataFrame, column: str, *, internal: bool) -> list[str]:
    """Values as the reader sees them: «:» for a suppressed count unless internal (marked)."""
    language = lang()
    return [
        shown_value(v, m, u, language, internal=internal)
        for v, m, u in zip(frame[column], frame["measure"], frame["unit"], strict=True)
    ]


# The columns of indicator_table that hold measured values (suppressed where small)
INDICATOR_VALUES = ("baseline_value", "latest_value")


KEY_INDICATOR_COLUMNS = (
    "col.indicator",
    "col.baseline",
    "col.baseline_year",
    "col.latest",
    "col.latest_period",
    "col.target",
)


def indicator_display(
    indicators: pd.DataFrame,
    only: tuple[str, ...] = (),
    *,
    internal: bool = False,
    shows_hidden: bool = False,
) -> pd.DataFrame:
    """The indicator table as a reader sees it (only: the column keys to keep). For the internal
    roles, whose latest value may be a draft or submitted one, a column says which, and a status
    resting on such a value says so; partners see approved values only, so neither. A baseline
    or latest value suppressed as a small number reads «:» unless shows_hidden (the internal
    roles, dashboard.ui.context.sees_suppressed), who see it marked.
    """
    states = indicators["latest_status"] if internal else [None] * len(indicators)
    columns = {
        "col.code": indicators["code"],
        "col.indicator": indicators["name"],
        "col.baseline": _shown_column(indicators, "baseline_value", internal=shows_hidden),
        "col.baseline_year": [str(y) if pd.notna(y) else "–" for y in indicators.baseline_year],
        "col.latest": _shown_column(indicators, "latest_value", internal=shows_hidden),
        "col.latest_period": indicators["latest_period"].fillna("–"),
    }
    if internal:  # the workflow state of the latest value
        columns["progress.col.value_state"] = state_column(states)
    columns |= {
        "col.target": _measured_column(indicators, "target_value", t("common.no_target")),
        "progress.col.status": status_column(indicators["progress"], states, lang()),
        "col.direction": labels(indicators["direction"], "Direction"),
        "col.responsible": indicators["responsible"].fillna("–"),
        "col.source": indicators["source"].fillna("–"),
    }
    keep = list(only or columns)
    if internal and "col.latest" in keep and "progress.col.value_state" not in keep:
        after = "col.latest_period" if "col.latest_period" in keep else "col.latest"
        keep.insert(keep.index(after) + 1, "progress.col.value_state")
    return pd.DataFrame({t(key): columns[key] for key in keep})


def indicator_overview(
    indicators: pd.DataFrame, internal: bool, shows_hidden: bool, mission: str
) -> pd.DataFrame:
    """Indikatorer's list of every indicator (indicator_display), each with a link to its own
    page in the mission whose key is given."""
    overview = indicator_display(indicators, internal=internal, shows_hidden=shows_hidden)
    overview[t("col.open")] = [
        page_href("indikatorer", mission=mission, kode=code) for code in indicators["code"]
    ]
    return overview


def key_indicator_display(
    indicators: pd.DataFrame, internal: bool, shows_hidden: bool
) -> pd.DataFrame:
    """Oversikt's key indicators as a reader sees them."""
    return indicator_display(
        indicators, only=KEY_INDICATOR_COLUMNS, internal=internal, shows_hidden=shows_hidden
    )


def portfolio_display(frame: pd.DataFrame, category_titles: pd.Series) -> pd.DataFrame:
    """The portfolio table as a reader sees it, with a link to each initiative."""
    focus = {f.value: label(f, "FocusType") for f in FocusType}
    categories = {number: f"{number}. {title}" for number, title in category_titles.items()}
    return pd.DataFrame(
        {
            t("col.number"): frame["number"],
            t("col.initiative"): frame["name"],
            t("col.open"): [page_href("satsing", nr=n) for n in frame["number"]],
            t("col.status"): labels(frame["status"], "InitiativeStatus"),
            t("col.period"): [
                years_text(a, b) for a, b in zip(frame.start_year, frame.end_year, strict=True)
            ],
            t("col.category"): frame["category"].map(categories).fillna("–"),
            t("col.focus"): [", ".join(focus.get(f, f) for f in fs) for fs in frame["focus"]],
            t("col.scope"): labels(frame["scope"].fillna("unknown"), "Scope"),
            t("col.responsible"): frame["responsible"],
            t("col.involved"): frame["involved"],
        }
    )


def years_text(start: int | None, end: int | None) -> str:
    """'2015–2021', '2017–' or '–'."""
    first = "" if start is None or pd.isna(start) else str(start)
    last = "" if end is None or pd.isna(end) else str(end)
    return f"{first}–{last}" if first or last else "–"


@dataclass
class GoalTables:
    """A goal's indicators and initiatives as display tables, whether links are proposals, and
    the goal's status rolled up from its indicators.
    """

    goal: Goal
    depth: int
    indicators: pd.DataFrame
    initiatives: pd.DataFrame
    proposed: bool
    progress: GoalProgress


def goal_tables(
    session: Session, mission_id: int, lang: str, *, include_unapproved: bool = False
) -> list[GoalTables]:
    """Every goal in tree order with its tables, in lang (cached through ui.data.query).

    With include_unapproved (internal roles), statuses may rest on values not approved yet,
    and say so.
    """

    def tr(key: str) -> str:
        return translate(lang, key)

    kinds = {k.value: tr(enum_key(k)) for k in ContributionKind}
    mission = session.get(Mission, mission_id)
    key = mission.key if mission is not None else None  # the links name it (a cached result)
    result: list[GoalTables] = []

    def walk(node: GoalNode, depth: int) -> None:
        codes = [code for code, _ in node.indicators]
        marks = [node.marks[code] for code in codes]
        indicators = pd.DataFrame(
            {
                tr("col.code"): codes,
                tr("col.indicator"): [name for _, name in node.indicators],
                tr("progress.col.status"): status_column(
                    [m.status for m in marks], [m.unapproved for m in marks], lang
                ),
                tr("col.open"): [page_href("indikatorer", key, kode=code) for code in codes],
            }
        )
        numbers = [i[0] for i in node.initiatives]
        initiatives = pd.DataFrame(
            {
                tr("col.number"): numbers,
                tr("col.initiative"): [i[1] for i in node.initiatives],
                tr("col.contribution"): [kinds.get(i[2], i[2]) for i in node.initiatives],
                tr("col.strength"): [i[3] for i in node.initiatives],
                tr("col.open"): [page_href("satsing", key, nr=n) for n in numbers],
            }
        )
        proposed = any(i[4] for i in node.initiatives)
        result.append(
            GoalTables(node.goal, depth, indicators, initiatives, proposed, node.progress)
        )
        for child in node.children:
            walk(child, depth + 1)

    for root in goal_tree(session, mission_id, include_unapproved=include_unapproved):
        walk(root, 0)
    return result
