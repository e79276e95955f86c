"""Status against target: the straight line from baseline to target (design section 6)."""

import datetime as dt
from typing import Any

import pytest

from models.enums import Direction, ProgressStatus
from models.status import Thresholds, decimal_year, progress

S = ProgressStatus
UP, DOWN = Direction.UP, Direction.DOWN
# baseline 100 in 2020, target 200 in 2030: the line asks for +10 a year
LINE: dict[str, Any] = {
    "baseline": 100.0,
    "baseline_year": 2020,
    "target": 200.0,
    "target_year": 2030,
}
# NEET-like, down is good: 100 000 in 2022, target 80 000 in 2030 (-2 500 a year)
FALLING: dict[str, Any] = {
    "baseline": 100_000.0,
    "baseline_year": 2022,
    "target": 80_000.0,
    "target_year": 2030,
}


@pytest.mark.parametrize(
    ("case", "value", "year", "direction", "line", "status", "ratio"),
    [
        ("on the line", 150.0, 2025.0, UP, LINE, S.ON_TRACK, 1.0),
        ("ahead of the line", 180.0, 2025.0, UP, LINE, S.ON_TRACK, 1.6),
        ("on track at the threshold", 147.5, 2025.0, UP, LINE, S.ON_TRACK, 0.95),
        ("some progress", 130.0, 2025.0, UP, LINE, S.SOME_PROGRESS, 0.6),
        ("off track: too little", 120.0, 2025.0, UP, LINE, S.OFF_TRACK, 0.4),
        ("off track: no change", 100.0, 2025.0, UP, LINE, S.OFF_TRACK, 0.0),
        ("worsening", 90.0, 2025.0, UP, LINE, S.WORSENING, -0.2),
        ("reached early", 205.0, 2024.0, UP, LINE, S.REACHED, None),
        ("after the target year, short", 190.0, 2032.0, UP, LINE, S.SOME_PROGRESS, 0.9),
        ("down is good, on track", 92_500.0, 2025.0, DOWN, FALLING, S.ON_TRACK, 1.0),
        ("down is good, worsening", 104_000.0, 2025.0, DOWN, FALLING, S.WORSENING, -0.533),
        ("down is good, reached", 79_000.0, 2027.0, DOWN, FALLING, S.REACHED, None),
    ],
)
def test_status_against_the_straight_line(
    case: str,
    value: float,
    year: float,
    direction: Direction,
    line: dict[str, Any],
    status: ProgressStatus,
    ratio: float | None,
) -> None:
    result = progress(value=value, year=year, direction=direction, **line)
    assert result.status == status, case
    if ratio is None:
        assert result.ratio is None
    else:
        assert result.ratio == pytest.approx(ratio, abs=1e-3), case


def test_no_data_no_baseline_no_target() -> None:
    common: dict[str, Any] = {"direction": UP, "target": 200.0, "target_year": 2030}
    nothing = progress(value=None, year=None, baseline=100.0, baseline_year=2020, **common)
    assert (nothing.status, nothing.reason) == (S.NO_DATA, "no_value")
    no_base = progress(value=150.0, year=2025.0, baseline=None, baseline_year=None, **common)
    # a value is there, so not "no data": what is missing for a status is the baseline's year
    assert (no_base.status, no_base.reason) == (S.NO_BASELINE, "no_baseline")
    no_year = progress(value=83.9, year=2025.0, baseline=83.0, baseline_year=None, **common)
    assert (no_year.status, no_year.value) == (S.NO_BASELINE, 83.9)
    neither = progress(
        value=83.9,
        year=2025.0,
        baseline=83.0,
        baseline_year=None,
        target=None,
        target_year=None,
        direction=UP,
    )
    assert (neither.status, neither.reason) == (S.NO_BASELINE, "no_baseline_no_target")
    no_target = progress(
        value=150.0,
        year=2025.0,
        baseline=100.0,
        baseline_year=2020,
        target=None,
        target_year=None,
        direction=UP,
    )
    assert (no_target.status, no_target.reason) == (S.NO_TARGET, "no_target")


def test_a_value_in_the_baseline_year_is_judged_by_its_direction_only() -> None:
    same = progress(value=101.0, year=2020.0, direction=UP, **LINE)
    worse = progress(value=99.0, year=2020.0, direction=UP, **LINE)
    assert (same.status, same.reason) == (S.ON_TRACK, "at_baseline")
    assert worse.status == S.WORSENING


def test_tolerance_counts_near_misses_as_reached_and_noise_as_no_change() -> None:
    near = progress(value=198.0, year=2030.0, direction=UP, tolerance=2.5, **LINE)
    assert near.status == S.REACHED
    noise = progress(value=99.0, year=2025.0, direction=UP, tolerance=2.0, **LINE)
    assert (noise.status, noise.ratio) == (S.OFF_TRACK, 0.0)


def test_thresholds_are_configurable_and_checked() -> None:
    strict = Thresholds(on_track=1.0, some_progress=0.8)
    result = progress(value=147.5, year=2025.0, direction=UP, thresholds=strict, **LINE)
    assert result.status == S.SOME_PROGRESS
    with pytest.raises(ValueError):
        Thresholds(on_track=0.5, some_progress=0.9)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.date(2023, 12, 31), 2023.0),
        (dt.date(2023, 3, 31), 2022.0 + 90 / 365),
        (dt.date(2024, 4, 30), 2023.0 + 121 / 366),
    ],
)
def test_period_ends_as_decimal_years(end: dt.date, expected: float) -> None:
    assert decimal_year(end) == pytest.approx(expected)
