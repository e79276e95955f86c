"""A per-client rate limit (a token bucket per client), kept in this process's memory.

Unlike the sign-in throttle (dashboard.services.throttle), which counts failures and backs off,
this counts every request: a client may make `per_minute` requests in a burst, and then one
more each 60/per_minute seconds. Per process, like the throttle: behind a load balancer with N
processes a client gets up to N times as many, and a restart forgets.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from dashboard.services.throttle import MAX_CLIENTS  # the least recently seen go first


class RateLimit:
    """Requests per client per minute, with a burst of as many."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, client: str, per_minute: int) -> float:
        """Count a request of client: 0 when it may go ahead, else the seconds until it may
        (the refused request is not counted)."""
        rate = per_minute / 60.0
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(client, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - then) * rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return (1 - tokens) / rate
            self._buckets[client] = (tokens - 1, now)
            self._buckets.move_to_end(client)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return 0.0

    def clear(self) -> None:
        """Forget every client, as a restart does."""
        with self._lock:
            self._buckets.clear()


OPEN_DATA = RateLimit()  # the one this process's open-data requests go through
