"""Benchmark: understanding one utterance on this machine, per path of the understanding step.

For each path, the median and p95 latency of `Understand.read` per utterance (the encoders' caches cleared, so
every utterance is really embedded) and its scores (`shopassist nlu eval`'s: accuracy, macro-F1, out-of-scope
precision and recall, calibration error) on the shoppers' held-out set and the other-domain set of
`tests/data/nlu/`, written by another hand and never trained on. The paths:

- `first_reading`: the search encoder's regression alone (no second opinion);
- `cascade`: as deployed, the second encoder read for turns below `intent_second_opinion_below`;
- `second_always`: the second encoder read for every turn;
- `llm_fallback` (with `--llm`): the cascade, and the LLM (`SHOPASSIST_INTENT_LLM_READER`: the tuned Gemma by
  default) for turns below the clarification threshold;
- `llm_always` (with `--llm`): the LLM's intent for every turn (the LLM alone; rules still settle checkout details).

Prints and writes JSON (bench/results/nlu.json), with the batch throughput of the cascade.

    .venv/bin/python -m bench.nlu [--data-dir DIR] [--repeat 1] [--llm]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.bootstrap import build_assistant
from assistant.understand import Understand
from assistant.understanding.evaluation import read_labelled, score
from core.settings import Settings
from core.state import Context

RESULTS = Path(__file__).parent / "results"
SETS = Path(__file__).parent.parent / "tests" / "data" / "nlu"
# The second opinion's threshold that makes each path: never below 0, always below anything above 1.
SECOND_OPINION_BELOW = {"first_reading": 0.0, "second_always": 1.01}


def clear_caches(understand: Understand) -> None:
    classifier = understand.classifier
    for encoder in (classifier.embedder, classifier.second):
        if encoder is not None:
            encoder.encode_one.cache_clear()


def run_path(understand: Understand, sets: dict, repeat: int, threshold: float) -> dict:
    latencies, figures = [], {}
    for name, utterances in sets.items():
        for _ in range(repeat):
            clear_caches(understand)
            understood = []
            for utterance in tqdm(utterances, desc=name, leave=False):
                started = time.perf_counter()
                understood.append(understand.read(utterance.text, utterance.context))
                latencies.append((time.perf_counter() - started) * 1000)
        scores = score(
            utterances,
            [u.intent.value for u in understood],
            [u.slots for u in understood],
            confidences=[u.confidence for u in understood],
            threshold=threshold,
        )
        figures[name] = {
            key: round(value, 3) if isinstance(value, float) else value
            for key, value in scores.to_json().items()
            if key in ("count", "accuracy", "macro_f1", "out_of_scope_precision", "out_of_scope_recall")
            or key in ("calibration_error", "accuracy_above_threshold")
        }
    figures["latency_ms_median"] = round(statistics.median(latencies), 2)
    figures["latency_ms_p95"] = round(float(np.percentile(latencies, 95)), 2)
    return figures


def batch_throughput(understand: Understand, texts: list[str]) -> dict[int, float]:
    classifier, throughput = understand.classifier, {}
    for batch in (1, 8, 32, 128):
        clear_caches(understand)
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            classifier.predict(chunk, [Context()] * len(chunk))
        throughput[batch] = round(len(texts) / (time.perf_counter() - started), 1)
    return throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--llm", action="store_true", help="also time the LLM fallback path (slow on a CPU)")
    args = parser.parse_args()
    home = args.data_dir or Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    settings = Settings(home=home)
    assistant = build_assistant(settings)
    understand = assistant.understand
    sets = {
        "shoppers_heldout": read_labelled(SETS / "heldout_shoppers.jsonl", None)[0],
        "out_of_domain": read_labelled(SETS / "out_of_domain.jsonl", None)[0],
    }
    deployed = understand.classifier.second_opinion_below
    paths = {}
    for path in ("first_reading", "cascade", "second_always"):
        understand.classifier.second_opinion_below = SECOND_OPINION_BELOW.get(path, deployed)
        if path == "second_always" and understand.classifier.second is None:
            continue
        paths[path] = run_path(understand, sets, args.repeat, settings.intent_threshold)
        print(path, json.dumps(paths[path]), flush=True)
    understand.classifier.second_opinion_below = deployed
    if args.llm:
        for mode in ("fallback", "always"):
            llm_assistant = build_assistant(settings.model_copy(update={"intent_llm": mode}))
            paths[f"llm_{mode}"] = run_path(llm_assistant.understand, sets, 1, settings.intent_threshold)
            print(f"llm_{mode}", json.dumps(paths[f"llm_{mode}"]), flush=True)

    figures = {
        "embedding_runtime": settings.embedding_runtime,
        "encoders": [settings.embedding_model, settings.intent_second_encoder or None],
        "second_opinion_below": deployed,
        "intent_llm_reader": settings.intent_llm_reader if args.llm else None,
        "runs": args.repeat,
        "paths": paths,
        "cascade_utterances_per_s_by_batch": batch_throughput(
            understand, [u.text for u in sets["shoppers_heldout"]]
        ),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
