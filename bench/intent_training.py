"""Benchmark: training the intent classifier alone, and beside another busy process (issue 22).

Trains the default recipe (frozen encoders, both regressions, the open-set threshold) on the project's intent data
three ways in one run: alone with the pools sized to the free cores, beside a process that keeps one core busy
with the pools sized to the free cores (what `shopassist nlu train` does), and beside the same process with the
pools at every core (what PyTorch and BLAS do by default). The encoders' caches are cleared before each, so every
example is embedded again. Prints and writes JSON (bench/results/intent_training.json).

    .venv/bin/python -m bench.intent_training
"""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import numpy as np

from assistant.bootstrap import intent_encoders
from assistant.understanding.intent_classifier import IntentClassifier, load_examples
from core.settings import Settings
from retrieval.thread_pools import cores, sized_to_free_cores

RESULTS = Path(__file__).parent / "results"


def busy(stop) -> None:
    """One core's worth of other work: BLAS on one thread, as another process's batch job would be."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        matrix = np.random.default_rng(0).random((400, 400))
        while not stop.is_set():
            matrix = (matrix @ matrix) / 400.0


def train_seconds(examples, encoders, settings: Settings, threads: int | None) -> tuple[float, int]:
    embedder, second = encoders
    for encoder in (embedder, second):
        if encoder is not None:
            encoder.encode_one.cache_clear()
    started = time.perf_counter()
    with sized_to_free_cores(threads) as used:
        IntentClassifier.train(
            examples, embedder, 0, second=second, second_opinion_below=settings.intent_second_opinion_below
        )
    return time.perf_counter() - started, used


def main() -> None:
    settings = Settings()
    examples = load_examples()
    encoders = intent_encoders(settings)
    figures = {"cores": cores(), "examples": len(examples)}
    alone, threads = train_seconds(examples, encoders, settings, None)
    figures["alone_s"], figures["alone_threads"] = round(alone, 1), threads
    print(f"alone: {alone:.1f} s on {threads} threads", flush=True)

    stop = multiprocessing.Event()
    other = multiprocessing.Process(target=busy, args=(stop,), daemon=True)
    other.start()
    time.sleep(1.0)
    try:
        sized, threads = train_seconds(examples, encoders, settings, None)
        figures["beside_busy_sized_s"], figures["beside_busy_sized_threads"] = round(sized, 1), threads
        print(
            f"beside a busy process, sized to the free cores: {sized:.1f} s on {threads} threads", flush=True
        )
        every, threads = train_seconds(examples, encoders, settings, cores())
        figures["beside_busy_every_core_s"], figures["beside_busy_every_core_threads"] = (
            round(every, 1),
            threads,
        )
        print(f"beside a busy process, every core: {every:.1f} s on {threads} threads", flush=True)
    finally:
        stop.set()
        other.join(timeout=10)
    figures["ratio_sized_to_alone"] = round(figures["beside_busy_sized_s"] / figures["alone_s"], 2)
    figures["ratio_every_core_to_alone"] = round(figures["beside_busy_every_core_s"] / figures["alone_s"], 2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intent_training.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
