"""A per-client throttle on sign-in with back-off, kept in this process's memory.

A client is a key the caller chooses: the browser's IP address as Streamlit gives it, or one
key shared by every browser Streamlit gives no address for (localhost, which is also a reverse
proxy on the same host: behind one, every visitor shares one allowance).

Every attempt is counted as a failure the moment it starts (attempt), in one step with the
check whether the client may try now, under one lock: attempts made at the same time cannot
all pass the check before any of them is counted. A success forgets the client (succeeded).
A client may make FREE_FAILURES attempts that fail; after that it waits before its next one,
FIRST_WAIT seconds and twice as long after each further failure, up to MAX_WAIT. An attempt
refused for waiting is not counted. FORGET_AFTER without an attempt also starts it afresh.
This guards every account against guessing from one place; the account lock-out
(dashboard.services.users) guards each account against guessing from many.

Per process: with several server processes each counts its own attempts, and a restart
forgets them.
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
    last: float  # the clock's time of the latest counted attempt


class Throttle:
    """Attempts per client not (yet) succeeded, and how long each must wait before its next."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._clients: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()  # Streamlit runs each session's script in its own thread

    def wait(self, client: str) -> float:
        """Seconds client must still wait before its next attempt (0: it may try now)."""
        with self._lock:
            return self._wait(self._current(client))

    def attempt(self, client: str) -> float:
        """Start an attempt of client: 0 when it may try now, the attempt then counted as
        failed until succeeded(client); else the seconds it must still wait (not counted)."""
        with self._lock:
            failures = self._current(client)
            if (wait := self._wait(failures)) > 0:
                return wait
            failures = failures or _Failures(0, 0.0)
            failures.count, failures.last = failures.count + 1, self._clock()
            self._clients[client] = failures
            self._clients.move_to_end(client)
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
            return 0.0

    def succeeded(self, client: str) -> None:
        """Forget client's failures (its attempt succeeded)."""
        with self._lock:
            self._clients.pop(client, None)

    def clear(self) -> None:
        """Forget every client, as a restart does."""
        with self._lock:
            self._clients.clear()

    def _wait(self, failures: _Failures | None) -> float:
        if failures is None or failures.count < FREE_FAILURES:
            return 0.0
        pause = min(FIRST_WAIT * 2 ** (failures.count - FREE_FAILURES), MAX_WAIT)
        return max(0.0, failures.last + pause - self._clock())

    def _current(self, client: str) -> _Failures | None:
        failures = self._clients.get(client)
        if failures is not None and self._clock() - failures.last >= FORGET_AFTER:
            del self._clients[client]
            return None
        return failures


SIGN_IN = Throttle()  # the one this process's sign-ins go through
