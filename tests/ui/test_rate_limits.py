"""ui/rate_limits.py: the sliding window, driven by a clock the test moves."""

from __future__ import annotations

import pytest

from ui.rate_limits import PRUNE_EVERY, SlidingWindowLimiter, whole_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_per_window_and_then_the_wait() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60, clock)
    assert limiter.hit("a") is None
    clock.now += 10
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(50)  # until the first event leaves the window
    assert limiter.hit("b") is None  # keys are counted apart
    clock.now += 50
    assert limiter.hit("a") is None  # refused hits were not counted
    assert limiter.retry_after("a") == pytest.approx(10)


def test_recorded_failures_block_without_hits() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 900, clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.record("10.0.0.1")
    assert whole_seconds(limiter.retry_after("10.0.0.1")) == 900


def test_idle_keys_are_dropped() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 1, clock)
    for number in range(PRUNE_EVERY - 1):
        limiter.hit(f"client-{number}")
    clock.now += 5
    limiter.hit("last")
    assert set(limiter._events) == {"last"}


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0, 60)
