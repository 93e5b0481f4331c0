"""assistant/intent_classifier.py: trained on the project's data, scored on its held-out split."""

from __future__ import annotations

import numpy as np

from assistant.intent_classifier import IntentClassifier, load_examples, random_context
from assistant.state import Context
from assistant.taxonomy import Intent, Stage


def test_training_data_covers_every_intent_with_enough_examples():
    examples = load_examples()
    counts = {intent: sum(e.intent == intent for e in examples) for intent in Intent}
    assert min(counts.values()) >= 60, counts


def test_held_out_accuracy(assistant):
    classifier = assistant.understand.classifier
    held_out = [e for e in load_examples() if e.held_out]
    rng = np.random.default_rng(7)
    contexts = [e.context or random_context(rng) for e in held_out]
    predicted = classifier.predict([e.text for e in held_out], contexts)
    accuracy = np.mean([intent == e.intent for (intent, _), e in zip(predicted, held_out, strict=True)])
    # The floor of this walking skeleton; issue 3 raises the target to 0.95.
    assert accuracy >= 0.8, accuracy


def test_context_decides_short_answers(assistant):
    classifier = assistant.understand.classifier
    offered = Context(stage=Stage.CONSIDERATION, last_act="show_details", has_results=True)
    confirming = Context(stage=Stage.CHECKOUT, last_act="ask_confirmation", has_cart=True)
    assert classifier.predict(["yes"], [offered])[0][0] == Intent.AFFIRM
    assert classifier.predict(["yes please"], [confirming])[0][0] == Intent.AFFIRM
    assert classifier.predict(["no thanks"], [offered])[0][0] == Intent.DENY


def test_saved_model_is_reused_and_retrained_when_the_data_changes(assistant, settings, tmp_path):
    classifier = assistant.understand.classifier
    examples = load_examples()
    classifier.save(tmp_path)
    loaded = IntentClassifier.load(tmp_path, classifier.embedder, examples)
    assert loaded is not None and loaded.labels == classifier.labels
    changed = [*examples[:-1]]
    assert IntentClassifier.load(tmp_path, classifier.embedder, changed) is None
    assert IntentClassifier.load(tmp_path / "missing", classifier.embedder, examples) is None
