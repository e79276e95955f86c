"""The rule that flags an unlikely jump for the approver: sign change, more than x3 either
way, a share outside 0-100 %."""

import pytest

from models.jumps import Jump, unlikely_jumps

CASES = [
    # value, last approved, measure -> reasons
    (110.0, 100.0, "count", []),
    (301.0, 100.0, "count", [Jump.FACTOR]),
    (300.0, 100.0, "count", []),  # exactly x3 is not more than x3
    (30.0, 100.0, "count", [Jump.FACTOR]),  # under a third: a drop as unlikely as a rise
    (-5.0, 4.0, "score", [Jump.SIGN_CHANGE]),
    (-50.0, 4.0, "score", [Jump.SIGN_CHANGE, Jump.FACTOR]),
    (5.0, 0.0, "count", []),  # from zero: no ratio to judge
    (0.0, 5.0, "count", []),
    (12.0, None, "count", []),  # nothing approved before
    (101.0, None, "percent", [Jump.OUT_OF_RANGE]),
    (-1.0, 2.0, "percent", [Jump.SIGN_CHANGE, Jump.OUT_OF_RANGE]),
    (100.0, 99.0, "percent", []),
    (250.0, 20.0, "rate", [Jump.FACTOR]),  # a rate has no 0-100 limit
]


@pytest.mark.parametrize(("value", "previous", "measure", "expected"), CASES)
def test_unlikely_jumps(
    value: float, previous: float | None, measure: str, expected: list[Jump]
) -> None:
    assert unlikely_jumps(value, previous, measure) == expected
