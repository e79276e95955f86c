"""A per-client throttle on sign-in with back-off, kept in this process's memory.

A client (the browser's IP address, or its session where there is none) may fail FREE_FAILURES
times; after that it waits before its next attempt, FIRST_WAIT seconds and twice as long after
each further failure, up to MAX_WAIT. A success, or FORGET_AFTER without a failure, starts it
afresh. This guards every account against guessing from one place; the account lock-out
(dashboard.services.users) guards each account against guessing from many.

Per process: with several server processes each counts its own attempts.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 3
FIRST_WAIT = 2.0  # seconds
MAX_WAIT = 60.0  # behind a proxy many people can share one address: never long for them
FORGET_AFTER = 15 * 60.0
MAX_CLIENTS = 10_000  # the oldest are forgotten first: memory stays bounded whoever knocks


@dataclass
class _Failures:
    count: int
    last: float  # the clock's time of the latest failure


class Throttle:
    """Failed attempts per client, and how long each must wait before its next one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._clients: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()  # Streamlit runs each session's script in its own thread

    def wait(self, client: str) -> float:
        """Seconds client must still wait before its next attempt (0: it may try now)."""
        with self._lock:
            failures = self._current(client)
            if failures is None or failures.count < FREE_FAILURES:
                return 0.0
            pause = min(FIRST_WAIT * 2 ** (failures.count - FREE_FAILURES), MAX_WAIT)
            return max(0.0, failures.last + pause - self._clock())

    def failed(self, client: str) -> None:
        """Count a failed attempt of client."""
        with self._lock:
            failures = self._current(client) or _Failures(0, 0.0)
            failures.count, failures.last = failures.count + 1, self._clock()
            self._clients[client] = failures
            self._clients.move_to_end(client)
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)

    def succeeded(self, client: str) -> None:
        """Forget client's failures."""
        with self._lock:
            self._clients.pop(client, None)

    def _current(self, client: str) -> _Failures | None:
        failures = self._clients.get(client)
        if failures is not None and self._clock() - failures.last >= FORGET_AFTER:
            del self._clients[client]
            return None
        return failures


SIGN_IN = Throttle()  # the one this process's sign-ins go through
