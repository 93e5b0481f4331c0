"""Benchmark: intents by the local LLM (label likelihood) against the embedding classifier, on this machine.

Both classify the held-out utterances of the project's data, each in its own dialogue context. Prints and writes
JSON (bench/results/llm_intents.json): the number of utterances, the accuracy of each, the LLM's rate of answers
that are taxonomy labels (must be 1.0), the median latency per utterance of each, and the LLM's load time.

    .venv/bin/python -m bench.llm_intents [--data-dir DIR] [--model NAME] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant.bootstrap import build_assistant
from assistant.llm.transformers_backend import PACKAGED_MODEL, TransformersBackend
from assistant.understanding.intent_classifier import load_examples
from core.settings import Settings
from core.state import Context
from core.taxonomy import Intent

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--model", default=PACKAGED_MODEL, help="Hub id, directory, .gguf path or package name."
    )
    parser.add_argument("--gguf-file", default=None)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N held-out utterances.")
    args = parser.parse_args()
    home = args.data_dir or Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    examples = [example for example in load_examples() if example.held_out][: args.limit]
    labels = [intent.value for intent in Intent]
    contexts = [example.context or Context() for example in examples]
    truth = [example.intent.value for example in examples]

    classifier = build_assistant(Settings(home=home)).understand.classifier
    classifier_answers, classifier_ms = [], []
    for example, context in zip(examples, contexts, strict=True):
        started = time.perf_counter()
        classifier_answers.append(classifier.predict([example.text], [context])[0][0].value)
        classifier_ms.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    llm = TransformersBackend(args.model, args.gguf_file)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    llm.classify("hello", labels, {})  # builds the shared few-shot prompt's cache, timed on its own
    prompt_s = time.perf_counter() - started
    llm_answers, llm_ms = [], []
    for example, context in zip(examples, contexts, strict=True):
        given = {"last_act": context.last_act, "stage": context.stage.value} if example.context else {}
        started = time.perf_counter()
        llm_answers.append(llm.classify(example.text, labels, given))
        llm_ms.append((time.perf_counter() - started) * 1000)

    def accuracy(answers: list[str]) -> float:
        return round(sum(a == t for a, t in zip(answers, truth, strict=True)) / len(truth), 4)

    figures = {
        "n": len(examples),
        "llm_model": llm.model_name,
        "llm_load_s": round(load_s, 1),
        "llm_prompt_cache_s": round(prompt_s, 2),
        "classifier_accuracy": accuracy(classifier_answers),
        "llm_accuracy": accuracy(llm_answers),
        "llm_valid_label_rate": round(sum(a in labels for a in llm_answers) / len(llm_answers), 4),
        "classifier_latency_ms_median": round(statistics.median(classifier_ms), 2),
        "llm_latency_ms_median": round(statistics.median(llm_ms), 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "llm_intents.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
