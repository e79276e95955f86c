"""`python -m bench.scaleout`: saturation throughput of two app processes behind HAProxy
against one behind the same HAProxy (the production shape of deploy/).

The shape runs on a throwaway PostgreSQL cluster holding the `--synthetic 100` data (migrated
and seeded as bench/databases.py builds the SQLite one). Closed-loop sessions
(bench/load.py, no think time) connect through HAProxy; its round robin spreads their
websockets over the processes in rotation. "One process" is the same shape with the other put
in maintenance on HAProxy's stats socket (app2 and app1 by turns), so both figures go through
the same balancer. The two configurations alternate for a few rounds, in the order one, two,
two, one, ..., so a burst of other work on the machine, or a slow drift, does not fall on one
of them only; the load generator runs on the same machine and takes CPU too.
"""

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sqlalchemy.engine import make_url

from bench.gc_choice import CLICKS
from bench.load import LoadResult, run_load
from bench.server import MB
from deploy.shape import (
    HAPROXY_MISSING,
    Shape,
    haproxy_bin,
    postgresql_missing,
    prepare,
    run_module,
    running_shape,
    trial_database,
)

SESSIONS = 10
SECONDS = 20.0
ROUNDS = 2
SYNTHETIC = 100
GOAL = 1.6  # two processes against one, on this 2-core machine


@dataclass
class Window:
    """One measured window: how many processes served it and what the sessions saw."""

    processes: int
    sessions: int
    seconds: float
    reruns: int
    errors: int
    median_ms: float | None
    p95_ms: float | None
    server_cpu_s: list[float]  # per app process
    client_cpu_s: float  # this process (the load generator)
    database_cpu_s: float | None = None  # the PostgreSQL cluster, all its processes
    rss_mb: list[float] = field(default_factory=list)  # per app process, at the window's end

    @property
    def reruns_per_s(self) -> float:
        """Finished page runs per second."""
        return self.reruns / self.seconds if self.seconds else 0.0

    @property
    def cores(self) -> float:
        """The app processes' CPU seconds per second of the window."""
        return sum(self.server_cpu_s) / self.seconds if self.seconds else 0.0

    @property
    def reruns_per_cpu_s(self) -> float | None:
        """Finished page runs per CPU second of the app processes."""
        cpu = sum(self.server_cpu_s)
        return self.reruns / cpu if cpu else None


@dataclass
class ScaleOut:
    """Two processes against one, both behind HAProxy."""

    sessions: int = SESSIONS
    seconds: float = SECONDS
    synthetic: int = SYNTHETIC
    windows: list[Window] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average, start and end
    skipped: str | None = None
    problems: list[str] = field(default_factory=list)
    build_seconds: float = 0.0

    def throughput(self, processes: int) -> float | None:
        """Reruns per second with that many processes, over all its windows."""
        chosen = [w for w in self.windows if w.processes == processes]
        seconds = sum(w.seconds for w in chosen)
        return sum(w.reruns for w in chosen) / seconds if seconds else None

    def per_cpu_s(self, processes: int) -> float | None:
        """Reruns per CPU second of the app processes with that many, over all its windows."""
        chosen = [w for w in self.windows if w.processes == processes]
        cpu = sum(sum(w.server_cpu_s) for w in chosen)
        return sum(w.reruns for w in chosen) / cpu if cpu else None

    def mean_cores(self, processes: int) -> float | None:
        """The cores the app processes used with that many, over all its windows."""
        chosen = [w for w in self.windows if w.processes == processes]
        seconds = sum(w.seconds for w in chosen)
        return sum(sum(w.server_cpu_s) for w in chosen) / seconds if seconds else None

    @property
    def efficiency(self) -> float | None:
        """Reruns per CPU second with two processes over those with one: 1.0 when a second
        process does as much with a core as the first, whatever cores the machine had free."""
        one, two = self.per_cpu_s(1), self.per_cpu_s(2)
        return two / one if one and two else None

    @property
    def ratio(self) -> float | None:
        """Two processes' throughput over one's."""
        one, two = self.throughput(1), self.throughput(2)
        return two / one if one and two else None

    @property
    def passed(self) -> bool | None:
        """Whether the ratio reaches GOAL (None: not measured)."""
        return None if self.ratio is None else self.ratio >= GOAL


def skip_reason() -> str | None:
    """Why the shape cannot be started here, or None."""
    if haproxy_bin() is None:
        return HAPROXY_MISSING
    return postgresql_missing()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def cluster_cpu_seconds(database_url: str) -> float | None:
    """CPU seconds so far of a local PostgreSQL cluster (tests/support/pg.py's, found by the
    socket directory in database_url): the postmaster, its live backends and those it reaped."""
    host = make_url(database_url).query.get("host")
    pidfile = Path(str(host)) / "data" / "postmaster.pid" if isinstance(host, str) else None
    if pidfile is None or not pidfile.exists():
        return None
    postmaster = psutil.Process(int(pidfile.read_text().split()[0]))
    times = postmaster.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in postmaster.children():
        try:
            child_times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += child_times.user + child_times.system
    return float(total)


def window(shape: Shape, processes: int, sessions: int, seconds: float) -> Window:
    """N closed-loop sessions through HAProxy for a window of seconds."""
    pids = [backend.process.pid for backend in shape.backends]
    before = [cpu_seconds(pid) for pid in pids]
    client_before = cpu_seconds(os.getpid())
    database = shape.backends[0].database_url
    database_before = cluster_cpu_seconds(database)
    result: LoadResult = run_load(shape.url, None, CLICKS, sessions, seconds)
    database_after = cluster_cpu_seconds(database)
    return Window(
        processes=processes,
        sessions=sessions,
        seconds=seconds,
        reruns=len(result.latencies_ms),
        errors=len(result.errors),
        median_ms=result.median_ms,
        p95_ms=result.p95_ms,
        server_cpu_s=[cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)],
        client_cpu_s=cpu_seconds(os.getpid()) - client_before,
        rss_mb=[psutil.Process(pid).memory_info().rss / MB for pid in pids],
        database_cpu_s=(
            None
            if database_before is None or database_after is None
            else database_after - database_before
        ),
    )


def use_processes(shape: Shape, processes: int, round_: int) -> None:
    """Two processes in rotation, or one: app1 alone in odd rounds, app2 in even ones (the
    other in maintenance), so both serve about as much over the run."""
    names = [backend.name for backend in shape.backends]
    resting = names[round_ % 2] if processes == 1 else None
    for name in names:
        if name == resting:
            shape.admin(f"disable server app/{name}")
            shape.wait_for(name, "MAINT")
        else:
            shape.admin(f"enable server app/{name}")
            shape.wait_for(name, "UP")


def measure(
    sessions: int = SESSIONS,
    seconds: float = SECONDS,
    rounds: int = ROUNDS,
    synthetic: int = SYNTHETIC,
    log: Callable[[str], None] | None = None,
) -> ScaleOut:
    """Build the database, start the shape with two processes, and measure rounds of one and
    two processes in turn."""
    say = log or (lambda message: print(message, flush=True))
    result = ScaleOut(sessions=sessions, seconds=seconds, synthetic=synthetic)
    if reason := skip_reason():
        result.skipped = reason
        return result
    result.load.append(os.getloadavg()[0])
    with trial_database() as url:
        started = time.monotonic()
        prepare(url, demo_accounts=False, quiet=True)
        run_module("seed", "--synthetic", str(synthetic), database_url=url, quiet=True)
        result.build_seconds = time.monotonic() - started
        say(f"  PostgreSQL with --synthetic {synthetic}: {result.build_seconds:.0f} s")
        with running_shape([url, url]) as shape:
            for backend in shape.backends:  # every cache of both processes filled once
                run_load(backend.url, None, CLICKS, 1, 8)
            for round_ in range(1, rounds + 1):
                for processes in (1, 2) if round_ % 2 else (2, 1):  # ABBA: a drift cancels
                    use_processes(shape, processes, round_)
                    done = window(shape, processes, sessions, seconds)
                    result.windows.append(done)
                    say(
                        f"  {processes} process(es), N={sessions}: "
                        f"{done.reruns_per_s:.1f} reruns/s, p95 {done.p95_ms or 0:.0f} ms, "
                        f"{done.errors} errors, server CPU "
                        + " + ".join(f"{c:.0f}" for c in done.server_cpu_s)
                        + f" s, PostgreSQL {done.database_cpu_s or 0:.0f} s, load generator "
                        f"{done.client_cpu_s:.0f} s"
                    )
                    if done.errors:
                        result.problems.append(f"{processes} process(es): {done.errors} errors")
    result.load.append(os.getloadavg()[0])
    return result


def _cell(value: float | None, digits: int = 0) -> str:
    """A number for a table cell."""
    return "–" if value is None else f"{value:,.{digits}f}"


def section(result: ScaleOut | None) -> list[str]:
    """The report's Markdown section."""
    lines = ["## Scale-out: two processes behind HAProxy", ""]
    if result is None:
        return [*lines, "Not measured (`--no-scaleout`).", ""]
    if result.skipped:
        return [*lines, f"Not measured: {result.skipped}.", ""]
    verdict = {None: "not measured", True: "ok", False: "**FAIL**"}[result.passed]
    loads = " → ".join(f"{value:.1f}" for value in result.load)
    lines += [
        f"`make shape`'s configuration (deploy/) on PostgreSQL with `--synthetic "
        f"{result.synthetic}`: {result.sessions} closed-loop sessions (bench/load.py) through "
        f"HAProxy, {result.seconds:.0f} s windows, one and two processes in turn (one = the "
        f"other in maintenance on the same HAProxy, app1 and app2 by turns). The load "
        f"generator runs on the same machine. "
        f"1-minute load average {loads} on {os.cpu_count()} CPUs.",
        "",
        f"**Scale-out ratio {_cell(result.ratio, 2)}×** (goal ≥ {GOAL}×: {verdict}); the "
        f"app processes used {_cell(result.mean_cores(1), 2)} cores with one and "
        f"{_cell(result.mean_cores(2), 2)} with two, and two did "
        f"{_cell(result.efficiency, 2)}× one's reruns per CPU second.",
        "",
    ]
    if result.load and max(result.load) > (os.cpu_count() or 1):
        lines += [
            "**Other processes competed for the CPU**: the ratio shows the cores they left "
            "free, not only how the app scales.",
            "",
        ]
    lines += [
        "| processes | round | reruns/s | median ms | p95 ms | errors | server CPU s "
        "| cores | reruns per CPU s | PostgreSQL CPU s | load generator CPU s | RSS MB |",
        "|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|---|",
    ]
    rounds: dict[int, int] = {}
    for w in result.windows:
        rounds[w.processes] = rounds.get(w.processes, 0) + 1
        lines.append(
            f"| {w.processes} | {rounds[w.processes]} | {w.reruns_per_s:.1f} | "
            f"{_cell(w.median_ms)} | {_cell(w.p95_ms)} | {w.errors} | "
            + " + ".join(f"{c:.1f}" for c in w.server_cpu_s)
            + f" | {w.cores:.2f} | {_cell(w.reruns_per_cpu_s, 1)} | "
            f"{_cell(w.database_cpu_s, 1)} | {w.client_cpu_s:.1f} | "
            + " + ".join(f"{m:.0f}" for m in w.rss_mb)
            + " |"
        )
    for n in (1, 2):
        lines.append(
            f"| {n} | all | {_cell(result.throughput(n), 1)} | | | | | "
            f"{_cell(result.mean_cores(n), 2)} | {_cell(result.per_cpu_s(n), 1)} | | | |"
        )
    return [*lines, ""]


def to_json(result: ScaleOut | None) -> dict[str, object] | None:
    """The report's JSON field."""
    if result is None:
        return None
    return {
        "sessions": result.sessions,
        "seconds": result.seconds,
        "synthetic": result.synthetic,
        "skipped": result.skipped,
        "load_average_1m": result.load,
        "build_seconds": result.build_seconds,
        "windows": [
            {**w.__dict__, "reruns_per_s": w.reruns_per_s, "cores": w.cores} for w in result.windows
        ],
        "reruns_per_s": {"1": result.throughput(1), "2": result.throughput(2)},
        "ratio": result.ratio,
        "cores": {"1": result.mean_cores(1), "2": result.mean_cores(2)},
        "reruns_per_cpu_s": {"1": result.per_cpu_s(1), "2": result.per_cpu_s(2)},
        "efficiency": result.efficiency,
        "goal": GOAL,
        "passed": result.passed,
        "problems": result.problems,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--synthetic", type=int, default=SYNTHETIC)
    args = parser.parse_args(argv)
    result = measure(args.sessions, args.seconds, args.rounds, args.synthetic)
    print("\n".join(section(result)))


if __name__ == "__main__":
    main()
