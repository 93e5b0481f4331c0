"""Prometheus metrics of the turn pipeline, for whoever operates a deployment: turns, turn latency, intents,
stage transitions, failed turns and LLM calls.

The turn metrics are recorded in one place, after each committed turn (`turn_recorded`, called by
assistant/pipeline.py); an LLM call is counted where it is made (`llm_called`: assistant/understand.py asks for
an intent, assistant/respond.py for a reply), whether or not its turn commits, since the LLM server did the work
either way. They are served by the web application at /metrics (ui/app.py). They live in prometheus-client's
default registry, one set per process: with several server processes, Prometheus scrapes each and sums them.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter, Histogram

from core.state import TurnResult

# Seconds; dense around the 15-40 ms that a template turn takes, then out to slow LLM replies.
LATENCY_BUCKETS = (0.005, 0.01, 0.015, 0.025, 0.04, 0.06, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# What an LLM call is for: choosing the intent of an utterance, or phrasing the reply.
LLMCallKind = Literal["classify", "generate"]
# How it went. classify: "chosen" (one of the labels), "declined" (no label: the classifier's intent stands);
# generate: "grounded" (shown), "ungrounded" (replaced by the template); either: "failed" (it raised).
LLMCallOutcome = Literal["chosen", "declined", "grounded", "ungrounded", "failed"]

TURNS = Counter("shopassist_turns", "Shopper turns handled, by who answered.", ["answered_by"])
TURN_LATENCY = Histogram(
    "shopassist_turn_latency_seconds", "Time to handle a shopper turn, end to end.", buckets=LATENCY_BUCKETS
)
INTENTS = Counter("shopassist_intents", "Understood intents of the turns the assistant answered.", ["intent"])
STAGE_TRANSITIONS = Counter(
    "shopassist_stage_transitions", "Journey stage changes made by shopper turns.", ["from_stage", "to_stage"]
)
TURN_ERRORS = Counter("shopassist_turn_errors", "Turns that failed with an unexpected error.", ["error"])
LLM_CALLS = Counter(
    "shopassist_llm_calls",
    "Calls to an LLM backend, by backend, kind (classify, generate) and outcome.",
    ["backend", "kind", "outcome"],
)


def turn_recorded(result: TurnResult, stage_before: str, answered_by: str) -> None:
    """Counts one committed turn (its LLM calls were counted as they were made)."""
    TURNS.labels(answered_by).inc()
    TURN_LATENCY.observe(result.latency_ms / 1000)
    if answered_by == "assistant":
        INTENTS.labels(result.intent).inc()
    if result.stage != stage_before:
        STAGE_TRANSITIONS.labels(stage_before, result.stage).inc()


def turn_failed(error: Exception) -> None:
    TURN_ERRORS.labels(type(error).__name__).inc()


def llm_called(backend: str, kind: LLMCallKind, outcome: LLMCallOutcome) -> None:
    LLM_CALLS.labels(backend, kind, outcome).inc()
