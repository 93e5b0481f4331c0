"""assistant/pipeline.py: whole turns through the real pipeline, and the CLI's `chat --json`, checked in SQL."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from assistant.llm.openai_backend import OpenAIBackend
from assistant.pipeline import LLM_TURNS_AT_ONCE, TEMPLATE_TURNS_AT_ONCE, Assistant
from core.errors import InvalidMessage, UnknownConversation
from core.formatting import money
from db.models import Conversation, JourneyEvent, Message, Order

PURCHASE = [
    "hi",
    "show me running shoes under 100",
    "tell me about the second one",
    "add it to my cart",
    "checkout",
    "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242",
    "yes",
]


def chat_json(settings, lines: list[str], *extra: str) -> list[dict]:
    """Runs `shopassist chat --json` as a user would, on the session's data directory."""
    command = [
        sys.executable,
        "-m",
        "cli",
        "chat",
        "--json",
        "--data-dir",
        str(settings.data_dir),
        *extra,
    ]
    done = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_greeting_then_search_through_the_cli(assistant, settings):
    greet, search = chat_json(settings, ["hi", "show me running shoes under 100"])
    assert greet["intent"] == "greet" and greet["stage"] == "entry"
    assert search["intent"] == "search_products" and search["stage"] == "browsing"
    assert search["products"] and all(product["price"] <= 100 for product in search["products"])
    assert [product["position"] for product in search["products"]] == list(
        range(1, len(search["products"]) + 1)
    )


def test_a_whole_purchase_through_the_cli_is_in_the_database(assistant, settings):
    results = chat_json(settings, PURCHASE, "--conversation", "c_purchase")
    assert [r["intent"] for r in results] == [
        "greet", "search_products", "product_question", "add_to_cart", "checkout", "checkout", "affirm",
    ]  # fmt: skip
    assert [r["stage"] for r in results] == [
        "entry", "browsing", "consideration", "cart", "checkout", "checkout", "purchased",
    ]  # fmt: skip
    second = results[1]["products"][1]
    assert results[3]["cart"]["items"][0]["product_id"] == second["id"]
    order = results[-1]["order"]
    assert order["total"] == second["price"] and order["items"][0]["product_id"] == second["id"]

    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, "c_purchase")
        assert conversation.stage == "purchased" and conversation.journey == 1
        messages = session.scalars(select(Message).where(Message.conversation_id == "c_purchase")).all()
        assert [m.text for m in messages if m.role == "shopper"] == PURCHASE
        assert len([m for m in messages if m.role == "assistant"]) == len(PURCHASE)
        changes = session.scalars(
            select(JourneyEvent)
            .where(JourneyEvent.conversation_id == "c_purchase", JourneyEvent.kind == "stage_change")
            .order_by(JourneyEvent.id)
        ).all()
        assert [(e.from_stage, e.to_stage) for e in changes] == [
            ("entry", "browsing"), ("browsing", "consideration"), ("consideration", "cart"),
            ("cart", "checkout"), ("checkout", "purchased"),
        ]  # fmt: skip
        assert [e.turn for e in changes] == [2, 3, 4, 5, 7]
        orders = session.scalars(select(Order).where(Order.conversation_id == "c_purchase")).all()
        assert len(orders) == 1 and orders[0].shipping_address == "12 Main Street, Springfield"
        assert orders[0].payment_method == "card ending 4242"
        assert orders[0].total == sum(item.quantity * item.unit_price for item in orders[0].items)
        assert conversation.cart.items == []


def test_a_repeated_yes_places_one_order(assistant):
    conversation_id, _token = assistant.start_conversation()
    for message in PURCHASE:
        result = assistant.handle(conversation_id, message)
    assert result.order is not None
    again = assistant.handle(conversation_id, "yes")
    assert again.order is None and again.stage == "purchased"
    with assistant.db.transaction() as session:
        assert len(session.scalars(select(Order).where(Order.conversation_id == conversation_id)).all()) == 1


def test_checkout_with_an_empty_cart_says_so(assistant):
    conversation_id, _token = assistant.start_conversation()
    result = assistant.handle(conversation_id, "checkout")
    assert result.stage == "entry" and "empty" in result.reply.lower()


def test_a_refinement_after_a_search_that_found_nothing_refines_it(assistant):
    conversation_id, _token = assistant.start_conversation()
    nothing = assistant.handle(conversation_id, "running shoes under 5")
    # No dead end: it says none is that cheap and shows the least expensive instead.
    assert "I found no running shoes under $5." in nothing.reply
    assert nothing.products and all(product["price"] > 5 for product in nothing.products)
    result = assistant.handle(conversation_id, "ok, under 200 then")
    assert result.intent == "refine_search" and result.products
    assert all(product["price"] <= 200 for product in result.products)


def test_every_shown_product_and_price_is_from_the_catalog(assistant):
    conversation_id, _token = assistant.start_conversation()
    for message in ("show me a grey sofa", "compare the first two", "show me headphones under 200"):
        result = assistant.handle(conversation_id, message)
        for product in result.products:
            real = assistant.catalog.by_id[product["id"]]
            assert (product["title"], product["price"]) == (real.title, real.price)
            # A comparison names products by what tells them apart; every price said is the product's own.
            assert money(real.price, real.currency) in result.reply


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_invalid_messages_are_refused_and_not_stored(assistant, text):
    conversation_id, _token = assistant.start_conversation()
    with pytest.raises(InvalidMessage):
        assistant.handle(conversation_id, text)
    with assistant.db.transaction() as session:
        assert session.scalars(select(Message).where(Message.conversation_id == conversation_id)).all() == []


def test_unknown_conversation(assistant):
    with pytest.raises(UnknownConversation):
        assistant.handle("c_nope", "hi")


def test_cli_user_errors_are_one_line_without_traceback(settings, tmp_path):
    command = [
        sys.executable,
        "-m",
        "cli",
        "catalog",
        "import",
        str(tmp_path / "missing.csv"),
        "--data-dir",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "no catalog file" in done.stderr and "Traceback" not in done.stderr


def test_an_imported_catalog_is_what_the_assistant_sells(assistant, tmp_path):
    catalog = tmp_path / "lamps.csv"
    catalog.write_text(
        "sku,name,cost,kind,colour\n"
        "L1,Brass Desk Lamp,49.00,Home > Lamps,gold\n"
        "L2,Paper Floor Lamp,89.00,Home > Lamps,white\n"
        "L3,Walnut Side Table,120.00,Furniture > Tables,brown\n"
        "L4,Broken Row,,Home > Lamps,red\n"
    )
    home = ["--data-dir", str(tmp_path / "home")]
    mapping = [
        "--map",
        "id=sku",
        "--map",
        "title=name",
        "--map",
        "price=cost",
        "--map",
        "category=kind",
        "--map",
        "color=colour",
    ]
    command = [sys.executable, "-m", "cli", "catalog", "import", str(catalog), *mapping, *home]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "imported 3 products (3 new" in done.stderr and "line 5: price" in done.stderr

    # The intent model does not depend on the catalog: the session's spares a retraining.
    chat = [sys.executable, "-m", "cli", "chat", "--json", *home]
    done = subprocess.run(chat, input="show me lamps under 60\n", capture_output=True, text=True, timeout=600)
    result = json.loads(done.stdout)
    assert [p["id"] for p in result["products"]] == ["L1"]
    assert result["products"][0]["title"] == "Brass Desk Lamp" and "$49.00" in result["reply"]


class ConcurrencyGauge:
    """The real understanding step, counting how many turns are inside it at once."""

    def __init__(self, understand) -> None:
        self.understand = understand
        self.lock = threading.Lock()
        self.inside = self.most = 0

    def run(self, turn):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.05)  # long enough that the eight turns overlap unless something holds them back
            return self.understand.run(turn)
        finally:
            with self.lock:
                self.inside -= 1


def test_turns_at_once_follow_the_reply_backend_unless_the_settings_say(assistant):
    assert assistant.settings.concurrent_turns is None
    assert assistant.turn_slots.slots == TEMPLATE_TURNS_AT_ONCE == 2
    # An LLM writing the replies (this one is never called): more turns at once, to share its batches.
    llm = OpenAIBackend("http://127.0.0.1:9/v1", "a-model")
    assert assistant.replying_with(llm).turn_slots.slots == LLM_TURNS_AT_ONCE == 8
    settings = assistant.settings.model_copy(update={"concurrent_turns": 5})
    parts = {name: getattr(assistant, name) for name in ("db", "catalog", "understand", "decide", "act")}
    configured = Assistant(settings, respond=assistant.respond, record=assistant.record, **parts)
    assert configured.turn_slots.slots == 5


def test_turns_beyond_the_concurrency_limit_wait_and_all_complete(assistant):
    settings = assistant.settings.model_copy(update={"concurrent_turns": 2})
    gauge = ConcurrencyGauge(assistant.understand)
    parts = {
        name: getattr(assistant, name) for name in ("db", "catalog", "decide", "act", "respond", "record")
    }
    limited = Assistant(settings, understand=gauge, **parts)
    conversations = [limited.start_conversation()[0] for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda c: limited.handle(c, "show me mugs"), conversations))
    assert gauge.most == 2
    assert [result.intent for result in results] == ["search_products"] * 8
