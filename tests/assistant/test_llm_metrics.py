"""assistant/metrics.py: every LLM call is counted by backend, kind and outcome where it is made, in the
Prometheus registry that /metrics serves, driven through the real assistant with a scripted test backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from assistant.llm.protocol import GroundedContext, LLMBackend, PromptedIntent
from assistant.pipeline import Assistant
from assistant.understand import Understand
from core.errors import BackendUnavailable

OUTCOMES = ("chosen", "declined", "grounded", "ungrounded", "failed")


class ScriptedBackend(LLMBackend):
    """A test double for an LLM: classifies as told; replies with the draft, a made-up price or an outage."""

    name = "scripted"

    def __init__(self, label: str | None, reply: str) -> None:
        self.label = label
        self.reply = reply

    def classify(self, text: str, labels: list[str], context: dict) -> str | None:
        return self.label

    def generate(self, context: GroundedContext) -> Iterator[str]:
        if self.reply == "outage":
            raise BackendUnavailable("the LLM server is down")
        yield context.draft if self.reply == "draft" else self.reply


def asking(assistant: Assistant, backend: LLMBackend) -> Assistant:
    """The assistant with `backend` choosing every intent and phrasing every reply."""
    llm = assistant.replying_with(backend)
    understand = assistant.understand
    llm.understand = Understand(
        understand.classifier, understand.slots, PromptedIntent(backend), "always", understand.threshold
    )
    return llm


def calls(kind: str, outcome: str) -> float:
    labels = {"backend": "scripted", "kind": kind, "outcome": outcome}
    return REGISTRY.get_sample_value("shopassist_llm_calls_total", labels) or 0.0


@pytest.mark.parametrize(
    ("label", "reply", "counted"),
    [
        ("search_products", "draft", {("classify", "chosen"), ("generate", "grounded")}),
        (None, "Everything is $1 today!", {("classify", "declined"), ("generate", "ungrounded")}),
        ("search_products", "outage", {("classify", "chosen"), ("generate", "failed")}),
    ],
)
def test_each_llm_call_is_counted_once_by_kind_and_outcome(
    assistant: Assistant, label: str | None, reply: str, counted: set[tuple[str, str]]
) -> None:
    every = [(kind, outcome) for kind in ("classify", "generate") for outcome in OUTCOMES]
    before = {key: calls(*key) for key in every}
    conversation_id, _token = assistant.start_conversation()
    result = asking(assistant, ScriptedBackend(label, reply)).handle(conversation_id, "show me mugs")
    assert result.reply  # an ungrounded or failed reply still answers, with the template
    assert {key for key in every if calls(*key) != before[key]} == counted
    assert all(calls(*key) - before[key] == 1 for key in counted)


def test_a_classify_call_that_raises_is_counted_as_failed(assistant: Assistant) -> None:
    class Broken(ScriptedBackend):
        def classify(self, text: str, labels: list[str], context: dict) -> str | None:
            raise RuntimeError("the model crashed")

    before = calls("classify", "failed")
    conversation_id, _token = assistant.start_conversation()
    with pytest.raises(RuntimeError):
        asking(assistant, Broken(None, "draft")).handle(conversation_id, "show me mugs")
    assert calls("classify", "failed") == before + 1


def test_the_template_backend_makes_no_llm_calls(assistant: Assistant) -> None:
    conversation_id, _token = assistant.start_conversation()
    assistant.handle(conversation_id, "show me mugs")
    backends = {
        sample.labels["backend"]
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "shopassist_llm_calls_total"
    }
    assert "template" not in backends
