"""assistant/understanding/intent_classifier.py: trained on the project's data, scored on its held-out split."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.understanding.intent_classifier import (
    IntentClassifier,
    context_features,
    load_examples,
    random_context,
)
from core.state import Context
from core.taxonomy import Intent, Stage
from retrieval.embeddings import Embedder


def test_training_data_covers_every_intent_with_enough_examples():
    examples = load_examples()
    counts = {intent: sum(e.intent == intent for e in examples) for intent in Intent}
    assert min(counts.values()) >= 60, counts


def test_held_out_accuracy(assistant):
    classifier = assistant.understand.classifier
    held_out = [e for e in load_examples() if e.held_out]
    rng = np.random.default_rng(7)
    contexts = [e.context or random_context(rng, e.intent) for e in held_out]
    predicted = classifier.predict([e.text for e in held_out], contexts)
    accuracy = np.mean([intent == e.intent for (intent, _), e in zip(predicted, held_out, strict=True)])
    # The figures per split are in docs/performance.md; this guards against a collapse, not a target.
    assert accuracy >= 0.88, accuracy


def test_probabilities_are_the_regressions_own_and_unsure_turns_get_the_second_opinion(assistant):
    classifier = assistant.understand.classifier
    assert classifier.second is not None
    texts = ["show me running shoes", "where is my order", "yes", "purple monkey dishwasher", "hmm ok maybe"]
    contexts = [Context(stage=Stage.BROWSING, last_act="show_results", has_results=True)] * len(texts)
    predicted = classifier.predict(texts, contexts)
    corrected = [classifier.spelling.run(text) for text in texts]
    # Several texts are embedded together, by `encode`, as `predict` does for them.
    first = classifier.embedder.encode(corrected)
    rows = np.stack([context_features(c) for c in contexts])
    first_reading = classifier.model.predict_proba(np.hstack([first, rows]))
    second_reading = classifier.second_model.predict_proba(
        np.hstack([first, classifier.second.encode(corrected), rows])
    )
    similarity = classifier.nearest_similarity(first)
    asked = 0
    for index, (intent, confidence) in enumerate(predicted):
        if similarity[index] < classifier.info["open_set_threshold"]:
            assert intent == Intent.OUT_OF_SCOPE
            continue
        unsure = first_reading[index].max() < classifier.second_opinion_below
        asked += unsure
        row = second_reading[index] if unsure else first_reading[index]
        assert intent == classifier.labels[row.argmax()]
        assert confidence == pytest.approx(row.max(), abs=1e-6)
    assert asked >= 1


def test_requests_farther_from_every_shop_example_than_the_held_out_ones_are_out_of_scope(assistant):
    classifier = assistant.understand.classifier
    threshold = classifier.info["open_set_threshold"]
    assert 0.2 < threshold < 0.7
    far = classifier.embedder.encode(["quantum chromodynamics lattice gauge simulation"])
    assert classifier.nearest_similarity(far)[0] < threshold
    ((intent, _),) = classifier.predict(["quantum chromodynamics lattice gauge simulation"], [Context()])
    assert intent == Intent.OUT_OF_SCOPE


def test_context_decides_short_answers(assistant):
    classifier = assistant.understand.classifier
    offered = Context(stage=Stage.CONSIDERATION, last_act="show_details", has_results=True)
    confirming = Context(stage=Stage.CHECKOUT, last_act="ask_confirmation", has_cart=True)
    assert classifier.predict(["yes"], [offered])[0][0] == Intent.AFFIRM
    assert classifier.predict(["yes please"], [confirming])[0][0] == Intent.AFFIRM
    assert classifier.predict(["no thanks"], [offered])[0][0] == Intent.DENY


def test_saved_model_is_reused_and_retrained_when_the_data_changes(assistant, settings, tmp_path):
    classifier = assistant.understand.classifier
    base = Embedder.shared(settings.embedding_model, settings.onnx_cache)
    second = classifier.second
    epochs = settings.intent_fine_tune_epochs
    examples = load_examples()
    classifier.save(tmp_path)
    loaded = IntentClassifier.load(tmp_path, base, examples, epochs, second)
    assert loaded is not None and loaded.labels == classifier.labels
    assert loaded.info["open_set_threshold"] == classifier.info["open_set_threshold"]
    # The reloaded model reads words exactly as the trained one did.
    texts = ["where is my refund", "show me red sneakers", "talk to a person"]
    contexts = [Context()] * len(texts)
    reloaded, trained = loaded.predict(texts, contexts), classifier.predict(texts, contexts)
    assert [intent for intent, _ in reloaded] == [intent for intent, _ in trained]
    assert [p for _, p in reloaded] == pytest.approx([p for _, p in trained], abs=1e-4)
    changed = [*examples[:-1]]
    assert IntentClassifier.load(tmp_path, base, changed, epochs, second) is None
    assert IntentClassifier.load(tmp_path, base, examples, epochs + 1, second) is None
    assert IntentClassifier.load(tmp_path, base, examples, epochs) is None  # trained with a second opinion
    assert IntentClassifier.load(tmp_path / "missing", base, examples, epochs, second) is None


def test_without_tuning_the_classifier_reads_with_the_search_encoder_itself(assistant, settings):
    base = Embedder.shared(settings.embedding_model, settings.onnx_cache, settings.cache_dir)
    assert settings.intent_fine_tune_epochs == 0
    assert assistant.understand.classifier.embedder is base
