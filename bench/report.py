"""Render a benchmark run as Markdown and JSON, and write both next to this package."""

import json
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import breakdowns, capacity, scaleout
from bench.apptest import PageTiming
from bench.config import Budgets
from bench.results import (
    BenchRun,
    Check,
    SizeResult,
    all_checks,
    import_checks,
    notify_checks,
    page_checks,
    ratio,
)
from bench.stats import Summary
from dashboard.settings import get_settings

HERE = Path(__file__).resolve().parent
MARKDOWN_PATH = HERE / "report.md"
JSON_PATH = HERE / "report.json"


def ms(value: float | None) -> str:
    """A duration in ms for a table cell."""
    return "–" if value is None else f"{value:,.1f}"


def times(value: float | None) -> str:
    """A ratio for a table cell."""
    return "–" if value is None else f"{value:,.1f}×"


def times_or_ms(value: float | None, unit: str) -> str:
    """A measured value with its unit; a ratio with two decimals (0.03×, not 0.0×)."""
    if value is None:
        return "–"
    return f"{value:,.2f}×" if unit == "×" else f"{value:,.1f} {unit}"


def verdict(check: Check) -> str:
    """ok / FAIL / not measured, with the limit."""
    within, beyond = ("≥", "<") if check.at_least else ("≤", ">")
    limit = f"{check.limit:,.{0 if check.limit >= 10 or check.limit == 0 else 1}f}"
    if check.passed is None:
        return f"not measured ({within} {limit} {check.unit})"
    if check.passed:
        return f"ok ({within} {limit})"
    return f"**FAIL** ({beyond} {limit})"


def difference(left: float | None, right: float | None) -> float | None:
    """left - right, or None when either is missing."""
    return None if left is None or right is None else left - right


def _median(summary: Summary | None) -> float | None:
    """The median of a summary, if there is one."""
    return summary.median_ms if summary else None


def _p95(summary: Summary | None) -> float | None:
    """The p95 of a summary, if there is one."""
    return summary.p95_ms if summary else None


def size_title(size: SizeResult) -> str:
    """A heading naming the size by its number of initiatives."""
    initiatives = size.database.counts.get("initiative", 0)
    return f"{size.database.label} ({initiatives:,} initiatives)"


def size_section(size: SizeResult, budgets: Budgets) -> list[str]:
    """The baselines and the page table of one database size."""
    empty = size.empty_page
    checks = page_checks(size, budgets)
    lines = [
        f"## Pages: {size_title(size)}",
        "",
        f"- Raw-SQL baseline (portfolio query via sqlite3, {size.raw_sql_rows:,} rows): "
        f"median {ms(size.raw_sql.median_ms)} ms, p95 {ms(size.raw_sql.p95_ms)} ms "
        f"(n={size.raw_sql.n}) → cold budget "
        f"{budgets.cold_factor} × {ms(size.raw_sql.median_ms)} + {budgets.cold_offset_ms:.0f}"
        f" = {ms(budgets.cold_limit_ms(size.raw_sql.median_ms))} ms",
        f"- Empty-page baseline (`st.title` only, AppTest): cold median {ms(_median(empty.cold))}"
        f" / p95 {ms(_p95(empty.cold))} ms, warm median {ms(_median(empty.warm))}"
        f" / p95 {ms(_p95(empty.warm))} ms",
        "",
        "| page | cold median | cold p95 | warm median | warm p95 | cold − empty cold "
        "| cold / raw SQL | warm / empty | cold budget | warm budget |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for page in size.pages:
        cold_check, warm_check = checks[page.name]
        lines.append(
            f"| {page.name} | {ms(_median(page.cold))} | {ms(_p95(page.cold))} "
            f"| {ms(_median(page.warm))} | {ms(_p95(page.warm))} "
            f"| {ms(difference(_median(page.cold), _median(empty.cold)))} "
            f"| {times(ratio(_median(page.cold), size.raw_sql.median_ms))} "
            f"| {times(ratio(_median(page.warm), _median(empty.warm)))} "
            f"| {verdict(cold_check)} | {verdict(warm_check)} |"
        )
    lines += ["", f"All times in ms; measuring this size took {size.seconds:.0f} s.", ""]
    return lines + snapshot_section(size) + open_data_section(size)


def snapshot_section(size: SizeResult) -> list[str]:
    """How long a status report's snapshot takes on this size, against the raw-SQL baseline."""
    snap = size.snapshot
    if snap is None:
        return []
    raw = size.raw_sql.median_ms
    rows = ", ".join(f"{count:,} {name}" for name, count in snap.rows.items())
    return [
        f"### Status report snapshot: {size_title(size)}",
        "",
        f"Report for {snap.period}: {rows}.",
        "",
        "| step | median | p95 | n | / raw SQL |",
        "|---|--:|--:|--:|--:|",
        f"| create draft (take and store every row) | {ms(snap.create_ms)} | – | 1 "
        f"| {times(ratio(snap.create_ms, raw))} |",
        f"| refresh draft (take again, replace) | {ms(snap.refresh.median_ms)} "
        f"| {ms(snap.refresh.p95_ms)} | {snap.refresh.n} "
        f"| {times(ratio(snap.refresh.median_ms, raw))} |",
        f"| read report and compare with previous | {ms(snap.read.median_ms)} "
        f"| {ms(snap.read.p95_ms)} | {snap.read.n} | {times(ratio(snap.read.median_ms, raw))} |",
        f"| approve (freeze, copy decisions, lock) | {ms(snap.approve_ms)} | – | 1 "
        f"| {times(ratio(snap.approve_ms, raw))} |",
        "",
    ]


def import_section(run: BenchRun, budgets: Budgets) -> list[str]:
    """A 5,000-row import's commit on each engine, and a colleague's saves meanwhile."""
    lines = ["## Import of 5,000 values (issue 14)", ""]
    if not run.imports:
        return [*lines, "Not measured (`--no-import`).", ""]
    lines += [
        "A fresh database per engine (1,000 indicators × 5 periods); the secretariat imports "
        "a file of every value three times: all new, all changed, all changed again while a "
        "colleague saves values of another period one after the other (each save a new "
        "write transaction, as the Rapportering grid makes them). Commit = `commit_import` "
        "(the dry run again, the stale check, the writes and audit rows, the commit), not the "
        "dry run before it. A save waits at most the busy timeout "
        f"({get_settings().database_busy_timeout_ms:,} ms) and is otherwise refused as busy.",
        "",
        "| engine | commit, new | commit, changed | commit during saves | saves during "
        "| save median | save p95 | save slowest | refused as busy | budgets |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for timing in run.imports:
        saves = timing.saves_during
        slowest = max(saves.samples_ms) if saves else None
        checks = import_checks(timing, budgets)
        verdicts = "; ".join(f"{c.subject} {c.metric}: {verdict(c)}" for c in checks)
        lines.append(
            f"| {timing.engine} | {ms(timing.create_ms)} | {ms(timing.update_ms)} "
            f"| {ms(timing.during_import_ms)} | {saves.n if saves else 0} "
            f"| {ms(_median(saves))} | {ms(_p95(saves))} | {ms(slowest)} "
            f"| {timing.saves_refused} | {verdicts} |"
        )
    lines += ["", "All times in ms.", ""]
    problems = [f"- **error** {t.engine}: {p}" for t in run.imports for p in t.problems]
    return lines + ([*problems, ""] if problems else [])


def notify_section(run: BenchRun, budgets: Budgets) -> list[str]:
    """One sender run with 1,000 queued events on the largest database."""
    lines = ["## E-mail sender, 1,000 queued events (issue 16)", ""]
    timing = run.notify
    if timing is None:
        return [*lines, "Not measured (`--no-notify`).", ""]
    size = next((s for s in run.sizes if s.database.label == timing.database), None)
    raw = size.raw_sql.median_ms if size else None
    lines += [
        f"On a copy of the {timing.database} database: {timing.events:,} events queued through "
        f"`notifications.enqueue` for its {timing.recipients} internal users, then one run "
        "(the day's reminders and due-date mails over the whole database, then every due row, "
        "one mail per person, through a real SMTP server on loopback: aiosmtpd). run_once = "
        "the sender's work in this process; command = `python -m dashboard.notify --once` "
        "start to exit (a new interpreter and its imports), as a cron job or timer runs it.",
        "",
        "| database | events | mails | queue | run_once | run_once / raw SQL | command | budgets |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    checks = notify_checks(timing, budgets)
    verdicts = "; ".join(f"{c.metric}: {verdict(c)}" for c in checks)
    lines.append(
        f"| {timing.database} | {timing.events:,} | {timing.mails} | {ms(timing.queue_ms)} "
        f"| {ms(timing.once_ms)} | {times(ratio(timing.once_ms, raw))} "
        f"| {ms(timing.command_ms)} | {verdicts} |"
    )
    lines += ["", "All times in ms.", ""]
    return lines + [f"- **error** {p}" for p in timing.problems] + ([""] if timing.problems else [])


def server_section(run: BenchRun, budgets: Budgets) -> list[str]:
    """The server's memory and how long each page took in the browser."""
    server = run.server
    lines = ["## Server memory", ""]
    if server is None:
        return [*lines, "Not measured (`--no-server`).", ""]
    if server.skipped:
        return [*lines, f"Not measured: {server.skipped}.", ""]
    passes = max((len(values) for values in server.visits_ms.values()), default=0)
    check = Check(
        "server", server.database, "peak RSS", server.peak_mb, budgets.server_memory_mb, "MB"
    )
    lines += [
        f"`streamlit run` on the {server.database} database, every page visited {passes}× in "
        f"headless Chromium; RSS of the server's process tree sampled every 50 ms "
        f"({server.samples} samples). MB = 10^6 bytes.",
        "",
        "| startup RSS | peak RSS | RSS after visits | budget |",
        "|--:|--:|--:|---|",
        f"| {ms(server.startup_mb)} MB | {ms(server.peak_mb)} MB | {ms(server.after_mb)} MB "
        f"| {verdict(check)} |",
        "",
        "Time until each page had finished in the browser (navigation + script + render), "
        "per pass over all pages; the first pass starts on a fresh server (imports, empty "
        "caches), the second finds the caches filled. Each visit is a full page load, so "
        "these times include loading Streamlit's frontend in Chromium, not just the script:",
        "",
        "| page | " + " | ".join(f"pass {n + 1} ms" for n in range(passes)) + " | last / empty |",
        "|---|" + "--:|" * passes + "--:|",
        *[
            f"| {name} | "
            + " | ".join(ms(value) for value in values)
            + f" | {_browser_ratio(values, server.empty_ms)} |"
            for name, values in server.visits_ms.items()
        ],
        "| *empty page* | " + " | ".join(ms(value) for value in server.empty_ms) + " | 1.0× |",
        "",
        f"last / empty: the last pass against the empty page's (`st.title` only, served and "
        f"loaded the same way); goal ≤ {BROWSER_RATIO_GOAL:.0f}× (issue 17).",
        "",
    ]
    return lines


BROWSER_RATIO_GOAL = 2.0


def _browser_ratio(values: list[float], empty: list[float]) -> str:
    """The last pass's time over the empty page's, bold when over the goal."""
    if not values or not empty:
        return "–"
    ratio = values[-1] / empty[-1]
    text = f"{ratio:.1f}×"
    return f"**{text}**" if ratio > BROWSER_RATIO_GOAL else text


def problem_section(run: BenchRun) -> list[str]:
    """Errors, failed visits and warnings the app emitted while being measured."""
    lines: list[str] = []
    for size in run.sizes:
        for page in [*size.pages, size.empty_page]:
            where = f"{page.name} ({size.database.label})"
            lines += [f"- **error** {where}: {problem}" for problem in page.problems]
            lines += [f"- warning {where}: `{text}`" for text in page.warnings]
    if run.server:
        lines += [f"- **error** server: {problem}" for problem in run.server.problems]
    lines += [f"- note: {note}" for note in run.notes]
    return ["## Problems and warnings", "", *(lines or ["None."]), ""]


def load_line(run: BenchRun) -> str:
    """The machine's load during the run, with a warning when others competed for the CPU."""
    cpus = os.cpu_count() or 1
    loads = " → ".join(f"{value:.1f}" for value in run.load)
    line = f"1-minute load average {loads} on {cpus} CPUs."
    if run.load and max(run.load) > cpus:
        line += " **Other processes competed for the CPU: timings are noisy.**"
    return line


def summary_section(checks: list[Check]) -> list[str]:
    """The verdict first: how many budget checks failed, and which."""
    failed = [c for c in checks if c.passed is False]
    missing = [c for c in checks if c.passed is None]
    head = f"**{len(failed)} of {len(checks)} budget checks failed**"
    if missing:
        head += f", {len(missing)} could not be measured"
    lines = [head + ".", ""]
    for check in failed:
        lines.append(
            f"- FAIL {check.subject} ({check.size}): {check.metric} "
            f"{times_or_ms(check.measured, check.unit)} {'<' if check.at_least else '>'} "
            f"{times_or_ms(check.limit, check.unit)}"
        )
    for check in missing:
        lines.append(f"- NOT MEASURED {check.subject} ({check.size}): {check.metric}")
    return [*lines, ""]


def to_markdown(run: BenchRun, budgets: Budgets) -> str:
    """The whole report as Markdown."""
    checks = all_checks(run, budgets)
    lines = [
        "# Benchmark report",
        "",
        f"{run.started} · mode {run.mode} · Python {platform.python_version()} · "
        f"{platform.machine()} · total {sum(run.phases.values()):.0f} s",
        "",
        load_line(run),
        "",
        f"Budgets: warm median ≤ {budgets.warm_median_ms:.0f} ms; cold median ≤ "
        f"{budgets.cold_factor} × raw-SQL baseline + {budgets.cold_offset_ms:.0f} ms; "
        f"server peak RSS ≤ {budgets.server_memory_mb:.0f} MB; a 5,000-row import's commit ≤ "
        f"{budgets.import_commit_ms:,.0f} ms and a save during it ≤ "
        f"{budgets.save_during_import_ms:,.0f} ms; a sender run with 1,000 queued events ≤ "
        f"{budgets.notify_once_ms:,.0f} ms (the command ≤ {budgets.notify_command_ms:,.0f} ms).",
        "",
        *summary_section(checks),
        "Cold = a new AppTest session with every cache cleared (st.cache_data, settings, "
        "engine) in an interpreter that already imported the app; warm = rerunning that "
        "session. Each run executes dashboard/app.py plus the page. A new AppTest session "
        "costs about the empty page's cold time by itself (AppTest builds a mock runtime and "
        "scans installed packages for components on its first run; a real server does that "
        "once at start), hence the column cold − empty cold.",
        "",
        "## Databases",
        "",
        "| size | initiatives | organisation links | indicators | indicator values | build s |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for size in run.sizes:
        db = size.database
        counts = [db.counts.get(t, 0) for t in ("initiative", "initiativeorganisation")]
        counts += [db.counts.get(t, 0) for t in ("indicator", "indicatorvalue")]
        lines.append(
            f"| {db.label} | "
            + " | ".join(f"{c:,}" for c in counts)
            + f" | {db.build_seconds:.1f} |"
        )
    lines.append("")
    for size in run.sizes:
        lines += size_section(size, budgets)
    lines += import_section(run, budgets)
    lines += breakdowns.section(run.breakdowns)
    lines += notify_section(run, budgets)
    lines += server_section(run, budgets)
    lines += capacity.section(run.capacity)
    lines += scaleout.section(run.scaleout)
    lines += problem_section(run)
    lines += ["## Phases", "", "| phase | s |", "|---|--:|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in run.phases.items()]
    return "\n".join(lines) + "\n"


def open_data_section(size: SizeResult) -> list[str]:
    """How long the open-data API takes to serve its largest table on this size."""
    api = size.open_data
    if api is None:
        return []
    raw = size.raw_sql.median_ms
    return [
        f"### Open-data API: {size_title(size)}",
        "",
        f"Largest table `{api.table}`: {api.rows:,} rows, {api.csv_bytes:,} bytes as CSV, "
        f"{api.json_bytes:,} as JSON; GET through the API's ASGI routes in this process.",
        "",
        "| request | median | p95 | n | / raw SQL |",
        "|---|--:|--:|--:|--:|",
        *(
            f"| {label} | {ms(timing.median_ms)} | {ms(timing.p95_ms)} | {timing.n} "
            f"| {times(ratio(timing.median_ms, raw))} |"
            for label, timing in (
                ("cold (read and render every table)", api.cold),
                ("cached (data version unchanged)", api.cached),
                ("revalidated (If-None-Match, 304)", api.not_modified),
            )
        ),
        "",
    ]


def _timing(page: PageTiming, size: SizeResult) -> dict[str, Any]:
    """One page's timings with its ratios to the baselines."""
    data = asdict(page)
    data["cold_over_raw_sql"] = ratio(_median(page.cold), size.raw_sql.median_ms)
    data["cold_minus_empty_cold_ms"] = difference(_median(page.cold), _median(size.empty_page.cold))
    data["warm_over_empty_page"] = ratio(_median(page.warm), _median(size.empty_page.warm))
    return data


def to_json(run: BenchRun, budgets: Budgets) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    checks = all_checks(run, budgets)
    return {
        "started": run.started,
        "mode": run.mode,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": run.load,
        "budgets": asdict(budgets),
        "passed": all(c.passed is not False for c in checks),
        "checks": [{**asdict(c), "passed": c.passed} for c in checks],
        "sizes": [
            {
                "database": {**asdict(size.database), "path": size.database.path.name},
                "seconds": size.seconds,
                "raw_sql": {**asdict(size.raw_sql), "rows": size.raw_sql_rows},
                "cold_limit_ms": budgets.cold_limit_ms(size.raw_sql.median_ms),
                "empty_page": asdict(size.empty_page),
                "pages": [_timing(page, size) for page in size.pages],
                "snapshot": asdict(size.snapshot) if size.snapshot else None,
                "open_data": asdict(size.open_data) if size.open_data else None,
            }
            for size in run.sizes
        ],
        "imports": [asdict(timing) for timing in run.imports],
        "breakdowns": [asdict(timing) for timing in run.breakdowns],
        "notify": asdict(run.notify) if run.notify else None,
        "server": asdict(run.server) if run.server else None,
        "capacity": capacity.to_json(run.capacity) if run.capacity else None,
        "scaleout": scaleout.to_json(run.scaleout),
        "phases": run.phases,
        "notes": run.notes,
    }


def write(run: BenchRun, budgets: Budgets) -> str:
    """Write bench/report.md and bench/report.json; returns the Markdown."""
    markdown = to_markdown(run, budgets)
    MARKDOWN_PATH.write_text(markdown, encoding="utf-8")
    JSON_PATH.write_text(json.dumps(to_json(run, budgets), indent=2) + "\n", encoding="utf-8")
    return markdown
