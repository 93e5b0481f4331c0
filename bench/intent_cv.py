"""Benchmark: k-fold cross-validation of the intent classifier's training recipe on the training split alone.

The held-out tenth is never touched, so a recipe (tuning epochs, learning rate, data) can be chosen by this
figure and the held-out accuracy stays a blind test. Each fold trains `IntentClassifier.train` exactly as
`shopassist nlu train` does on the other folds' examples, and classifies its own examples, each in its own
context or, without one, in a random plausible context. Prints and writes JSON
(bench/results/intent_cv.json): accuracy per fold and overall, recall per intent, the commonest confusions.

    .venv/bin/python -m bench.intent_cv [--folds 5] [--epochs N] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from assistant.understanding.intent_classifier import IntentClassifier, load_examples, random_context
from core.settings import Settings
from retrieval.embeddings import Embedder

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None, help="Tuning epochs (default: the setting's).")
    parser.add_argument("--seed", type=int, default=1, help="Draws the contexts of context-free examples.")
    args = parser.parse_args()
    settings = Settings()
    epochs = settings.intent_fine_tune_epochs if args.epochs is None else args.epochs
    embedder = Embedder.shared(settings.embedding_model)
    training = [example for example in load_examples() if not example.held_out]
    truth = np.array([example.intent.value for example in training])
    predicted = np.empty(len(training), dtype=object)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0).split(np.zeros(len(truth)), truth)
    rng = np.random.default_rng(args.seed)
    per_fold, started = [], time.perf_counter()
    for number, (fit_rows, test_rows) in enumerate(folds, start=1):
        print(f"Fold {number}/{args.folds}: training on {len(fit_rows)} examples…", flush=True)
        classifier = IntentClassifier.train([training[i] for i in fit_rows], embedder, epochs, progress=True)
        tested = [training[i] for i in test_rows]
        contexts = [example.context or random_context(rng, example.intent) for example in tested]
        answers = classifier.predict([example.text for example in tested], contexts)
        predicted[test_rows] = [intent.value for intent, _ in answers]
        per_fold.append(round(float((predicted[test_rows] == truth[test_rows]).mean()), 4))
        print(f"Fold {number}: accuracy {per_fold[-1]:.3f}", flush=True)

    correct = predicted == truth
    recall = {label: round(float(correct[truth == label].mean()), 3) for label in sorted(set(truth))}
    confusions = Counter(f"{t} -> {p}" for t, p, ok in zip(truth, predicted, correct, strict=True) if not ok)
    result = {
        "examples": len(training),
        "folds": args.folds,
        "fine_tune_epochs": epochs,
        "context_seed": args.seed,
        "accuracy": round(float(correct.mean()), 4),
        "accuracy_per_fold": per_fold,
        "recall_per_intent": recall,
        "top_confusions": dict(confusions.most_common(10)),
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    print(f"\n{args.folds}-fold accuracy on {len(training)} training examples: {result['accuracy']:.3f}")
    for label, value in sorted(recall.items(), key=lambda item: item[1])[:6]:
        print(f"  weakest recall: {label:18s} {value:.3f}")
    for pair, count in confusions.most_common(5):
        print(f"  confusion: {pair} ({count})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intent_cv.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
