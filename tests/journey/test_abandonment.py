"""journey/abandonment.py: the sweep, the resume with its welcome back, `journey sweep` and the server's sweep."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from assistant.pipeline import Assistant
from cli.app import app as cli
from db.models import Conversation, JourneyEvent
from journey.abandonment import AbandonmentSweep, let_time_pass
from tests.conversations import TO_CART, TO_CHECKOUT, converse


def sweep(assistant: Assistant, minutes: float | None = None) -> int:
    return AbandonmentSweep(assistant.db, minutes or assistant.settings.abandon_after_minutes).run()


def stage_of(assistant: Assistant, conversation_id: str) -> str:
    with assistant.db.transaction() as session:
        return session.get(Conversation, conversation_id).stage


def events_of(assistant: Assistant, conversation_id: str, *kinds: str) -> list[JourneyEvent]:
    with assistant.db.transaction() as session:
        query = select(JourneyEvent).where(JourneyEvent.conversation_id == conversation_id)
        return list(session.scalars(query.where(JourneyEvent.kind.in_(kinds)).order_by(JourneyEvent.id)))


def test_a_cart_idle_past_the_timeout_is_abandoned_once(fresh_assistant):
    conversation_id, turns = converse(fresh_assistant, *TO_CART)
    assert turns[-1].stage == "cart"
    let_time_pass(fresh_assistant.db, conversation_id, 45)
    assert sweep(fresh_assistant) == 1
    assert sweep(fresh_assistant) == 0  # already abandoned: no second event
    assert stage_of(fresh_assistant, conversation_id) == "abandoned"
    change = events_of(fresh_assistant, conversation_id, "stage_change")[-1]
    assert (change.from_stage, change.to_stage, change.journey, change.turn) == ("cart", "abandoned", 1, 2)
    with fresh_assistant.db.transaction() as session:
        last_activity = session.get(Conversation, conversation_id).updated_at
    # Stamped when the timeout passed, not when the sweep happened to run.
    assert change.created_at == last_activity + timedelta(minutes=30)
    assert change.data == {"idle_minutes": 30.0}


def test_browsing_and_a_short_idle_are_not_abandoned(fresh_assistant):
    browsing, _ = converse(fresh_assistant, "show me headphones")
    short, _ = converse(fresh_assistant, *TO_CART)
    let_time_pass(fresh_assistant.db, browsing, 120)
    let_time_pass(fresh_assistant.db, short, 10)
    assert sweep(fresh_assistant) == 0
    assert (stage_of(fresh_assistant, browsing), stage_of(fresh_assistant, short)) == ("browsing", "cart")
    assert sweep(fresh_assistant, minutes=5) == 1  # the timeout is the configured one


def test_a_turn_that_lands_while_the_sweep_runs_keeps_the_cart(fresh_assistant):
    conversation_id, _ = converse(fresh_assistant, *TO_CART)
    let_time_pass(fresh_assistant.db, conversation_id, 45)
    sweeper = AbandonmentSweep(fresh_assistant.db, 30)
    with fresh_assistant.db.transaction() as session:
        stale = session.get(Conversation, conversation_id)
    fresh_assistant.handle(
        conversation_id, "what's in my cart?"
    )  # the shopper is back before the sweep writes
    with fresh_assistant.db.transaction() as session:
        assert not sweeper._abandon(session, stale)
    assert stage_of(fresh_assistant, conversation_id) == "cart"


def test_a_returning_shopper_resumes_at_checkout_welcomed_with_the_cart(fresh_assistant):
    conversation_id, turns = converse(fresh_assistant, *TO_CHECKOUT)
    assert turns[-1].stage == "checkout"
    item = turns[-1].cart["items"][0]
    let_time_pass(fresh_assistant.db, conversation_id, 50)
    assert sweep(fresh_assistant) == 1

    back = fresh_assistant.handle(conversation_id, "hi, I'm back")
    assert back.stage == "checkout" and back.journey == 1
    first_line = back.reply.splitlines()[0]
    assert first_line.startswith("Welcome back! You were checking out")
    assert item["title"] in first_line and f"${turns[-1].cart['total']:,.2f}" in first_line
    (resumed,) = events_of(fresh_assistant, conversation_id, "resumed")
    assert resumed.turn == back.turn and resumed.data["stage"] == "checkout"
    assert resumed.data["idle_minutes"] == pytest.approx(50, abs=1)
    change = events_of(fresh_assistant, conversation_id, "stage_change")[-1]
    assert (change.from_stage, change.to_stage, change.turn) == ("abandoned", "checkout", back.turn)

    placed = fresh_assistant.handle(conversation_id, "yes, place the order")
    assert placed.stage == "purchased" and placed.order is not None
    assert "welcome back" not in placed.reply.lower()


def test_journey_sweep_command_marks_and_counts(fresh_assistant, tmp_path):
    conversation_id, _ = converse(fresh_assistant, *TO_CART)
    let_time_pass(fresh_assistant.db, conversation_id, 31)
    args = ["journey", "sweep", "--db", fresh_assistant.settings.database_url, "--data-dir", str(tmp_path)]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "marked 1 conversation abandoned"
    assert CliRunner().invoke(cli, args).stdout.strip() == "marked 0 conversations abandoned"
    assert stage_of(fresh_assistant, conversation_id) == "abandoned"


@pytest.mark.slow
def test_the_server_sweeps_in_the_background(fresh_assistant):
    from ui.app import create_app

    conversation_id, _ = converse(fresh_assistant, *TO_CART)
    let_time_pass(fresh_assistant.db, conversation_id, 45)
    with TestClient(create_app(fresh_assistant)) as client:
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while stage_of(fresh_assistant, conversation_id) != "abandoned" and time.monotonic() < deadline:
            time.sleep(0.1)
    assert stage_of(fresh_assistant, conversation_id) == "abandoned"


def test_a_sweep_needs_a_positive_timeout(fresh_assistant):
    with pytest.raises(ValueError, match="positive"):
        AbandonmentSweep(fresh_assistant.db, 0)
