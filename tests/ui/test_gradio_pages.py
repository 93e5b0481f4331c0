"""The shopper chat and agent console pages, driven through their handler functions with a real assistant."""

from __future__ import annotations

from html import escape

import gradio as gr
import pytest

from assistant.bootstrap import build_assistant
from assistant.desk.agent_desk import AgentDesk
from assistant.desk.agents import create_agent
from assistant.desk.feedback import ratings
from assistant.desk.transcripts import conversation_view
from assistant.pipeline import Assistant
from core.errors import TakeoverError
from core.product import ProductRecord
from core.settings import Settings
from harness.server_process import data_dir_with
from ui.chat import build_chat
from ui.chat_session import new_from_team, rate, restore, send_message, shown_message, streamed
from ui.console import build_console
from ui.console_list import conversation_rows
from ui.console_panels import conversation_detail
from ui.panels import render_cart, render_products
from ui.rate_limits import SlidingWindowLimiter


@pytest.fixture(scope="module")
def assistant(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """An assistant over its own database (the console lists every conversation in it), reusing the session's
    index and intent model so that nothing is rebuilt or retrained."""
    built = assistant.settings
    own = Settings(home=data_dir_with(tmp_path_factory.mktemp("ui"), built.index_dir))
    return build_assistant(own, log=lambda _message: None)


@pytest.fixture(scope="module")
def shoes_turn(assistant: Assistant):
    return send_message(assistant, None, [], [], "show me running shoes under 100")


def product(**fields) -> ProductRecord:
    return ProductRecord(
        **({"id": "sku-1", "title": "Trail runner", "price": 89.0, "currency": "USD"} | fields)
    )


def test_first_message_starts_a_conversation_and_shows_cards(assistant: Assistant, shoes_turn) -> None:
    result = shoes_turn.result
    assert shoes_turn.conversation_id == result.conversation_id
    assert [message["role"] for message in shoes_turn.history] == ["user", "assistant"]
    assert result.products
    cards = render_products([assistant.catalog.by_id[shown["id"]] for shown in result.products])
    for shown in result.products:
        assert escape(shown["title"]) in cards
        assert shown["price"] <= 100


def test_later_messages_continue_the_conversation(assistant: Assistant) -> None:
    first = send_message(assistant, None, [], [], "hi")
    second = send_message(
        assistant, first.conversation_id, first.history, first.reply_ids, "show me a backpack"
    )
    assert second.conversation_id == first.conversation_id
    assert second.result.turn == 2
    assert len(second.history) == 4


def test_invalid_message_gets_an_apology_not_an_error(assistant: Assistant) -> None:
    too_long = "a" * (assistant.settings.max_message_chars + 1)
    turn = send_message(assistant, None, [], [], too_long)
    assert turn.result is None
    assert turn.conversation_id is None  # a rejected first message starts no conversation
    assert turn.history[-1]["role"] == "assistant"
    assert turn.history[-1]["content"].startswith("Sorry")


FASTER = "You're sending messages faster than I can answer."


def test_a_conversation_over_its_message_limit_is_asked_to_wait(assistant: Assistant) -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 60, clock=lambda: now[0])
    turn = send_message(assistant, None, [], [], "hi", limiter)
    turn = send_message(
        assistant, turn.conversation_id, turn.history, turn.reply_ids, "show me mugs", limiter
    )
    now[0] = 15.0
    over = send_message(
        assistant, turn.conversation_id, turn.history, turn.reply_ids, "show me lamps", limiter
    )
    assert over.result is None and over.conversation_id == turn.conversation_id
    assert over.history[-2:] == [
        {"role": "user", "content": "show me lamps"},
        {"role": "assistant", "content": f"{FASTER} Please wait 45 seconds and try again."},
    ]
    with assistant.db.transaction() as session:
        messages = conversation_view(session, turn.conversation_id)["messages"]
    assert [m["text"] for m in messages if m["role"] == "shopper"] == ["hi", "show me mugs"]  # not handled
    now[0] = 61.0  # the window has moved on: the shopper is answered again
    again = send_message(
        assistant, over.conversation_id, over.history, over.reply_ids, "show me lamps", limiter
    )
    assert again.result is not None and again.result.turn == 3


def test_empty_message_is_ignored(assistant: Assistant) -> None:
    assert send_message(assistant, None, [], [], "   ") == ([], [], None, None, None)


def test_shopper_text_is_escaped_in_the_chat(assistant: Assistant) -> None:
    turn = send_message(assistant, None, [], [], "<img src=x onerror=alert(1)> shoes")
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


@pytest.fixture(scope="module")
def desk(assistant: Assistant) -> AgentDesk:
    return AgentDesk(assistant.db, assistant.catalog, assistant.settings.propensity_dir)


@pytest.fixture(scope="module")
def agent(assistant: Assistant) -> str:
    with assistant.db.transaction() as session:
        return create_agent(session, "ana", "correct horse").username


def detail(desk: AgentDesk, conversation_id: str | None) -> str:
    return conversation_detail(desk, conversation_id, "USD")[0]


def test_console_lists_the_conversation(desk: AgentDesk, shoes_turn) -> None:
    rows = [
        row for row in conversation_rows(desk, "USD") if row["conversation_id"] == shoes_turn.conversation_id
    ]
    assert len(rows) == 1
    assert rows[0]["stage"] == "Browsing" and rows[0]["words"] == "show me running shoes under 100"


def test_console_transcript_shows_both_messages(desk: AgentDesk, shoes_turn) -> None:
    html = detail(desk, shoes_turn.conversation_id)
    assert "Shopper" in html and "Assistant" in html
    assert "show me running shoes under 100" in html
    assert "Browsing" in html
    assert "Your cart is empty" in conversation_detail(desk, shoes_turn.conversation_id, "USD")[1]


def test_console_transcript_escapes_messages(assistant: Assistant, desk: AgentDesk) -> None:
    turn = send_message(assistant, None, [], [], "<script>alert(1)</script>")
    html = detail(desk, turn.conversation_id)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_console_without_a_selection_or_with_an_unknown_id(desk: AgentDesk) -> None:
    assert "Select a conversation" in detail(desk, None)
    assert "No conversation c_&lt;x&gt;" in detail(desk, "c_<x>")


def test_waiting_conversations_come_first(assistant: Assistant, desk: AgentDesk) -> None:
    turn = send_message(assistant, None, [], [], "I want to talk to a person")
    assert turn.result.handoff
    first = conversation_rows(desk, "USD")[0]
    assert first["conversation_id"] == turn.conversation_id and first["waiting"]


def test_takeover_from_the_console_reaches_the_chat(
    assistant: Assistant, desk: AgentDesk, agent: str
) -> None:
    turn = send_message(assistant, None, [], [], "I need help with sizes")
    kept = {"conversation_id": turn.conversation_id, "token": turn.token}
    restored = restore(assistant, kept)
    history, last_id = restored.history, restored.last_id
    assert restored.conversation_id == turn.conversation_id and len(history) == len(turn.history)

    desk.take_over(turn.conversation_id, agent)
    desk.send(turn.conversation_id, agent, "Hi, I'm Ana <b>from the team</b>")
    arrived = new_from_team(assistant, turn.conversation_id, last_id)
    assert [m["role"] for m in arrived] == ["system", "agent"]
    shown = shown_message(arrived[-1])["content"]
    assert shown.startswith("**Our team:**") and "&lt;b&gt;" in shown
    assert "An agent is answering" in detail(desk, turn.conversation_id)

    during = send_message(assistant, turn.conversation_id, history, restored.reply_ids, "size 10 please")
    assert during.result.reply == "" and during.result.handoff
    assert during.history[-1] == {"role": "user", "content": "size 10 please"}  # no empty assistant bubble

    desk.note(turn.conversation_id, agent, "VIP <shopper>")
    notes = conversation_detail(desk, turn.conversation_id, "USD")[3]
    assert "VIP &lt;shopper&gt;" in notes and "ana" in notes
    desk.hand_back(turn.conversation_id, agent)
    after = send_message(
        assistant, turn.conversation_id, during.history, during.reply_ids, "show me a backpack"
    )
    assert after.result.reply and not after.result.handoff


def test_a_forged_or_missing_browser_state_restores_nothing(assistant: Assistant, shoes_turn) -> None:
    assert restore(assistant, {}).view is None
    forged = {"conversation_id": shoes_turn.conversation_id, "token": "forged"}
    assert restore(assistant, forged).conversation_id is None


def test_agent_actions_need_a_taken_over_conversation(
    assistant: Assistant, desk: AgentDesk, agent: str
) -> None:
    turn = send_message(assistant, None, [], [], "hi")
    with pytest.raises(TakeoverError, match="take the conversation over"):
        desk.send(turn.conversation_id, agent, "hello")
    with pytest.raises(TakeoverError, match="no conversation"):
        desk.take_over("c_missing", agent)
    with pytest.raises(TakeoverError, match="empty"):
        desk.note(turn.conversation_id, agent, "   ")


def component_types(page: gr.Blocks) -> set[str]:
    return {component["type"] for component in page.config["components"]}


def test_pages_build_with_their_parts(assistant: Assistant, desk: AgentDesk) -> None:
    # What a shopper and an agent need on screen: the chat and its input; the conversation list and the
    # transcript with a way to write and to take over.
    assert {"chatbot", "textbox", "button", "html"} <= component_types(build_chat(assistant))
    console = build_console(assistant, desk)
    assert {"textbox", "button", "html"} <= component_types(console)
    listed = [c["type"] for c in console.config["components"] if c["props"].get("elem_id") == "conversations"]
    assert listed == ["html"]  # one line per conversation, not a table's grid
    labels = {c["props"].get("value") for c in console.config["components"] if c["type"] == "button"}
    assert {"Take over", "Hand back"} <= labels, labels


def test_a_reply_streams_in_pieces_ending_with_the_whole() -> None:
    history = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": " ".join(["word"] * 40)}]
    pieces = list(streamed(history))
    assert 1 < len(pieces) <= 13
    assert pieces[-1] == history
    assert all(len(piece[-1]["content"]) < len(history[-1]["content"]) for piece in pieces[:-1])


def test_a_thumb_rates_only_a_reply_of_its_own_conversation(assistant: Assistant, shoes_turn) -> None:
    reply_at = shoes_turn.reply_ids.index(next(i for i in shoes_turn.reply_ids if i is not None))
    assert rate(assistant, shoes_turn.conversation_id, shoes_turn.reply_ids, reply_at, False)
    assert not rate(assistant, shoes_turn.conversation_id, shoes_turn.reply_ids, 0, True)  # the shopper's own
    other = send_message(assistant, None, [], [], "hi")
    assert not rate(assistant, other.conversation_id, shoes_turn.reply_ids, reply_at, True)  # not theirs
    with assistant.db.transaction() as session:
        assert ratings(session, shoes_turn.conversation_id) == {shoes_turn.reply_ids[reply_at]: "down"}
