"""How many sessions one server process carries: the load phase of `make bench` (issue 17).

The dashboard is started as `make run` starts it (bench/server.py) on the synthetic database;
N browser-free sessions (bench/load.py) click through a realistic mix of pages: Oversikt, Mål,
Portefølje with filters that change from session to session, the coverage matrix, a Satsing,
an indicator and Statusrapporter; every fifth session is signed in (a demo account's session
cookie, got over HTTP from the app's POST /session route, sent with the websocket handshake
as a browser sends it) and also opens its start page. For N = 1, 5, 10, 25, 50 each window is
run closed-loop (no pause) and with a think time; the same windows then run against an empty
Streamlit page (`st.title` only) served the same way with the same .streamlit/config.toml, so
the ratio of the two is measured under the same conditions. Memory: the server's RSS idle
(after a warm-up), its peak with 50 sessions and two minutes after they closed.
"""

import os
import random
import statistics
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlmodel import Session, create_engine, select

from bench.config import ROOT
from bench.databases import Database
from bench.load import (
    Click,
    InterruptResult,
    LoadResult,
    Visitor,
    run_interrupts,
    run_load,
)
from bench.server import MB, PeakSampler, app_server, tree_rss
from dashboard.i18n import translate
from dashboard.services import sessions as user_sessions
from dashboard.services.sessions import COOKIE, START_PATH
from models import FocusType, InitiativeStatus, Scope, User

SESSION_COUNTS = (1, 5, 10, 25, 50)
THINK_S = 5.0
SIGNED_IN_EVERY = 5  # session 0, 5, 10, … is signed in
SIGNED_IN_ACCOUNTS = (
    "operativ@demo.invalid",
    "styringsgruppe@demo.invalid",
    "sekretariat@demo.invalid",
)
EMPTY_SCRIPT = 'import streamlit as st\n\nst.title("x")\n'
EMPTY_CLICK = Click("", "", "x")
FLOOR = "simplest page"  # the dashboard's Tilgjengelighet: static text, the menu, the sidebar
FLOOR_SESSIONS = 10
# goals on this machine, one process (issue 17)
SATURATION_RATIO_GOAL = 0.5
THINK_P95_GOAL_MS = 1000.0
RSS_GOAL_MB = 600.0
RSS_BACK_GOAL = 1.2  # RSS two minutes after the sessions closed ≤ this × idle RSS
WARM_RATIO_GOAL = 10.0


@dataclass(frozen=True)
class Windows:
    """How long each measurement window lasts, in seconds."""

    closed_s: float
    think_s: float
    after_close_s: float
    interrupt_rounds: int
    session_counts: tuple[int, ...] = SESSION_COUNTS


FULL_WINDOWS = Windows(closed_s=12.0, think_s=15.0, after_close_s=120.0, interrupt_rounds=4)
QUICK_WINDOWS = Windows(
    5.0, 10.0, after_close_s=20.0, interrupt_rounds=1, session_counts=(1, 5, 25)
)


def _title(key: str) -> str:
    return translate("nb", key)


def base_clicks() -> tuple[Click, ...]:
    """The pages every session opens (the Portefølje filters come per session)."""
    return (
        Click("oversikt", "", _title("page.overview")),
        Click("mal", "", _title("page.goals")),
        Click("portefolje", "visning=matrise", _title("page.portfolio")),
        Click("satsing", "nr=9", _title("page.initiative")),
        Click("indikatorer", "kode=LAVINNTEKT-BARN-ANDEL", _title("page.indicators")),
        Click("statusrapporter", "", _title("page.reports")),
    )


def portfolio_filters(rng: random.Random, count: int = 3) -> list[Click]:
    """Portefølje with filters of a session's own: a query string that changes per click."""
    clicks = []
    for _ in range(count):
        params = []
        if rng.random() < 0.6:
            params.append(f"kategori={rng.randint(1, 6)}")
        if rng.random() < 0.5:
            params.append(f"status={rng.choice(list(InitiativeStatus)).value}")
        if rng.random() < 0.4:
            params.append(f"fokus={rng.choice(list(FocusType)).value}")
        if rng.random() < 0.3:
            params.append(f"omfang={rng.choice(list(Scope)).value}")
        clicks.append(Click("portefolje", "&".join(params), _title("page.portfolio")))
    return clicks


def visitors(cookies: list[str]) -> Callable[[int], Visitor]:
    """Session i's pages and cookie: every SIGNED_IN_EVERY-th one signed in (while cookies
    last), opening its start page too."""

    def visitor(index: int) -> Visitor:
        rng = random.Random(1000 + index)
        clicks = [*base_clicks(), *portfolio_filters(rng)]
        slot, rest = divmod(index, SIGNED_IN_EVERY)
        if rest == 0 and slot < len(cookies):
            clicks.append(Click("start", "", _title("page.start")))
            return Visitor(tuple(clicks), cookies[slot])
        return Visitor(tuple(clicks))

    return visitor


def sign_in_cookies(database_url: str, base: str, count: int) -> list[str]:
    """count session cookies of demo accounts, each got as a browser gets it: a session started
    for the account (what a correct password does on Konto) gives a one-time grant, and POST
    /session exchanges it for the HttpOnly cookie."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            ids = [
                session.exec(select(User.id).where(User.email == email)).one()
                for email in SIGNED_IN_ACCOUNTS
            ]
        cookies = []
        for n in range(count):
            user_id = ids[n % len(ids)]
            assert user_id is not None
            started = user_sessions.start(user_id, user_agent="bench", engine=engine)
            request = urllib.request.Request(
                base + START_PATH,
                data=started.grant.encode(),
                method="POST",
                headers={"Origin": base},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                header = response.headers.get_all("Set-Cookie") or []
            value = next(
                (h.split(";")[0].split("=", 1)[1] for h in header if h.startswith(f"{COOKIE}=")),
                None,
            )
            if not value:
                raise RuntimeError(f"POST {START_PATH} set no {COOKIE} cookie")
            cookies.append(value)
    finally:
        engine.dispose()
    return cookies


@dataclass
class Window:
    """One measured window: N sessions, closed loop or with think time, the load average."""

    target: str
    result: LoadResult
    peak_mb: float
    load_1m: float


@dataclass
class CapacityResult:
    """The whole load phase."""

    database: str
    mode: str
    session_counts: tuple[int, ...]
    think_s: float
    signed_in: int = 0
    windows: list[Window] = field(default_factory=list)
    idle_mb: float | None = None  # the dashboard's RSS after its warm-up, no session open
    empty_idle_mb: float | None = None
    after_close_mb: float | None = None  # the dashboard's RSS after_close_s after the last closed
    after_close_s: float = 0.0
    interrupts: InterruptResult | None = None
    problems: list[str] = field(default_factory=list)

    def series(self, target: str, think: bool) -> list[Window]:
        """The windows of one target, closed loop or with think time, by N."""
        return [w for w in self.windows if w.target == target and (w.result.think_s > 0) == think]

    def saturation(self, target: str) -> float | None:
        """The highest closed-loop reruns/s of a target."""
        rates = [w.result.reruns_per_s for w in self.series(target, think=False)]
        return max(rates) if rates else None

    def core_rate(self, target: str) -> float | None:
        """Reruns/s one whole core would carry: 1000 / the median CPU ms per run over the
        closed-loop windows (the server's CPU time, so other work on the machine matters
        less than for the reruns/s measured)."""
        costs = [w.result.cpu_ms_per_rerun for w in self.series(target, think=False)]
        known = sorted(c for c in costs if c)
        return 1000 / statistics.median(known) if known else None

    def window(self, target: str, sessions: int, think: bool) -> Window | None:
        """The window of a target with N sessions."""
        return next((w for w in self.series(target, think) if w.result.sessions == sessions), None)

    @property
    def peak_mb(self) -> float | None:
        """The dashboard's peak RSS with the most sessions open."""
        most = max(self.session_counts)
        peaks = [
            w.peak_mb for w in self.windows if w.target == "dashboard" and w.result.sessions == most
        ]
        return max(peaks) if peaks else None


def _only(visitor: Visitor) -> Callable[[int], Visitor]:
    """The same visitor for every session."""
    return lambda _index: visitor


def settle(pid: int, limit_s: float = 30.0) -> None:
    """Wait until runs the last window left behind have ended (the server's CPU idles)."""
    process = psutil.Process(pid)
    deadline = time.monotonic() + limit_s
    process.cpu_percent(None)
    while time.monotonic() < deadline:
        if process.cpu_percent(0.5) < 10:
            return


def measure_target(
    result: CapacityResult,
    target: str,
    url: str,
    pid: int,
    who: Callable[[int], Visitor] | list[Click],
    windows: Windows,
    log: Callable[[str], None],
) -> None:
    """Every window against one server: closed loop, then with think time, for each N."""
    for think in (0.0, result.think_s):
        for n in result.session_counts:
            with PeakSampler(pid, interval=0.25) as sampler:
                load = run_load(
                    url, pid, who, n, windows.think_s if think else windows.closed_s, think
                )
            window = Window(
                target,
                load,
                max(sampler.peak, tree_rss(psutil.Process(pid))) / MB,
                os.getloadavg()[0],
            )
            result.windows.append(window)
            log(
                f"  {target} N={n} think {think:.0f} s: {load.reruns_per_s:.1f} reruns/s, "
                f"median {load.median_ms or 0:.0f} ms, p95 {load.p95_ms or 0:.0f} ms, "
                f"{len(load.errors)} errors, CPU {load.cpu_ms_per_rerun or 0:.0f} ms/run, "
                f"peak RSS {window.peak_mb:.0f} MB, load {window.load_1m:.1f}"
            )
            settle(pid)


@contextmanager
def empty_page(directory: Path) -> Iterator[str]:
    """The empty page's script, written next to nothing else (relative to the project, as
    `streamlit run` is started there and reads .streamlit/config.toml from there)."""
    script = directory / "empty_page.py"
    script.write_text(EMPTY_SCRIPT, encoding="utf-8")
    yield os.path.relpath(script, ROOT)


def measure(
    db: Database,
    directory: Path,
    windows: Windows,
    log: Callable[[str], None],
) -> CapacityResult:
    """The load phase: the dashboard, then the empty page while the dashboard's memory settles."""
    mode = "quick" if windows == QUICK_WINDOWS else "full"
    session_counts = windows.session_counts
    result = CapacityResult(db.label, mode, session_counts, THINK_S)
    with app_server(db.url, directory / "capacity-dashboard.log") as (url, pid):
        cookies = sign_in_cookies(db.url, url, -(-max(session_counts) // SIGNED_IN_EVERY))
        result.signed_in = len(cookies)
        who = visitors(cookies)
        for visitor in (who(0), who(1)):  # every page, signed in and not: caches filled
            run_load(url, pid, _only(visitor), 1, windows.closed_s)
        settle(pid)
        result.idle_mb = tree_rss(psutil.Process(pid)) / MB
        measure_target(result, "dashboard", url, pid, who, windows, log)
        floor = [Click("tilgjengelighet", "", _title("page.accessibility"))]
        with PeakSampler(pid, interval=0.25) as sampler:
            load = run_load(url, pid, floor, FLOOR_SESSIONS, windows.closed_s)
        peak = max(sampler.peak, tree_rss(psutil.Process(pid))) / MB
        result.windows.append(Window(FLOOR, load, peak, os.getloadavg()[0]))
        log(
            f"  {FLOOR} N={FLOOR_SESSIONS}: {load.reruns_per_s:.1f} reruns/s, CPU "
            f"{load.cpu_ms_per_rerun or 0:.1f} ms/run"
        )
        settle(pid)
        pairs = [(a, b) for a in base_clicks() for b in base_clicks() if a.path != b.path]
        result.interrupts = run_interrupts(url, pairs, 25, windows.interrupt_rounds)
        log(f"  interrupted clicks: {result.interrupts}")
        closed = time.monotonic()
        with (
            empty_page(directory) as script,
            app_server(db.url, directory / "capacity-empty.log", script=script) as (
                empty_url,
                empty_pid,
            ),
        ):
            run_load(empty_url, empty_pid, [EMPTY_CLICK], 1, 2.0)
            result.empty_idle_mb = tree_rss(psutil.Process(empty_pid)) / MB
            measure_target(result, "empty page", empty_url, empty_pid, [EMPTY_CLICK], windows, log)
        time.sleep(max(0.0, closed + windows.after_close_s - time.monotonic()))
        result.after_close_s = time.monotonic() - closed
        result.after_close_mb = tree_rss(psutil.Process(pid)) / MB
        log(
            f"  dashboard RSS idle {result.idle_mb:.0f} MB, peak at N={max(session_counts)} "
            f"{result.peak_mb or 0:.0f} MB, {result.after_close_s:.0f} s after "
            f"{result.after_close_mb:.0f} MB"
        )
    return result


CheckFields = tuple[str, str, str, float | None, float, str, bool]


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def capacity_checks(
    result: CapacityResult, warm_over_empty: dict[str, float | None]
) -> list[CheckFields]:
    """The issue's goals as budget checks (subject, size, metric, measured, limit, unit, at
    least): throughput against the empty page's, p95 with think time at the most sessions,
    memory, no lost click, and every page's warm AppTest rerun against the empty page's."""
    most = max(result.session_counts)
    think = result.window("dashboard", most, think=True)
    lost = sum(w.result.lost for w in result.windows)
    lost += result.interrupts.lost if result.interrupts else 0
    label = result.database
    checks: list[CheckFields] = [
        (
            "load: saturation throughput",
            label,
            "dashboard / empty page reruns/s",
            _ratio(result.saturation("dashboard"), result.saturation("empty page")),
            SATURATION_RATIO_GOAL,
            "×",
            True,
        ),
        (
            f"load: {most} sessions, {result.think_s:.0f} s think time",
            label,
            "rerun p95",
            think.result.p95_ms if think else None,
            THINK_P95_GOAL_MS,
            "ms",
            False,
        ),
        (f"load: {most} sessions", label, "peak RSS", result.peak_mb, RSS_GOAL_MB, "MB", False),
        (
            f"load: {result.after_close_s:.0f} s after the sessions closed",
            label,
            "RSS / idle RSS",
            _ratio(result.after_close_mb, result.idle_mb),
            RSS_BACK_GOAL,
            "×",
            False,
        ),
        ("load: clicks", label, "lost (no run finished)", float(lost), 0.0, "clicks", False),
    ]
    checks += [
        (f"{name} (AppTest)", label, "warm / empty page warm", value, WARM_RATIO_GOAL, "×", False)
        for name, value in warm_over_empty.items()
    ]
    return checks


def _cell(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _unsaturated(result: CapacityResult) -> list[str]:
    """A warning when a target's best closed-loop window left the server's CPU half idle: its
    rate is then what the load client could send, not what the server could carry."""
    lines = []
    for target in ("dashboard", "empty page"):
        best = max(
            result.series(target, think=False),
            key=lambda w: w.result.reruns_per_s,
            default=None,
        )
        if best and best.result.cpu_s < 0.9 * best.result.seconds:
            lines.append(
                f"- **The {target}'s best window kept the server's CPU at "
                f"{100 * best.result.cpu_s / best.result.seconds:.0f} %**: its rate is what this "
                "load client (one Python process) sends, not the server's limit; the line "
                "below compares CPU per run instead."
            )
    return lines


def section(result: CapacityResult | None) -> list[str]:
    """The load table and the goals, as Markdown lines for the report."""
    lines = ["## Capacity: sessions on one server process (issue 17)", ""]
    if result is None:
        return [*lines, "Not measured (`--no-load`).", ""]
    most = max(result.session_counts)
    lines += [
        f"`make run`'s server on the {result.database} database, {result.mode} windows; N "
        "browser-free sessions over Streamlit's websocket (bench/load.py), each clicking "
        "through Oversikt, Mål, Portefølje with filters of its own, the coverage matrix, a "
        f"Satsing, an indicator and Statusrapporter; every {SIGNED_IN_EVERY}th session signed "
        f"in ({result.signed_in} session cookies from POST /session) also opens Min side. Each "
        "run is checked to show the page asked for. Closed loop = the next click as soon as "
        f"a run has finished; think = {result.think_s:.0f} s ± 50 % between clicks. The empty "
        "page (`st.title` only) is served the same way with the same configuration, in the "
        "same run. CPU = the server process's CPU time / window; RSS = its peak during the "
        "window; load = the machine's 1-minute load average at the window's end (2 CPUs).",
        "",
        "| target | think s | N | reruns/s | median ms | p95 ms | errors | lost | requests "
        "| finished | CPU ms/run | CPU % | peak RSS MB | load |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for w in result.windows:
        r = w.result
        lines.append(
            f"| {w.target} | {r.think_s:.0f} | {r.sessions} | {r.reruns_per_s:.1f} "
            f"| {_cell(r.median_ms)} | {_cell(r.p95_ms)} | {len(r.errors)} | {r.lost} "
            f"| {r.requests} | {r.finished} | {_cell(r.cpu_ms_per_rerun)} "
            f"| {100 * r.cpu_s / r.seconds:.0f} | {w.peak_mb:.0f} | {w.load_1m:.1f} |"
        )
    dash, empty = result.saturation("dashboard"), result.saturation("empty page")
    back = _ratio(result.after_close_mb, result.idle_mb)
    fits = [
        w.result.sessions
        for w in result.series("dashboard", think=False)
        if w.result.p95_ms is not None and w.result.p95_ms <= THINK_P95_GOAL_MS
    ]
    core = {t: result.core_rate(t) for t in ("dashboard", "empty page", FLOOR)}
    floor = result.window(FLOOR, FLOOR_SESSIONS, think=False)
    empty_there = result.window("empty page", FLOOR_SESSIONS, think=False)
    floor_ratio = (  # against the empty page's window with as many sessions, else its median
        _ratio(empty_there.result.cpu_ms_per_rerun, floor.result.cpu_ms_per_rerun)
        if floor and empty_there
        else _ratio(core[FLOOR], core["empty page"])
    )
    lines += [
        "",
        f"- Saturation (highest closed-loop reruns/s): dashboard {_cell(dash, 1)}, empty page "
        f"{_cell(empty, 1)}: {_cell(_ratio(dash, empty), 2)}× (goal ≥ {SATURATION_RATIO_GOAL}×).",
        *_unsaturated(result),
        f"- What one whole core would carry (1,000 / the median CPU ms per run of the "
        f"closed-loop windows; less noisy when other work shares the CPUs): dashboard "
        f"{_cell(core['dashboard'], 1)}, empty page {_cell(core['empty page'], 1)} reruns/s.",
        f"- The floor: the dashboard's simplest page alone (Tilgjengelighet: static text with "
        f"the menu, sidebar and sign-in check every page has), {FLOOR_SESSIONS} closed-loop "
        f"sessions: one core would carry {_cell(core[FLOOR], 1)} reruns/s, "
        f"{_cell(floor_ratio, 2)}× the empty page's "
        f"{'with as many sessions' if empty_there else '(its median over the windows)'}; "
        "the mix of pages cannot beat the shell every page runs.",
        f"- Largest N with closed-loop p95 ≤ 1 s: {max(fits) if fits else 'none'}.",
        f"- Memory: idle {_cell(result.idle_mb)} MB (after the warm-up), peak with {most} "
        f"sessions {_cell(result.peak_mb)} MB (goal ≤ {RSS_GOAL_MB:.0f}), "
        f"{result.after_close_s:.0f} s after the last session closed "
        f"{_cell(result.after_close_mb)} MB ({_cell(back, 2)}× idle, goal ≤ "
        f"{RSS_BACK_GOAL}×); the empty page's server {_cell(result.empty_idle_mb)} MB.",
    ]
    if result.interrupts:
        i = result.interrupts
        lines.append(
            f"- Interrupted clicks ({i.sessions} sessions × {i.rounds}: a click, another page "
            f"0–300 ms later while the first still runs): {i.requests} requests, "
            f"{i.finished} runs finished, {i.early} ended early for a rerun, {i.reached} second "
            f"clicks reached their page, {i.lost} lost."
        )
    lines += [f"- **error** {p}" for p in result.problems]
    errors = sorted({e for w in result.windows for e in w.result.errors})
    lines += [f"- error seen: {e}" for e in errors[:10]]
    return [*lines, ""]


def to_json(result: CapacityResult) -> dict[str, Any]:
    """The load phase as JSON-ready data: every window with its figures, and the memory."""
    data = asdict(result)
    for window, raw in zip(result.windows, data["windows"], strict=True):
        r = window.result
        raw["result"] |= {
            "reruns_per_s": r.reruns_per_s,
            "median_ms": r.median_ms,
            "p95_ms": r.p95_ms,
            "cpu_ms_per_rerun": r.cpu_ms_per_rerun,
        }
        raw["result"].pop("latencies_ms")
    data["saturation"] = {t: result.saturation(t) for t in ("dashboard", "empty page")}
    data["one_core_reruns_per_s"] = {
        t: result.core_rate(t) for t in ("dashboard", "empty page", FLOOR)
    }
    data["peak_mb"] = result.peak_mb
    return data
