"""assistant/understand.py: how the LLM's slots join the rules' reading (the step itself runs in
tests/assistant/test_pipeline.py and, with the tuned reader, in tests/assistant/llm/test_tuned_intent.py)."""

from __future__ import annotations

from assistant.understand import unread


def test_the_llm_adds_only_slots_the_rules_left_unread() -> None:
    rules = {"max_price": 40, "color": "red"}
    assert unread({"quantity": 40, "size": "M", "color": "blue"}, rules) == {"size": "M"}
    assert unread({"order_id": "58213"}, {}) == {"order_id": "58213"}
    assert unread({"color": "Red", "brand": "RED"}, {"color": "red"}) == {}
