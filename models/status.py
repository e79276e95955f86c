"""Status against target (design section 6): the Open SDG / Statistics Canada progress method.

The measured change since the baseline is compared with the change the straight line from
baseline to target asks for by the same time:

    share(t)    = min(1, (t - baseline_year) / (target_year - baseline_year))
    expected(t) = baseline + (target - baseline) * share(t)
    ratio       = (value - baseline) / (expected(t) - baseline)

A ratio of 1 means exactly on the line. The thresholds sort the ratio into on track, some
progress, off track (no or too little progress) and worsening (a move away from the target).
Whether up or down is good does not matter: both changes then have the same sign. Reaching
the target (within the indicator's tolerance) wins over everything else.
"""

import datetime as dt
from dataclasses import dataclass

from models.enums import Direction, ProgressStatus


@dataclass(frozen=True)
class Thresholds:
    """Where the ratio of actual to expected change switches status (configurable)."""

    on_track: float = 0.95
    some_progress: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.some_progress <= self.on_track:
            raise ValueError("thresholds must satisfy 0 < some_progress <= on_track")


@dataclass(frozen=True)
class Progress:
    """An indicator's status, with what it was computed from (to explain it to the user)."""

    status: ProgressStatus
    # why: reached, ratio, at_baseline, no_value, no_baseline, no_target, no_baseline_no_target
    reason: str
    value: float | None = None
    year: float | None = None
    expected: float | None = None  # the straight line's value at `year`
    ratio: float | None = None  # actual change / expected change


def decimal_year(end: dt.date) -> float:
    """A period's end as a year number comparable with baseline years (2023-12-31 -> 2023.0).

    A baseline year stands for the state at the end of that year, so a value for the first
    quarter of 2023 (ending 31 March) lies a quarter of a year after a 2022 baseline.
    """
    start = dt.date(end.year, 1, 1)
    days = (dt.date(end.year + 1, 1, 1) - start).days
    return end.year - 1 + ((end - start).days + 1) / days


def progress(
    *,
    value: float | None,
    year: float | None,
    baseline: float | None,
    baseline_year: int | None,
    target: float | None,
    target_year: int | None,
    direction: Direction,
    tolerance: float | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Progress:
    """The status of the latest value against the straight line from baseline to target."""
    if value is None or year is None:
        return Progress(ProgressStatus.NO_DATA, "no_value")
    if baseline is None or baseline_year is None:  # a value, but nothing to measure it from
        no_target = target is None or target_year is None
        reason = "no_baseline_no_target" if no_target else "no_baseline"
        return Progress(ProgressStatus.NO_BASELINE, reason, value, year)
    if target is None or target_year is None:
        return Progress(ProgressStatus.NO_TARGET, "no_target", value, year)
    sign = 1.0 if direction == Direction.UP else -1.0
    slack = tolerance or 0.0
    if sign * (value - target) >= -slack and sign * (target - baseline) > 0:
        return Progress(ProgressStatus.REACHED, "reached", value, year, target)
    span = target_year - baseline_year
    share = 1.0 if span <= 0 else min(1.0, max(0.0, (year - baseline_year) / span))
    expected = baseline + (target - baseline) * share
    change = value - baseline
    if abs(change) <= slack:
        change = 0.0  # within tolerance of the baseline: no movement either way
    wanted = expected - baseline
    if sign * wanted <= 0:  # nothing expected yet (at the baseline) or a target behind it
        status = ProgressStatus.WORSENING if sign * change < 0 else ProgressStatus.ON_TRACK
        return Progress(status, "at_baseline", value, year, expected)
    ratio = change / wanted
    if ratio >= thresholds.on_track:
        status = ProgressStatus.ON_TRACK
    elif ratio >= thresholds.some_progress:
        status = ProgressStatus.SOME_PROGRESS
    elif ratio >= 0:
        status = ProgressStatus.OFF_TRACK
    else:
        status = ProgressStatus.WORSENING
    return Progress(status, "ratio", value, year, expected, ratio)
