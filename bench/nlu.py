"""Benchmark: understanding one utterance (intent classifier + slots, no LLM) on this machine.

Prints and writes JSON (bench/results/nlu.json): median and p95 latency of `Understand.run` on the held-out
utterances of the project's data (the embedding cache is cleared so every utterance is really embedded),
throughput of the classifier in batches, and on the same held-out split the classifier's accuracy and how well
its confidence is calibrated (expected calibration error over 10 bins; accuracy of the turns above the
clarification threshold and the share below it).

    .venv/bin/python -m bench.nlu [--data-dir DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.bootstrap import build_assistant
from assistant.understanding.intent_classifier import load_examples, random_context
from core.settings import Settings
from core.state import Context

RESULTS = Path(__file__).parent / "results"


def held_out_quality(assistant) -> dict:
    held_out = [example for example in load_examples() if example.held_out]
    rng = np.random.default_rng(7)
    contexts = [example.context or random_context(rng, example.intent) for example in held_out]
    predicted = assistant.understand.classifier.predict([example.text for example in held_out], contexts)
    correct = np.array(
        [intent == example.intent for (intent, _), example in zip(predicted, held_out, strict=True)]
    )
    confidence = np.array([probability for _, probability in predicted])
    bins = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(
        abs(correct[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    confident = confidence >= assistant.settings.intent_threshold
    return {
        "held_out_accuracy": round(float(correct.mean()), 3),
        "held_out_expected_calibration_error": round(float(ece), 3),
        "held_out_accuracy_above_threshold": round(float(correct[confident].mean()), 3),
        "held_out_share_below_threshold": round(float(1 - confident.mean()), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = args.data_dir or Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    assistant = build_assistant(Settings(home=home))
    understand, embedder = assistant.understand, assistant.understand.classifier.embedder
    texts = [example.text for example in load_examples() if example.held_out]

    latencies = []
    for _ in range(args.repeat):
        embedder.encode_one.cache_clear()
        for text in texts:
            started = time.perf_counter()
            understand.read(text, Context())
            latencies.append((time.perf_counter() - started) * 1000)

    throughput = {}
    for batch in (1, 8, 32, 128):
        chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
        embedder.encode_one.cache_clear()
        started = time.perf_counter()
        for chunk in chunks:
            understand.classifier.predict(chunk, [Context()] * len(chunk))
        throughput[batch] = round(len(texts) / (time.perf_counter() - started), 1)

    figures = {
        **held_out_quality(assistant),
        "embedding_runtime": assistant.settings.embedding_runtime,
        "utterances": len(texts),
        "runs": args.repeat,
        "latency_ms_median": round(statistics.median(latencies), 2),
        "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2),
        "classifier_utterances_per_s_by_batch": throughput,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
