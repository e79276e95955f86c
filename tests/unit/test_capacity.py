"""The load phase's report: the goals of issue 17 as checks, the table, the JSON."""

import json

from bench.capacity import FLOOR, CapacityResult, Window, capacity_checks, section, to_json
from bench.config import BUDGETS
from bench.load import LoadResult
from bench.report import server_section, verdict
from bench.results import BenchRun, Check
from bench.server import ServerMemory


def window(target: str, sessions: int, think: float, rate: float, p95: float) -> Window:
    result = LoadResult(sessions=sessions, think_s=think, seconds=10.0, cpu_s=5.0)
    result.latencies_ms = [p95 / 2] * int(rate * 10 - 1) + [p95]
    result.requests = result.finished = len(result.latencies_ms)
    return Window(target, result, peak_mb=100.0 + 10 * sessions, load_1m=1.0)


def measured() -> CapacityResult:
    result = CapacityResult("synthetic 100", "full", (1, 50), 5.0, signed_in=10)
    result.windows = [
        window("dashboard", 1, 0, 10, 200),
        window("dashboard", 50, 0, 20, 9000),
        window("dashboard", 1, 5, 0.2, 150),
        window("dashboard", 50, 5, 8, 800),
        window("empty page", 1, 0, 20, 60),
        window("empty page", 10, 0, 40, 100),
        window("empty page", 50, 0, 50, 900),
        window(FLOOR, 10, 0, 30, 400),
    ]
    result.idle_mb, result.after_close_mb, result.after_close_s = 300.0, 330.0, 120.0
    return result


def test_the_goals_are_checked_against_the_empty_page_and_the_limits() -> None:
    checks = {c[0]: Check(*c) for c in capacity_checks(measured(), {"mal": 26.0, "oversikt": 9})}
    saturation = checks["load: saturation throughput"]
    assert saturation.measured == 20 / 50 and saturation.passed is False
    assert "< 0.5" in verdict(saturation)
    assert checks["load: 50 sessions, 5 s think time"].passed is True  # p95 800 ms
    assert checks["load: 50 sessions"].measured == 600.0 and checks["load: 50 sessions"].passed
    assert checks["load: 120 s after the sessions closed"].measured == 1.1
    assert checks["load: clicks"].passed is True
    assert checks["mal (AppTest)"].passed is False and checks["oversikt (AppTest)"].passed


def test_the_section_shows_every_window_and_the_json_has_the_figures() -> None:
    result = measured()
    text = "\n".join(section(result))
    assert text.count("| dashboard |") == 4 and text.count("| empty page |") == 3
    assert "dashboard 20.0, empty page 50.0: 0.40×" in text
    # the floor: CPU per run 5 s / 300 runs = 16.7 ms; the empty page's with 10 sessions 12.5 ms
    assert "one core would carry 60.0 reruns/s, 0.75× the empty page's with as many" in text
    data = json.loads(json.dumps(to_json(result)))
    assert data["saturation"] == {"dashboard": 20.0, "empty page": 50.0}
    assert round(data["one_core_reruns_per_s"][FLOOR], 6) == 60.0
    assert data["windows"][1]["result"]["p95_ms"] is not None
    assert "latencies_ms" not in data["windows"][0]["result"]
    assert section(None)[-2] == "Not measured (`--no-load`)."


def test_a_failed_ratio_is_shown_with_two_decimals() -> None:
    from bench.report import summary_section

    check = Check("load: saturation throughput", "synthetic 100", "ratio", 0.031, 0.5, "×", True)
    assert "ratio 0.03× < 0.50×" in "\n".join(summary_section([check]))


def test_the_browser_times_are_set_against_an_empty_page() -> None:
    server = ServerMemory(database="synthetic 100", startup_mb=300, peak_mb=400, after_mb=390)
    server.visits_ms = {"Oversikt": [2400.0, 900.0], "Portefølje": [3000.0, 1300.0]}
    server.empty_ms = [700.0, 600.0]
    run = BenchRun(mode="quick", started="2026-12-05T16:00:00")
    run.server = server
    text = "\n".join(server_section(run, BUDGETS))
    assert "| Oversikt | 2,400.0 | 900.0 | 1.5× |" in text
    assert "| Portefølje | 3,000.0 | 1,300.0 | **2.2×** |" in text
    assert "| *empty page* | 700.0 | 600.0 | 1.0× |" in text
