"""Prometheus metrics of the turn pipeline, for whoever operates a deployment: turns, turn latency, intents,
stage transitions, failed turns and LLM calls.

They are recorded in one place, after each committed turn (`turn_recorded`, called by assistant/pipeline.py),
and served by the web application at /metrics (ui/app.py). They live in prometheus-client's default registry,
one set per process: with several server processes, Prometheus scrapes each and sums them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram

from assistant.state import TurnResult

# Seconds; dense around the 15-40 ms that a template turn takes, then out to slow LLM replies.
LATENCY_BUCKETS = (0.005, 0.01, 0.015, 0.025, 0.04, 0.06, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Outcome events of a reply generation (assistant/respond.py) mapped to an LLM call's outcome.
LLM_OUTCOMES = {"llm_fallback": "failed", "ungrounded_reply": "ungrounded"}

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
    "Replies an LLM backend was asked to phrase, by outcome (grounded, ungrounded, failed).",
    ["backend", "outcome"],
)


def turn_recorded(
    result: TurnResult,
    stage_before: str,
    events: Iterable[tuple[str, dict[str, Any]]],
    answered_by: str,
    llm_backend: str | None,
) -> None:
    """Counts one committed turn; `llm_backend` is None when the templates phrased the reply."""
    TURNS.labels(answered_by).inc()
    TURN_LATENCY.observe(result.latency_ms / 1000)
    if answered_by == "assistant":
        INTENTS.labels(result.intent).inc()
    if result.stage != stage_before:
        STAGE_TRANSITIONS.labels(stage_before, result.stage).inc()
    if llm_backend is not None:
        kinds = [kind for kind, _data in events if kind in LLM_OUTCOMES]
        LLM_CALLS.labels(llm_backend, LLM_OUTCOMES[kinds[0]] if kinds else "grounded").inc()


def turn_failed(error: Exception) -> None:
    TURN_ERRORS.labels(type(error).__name__).inc()
