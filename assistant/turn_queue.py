"""The queue turns wait in when a process already computes as many as it should at once.

First come, first served: Python's `threading.Semaphore` lets a newly arriving turn take a freed slot ahead of
turns already waiting, so under load some shoppers wait several turns' time while others never wait; this queue
lets them in in arrival order, which shortens the tail (docs/performance.md, "Turns at once, and processes").
"""

from __future__ import annotations

import threading
from collections import deque


class TurnQueue:
    """At most `slots` holders at once; the others are let in strictly in the order they arrived."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a turn queue needs at least one slot")
        self.slots = slots
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> TurnQueue:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiting.append(turn)
        # The slot is handed over by the leaving holder (see __exit__), so nobody can take it in between.
        turn.wait()
        return self

    def __exit__(self, *_exception) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1
