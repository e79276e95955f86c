"""Unlikely jumps in a reported value: what an approver should look at twice (a pure rule)."""

from enum import StrEnum

from models.enums import Measure

JUMP_FACTOR = 3.0  # a value more than three times (or under a third of) the last approved one


class Jump(StrEnum):
    """Why a new value looks unlikely next to the last approved one."""

    SIGN_CHANGE = "sign_change"  # from positive to negative or back
    FACTOR = "factor"  # more than x3, or less than a third, of the last approved value
    OUT_OF_RANGE = "out_of_range"  # a share outside 0-100 %


def unlikely_jumps(value: float, previous: float | None, measure: Measure | str) -> list[Jump]:
    """The reasons (none, one or more) a value looks unlikely after the last approved value."""
    jumps: list[Jump] = []
    if previous is not None and previous * value < 0:
        jumps.append(Jump.SIGN_CHANGE)
    if previous is not None and previous != 0 and value != 0:
        ratio = abs(value / previous)
        if ratio > JUMP_FACTOR or ratio < 1 / JUMP_FACTOR:
            jumps.append(Jump.FACTOR)
    if Measure(measure) == Measure.PERCENT and not 0 <= value <= 100:
        jumps.append(Jump.OUT_OF_RANGE)
    return jumps
