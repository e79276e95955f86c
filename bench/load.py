"""Load on a running server without a browser: N sessions over Streamlit's websocket.

Each session connects to /_stcore/stream the way the browser does (Streamlit's own BackMsg and
ForwardMsg protobufs, no format of our own), asks for a page with a rerun_script message and
waits for the run to finish; it checks that the run showed the page it asked for (its title)
and no exception. Sessions click through their pages with no pause (closed loop) or with a
think time between clicks. The server's CPU time and RSS are read with psutil.

Every run the server ends is counted by its script_finished status: a run ended early for a
rerun (FINISHED_EARLY_FOR_RERUN, e.g. after st.switch_page) is followed by the run that replaced
it, and a click whose run never finishes within RUN_TIMEOUT_S is counted as lost (the session
then ends, as a browser tab left waiting would be closed).
"""

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import cycle

import psutil
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

from bench.server import MB, tree_rss
from dashboard.services.sessions import COOKIE

RUN_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Click:
    """One page a session asks for: its URL path (no slash), query string and its title."""

    path: str
    query: str
    title: str


@dataclass(frozen=True)
class Visitor:
    """What one session does: the pages it clicks through (in this order, over and over) and
    the session cookie it connects with (None: anonymous)."""

    clicks: tuple[Click, ...]
    cookie: str | None = None


@dataclass
class LoadResult:
    """What N sessions measured over one window."""

    sessions: int
    think_s: float
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    rss_mb: float = 0.0
    requests: int = 0  # rerun_script messages sent
    finished: int = 0  # runs that finished (FINISHED_SUCCESSFULLY) for them
    early: int = 0  # runs ended early for a rerun (FINISHED_EARLY_FOR_RERUN)
    lost: int = 0  # clicks whose run never finished within RUN_TIMEOUT_S

    @property
    def reruns_per_s(self) -> float:
        """Finished page runs per second of the window."""
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float | None:
        """The median time from asking for a page to its run finishing."""
        return statistics.median(self.latencies_ms) if self.latencies_ms else None

    @property
    def p95_ms(self) -> float | None:
        """The 95th percentile of the same."""
        if len(self.latencies_ms) < 2:
            return self.median_ms
        return statistics.quantiles(self.latencies_ms, n=20)[-1]

    @property
    def cpu_ms_per_rerun(self) -> float | None:
        """The server's CPU time per finished run."""
        return 1000 * self.cpu_s / len(self.latencies_ms) if self.latencies_ms else None


def rerun_message(click: Click) -> bytes:
    """The BackMsg a browser sends to run a page."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = click.query
    state.page_name = click.path
    state.widget_states.SetInParent()
    state.context_info.timezone = "Europe/Oslo"
    state.context_info.locale = "nb-NO"
    return message.SerializeToString()


def _texts(message: ForwardMsg) -> list[str]:
    """The text bodies of a delta (headings and markdown carry the page title)."""
    if message.WhichOneof("type") != "delta":
        return []
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "heading":
        return [element.heading.body]
    if kind == "markdown":
        return [element.markdown.body]
    if kind == "exception":
        return ["\0exception: " + element.exception.message]
    return []


async def _finish(socket: ClientConnection, result: LoadResult) -> list[str]:
    """Read messages until a run has finished for good (a run ended early for a rerun is
    followed by the one that replaced it); the texts drawn meanwhile. TimeoutError when none
    finishes within RUN_TIMEOUT_S."""
    texts: list[str] = []
    while True:
        raw = await asyncio.wait_for(socket.recv(), RUN_TIMEOUT_S)
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            texts = []  # a run that replaced an earlier one draws the page afresh
        texts += _texts(message)
        if kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                result.early += 1
                continue
            result.finished += 1
            return texts


def _problem(click: Click, texts: list[str]) -> str | None:
    """What is wrong with a finished run of click's page, or None."""
    if any(text.startswith("\0exception") for text in texts):
        return f"{click.path}: exception"
    if not any(click.title in text for text in texts):
        return f"{click.path}: no «{click.title}» in the page"
    return None


async def _run_page(socket: ClientConnection, click: Click, result: LoadResult) -> str | None:
    """Ask for one page and wait until its run has finished; what went wrong, or None."""
    result.requests += 1
    await socket.send(rerun_message(click))
    return _problem(click, await _finish(socket, result))


class _Window:
    """The measured window, shared by the sessions: it opens once every session has connected
    and shown its first page (a session's start is not what the window measures) and closes
    seconds later; the runs that finish inside it are counted, whenever they started. The
    server's CPU time is read at both ends."""

    def __init__(self, sessions: int, seconds: float, process: psutil.Process | None) -> None:
        self.waiting = sessions
        self.seconds = seconds
        self.process = process
        self.opened = asyncio.Event()
        self.start = self.until = float("inf")
        self.cpu_s = 0.0

    def _cpu(self) -> float:
        times = self.process.cpu_times() if self.process else None
        return times.user + times.system if times else 0.0

    def ready(self) -> None:
        """One session has started (or given up); the last one opens the window."""
        self.waiting -= 1
        if self.waiting == 0:
            self.cpu_s = -self._cpu()
            self.start = time.monotonic()
            self.until = self.start + self.seconds
            self.opened.set()

    def inside(self, moment: float) -> bool:
        """Whether a moment (time.monotonic) lies inside the window."""
        return self.start <= moment < self.until

    async def closed(self) -> None:
        """Wait for the window to open and close, then read the CPU time again."""
        await self.opened.wait()
        await asyncio.sleep(max(0.0, self.until - time.monotonic()))
        self.cpu_s += self._cpu()


async def _click(socket: ClientConnection, click: Click, result: LoadResult) -> str | None:
    """One click; what went wrong, or None. TimeoutError when its run never finished."""
    try:
        return await _run_page(socket, click, result)
    except TimeoutError:
        result.lost += 1
        result.errors.append(f"{click.path}: no run finished in {RUN_TIMEOUT_S:.0f} s")
        raise


async def _session(
    index: int,
    url: str,
    visitor: Visitor,
    think_s: float,
    window: _Window,
    result: LoadResult,
) -> None:
    """Visitor number index: connect and open a first page, then click through the pages in
    an order of its own until the window closes. With a think time the session arrives after
    a random part of it, so the sessions do not click in step."""
    stream = url.replace("http", "ws", 1) + "/_stcore/stream"
    rng = random.Random(index)
    order = list(visitor.clicks)
    rng.shuffle(order)
    headers = {"Cookie": f"{COOKIE}={visitor.cookie}"} if visitor.cookie else None
    started_session = False
    try:
        if think_s:
            await asyncio.sleep(rng.uniform(0.0, 1.0) * think_s)
        protocols = [Subprotocol("streamlit")]
        async with connect(
            stream, subprotocols=protocols, max_size=None, additional_headers=headers
        ) as socket:
            if problem := await _click(socket, order[-1], result):
                result.errors.append(problem)
            window.ready()
            started_session = True
            for click in cycle(order):
                if think_s:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
                if time.monotonic() >= window.until:
                    return
                started = time.perf_counter()
                problem = await _click(socket, click, result)
                if window.inside(time.monotonic()):
                    if problem:
                        result.errors.append(problem)
                    else:
                        result.latencies_ms.append(1000 * (time.perf_counter() - started))
    except TimeoutError:
        pass  # counted as lost; the session ends as a tab left waiting would be closed
    except (OSError, WebSocketException) as exc:  # refused, or closed by the server
        result.errors.append(f"connection: {exc!r}")
    finally:
        if not started_session:
            window.ready()


Visitors = Sequence[Click] | Callable[[int], Visitor]


def _visitor(visitors: Visitors, index: int) -> Visitor:
    """What session number index does: the same pages for all, or a visitor of its own."""
    return visitors(index) if callable(visitors) else Visitor(tuple(visitors))


async def _load(
    url: str,
    visitors: Visitors,
    sessions: int,
    seconds: float,
    think_s: float,
    process: psutil.Process | None,
) -> LoadResult:
    result = LoadResult(sessions=sessions, think_s=think_s, seconds=seconds)
    window = _Window(sessions, seconds, process)
    await asyncio.gather(
        window.closed(),
        *(
            _session(index, url, _visitor(visitors, index), think_s, window, result)
            for index in range(sessions)
        ),
    )
    result.cpu_s = window.cpu_s
    return result


def run_load(
    url: str,
    pid: int | None,
    clicks: Visitors,
    sessions: int,
    seconds: float,
    think_s: float = 0.0,
) -> LoadResult:
    """N sessions against the server at url for a window of seconds; with the server's process
    id, its CPU time during the window and its memory at the end too. clicks are the pages
    every session clicks through, or a function giving session number i its own Visitor
    (pages and cookie). The window opens once every session has shown its first page."""
    process = psutil.Process(pid) if pid is not None else None
    result = asyncio.run(_load(url, clicks, sessions, seconds, think_s, process))
    if process is not None:
        result.rss_mb = tree_rss(process) / MB
    return result


def _page_of(message: ForwardMsg) -> str | None:
    """The URL path of the page a navigation message says this run shows."""
    navigation = message.navigation
    return next(
        (
            p.url_pathname
            for p in navigation.app_pages
            if p.page_script_hash == navigation.page_script_hash
        ),
        None,
    )


@dataclass
class InterruptResult:
    """Clicks sent while the session's previous click was still running."""

    sessions: int
    rounds: int
    requests: int = 0
    finished: int = 0  # FINISHED_SUCCESSFULLY of any run (the interrupted one may finish first)
    early: int = 0  # FINISHED_EARLY_FOR_RERUN
    reached: int = 0  # second clicks whose own page finished
    lost: int = 0  # second clicks whose page never finished within RUN_TIMEOUT_S
    errors: list[str] = field(default_factory=list)


async def _interrupting_session(
    index: int, url: str, pairs: Sequence[tuple[Click, Click]], result: InterruptResult
) -> None:
    """Click a page, click another 0-300 ms later (while the first still runs, as an impatient
    user does), and wait until the second page's run has finished; rounds times."""
    stream = url.replace("http", "ws", 1) + "/_stcore/stream"
    rng = random.Random(index)
    try:
        async with connect(
            stream, subprotocols=[Subprotocol("streamlit")], max_size=None
        ) as socket:
            for first, second in (rng.choice(pairs) for _ in range(result.rounds)):
                await socket.send(rerun_message(first))
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                await socket.send(rerun_message(second))
                result.requests += 2
                page = None
                try:
                    while True:
                        raw = await asyncio.wait_for(socket.recv(), RUN_TIMEOUT_S)
                        message = ForwardMsg()
                        message.ParseFromString(raw)
                        kind = message.WhichOneof("type")
                        if kind == "navigation":
                            page = _page_of(message)
                        elif kind == "script_finished":
                            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                                result.early += 1
                                continue
                            result.finished += 1
                            if page == second.path:
                                result.reached += 1
                                break
                except TimeoutError:
                    result.lost += 1
                    result.errors.append(f"{first.path} → {second.path}: never finished")
                    return
    except (OSError, WebSocketException) as exc:
        result.errors.append(f"connection: {exc!r}")


def run_interrupts(
    url: str, pairs: Sequence[tuple[Click, Click]], sessions: int, rounds: int
) -> InterruptResult:
    """sessions sessions each make rounds interrupted clicks at once (pairs of different pages);
    counts the requests, the runs that finished and the second clicks that were lost."""
    result = InterruptResult(sessions=sessions, rounds=rounds)

    async def everyone() -> None:
        await asyncio.gather(
            *(_interrupting_session(i, url, pairs, result) for i in range(sessions))
        )

    asyncio.run(everyone())
    return result
