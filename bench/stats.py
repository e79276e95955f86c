"""Median and p95 of a series of timings."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation, like numpy's default."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """Median and p95 of n timings, in milliseconds, with the samples."""

    median_ms: float
    p95_ms: float
    n: int
    samples_ms: tuple[float, ...]


def summarise(seconds: Sequence[float]) -> Summary:
    """The summary of timings given in seconds."""
    ms = [s * 1000 for s in seconds]
    return Summary(
        median_ms=statistics.median(ms),
        p95_ms=percentile(ms, 95),
        n=len(ms),
        samples_ms=tuple(round(m, 2) for m in ms),
    )
