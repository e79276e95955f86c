"""Serve the app with `streamlit run`, visit every page in Chromium, track the server's RSS."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import psutil

from bench.config import ROOT, BenchPage
from dashboard.i18n import translate
from dashboard.settings import get_settings

if TYPE_CHECKING:
    from playwright.sync_api import Page

MB = 1_000_000
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APP_DONE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
SKELETON = '[data-testid*="Skeleton"]'  # stSkeleton, stAppSkeleton, stSkeletonElement
EXCEPTION = '[data-testid="stException"]'
READY_TIMEOUT_MS = 120_000
PASSES = 2  # the first pass finds every cache empty, the second finds it filled


@dataclass
class ServerMemory:
    """The server process tree's RSS in MB (10^6 bytes) before, during and after the visits."""

    database: str
    startup_mb: float | None = None
    peak_mb: float | None = None
    after_mb: float | None = None
    samples: int = 0
    visits_ms: dict[str, list[float]] = field(default_factory=dict)
    empty_ms: list[float] = field(default_factory=list)  # an empty page, served the same way
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class PeakSampler(threading.Thread):
    """Samples a process tree's RSS in the background and keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        """Sample the tree rooted at pid every interval seconds once started."""
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        """Sample until stopped (or the process is gone)."""
        while not self._halt.is_set():
            try:
                self.peak = max(self.peak, tree_rss(self.process))
            except psutil.NoSuchProcess:
                return
            self.samples += 1
            self._halt.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        """Start sampling."""
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop sampling and wait for the last sample."""
        self._halt.set()
        self.join()


def run_command(port: int, script: str = "dashboard/server.py") -> list[str]:
    """What `make run` starts (its Makefile recipe, on another port): the bench measures the
    shipped configuration, .streamlit/config.toml, and no setting of its own. Another script
    (the load bench's empty page) is served the same way, with the same configuration."""
    return ["streamlit", "run", script, "--server.port", str(port)]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(base: str) -> bool:
    """True when the Streamlit server at base answers its health check."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def app_server(
    database_url: str,
    log: Path,
    timeout: float = 60.0,
    extra_args: Sequence[str] = (),
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    script: str = "dashboard/server.py",
) -> Iterator[tuple[str, int]]:
    """`make run`'s server (run_command) on database_url; yields its base URL and pid.

    extra_args are for tests that need a setting of their own (a secrets file); the bench
    passes none. env adds to (or overrides) this process's environment, e.g. the app's settings.
    script serves another script the same way (the load bench's empty page).
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", *run_command(port, script), *extra_args]
    environment = {**os.environ, **(env or {}), "DATABASE_URL": database_url}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + timeout
        while not healthy(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Streamlit did not come up at {base}:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def browser_missing() -> str | None:
    """Why pages cannot be visited in a browser here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (set CHROMIUM or apt-get install chromium)"
    return None


def page_problem(tab: "Page", title: str) -> str | None:
    """What is wrong with the page in the tab: an exception shown, or its title missing."""
    if tab.locator(EXCEPTION).count():
        text = " ".join(tab.locator(EXCEPTION).first.inner_text().split())
        return f"the page shows an exception: {text[:300]}"
    if not tab.locator("h1", has_text=title).count():
        return f"no h1 {title!r} in the browser"
    return None


def load(tab: "Page", url: str, title: str) -> float:
    """Open url and wait until its script has finished; returns the milliseconds that took."""
    from playwright.sync_api import expect

    start = time.perf_counter()
    tab.goto(url)
    shown = tab.locator("h1", has_text=title).or_(tab.locator(EXCEPTION)).first
    shown.wait_for(timeout=READY_TIMEOUT_MS)  # this page's script has started drawing
    tab.wait_for_selector(APP_DONE, timeout=READY_TIMEOUT_MS)
    expect(tab.locator(SKELETON)).to_have_count(0, timeout=READY_TIMEOUT_MS)
    elapsed = (time.perf_counter() - start) * 1000
    tab.wait_for_timeout(300)  # a rerun may be requested right after the first run
    tab.wait_for_selector(APP_DONE, timeout=READY_TIMEOUT_MS)
    return elapsed


def visit_pages(base: str, pages: list[BenchPage], result: ServerMemory) -> None:
    """Open every public page in headless Chromium, PASSES times, each until it has finished.

    Pages that need a signed-in account are left out: a page load starts a session nobody
    has signed in to (AppTest measures those pages signed in).
    """
    from playwright.sync_api import sync_playwright

    pages = [page for page in pages if page.signed_in_as is None]
    language = get_settings().language
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            tab = browser.new_page()
            for _ in range(PASSES):
                for page in pages:
                    title = translate(language, page.title_key)
                    elapsed = load(tab, base + page.url, title)
                    result.visits_ms.setdefault(page.title, []).append(elapsed)
                    problem = page_problem(tab, title)
                    if problem and f"{page.title}: {problem}" not in result.problems:
                        result.problems.append(f"{page.title}: {problem}")
        finally:
            browser.close()


def measure_server(database_url: str, label: str, pages: list[BenchPage]) -> ServerMemory:
    """Peak RSS of the server's process tree while every page is visited PASSES times."""
    result = ServerMemory(database=label)
    if reason := browser_missing():
        result.skipped = reason
        return result
    with (
        tempfile.TemporaryDirectory(prefix="bench-server-") as directory,
        app_server(database_url, Path(directory) / "streamlit.log") as (base, pid),
    ):
        process = psutil.Process(pid)
        result.startup_mb = tree_rss(process) / MB
        with PeakSampler(pid) as sampler:
            try:
                visit_pages(base, pages, result)
            except Exception as error:  # a failed visit is reported, not fatal
                result.problems.append(f"{type(error).__name__}: {error}")
            time.sleep(1.0)  # let work the last visit started finish
        result.after_mb = tree_rss(process) / MB
        result.peak_mb = max(sampler.peak / MB, result.after_mb)
        result.samples = sampler.samples
        visit_empty_page(database_url, Path(directory), result)
    return result


EMPTY_PAGE = 'import streamlit as st\n\nst.title("x")\n'


def visit_empty_page(database_url: str, directory: Path, result: ServerMemory) -> None:
    """Time an empty page (`st.title` only), served by `make run`'s command with the same
    config and loaded the same way, PASSES times: what a page costs in the browser anyway."""
    from playwright.sync_api import sync_playwright

    script = directory / "empty_page.py"
    script.write_text(EMPTY_PAGE, encoding="utf-8")
    try:
        with (
            app_server(
                database_url, directory / "empty.log", script=os.path.relpath(script, ROOT)
            ) as (base, _pid),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                tab = browser.new_page()
                result.empty_ms = [load(tab, base + "/", "x") for _ in range(PASSES)]
            finally:
                browser.close()
    except Exception as error:  # a server that did not come up, a failed visit: reported
        result.problems.append(f"empty page: {type(error).__name__}: {error}")
