"""Benchmark: the LLM's intents alone and combined with the classifier, on sets written by other hands.

For each labelled set (the shoppers' held-out split and the other-domain set of `tests/data/nlu/`, the old
hash-chosen held-out tenth of the intent examples, and Bitext's mapped intents when `../shared` is beside the
project, every `--bitext-step`-th row), the classifier (`Understand.read`, as deployed) reads every utterance and
the LLM reads a fixed random sample of `--sample` utterances plus every utterance the classifier is below the
highest threshold on. That gives, from one pass:

- the classifier's accuracy on the whole set and on the sample;
- the LLM's accuracy alone, on the sample (it answers one of the taxonomy's labels every time: the rate is printed);
- the accuracy of the combination `SHOPASSIST_INTENT_LLM=fallback` would give at each threshold of `--thresholds`
  (the LLM's intent below it, the classifier's above), with the share of turns that pay for the LLM;
- the LLM's median and p95 latency per utterance, and its load time.

Prints and writes JSON (bench/results/llm_intents.json). On two CPU cores the tuned reader takes about a second an
utterance, so a full run is about half an hour.

    .venv/bin/python -m bench.llm_intents [--reader tuned|prompted] [--sample 120] [--thresholds 0.45 0.6 0.7 0.8]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.bootstrap import build_assistant
from assistant.llm.transformers_backend import PACKAGED_MODEL, TransformersBackend
from assistant.llm.tuned_intent import TunedIntentLLM
from assistant.understanding.evaluation import LabelledUtterance, parse_mapping, read_labelled
from assistant.understanding.intent_classifier import load_examples, random_context
from core.settings import Settings
from core.taxonomy import Intent

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
SETS = BENCH.parent / "tests" / "data" / "nlu"
BITEXT = BENCH.parent.parent / "shared" / "data" / "bitext_intents.csv"


def labelled_sets(bitext_step: int) -> dict[str, list[LabelledUtterance]]:
    sets = {
        "shoppers_heldout": read_labelled(SETS / "heldout_shoppers.jsonl", None)[0],
        "out_of_domain": read_labelled(SETS / "out_of_domain.jsonl", None)[0],
    }
    # The old split's examples written for any context are read in a random one, as in training.
    rng = np.random.default_rng(0)
    sets["old_split"] = [
        LabelledUtterance(e.text, e.intent.value, None, e.context or random_context(rng, e.intent))
        for e in load_examples()
        if e.held_out
    ]
    if BITEXT.exists():
        mapping = parse_mapping(BENCH / "bitext_mapping.yml")
        sets["bitext"] = read_labelled(BITEXT, mapping)[0][::bitext_step]
    return sets


def llm_reader(kind: str):
    """A function (text, labels, context dict) → label, for the tuned adapter or the prompted reply model."""
    if kind == "tuned":
        tuned = TunedIntentLLM()
        return lambda text, labels, given: tuned.read(text, labels, given, with_slots=False).intent
    prompted = TransformersBackend(PACKAGED_MODEL)
    return prompted.classify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--reader", choices=("tuned", "prompted"), default="tuned")
    parser.add_argument(
        "--sample", type=int, default=120, help="utterances per set the LLM reads in any case"
    )
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.45, 0.6, 0.7, 0.8])
    parser.add_argument("--bitext-step", type=int, default=6)
    args = parser.parse_args()
    home = args.data_dir or Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    understand = build_assistant(Settings(home=home), log=lambda _: None).understand
    labels = [intent.value for intent in Intent]
    started = time.perf_counter()
    read_llm = llm_reader(args.reader)
    load_s = time.perf_counter() - started
    highest = max(args.thresholds)

    figures: dict = {"reader": args.reader, "llm_load_s": round(load_s, 1), "sets": {}}
    latencies: list[float] = []
    for name, utterances in labelled_sets(args.bitext_step).items():
        sample = set(random.Random(0).sample(range(len(utterances)), min(args.sample, len(utterances))))
        rows = []
        for i, utterance in enumerate(tqdm(utterances, desc=name)):
            reading = understand.read(utterance.text, utterance.context)
            row = {
                "right": {utterance.intent, *utterance.accepted},
                "classifier": reading.intent.value,
                "confidence": reading.confidence,
                "llm": None,
                "sampled": i in sample,
            }
            if row["sampled"] or reading.confidence < highest:
                given = {"stage": utterance.context.stage.value, "last_act": utterance.context.last_act}
                started = time.perf_counter()
                row["llm"] = read_llm(utterance.text, labels, given)
                latencies.append((time.perf_counter() - started) * 1000)
            rows.append(row)
        figures["sets"][name] = summary(rows, args.thresholds)
        print(name, json.dumps(figures["sets"][name]), flush=True)
    figures["llm_latency_ms_median"] = round(statistics.median(latencies), 1)
    figures["llm_latency_ms_p95"] = round(float(np.percentile(latencies, 95)), 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "llm_intents.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


def summary(rows: list[dict], thresholds: list[float]) -> dict:
    def accuracy(chosen: list[str | None], right: list[set]) -> float:
        return round(sum(c in r for c, r in zip(chosen, right, strict=True)) / len(right), 3)

    sampled = [row for row in rows if row["sampled"]]
    figures = {
        "count": len(rows),
        "classifier": accuracy([r["classifier"] for r in rows], [r["right"] for r in rows]),
        "sample": len(sampled),
        "classifier_on_sample": accuracy([r["classifier"] for r in sampled], [r["right"] for r in sampled]),
        "llm_alone_on_sample": accuracy([r["llm"] for r in sampled], [r["right"] for r in sampled]),
        "llm_valid_label_rate": round(
            sum(r["llm"] in Intent._value2member_map_ for r in rows if r["llm"] is not None)
            / max(1, sum(r["llm"] is not None for r in rows)),
            4,
        ),
    }
    for threshold in thresholds:
        below = [r["confidence"] < threshold for r in rows]
        chosen = [r["llm"] if low else r["classifier"] for r, low in zip(rows, below, strict=True)]
        figures[f"fallback_below_{threshold}"] = {
            "accuracy": accuracy(chosen, [r["right"] for r in rows]),
            "share_to_llm": round(sum(below) / len(rows), 3),
        }
    return figures


if __name__ == "__main__":
    main()
