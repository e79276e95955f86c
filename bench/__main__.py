"""`python -m bench [--quick]`: time every page at seed size and synthetic size, write reports."""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from streamlit import config as streamlit_config
from streamlit import logger as streamlit_logger

from bench import (
    breakdowns,
    capacity,
    imports,
    notify,
    opendata,
    rawsql,
    report,
    scaleout,
    snapshots,
)
from bench.apptest import measure_empty_page, measure_page, use_database, warm_up
from bench.config import BUDGETS, FULL, QUICK, SYNTHETIC_FACTOR, BenchPage, Repetitions, bench_pages
from bench.databases import Database, build
from bench.results import BenchRun, SizeResult
from bench.server import measure_server
from dashboard.settings import get_settings

START = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the report."""
    print(f"[bench {time.monotonic() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


@contextmanager
def phase(run: BenchRun, name: str) -> Iterator[None]:
    """Log a phase and record how long it took."""
    log(f"{name} …")
    start = time.monotonic()
    try:
        yield
    finally:
        run.phases[name] = time.monotonic() - start
        log(f"{name}: {run.phases[name]:.1f} s")


def configure_streamlit() -> None:
    """Quiet the warnings AppTest always triggers; show a failing page's real error."""
    streamlit_config.get_option("logger.level")  # parse the config now, not mid-benchmark
    streamlit_logger.set_log_level("error")
    streamlit_config.set_option("client.showErrorDetails", "full")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--cold", type=int, metavar="N", help="cold runs per page")
    parser.add_argument("--warm", type=int, metavar="N", help="warm runs per page")
    parser.add_argument(
        "--synthetic", type=int, default=SYNTHETIC_FACTOR, metavar="N", help="synthetic copies"
    )
    parser.add_argument("--no-server", action="store_true", help="skip the server memory run")
    parser.add_argument(
        "--no-import", action="store_true", help="skip the 5,000-row import on both engines"
    )
    parser.add_argument(
        "--no-breakdown",
        action="store_true",
        help="skip importing an SSB breakdown of 28,560 cells before the pages are timed",
    )
    parser.add_argument(
        "--no-notify", action="store_true", help="skip the e-mail sender run (1,000 events)"
    )
    parser.add_argument(
        "--no-scaleout",
        action="store_true",
        help="skip two app processes against one behind HAProxy (deploy/, PostgreSQL)",
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="time only the pages whose name contains TEXT"
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="skip the load phase (N sessions on one server process against an empty page)",
    )
    return parser.parse_args(argv)


def repetitions(args: argparse.Namespace) -> Repetitions:
    """The repetition counts the command line asks for."""
    reps = QUICK if args.quick else FULL
    if args.cold:
        reps = replace(reps, cold=args.cold)
    if args.warm:
        reps = replace(reps, warm=args.warm)
    return reps


def measure_size(db: Database, pages: list[BenchPage], reps: Repetitions) -> SizeResult:
    """Baselines and every page on one database."""
    use_database(db.url)
    raw, rows = rawsql.measure(db.path, get_settings().mission_key, reps.raw_sql)
    log(f"  raw SQL baseline: median {raw.median_ms:.1f} ms ({rows} rows)")
    empty = measure_empty_page(reps)
    log(f"  empty page: warm median {empty.warm.median_ms if empty.warm else float('nan'):.1f} ms")
    snapshot = snapshots.measure(reps.warm)  # leaves an approved report for the pages to show
    log(
        f"  status report {snapshot.period}: create {snapshot.create_ms:.0f} ms, refresh median "
        f"{snapshot.refresh.median_ms:.0f} ms, read median {snapshot.read.median_ms:.0f} ms"
    )
    api = opendata.measure(reps.warm)
    log(
        f"  open data, largest table {api.table} ({api.rows:,} rows): cold median "
        f"{api.cold.median_ms:.0f} ms, cached median {api.cached.median_ms:.1f} ms"
    )
    timings = []
    for page in pages:
        timing = measure_page(page, reps)
        cold, warm = timing.cold, timing.warm
        if cold and warm:
            log(f"  {page.title}: cold {cold.median_ms:.0f} ms, warm {warm.median_ms:.0f} ms")
        else:
            log(f"  {page.title}: FAILED {timing.problems}")
        timings.append(timing)
    return SizeResult(db, raw, rows, empty, timings, snapshot, api)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write bench/report.md and bench/report.json, print the Markdown."""
    args = parse_args(argv)
    configure_streamlit()
    reps = repetitions(args)
    mode = f"{'quick' if args.quick else 'full'} (cold {reps.cold}, warm {reps.warm} runs/page)"
    run = BenchRun(mode=mode, started=datetime.now().isoformat(timespec="seconds"))
    pages = [page for page in bench_pages() if not args.only or args.only in page.title]
    run.load.append(os.getloadavg()[0])
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        tmp = Path(directory)
        with phase(run, "build seed database"):
            databases = [build(tmp, "seed")]
        with phase(run, f"build synthetic {args.synthetic} database"):
            databases.append(build(tmp, f"synthetic {args.synthetic}", args.synthetic))
        if not args.no_breakdown:
            with phase(run, "SSB breakdown import (28,560 cells)"):
                for db in databases:
                    run.breakdowns.append(breakdowns.measure(db))
                    log(f"  breakdown on {db.label}: {breakdowns.summary(run.breakdowns[-1])}")
        with phase(run, "warm-up (imports, untimed)"):
            use_database(databases[0].url)
            run.notes += [f"warm-up failed: {problem}" for problem in warm_up(pages)]
        for db in databases:
            with phase(run, f"AppTest on {db.label}"):
                size = measure_size(db, pages, reps)
            size.seconds = run.phases[f"AppTest on {db.label}"]
            run.sizes.append(size)
        if not args.no_import:
            with phase(run, "import of 5,000 values on SQLite and PostgreSQL"):
                run.imports = imports.measure()
            for timing in run.imports:
                log(f"  import on {timing.engine}: {imports.summary(timing)}")
        if not args.no_notify:
            with phase(run, "e-mail sender, 1,000 events"):
                run.notify = notify.measure(databases[-1])
            log(
                f"  notify --once: run_once {run.notify.once_ms:.0f} ms, command "
                f"{run.notify.command_ms:.0f} ms, {run.notify.mails} mails"
            )
        if not args.no_server:
            with phase(run, "server memory"):
                run.server = measure_server(databases[-1].url, databases[-1].label, pages)
        if not args.no_load:
            windows = capacity.QUICK_WINDOWS if args.quick else capacity.FULL_WINDOWS
            with phase(run, "load: sessions on one server process"):
                run.capacity = capacity.measure(databases[-1], tmp, windows, log)
    if not args.no_scaleout:
        with phase(run, "scale-out behind HAProxy"):
            run.scaleout = scaleout.measure(log=log)
        if run.scaleout.skipped:
            log(f"  scale-out not measured: {run.scaleout.skipped}")
        else:
            log(f"  scale-out: two processes {run.scaleout.ratio or 0:.2f}× one")
    run.load.append(os.getloadavg()[0])
    markdown = report.write(run, BUDGETS)
    log(f"wrote {report.MARKDOWN_PATH} and {report.JSON_PATH}")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
