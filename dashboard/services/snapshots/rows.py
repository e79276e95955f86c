"""What a snapshot is: its five tables and their columns, and how two of its cells compare.

A snapshot has seven tables: goals (computed status, and a steering override beside it),
indicators (latest approved value by the end of the report's period, status against target,
the state of the period's own value, and any correction to what the previous approved report
showed), initiatives (status, and RAG and narrative of the latest approved check-in by the end
of the period, its step on the coordination staircase and its system levels), decisions (their
follow-up), the links between initiatives that have a step on the staircase, each
initiative's funding streams, the learning-log entries dated in the report's period, the
agencies' cooperation tasks (status and end) and the mission's current phase. A live
snapshot and a stored one have the same columns, so any two can be compared.
"""

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlmodel import SQLModel

from dashboard.services.common import frame_of
from models import (
    SnapshotDecision,
    SnapshotFunding,
    SnapshotGoal,
    SnapshotIndicator,
    SnapshotInitiative,
    SnapshotLearning,
    SnapshotLink,
    SnapshotPhase,
    SnapshotTask,
)

SKIP = {"id", "report_id"}


def _columns(table: type[SQLModel]) -> list[str]:
    """The copied columns of a snapshot table (all but its own id and report)."""
    return [name for name in table.model_fields if name not in SKIP]


GOAL_COLUMNS = _columns(SnapshotGoal)
INDICATOR_COLUMNS = _columns(SnapshotIndicator)
INITIATIVE_COLUMNS = _columns(SnapshotInitiative)
DECISION_COLUMNS = _columns(SnapshotDecision)
LINK_COLUMNS = _columns(SnapshotLink)
FUNDING_COLUMNS = _columns(SnapshotFunding)
LEARNING_COLUMNS = _columns(SnapshotLearning)
TASK_COLUMNS = _columns(SnapshotTask)
PHASE_COLUMNS = _columns(SnapshotPhase)
TABLES: dict[str, tuple[type[SQLModel], list[str]]] = {
    "goals": (SnapshotGoal, GOAL_COLUMNS),
    "indicators": (SnapshotIndicator, INDICATOR_COLUMNS),
    "initiatives": (SnapshotInitiative, INITIATIVE_COLUMNS),
    "decisions": (SnapshotDecision, DECISION_COLUMNS),
    "links": (SnapshotLink, LINK_COLUMNS),
    "funding": (SnapshotFunding, FUNDING_COLUMNS),
    "learning": (SnapshotLearning, LEARNING_COLUMNS),
    "tasks": (SnapshotTask, TASK_COLUMNS),
    "phase": (SnapshotPhase, PHASE_COLUMNS),
}
OPEN_DECISIONS = ("open", "in_progress")


@dataclass
class Snapshot:
    """The rows of one status report (or of the approved state now)."""

    goals: pd.DataFrame
    indicators: pd.DataFrame
    initiatives: pd.DataFrame
    decisions: pd.DataFrame
    # the links with a step on the coordination staircase (those never assessed are left out)
    links: pd.DataFrame = field(default_factory=lambda: frame_of([], LINK_COLUMNS))
    # each initiative's funding streams, and the learning-log entries of the report's period
    funding: pd.DataFrame = field(default_factory=lambda: frame_of([], FUNDING_COLUMNS))
    learning: pd.DataFrame = field(default_factory=lambda: frame_of([], LEARNING_COLUMNS))
    # the agencies' cooperation tasks (status and end), and the mission's current phase (one
    # row, or none before the first phase)
    tasks: pd.DataFrame = field(default_factory=lambda: frame_of([], TASK_COLUMNS))
    phase: pd.DataFrame = field(default_factory=lambda: frame_of([], PHASE_COLUMNS))

    def frames(self) -> dict[str, pd.DataFrame]:
        """The four tables by name."""
        return {name: getattr(self, name) for name in TABLES}


def blank(value: Any) -> bool:
    """None, NaN or NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def same(a: Any, b: Any) -> bool:
    """Whether two cells hold the same value (blanks alike, floats to rounding)."""
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return bool(a == b)


def frame_from(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A snapshot table of records (dicts), with these columns even when there are none."""
    return pd.DataFrame.from_records(records, columns=columns) if records else frame_of([], columns)
