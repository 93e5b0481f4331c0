"""Thread pools sized to the cores that are free now, for batch work (training, embedding a catalog).

PyTorch and the BLAS behind NumPy start one thread per core. When another process keeps a core busy, a pool that
counts on every core waits at each parallel step for the thread that got no core, and the work slows many times
over instead of by half. Batch work therefore measures how busy the machine is and takes only the free cores.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

PROC_STAT = Path("/proc/stat")
SAMPLE_SECONDS = 0.25


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def busy_cores(sample_seconds: float = SAMPLE_SECONDS) -> float:
    """How many cores other work keeps busy, from the kernel's CPU counters over a short sample; 0 where the
    counters cannot be read."""

    def counters() -> tuple[int, int]:
        fields = [int(value) for value in PROC_STAT.read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return idle, sum(fields)

    try:
        idle_before, total_before = counters()
        time.sleep(sample_seconds)
        idle_after, total_after = counters()
    except (OSError, ValueError, IndexError):
        return 0.0
    total = total_after - total_before
    if total <= 0:
        return 0.0
    return (1.0 - (idle_after - idle_before) / total) * (os.cpu_count() or 1)


def free_cores() -> int:
    return max(1, min(cores(), round(cores() - busy_cores())))


@contextlib.contextmanager
def sized_to_free_cores(threads: int | None = None) -> Iterator[int]:
    """PyTorch's and BLAS's pools limited to `threads` (default: the cores free now) inside the block."""
    threads = threads or free_cores()
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield threads
    finally:
        torch.set_num_threads(before)
