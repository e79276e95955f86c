"""The rows of each open-data table: what a partner may see of one mission, and nothing more.

Approved values only (a draft, submitted or returned value, and a correction waiting beside an
approved one, never), approved (published) status reports only; no person's name, and nothing
the pages show only to the internal roles. Every figure of a value passes released() on its way
out.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dashboard.services.common import fetch
from dashboard.services.opendata.schema import BY_NAME
from dashboard.statistics.breakdowns import published_cells
from dashboard.statistics.suppression import hidden_count
from models import (
    Contribution,
    EntryStatus,
    Goal,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Initiative,
    InitiativeLink,
    InitiativeOrganisation,
    Organisation,
    Period,
    ReportStatus,
    SnapshotDecision,
    SnapshotGoal,
    SnapshotIndicator,
    StatusReport,
)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for one period, as it is about to be published."""

    indicator: str  # the indicator's code
    measure: str | None  # count, percent, rate, score
    period: str | None
    value: float | None


def released(figure: Figure) -> float | None:
    """The value the API may publish for figure (None: withheld). Every value of an indicator
    that the API serves passes here, the values table's and the published reports' alike: a
    count below SUPPRESS_BELOW persons is withheld (dashboard/statistics/suppression.py), as it
    is from partners and visitors on the pages, which take a figure of unknown measure (a
    report row frozen without one) as a count too."""
    return None if hidden_count(figure.value, figure.measure or "count") else figure.value


@dataclass(frozen=True)
class PublishedValue:
    """An approved value of an indicator in a period, with what the values table shows of it."""

    indicator: str
    measure: str
    period: str
    start: dt.date
    end: dt.date
    value: float
    unit: str | None
    source_note: str | None


def publishable_values(session: Session, mission_id: int) -> Iterator[PublishedValue]:
    """The approved values of the mission's indicators, whole country, by indicator code and
    period: never a draft, submitted or returned value, nor a correction not yet approved (the
    approved value beside it stays until then). Not the value's comment: it is for the
    approver, and the pages show it to no partner."""
    rows = fetch(
        session,
        sa.select(
            col(Indicator.code),
            col(Indicator.measure),
            col(Period.label),
            col(Period.start),
            col(Period.end),
            col(IndicatorValue.value),
            col(Indicator.unit),
            col(IndicatorValue.source_note),
        )
        .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
        .join(Period, col(Period.id) == IndicatorValue.period_id)
        .where(
            col(Indicator.mission_id) == mission_id,
            col(IndicatorValue.status) == EntryStatus.APPROVED,
            col(IndicatorValue.is_correction).is_(False),
        )
        .order_by(col(Indicator.code), col(Period.start), col(Period.label)),
    )
    for code, measure, *rest in rows:
        yield PublishedValue(code, str(measure), *rest)


def values(session: Session, mission_id: int) -> list[Row]:
    """The values table: each publishable value, its figure as released() lets it out (a
    withheld figure is a missing value, as in the reports' rows)."""
    return [
        (
            item.indicator,
            item.period,
            item.start,
            item.end,
            released(Figure(item.indicator, item.measure, item.period, item.value)),
            item.unit,
            item.source_note,
        )
        for item in publishable_values(session, mission_id)
    ]


def breakdowns(session: Session, mission_id: int) -> list[Row]:
    """The breakdowns table: each indicator's approved SSB cells as a partner sees them, the
    small-number suppression done (published_cells)."""
    found: list[Row] = []
    indicators = session.exec(
        select(Indicator.id, Indicator.code)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code))
    ).all()
    for indicator_id, code in indicators:
        cells = published_cells(session, indicator_id or 0)
        if cells.empty:
            continue
        cells = cells.astype({c: str for c in ("region", "gender", "age")}).sort_values(
            ["region", "gender", "age", "year"]
        )
        for region, gender, age, year, value, symbol in zip(
            cells["region"], cells["gender"], cells["age"], cells["year"],
            cells["value"], cells["symbol"], strict=True,
        ):  # fmt: skip
            found.append(
                (
                    code,
                    region,
                    gender,
                    age,
                    int(year),
                    None if pd.isna(value) else float(value),
                    symbol if isinstance(symbol, str) and symbol else None,
                )
            )
    return found


def goals(session: Session, mission_id: int) -> list[Row]:
    """The goal tree, parents before their children."""
    parent = aliased(Goal)
    return fetch(
        session,
        sa.select(
            col(Goal.code),
            col(parent.code),
            col(Goal.level),
            col(Goal.title),
            col(Goal.description),
            col(Goal.proposal),
            col(Goal.note),
            col(Goal.sort_order),
        )
        .outerjoin(parent, col(parent.id) == Goal.parent_id)
        .where(col(Goal.mission_id) == mission_id)
        .order_by(col(Goal.id)),
    )


def organisations(session: Session, mission_id: int) -> list[Row]:
    """The organisations in the mission's initiatives or responsible for its indicators."""
    in_initiatives = (
        sa.select(col(InitiativeOrganisation.organisation_id))
        .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
        .where(col(Initiative.mission_id) == mission_id)
    )
    reporting = sa.select(col(Indicator.responsible_org_id)).where(
        col(Indicator.mission_id) == mission_id
    )
    return fetch(
        session,
        sa.select(
            col(Organisation.key),
            col(Organisation.short_name),
            col(Organisation.name),
            col(Organisation.name_en),
            col(Organisation.kind),
        )
        .where(col(Organisation.id).in_(in_initiatives) | col(Organisation.id).in_(reporting))
        .order_by(col(Organisation.key)),
    )


def initiatives(session: Session, mission_id: int) -> list[Row]:
    """The portfolio in number order (no budget: the pages show it to nobody)."""
    names = [c for c in BY_NAME["initiatives"].names]
    return fetch(
        session,
        sa.select(*(col(getattr(Initiative, name)) for name in names))
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number)),
    )


def initiative_organisations(session: Session, mission_id: int) -> list[Row]:
    """Who is responsible for and involved in each initiative."""
    return fetch(
        session,
        sa.select(col(Initiative.number), col(Organisation.key), col(InitiativeOrganisation.role))
        .join(Initiative, col(Initiative.id) == InitiativeOrganisation.initiative_id)
        .join(Organisation, col(Organisation.id) == InitiativeOrganisation.organisation_id)
        .where(col(Initiative.mission_id) == mission_id)
        .order_by(col(Initiative.number), col(Organisation.key), col(InitiativeOrganisation.role)),
    )


def contributions(session: Session, mission_id: int) -> list[Row]:
    """Each initiative's contributions to the goals."""
    return fetch(
        session,
        sa.select(
            col(Initiative.number),
            col(Goal.code),
            col(Contribution.kind),
            col(Contribution.strength),
            col(Contribution.proposal),
            col(Contribution.rationale),
        )
        .join(Initiative, col(Initiative.id) == Contribution.initiative_id)
        .join(Goal, col(Goal.id) == Contribution.goal_id)
        .where(col(Initiative.mission_id) == mission_id, col(Goal.mission_id) == mission_id)
        .order_by(col(Initiative.number), col(Goal.id)),
    )


def initiative_links(session: Session, mission_id: int) -> list[Row]:
    """The links between the mission's initiatives (both ends in it: nothing of another
    mission, and every number one of the initiatives table)."""
    source, target = aliased(Initiative), aliased(Initiative)
    return fetch(
        session,
        sa.select(
            col(source.number),
            col(target.number),
            col(InitiativeLink.kind),
            col(InitiativeLink.note),
        )
        .join(source, col(source.id) == InitiativeLink.from_id)
        .join(target, col(target.id) == InitiativeLink.to_id)
        .where(col(source.mission_id) == mission_id, col(target.mission_id) == mission_id)
        .order_by(col(source.number), col(target.number), col(InitiativeLink.kind)),
    )


def indicators(session: Session, mission_id: int) -> list[Row]:
    """The indicators' metadata, baseline and target, by code; the baseline (a measured
    figure, unlike the target) through released()."""
    own = BY_NAME["indicators"].names[:-3]  # all but responsible, initiative, note
    at = {name: place for place, name in enumerate(own)}
    found = fetch(
        session,
        sa.select(
            *(col(getattr(Indicator, name)) for name in own),
            col(Organisation.key),
            col(Initiative.number),
            col(Indicator.note),
        )
        .outerjoin(Organisation, col(Organisation.id) == Indicator.responsible_org_id)
        .outerjoin(Initiative, col(Initiative.id) == Indicator.initiative_id)
        .where(col(Indicator.mission_id) == mission_id)
        .order_by(col(Indicator.code)),
    )
    return [_baseline_released(row, at, row[at["code"]]) for row in found]


def _baseline_released(row: Row, at: dict[str, int], code: str) -> Row:
    """row with its baseline_value as released() lets it out (the year is its period)."""
    cells = list(row)
    year = row[at["baseline_year"]]
    figure = Figure(
        code, row[at["measure"]], None if year is None else str(year), row[at["baseline_value"]]
    )
    cells[at["baseline_value"]] = released(figure)
    return tuple(cells)


def indicator_goals(session: Session, mission_id: int) -> list[Row]:
    """Which indicator tells about which goal."""
    return fetch(
        session,
        sa.select(col(Indicator.code), col(Goal.code))
        .select_from(IndicatorGoal)
        .join(Indicator, col(Indicator.id) == IndicatorGoal.indicator_id)
        .join(Goal, col(Goal.id) == IndicatorGoal.goal_id)
        .where(col(Indicator.mission_id) == mission_id, col(Goal.mission_id) == mission_id)
        .order_by(col(Indicator.code), col(Goal.id)),
    )


def _published(mission_id: int) -> Any:
    """The condition on StatusReport (joined with Period) of a published report."""
    return (col(StatusReport.mission_id) == mission_id) & (
        col(StatusReport.status) == ReportStatus.APPROVED
    )


def status_reports(session: Session, mission_id: int) -> list[Row]:
    """The approved status reports, oldest period first."""
    return fetch(
        session,
        sa.select(
            col(Period.label),
            col(Period.start),
            col(Period.end),
            col(StatusReport.approved_at),
            col(StatusReport.summary),
            col(StatusReport.decisions_requested),
        )
        .join(Period, col(Period.id) == StatusReport.period_id)
        .where(_published(mission_id))
        .order_by(col(Period.end), col(Period.label)),
    )


def _of_reports(session: Session, mission_id: int, table: Any, columns: list[str]) -> list[Row]:
    """The frozen rows of table in the approved reports, with the report's period first."""
    return fetch(
        session,
        sa.select(col(Period.label), *(getattr(table, name) for name in columns))
        .join(StatusReport, col(StatusReport.id) == table.report_id)
        .join(Period, col(Period.id) == StatusReport.period_id)
        .where(_published(mission_id))
        .order_by(col(Period.end), col(Period.label), table.id),
    )


def report_goals(session: Session, mission_id: int) -> list[Row]:
    """The goal statuses of the approved reports."""
    columns = ["code", *BY_NAME["report_goals"].names[2:]]
    return _of_reports(session, mission_id, SnapshotGoal, columns)


def report_indicators(session: Session, mission_id: int) -> list[Row]:
    """The indicator rows of the approved reports, each measured figure (value, corrections,
    baseline; not the target) through released()."""
    columns = ["code", *BY_NAME["report_indicators"].names[2:]]
    at = {name: place for place, name in enumerate(["period", *columns])}
    found = []
    for row in _of_reports(session, mission_id, SnapshotIndicator, columns):
        cells = list(row)
        code, measure = row[at["code"]], row[at["measure"]]
        for value, period in (
            ("value", "value_period"),
            ("corrected_from", "corrected_period"),
            ("corrected_to", "corrected_period"),
        ):
            cells[at[value]] = released(Figure(code, measure, row[at[period]], row[at[value]]))
        found.append(_baseline_released(tuple(cells), at, code))
    return found


def report_decisions(session: Session, mission_id: int) -> list[Row]:
    """The decisions of the approved reports."""
    columns = BY_NAME["report_decisions"].names[1:]
    return _of_reports(session, mission_id, SnapshotDecision, columns)


READERS = {
    "goals": goals,
    "organisations": organisations,
    "initiatives": initiatives,
    "initiative_organisations": initiative_organisations,
    "contributions": contributions,
    "initiative_links": initiative_links,
    "indicators": indicators,
    "indicator_goals": indicator_goals,
    "values": values,
    "breakdowns": breakdowns,
    "status_reports": status_reports,
    "report_goals": report_goals,
    "report_indicators": report_indicators,
    "report_decisions": report_decisions,
}
