"""The shopper chat and agent console pages, driven through their handler functions with a real assistant."""

from __future__ import annotations

from html import escape

import gradio as gr
import pytest

from assistant.bootstrap import build_assistant
from assistant.pipeline import Assistant
from assistant.settings import Settings
from ui.chat import build_chat, render_cart, render_products, send_message
from ui.console import build_console, conversation_detail, conversation_table


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return build_assistant(Settings(home=tmp_path_factory.mktemp("ui")), log=lambda _message: None)


@pytest.fixture(scope="module")
def shoes_turn(assistant: Assistant):
    return send_message(assistant, None, [], "show me running shoes under 100")


def product(**fields) -> dict:
    return {"id": "sku-1", "title": "Trail runner", "price": 89.0, "currency": "USD", "position": 1} | fields


def test_first_message_starts_a_conversation_and_shows_cards(assistant: Assistant, shoes_turn) -> None:
    result = shoes_turn.result
    assert shoes_turn.conversation_id == result.conversation_id
    assert [message["role"] for message in shoes_turn.history] == ["user", "assistant"]
    assert result.products
    cards = render_products(result.products)
    for shown in result.products:
        assert escape(shown["title"]) in cards
        assert shown["price"] <= 100


def test_later_messages_continue_the_conversation(assistant: Assistant) -> None:
    first = send_message(assistant, None, [], "hi")
    second = send_message(assistant, first.conversation_id, first.history, "show me a backpack")
    assert second.conversation_id == first.conversation_id
    assert second.result.turn == 2
    assert len(second.history) == 4


def test_invalid_message_gets_an_apology_not_an_error(assistant: Assistant) -> None:
    too_long = "a" * (assistant.settings.max_message_chars + 1)
    turn = send_message(assistant, None, [], too_long)
    assert turn.result is None
    assert turn.conversation_id is None  # a rejected first message starts no conversation
    assert turn.history[-1]["role"] == "assistant"
    assert turn.history[-1]["content"].startswith("Sorry")


def test_empty_message_is_ignored(assistant: Assistant) -> None:
    assert send_message(assistant, None, [], "   ") == ([], None, None)


def test_shopper_text_is_escaped_in_the_chat(assistant: Assistant) -> None:
    turn = send_message(assistant, None, [], "<img src=x onerror=alert(1)> shoes")
    assert "<img" not in turn.history[0]["content"]
    assert "&lt;img" in turn.history[0]["content"]


def test_catalog_strings_are_escaped_in_cards_and_cart() -> None:
    cards = render_products([product(title="<script>alert(1)</script>", brand="A&B")])
    assert "<script>" not in cards
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cards
    assert "A&amp;B" in cards
    cart = render_cart(
        {
            "items": [{"product_id": "sku-1", "title": "<b>x</b>", "quantity": 2, "unit_price": 5.0}],
            "total": 10.0,
        },
        "USD",
    )
    assert "<b>" not in cart
    assert "&lt;b&gt;x&lt;/b&gt;" in cart


@pytest.mark.parametrize(
    ("stock", "label"),
    [(None, None), (0, "Out of stock"), (3, "Only 3 left"), (40, "In stock")],
)
def test_cards_show_stock(stock: int | None, label: str | None) -> None:
    cards = render_products([product(stock=stock)])
    labels = ("Out of stock", "left", "In stock")
    if label is None:
        assert not any(text in cards for text in labels)
    else:
        assert label in cards


def test_cards_show_price_and_rating() -> None:
    cards = render_products([product(price=1299.5, rating=4.4)])
    assert "$1,299.50" in cards
    assert "★★★★☆ 4.4" in cards


def test_cart_shows_lines_quantities_and_total() -> None:
    cart = {
        "items": [
            {"product_id": "sku-1", "title": "Trail runner", "quantity": 2, "unit_price": 89.0},
            {"product_id": "sku-2", "title": "Socks", "quantity": 1, "unit_price": 9.5},
        ],
        "total": 187.5,
    }
    html = render_cart(cart, "USD")
    assert "Trail runner" in html and "× 2" in html and "$178.00" in html
    assert "$187.50" in html
    assert "empty" in render_cart({"items": [], "total": 0}, "USD")


def test_console_lists_the_conversation(assistant: Assistant, shoes_turn) -> None:
    table = conversation_table(assistant)
    row = table[table["Conversation"] == shoes_turn.conversation_id]
    assert len(row) == 1
    assert row.iloc[0]["Stage"] == "browsing"
    assert row.iloc[0]["Turns"] == 1


def test_console_transcript_shows_both_messages(assistant: Assistant, shoes_turn) -> None:
    html = conversation_detail(assistant, shoes_turn.conversation_id)
    assert "Shopper" in html and "Assistant" in html
    assert "show me running shoes under 100" in html
    assert "Browsing" in html
    assert "Your cart is empty" in html


def test_console_transcript_escapes_messages(assistant: Assistant) -> None:
    turn = send_message(assistant, None, [], "<script>alert(1)</script>")
    html = conversation_detail(assistant, turn.conversation_id)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_console_without_a_selection_or_with_an_unknown_id(assistant: Assistant) -> None:
    assert "Select a conversation" in conversation_detail(assistant, None)
    assert "No conversation c_&lt;x&gt;" in conversation_detail(assistant, "c_<x>")


def test_pages_build(assistant: Assistant) -> None:
    assert isinstance(build_chat(assistant), gr.Blocks)
    assert isinstance(build_console(assistant), gr.Blocks)
