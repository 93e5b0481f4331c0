"""In-process rate limits: at most N events per key in a sliding window, for the REST API's message limits
(per conversation, per client IP) and the console's failed-login limit.

The counts live in this process's memory. With several server processes behind a load balancer each counts
alone, so a client could get N per process; such deployments put a shared limiter in front (the proxy's, or one
backed by Redis) — see docs/deployment.md.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

# Every this many hits, keys whose events have all left the window are dropped, so memory stays bounded by
# the clients of the last window, not by every client ever seen.
PRUNE_EVERY = 1024


class SlidingWindowLimiter:
    """At most `limit` events per `window_seconds` for each key; thread-safe (sync handlers run in threads)."""

    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window_seconds > 0")
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._hits = 0

    def hit(self, key: str) -> float | None:
        """Counts one event for `key` and returns None, or, when the key is over its limit, counts nothing and
        returns the seconds until it may try again."""
        with self._lock:
            wait = self._wait(key)
            if wait is None:
                self._record(key)
            return wait

    def retry_after(self, key: str) -> float | None:
        """The seconds until `key` may act again, or None if it may now; counts nothing."""
        with self._lock:
            return self._wait(key)

    def record(self, key: str) -> None:
        """Counts one event for `key` (e.g. a failed login), whatever its count."""
        with self._lock:
            self._record(key)

    def _wait(self, key: str) -> float | None:
        events = self._events.get(key)
        if not events:
            return None
        start = self.clock() - self.window_seconds
        while events and events[0] <= start:
            events.popleft()
        if len(events) < self.limit:
            return None
        return events[0] - start

    def _record(self, key: str) -> None:
        self._events.setdefault(key, deque()).append(self.clock())
        self._hits += 1
        if self._hits % PRUNE_EVERY == 0:
            start = self.clock() - self.window_seconds
            for stale in [key for key, events in self._events.items() if not events or events[-1] <= start]:
                del self._events[stale]


def whole_seconds(wait: float) -> int:
    """A wait as the whole seconds of a Retry-After header (never 0, which would invite an immediate retry)."""
    return max(1, math.ceil(wait))
