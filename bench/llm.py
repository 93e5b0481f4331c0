"""Benchmark: reply generation by the local LLM on this machine — time to first token and tokens per second.

For each device (the CPU; the GPU too when CUDA is available) the transformers backend generates replies from
realistic grounded drafts, one request at a time and then `--batch` requests at once (served as one batch by its
queue). With `--openai-url` an OpenAI-compatible server (vLLM, llama.cpp server…) is measured the same way, one
request at a time, and so is an outage: how long the `openai` backend takes to give up on a server that is not
there, and to answer while it is marked down (the turn then gets its template). Prints and writes JSON (bench/results/llm.json): per setting the median time to first token,
the median tokens per second of one request, and for batches the aggregate tokens per second.

Tokens are counted by re-tokenizing each reply (stop strings cut a reply where the model starts another turn).

    .venv/bin/python -m bench.llm [--model NAME] [--tokens 32] [--repeat 3] [--batch 4] [--openai-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

from assistant.llm.protocol import GroundedContext
from assistant.llm.transformers_backend import PACKAGED_MODEL, TransformersBackend

RESULTS = Path(__file__).parent / "results"
CONTEXTS = [
    GroundedContext(
        "show me running shoes under 100",
        "browsing",
        "Here are 3 results for under 100:\n1. Trail Runner 2 — $89.99, rated 4.5/5, only 3 left\n"
        "2. Road Glide — $74.00, rated 4.1/5, in stock\n3. Pace Lite — $59.95, rated 3.9/5, in stock\n"
        "Would you like details on one of them, or to narrow it down?",
    ),
    GroundedContext(
        "is it waterproof?",
        "consideration",
        "Yes — the listing for Rain Shell Jacket says waterproof: yes.\n"
        "Rain Shell Jacket costs $97.99 and is in stock. Shall I add it to your cart?",
    ),
    GroundedContext(
        "what's in my cart?",
        "cart",
        "Your cart:\n• 1 × Espresso Mug — $19.95\n• 2 × Soy Candle — $25.90\nTotal: $45.85\nReady to check out?",
    ),
    GroundedContext(
        "how long does delivery take?",
        "entry",
        "Standard delivery takes 3-5 business days and is free on orders over $50 ($4.99 otherwise); "
        "express delivery takes 1-2 business days for $12.99. We ship within the US and Canada.",
    ),
]


def timed(stream: Iterator[str], count: Callable[[str], int]) -> dict:
    """Time to first piece, whole time and tokens of one streamed reply."""
    started = time.perf_counter()
    first, pieces = None, []
    for piece in stream:
        first = first or time.perf_counter()
        pieces.append(piece)
    ended = time.perf_counter()
    tokens = count("".join(pieces))
    return {
        "ttft_s": (first or ended) - started,
        "seconds": ended - started,
        "tokens": tokens,
        # Decoding speed after the first token (the prompt's prefill is in the time to first token).
        "tokens_per_s": (tokens - 1) / (ended - first) if first and tokens > 1 and ended > first else 0.0,
    }


def summary(runs: list[dict]) -> dict:
    return {
        "requests": len(runs),
        "ttft_ms_median": round(statistics.median(r["ttft_s"] for r in runs) * 1000, 1),
        "tokens_per_s_median": round(statistics.median(r["tokens_per_s"] for r in runs), 2),
        "tokens_median": statistics.median(r["tokens"] for r in runs),
    }


def concurrently(
    backend: TransformersBackend, contexts: list[GroundedContext], count: Callable[[str], int]
) -> tuple[list[dict], float]:
    """One reply per context, all requested at once from their own threads; their timings and the wall time."""
    runs: list[dict] = []
    threads = [
        threading.Thread(target=lambda c=context: runs.append(timed(backend.generate(c), count)))
        for context in contexts
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs, time.perf_counter() - started


def bench_local(model: str, gguf_file: str | None, device: str, tokens: int, repeat: int, batch: int) -> dict:
    started = time.perf_counter()
    backend = TransformersBackend(model, gguf_file, device=device, max_new_tokens=tokens, batch_window=0.25)
    load_s = time.perf_counter() - started

    def count(text: str) -> int:
        return len(backend.tokenizer(text, add_special_tokens=False).input_ids)

    "".join(backend.generate(CONTEXTS[0]))  # warm-up: first-call allocations are not generation
    single = [timed(backend.generate(CONTEXTS[i % len(CONTEXTS)]), count) for i in range(repeat)]
    batched, walls, sizes_before = [], [], len(backend.batcher.batch_sizes)
    for _ in range(repeat):
        runs, seconds = concurrently(backend, [CONTEXTS[i % len(CONTEXTS)] for i in range(batch)], count)
        walls.append((sum(r["tokens"] for r in runs), seconds))
        batched += runs
    return {
        "device": device,
        "dtype": str(backend.model.dtype).removeprefix("torch."),
        "model": backend.model_name,
        "max_new_tokens": tokens,
        "load_s": round(load_s, 1),
        "single": summary(single),
        f"batch_{batch}": {
            **summary(batched),
            "aggregate_tokens_per_s_median": round(statistics.median(t / s for t, s in walls), 2),
            "batch_sizes": backend.batcher.batch_sizes[sizes_before:],
        },
    }


def bench_openai(url: str, tokens: int, repeat: int) -> dict:
    from assistant.llm.openai_backend import OpenAIBackend

    backend = OpenAIBackend(url, max_tokens=tokens, merge_system=True)
    "".join(backend.generate(CONTEXTS[0]))
    # Each streamed event carries one token on llama.cpp's and vLLM's servers: the events are counted.
    runs = [timed(_events(backend.generate(CONTEXTS[i % len(CONTEXTS)])), len) for i in range(repeat)]
    return {"url": url, "max_new_tokens": tokens, "single": summary(runs)}


def bench_outage(repeat: int) -> dict:
    """How long the `openai` backend takes to give up on a server that is not there (its retries), and how
    long it then answers while the server is marked down (the cooldown: the template at once)."""
    from assistant.llm.openai_backend import OpenAIBackend
    from core.errors import BackendUnavailable
    from harness.server_process import free_port

    def seconds_to_fail(backend: OpenAIBackend) -> float:
        started = time.perf_counter()
        with contextlib.suppress(BackendUnavailable):
            "".join(backend.generate(CONTEXTS[0]))
        return time.perf_counter() - started

    first, cooled = [], []
    for _ in range(repeat):
        backend = OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", timeout=2, retries=2)
        first.append(seconds_to_fail(backend))
        cooled.append(seconds_to_fail(backend))
    return {
        "retries": 2,
        "median_seconds_to_give_up": round(statistics.median(first), 3),
        "median_seconds_while_down": round(statistics.median(cooled), 4),
    }


def _events(stream: Iterator[str]) -> Iterator[str]:
    """One character per streamed event, so that `len` of the joined text counts the events."""
    for _piece in stream:
        yield "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=PACKAGED_MODEL, help="Hub id, directory, .gguf path or package name."
    )
    parser.add_argument("--gguf-file", default=None)
    parser.add_argument("--tokens", type=int, default=32, help="max_new_tokens of every reply")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4, help="concurrent requests in the batched runs")
    parser.add_argument("--openai-url", default=None, help="also measure this OpenAI-compatible server (/v1)")
    args = parser.parse_args()
    devices = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
    figures: dict = {
        device: bench_local(args.model, args.gguf_file, device, args.tokens, args.repeat, args.batch)
        for device in devices
    }
    if args.openai_url:
        figures["openai"] = bench_openai(args.openai_url, args.tokens, args.repeat)
    figures["openai_outage"] = bench_outage(args.repeat)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "llm.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
