"""Load on a running server without a browser: N sessions over Streamlit's websocket.

Each session connects to /_stcore/stream the way the browser does (Streamlit's own BackMsg and
ForwardMsg protobufs, no format of our own), asks for a page with a rerun_script message and
waits for the run to finish; it checks that the run showed the page it asked for (its title)
and no exception. Sessions click through their pages with no pause (closed loop) or with a
think time between clicks. The server's CPU time and RSS are read with psutil.
"""

import asyncio
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import cycle

import psutil
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.server import MB, tree_rss

RUN_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Click:
    """One page a session asks for: its URL path (no slash), query string and its title."""

    path: str
    query: str
    title: str


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


async def _run_page(socket: ClientConnection, click: Click) -> str | None:
    """Ask for one page and wait until its run has finished; what went wrong, or None."""
    await socket.send(rerun_message(click))
    texts: list[str] = []
    while True:
        raw = await asyncio.wait_for(socket.recv(), RUN_TIMEOUT_S)
        message = ForwardMsg()
        message.ParseFromString(raw)
        texts += _texts(message)
        if message.WhichOneof("type") == "script_finished":
            break
    if any(text.startswith("\0exception") for text in texts):
        return f"{click.path}: exception"
    if not any(click.title in text for text in texts):
        return f"{click.path}: no «{click.title}» in the page"
    return None


async def _session(
    index: int,
    url: str,
    clicks: Sequence[Click],
    think_s: float,
    until: float,
    result: LoadResult,
) -> None:
    """Visitor number index: connect, then click through the pages (in an order of its own)
    until the window closes."""
    stream = url.replace("http", "ws", 1) + "/_stcore/stream"
    rng = random.Random(index)
    order = list(clicks)
    rng.shuffle(order)
    try:
        protocols = [Subprotocol("streamlit")]
        async with connect(stream, subprotocols=protocols, max_size=None) as socket:
            for click in cycle(order):
                if time.monotonic() >= until:
                    return
                started = time.perf_counter()
                problem = await _run_page(socket, click)
                if time.monotonic() < until:  # a run cut by the window's end is not counted
                    if problem:
                        result.errors.append(problem)
                    else:
                        result.latencies_ms.append(1000 * (time.perf_counter() - started))
                if think_s:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
    except (OSError, TimeoutError) as exc:
        result.errors.append(f"connection: {exc!r}")


async def _load(
    url: str, clicks: Sequence[Click], sessions: int, seconds: float, think_s: float
) -> LoadResult:
    result = LoadResult(sessions=sessions, think_s=think_s, seconds=seconds)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(_session(index, url, clicks, think_s, until, result) for index in range(sessions))
    )
    return result


def run_load(
    url: str,
    pid: int | None,
    clicks: Sequence[Click],
    sessions: int,
    seconds: float,
    think_s: float = 0.0,
) -> LoadResult:
    """N sessions against the server at url for a window of seconds; with the server's process
    id, its CPU time and memory too."""
    if pid is None:
        return asyncio.run(_load(url, clicks, sessions, seconds, think_s))
    process = psutil.Process(pid)
    before = process.cpu_times()
    result = asyncio.run(_load(url, clicks, sessions, seconds, think_s))
    after = process.cpu_times()
    result.cpu_s = (after.user + after.system) - (before.user + before.system)
    result.rss_mb = tree_rss(process) / MB
    return result
