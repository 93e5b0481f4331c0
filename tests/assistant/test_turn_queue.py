"""assistant/turn_queue.py: at most N turns at once, and the others let in first come, first served."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.turn_queue import TurnQueue


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_never_more_holders_than_slots_and_everyone_gets_in():
    queue = TurnQueue(3)
    lock = threading.Lock()
    inside = most = done = 0

    def turn() -> None:
        nonlocal inside, most, done
        with queue:
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1
                done += 1

    threads = [threading.Thread(target=turn) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (most, done) == (3, 12)


def test_waiting_turns_go_in_arrival_order_and_a_newcomer_cannot_jump_the_queue():
    queue = TurnQueue(1)
    order: list[str] = []
    release_first = threading.Event()

    def first() -> None:
        with queue:
            release_first.wait()

    def turn(name: str) -> None:
        with queue:
            order.append(name)

    holder = threading.Thread(target=first)
    holder.start()
    wait_for(lambda: queue._free == 0)
    waiters = []
    for number in range(5):
        waiter = threading.Thread(target=turn, args=(f"waiter {number}",))
        waiter.start()
        waiters.append(waiter)
        wait_for(lambda count=number + 1: len(queue._waiting) == count)  # queued before the next one starts
    # The freed slot is handed to the first waiter, so a turn arriving right now queues behind all five.
    release_first.set()
    holder.join()
    newcomer = threading.Thread(target=turn, args=("newcomer",))
    newcomer.start()
    for thread in (*waiters, newcomer):
        thread.join()
    assert order == [f"waiter {number}" for number in range(5)] + ["newcomer"]


def test_a_slot_is_given_back_when_the_turn_fails():
    queue = TurnQueue(1)
    with pytest.raises(RuntimeError), queue:
        raise RuntimeError("the turn failed")
    entered = threading.Event()

    def next_turn() -> None:
        with queue:
            entered.set()

    thread = threading.Thread(target=next_turn)
    thread.start()
    thread.join(timeout=10)
    assert entered.is_set()


def test_a_queue_needs_a_slot():
    with pytest.raises(ValueError, match="at least one slot"):
        TurnQueue(0)
