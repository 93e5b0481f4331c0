"""Privacy: redaction of emails, phone numbers and card numbers in what is stored and logged
(assistant/privacy/redaction.py, assistant/record.py, ui/log_format.py), and forgetting conversations on request
and after the retention period (assistant/privacy/erasure.py, `shopassist privacy`, the server's sweep)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.desk.agent_desk import AgentDesk
from assistant.desk.agents import create_agent
from assistant.desk.takeover import add_note
from assistant.pipeline import Assistant
from assistant.privacy.erasure import RetentionSweep, forget_conversation
from assistant.privacy.redaction import Redactor
from assistant.record import Record
from core.errors import UnknownConversation
from db.models import AgentNote, Cart, Conversation, JourneyEvent, Message, Order, utcnow
from ui.app import create_app
from ui.log_format import log_handler

CARD = "4242 4242 4242 4242"
SHOPASSIST = Path(sys.executable).parent / "shopassist"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("mail me at ana.b+x@mail.example.co.uk please", "mail me at [email] please"),
        ("call +1 (555) 123-4567 or 555 123 4567", "call [phone] or [phone]"),
        ("+44 20 7946 0958", "[phone]"),
        (f"my card is {CARD}", "my card is [card ending 4242]"),
        ("4242-4242-4242-4241 (a typo is still a card)", "[card ending 4241] (a typo is still a card)"),
        ("amex 3782 822463 10005", "amex [card ending 0005]"),
    ],
)
def test_personal_data_is_redacted(text: str, redacted: str) -> None:
    assert Redactor().redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "running shoes under 100",
        "something under 1299.00 or 1,299,000.50",
        "where is order 12345",
        "prices 1000-2000, size 10",
        "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242",
        "delivered on 2026-11-26",
    ],
)
def test_shopping_words_are_left_alone(text: str) -> None:
    assert Redactor().redact(text) == text


def test_each_kind_can_be_turned_off() -> None:
    text = f"ana@example.com, 555 123 4567, {CARD}"
    assert Redactor(emails=False).redact(text) == "ana@example.com, [phone], [card ending 4242]"
    assert Redactor(phones=False).redact(text) == "[email], 555 123 4567, [card ending 4242]"
    assert Redactor(cards=False).redact(text) == f"[email], [phone], {CARD}"


def stored_text(assistant: Assistant, conversation_id: str) -> str:
    """Everything the database holds for a conversation, as one string to search."""
    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        rows = [
            [m.text, m.slots]
            for m in session.scalars(select(Message).filter_by(conversation_id=conversation_id))
        ]
        rows += [
            e.data for e in session.scalars(select(JourneyEvent).filter_by(conversation_id=conversation_id))
        ]
        rows += [
            [o.shipping_address, o.payment_method]
            for o in session.scalars(select(Order).filter_by(conversation_id=conversation_id))
        ]
        return json.dumps([conversation.state, rows])


def checkout(assistant: Assistant, address_and_payment: str) -> str:
    conversation_id, _token = assistant.start_conversation()
    for text in ("show me backpacks", "add the first one to my cart", "checkout", address_and_payment, "yes"):
        result = assistant.handle(conversation_id, text)
    assert result.order is not None, result.reply
    return conversation_id


def test_a_full_card_number_never_reaches_the_database_and_the_order_keeps_its_last_four(assistant) -> None:
    conversation_id = checkout(
        assistant,
        f"ship to 12 Main Street, Springfield, call me on 555 123 4567, card {CARD}, pay by card ending 4242",
    )
    stored = stored_text(assistant, conversation_id)
    assert CARD not in stored and CARD.replace(" ", "") not in stored and "555 123 4567" not in stored
    assert "[card ending 4242]" in stored and "[phone]" in stored
    with assistant.db.transaction() as session:
        order = session.scalars(select(Order).filter_by(conversation_id=conversation_id)).one()
        assert order.payment_method == "card ending 4242"
        assert order.shipping_address.startswith("12 Main Street, Springfield")


def test_identifiers_that_look_like_phone_or_card_numbers_are_kept() -> None:
    sku, conversation = "4006381333931", "c_126932343079299c"  # a GTIN; a conversation id with a digit run
    stored = Redactor().redact_value(
        {
            "conversation_id": conversation,
            "products": [{"id": sku, "title": "Pen"}],
            "shown": [sku],
            "offer": {"product_ids": [sku]},
            "reply": f"call me on {sku}",
        }
    )
    assert stored["conversation_id"] == conversation
    assert stored["products"] == [{"id": sku, "title": "Pen"}]
    assert stored["shown"] == [sku] and stored["offer"]["product_ids"] == [sku]
    assert sku not in stored["reply"]


def test_the_turn_result_is_untouched_and_an_email_is_redacted_in_the_transcript(assistant) -> None:
    conversation_id, _token = assistant.start_conversation()
    result = assistant.handle(conversation_id, "can you email me at ana@example.com about mugs?")
    assert result.conversation_id == conversation_id
    with assistant.db.transaction() as session:
        shopper = session.scalars(
            select(Message).filter_by(conversation_id=conversation_id, role="shopper")
        ).one()
    assert shopper.text == "can you email me at [email] about mugs?"


def test_agents_messages_and_notes_are_redacted_by_the_same_settings(assistant) -> None:
    conversation_id, _token = assistant.start_conversation()
    assistant.handle(conversation_id, "I want to talk to a person")
    with assistant.db.transaction() as session:
        agent = create_agent(session, "redacting-agent", "correct horse").username
    desk = AgentDesk(assistant.db, assistant.catalog, redactor=assistant.record.redactor)
    desk.take_over(conversation_id, agent)
    desk.send(conversation_id, agent, f"Was it the card {CARD}? I'll write to ana@example.com")
    desk.note(conversation_id, agent, "she asked us to call 555 123 4567")
    keeping_emails = Redactor.from_settings(assistant.settings.model_copy(update={"redact_emails": False}))
    AgentDesk(assistant.db, assistant.catalog, redactor=keeping_emails).note(
        conversation_id, agent, f"or mail ana@example.com, card {CARD}"
    )
    with assistant.db.transaction() as session:
        said = session.scalars(
            select(Message.text).filter_by(conversation_id=conversation_id, role="agent")
        ).all()
        notes = session.scalars(select(AgentNote.text).filter_by(conversation_id=conversation_id)).all()
    assert said == ["Was it the card [card ending 4242]? I'll write to [email]"]
    assert notes == ["she asked us to call [phone]", "or mail ana@example.com, card [card ending 4242]"]


def keeping_emails(assistant: Assistant) -> Assistant:
    """The assistant with `redact_emails` off (same database): it stores email addresses as written."""
    settings = assistant.settings.model_copy(update={"redact_emails": False})
    record = Record(assistant.record.stages, Redactor.from_settings(settings))
    parts = (assistant.understand, assistant.decide, assistant.act, assistant.respond, record)
    return Assistant(settings, assistant.db, assistant.catalog, *parts)


def test_redaction_off_for_emails_stores_them(assistant) -> None:
    keeping = keeping_emails(assistant)
    conversation_id, _token = keeping.start_conversation()
    keeping.handle(conversation_id, "email ana@example.com or call 555 123 4567")
    stored = stored_text(keeping, conversation_id)
    assert "ana@example.com" in stored and "555 123 4567" not in stored


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_logs_are_redacted_in_both_formats(assistant, capsys, log_format: str) -> None:
    logger = logging.getLogger("shopassist-test-logs")
    handler = log_handler(assistant.settings.model_copy(update={"log_format": log_format}))
    logger.addHandler(handler)
    try:
        logger.warning("the shopper wrote %r", f"I'm ana@example.com, card {CARD}")
        try:
            raise ValueError("call 555 123 4567")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = capsys.readouterr().err
    assert "ana@example.com" not in written and CARD not in written and "555 123 4567" not in written
    assert "[email]" in written and "[card ending 4242]" in written and "[phone]" in written
    if log_format == "json":
        first, second = (json.loads(line) for line in written.strip().splitlines()[:2])
        assert first["level"] == "WARNING" and first["logger"] == "shopassist-test-logs"
        assert "ValueError: call [phone]" in second["traceback"]


def test_forgetting_a_conversation_erases_its_personal_data_and_keeps_the_books(assistant) -> None:
    conversation_id = checkout(
        assistant, "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242"
    )
    token_holder = assistant.start_conversation()  # another conversation, untouched
    assistant.handle(token_holder[0], "show me mugs")
    with assistant.db.transaction() as session:
        agent = create_agent(session, "privacy-agent", "correct horse")
        add_note(session, conversation_id, agent, "prefers the blue one")
    with assistant.db.transaction() as session:
        forgotten = forget_conversation(session, conversation_id)
    assert (forgotten.conversations, forgotten.messages, forgotten.notes, forgotten.orders_anonymised) == (
        1,
        10,
        1,
        1,
    )
    assert forgotten.events_scrubbed >= 1  # at least the search with its query
    assert forgotten.summary().startswith("forgot 1 conversation: deleted 10 messages, 1 notes")
    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.forgotten_at is not None and conversation.state == {}
        assert session.scalars(select(Message).filter_by(conversation_id=conversation_id)).all() == []
        assert session.scalars(select(AgentNote).filter_by(conversation_id=conversation_id)).all() == []
        assert session.scalars(select(Cart).filter_by(conversation_id=conversation_id)).all() == []
        order = session.scalars(select(Order).filter_by(conversation_id=conversation_id)).one()
        assert (order.shipping_address, order.payment_method) == ("[forgotten]", "[forgotten]")
        assert order.total > 0 and order.items  # the books still add up
        events = session.scalars(select(JourneyEvent).filter_by(conversation_id=conversation_id)).all()
        assert events and not any("query" in event.data or "slots" in event.data for event in events)
        assert any(event.kind == "order_placed" and event.data.get("order_id") for event in events)
        assert session.scalars(select(Message).filter_by(conversation_id=token_holder[0])).all()
    assert "backpack" not in stored_text(assistant, conversation_id).lower()
    assert not assistant.token_matches(conversation_id, "")
    with pytest.raises(UnknownConversation), assistant.db.transaction() as session:
        forget_conversation(session, "c_missing")


def shopassist(assistant: Assistant, *args: str) -> subprocess.CompletedProcess:
    settings = assistant.settings
    return subprocess.run(
        [str(SHOPASSIST), *args, "--db", settings.database_url, "--data-dir", str(settings.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_forget_command_says_what_it_removed(assistant) -> None:
    conversation_id, token = assistant.start_conversation()
    assistant.handle(conversation_id, "show me mugs")
    done = shopassist(assistant, "privacy", "forget", "--conversation", conversation_id)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("forgot 1 conversation: deleted 2 messages, 0 notes and 0 cart items")
    assert not assistant.token_matches(conversation_id, token)
    unknown = shopassist(assistant, "privacy", "forget", "--conversation", "c_missing")
    assert unknown.returncode == 1 and unknown.stderr.strip() == "shopassist: no conversation c_missing"


def test_forgetting_by_email_forgets_every_conversation_that_holds_the_address(assistant) -> None:
    keeping = keeping_emails(assistant)
    mentioned, noted, other, redacted = (keeping.start_conversation()[0] for _ in range(4))
    keeping.handle(mentioned, "show me mugs, and mail the receipt to Ana.B@Example.com")
    keeping.handle(noted, "show me candles")
    with assistant.db.transaction() as session:
        agent = create_agent(session, "email-agent", "correct horse")
        add_note(session, noted, agent, "she is ana.b@example.com", keeping.record.redactor)
    keeping.handle(other, "my email is hana.b@example.com")  # another address that contains the first
    assistant.handle(redacted, "mail me at ana.b@example.com")  # redaction on: the address is never stored

    done = shopassist(assistant, "privacy", "forget", "--email", "ana.b@example.com")
    assert done.returncode == 0, done.stderr
    summary, listed = done.stdout.splitlines()
    assert summary.startswith("forgot 2 conversations: deleted 4 messages, 1 notes")
    assert listed == f"conversations: {mentioned}, {noted}"
    with assistant.db.transaction() as session:
        forgotten = {
            c: session.get(Conversation, c).forgotten_at is not None
            for c in (mentioned, noted, other, redacted)
        }
    assert forgotten == {mentioned: True, noted: True, other: False, redacted: False}

    again = shopassist(assistant, "privacy", "forget", "--email", "ANA.B@example.com")
    assert again.returncode == 0 and again.stdout.startswith("forgot 0 conversations")
    assert "emails are redacted before they are stored" in again.stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--email", "ana at example"], "not an email address: ana at example"),
        (
            ["--email", "a@example.com", "--conversation", "c_1"],
            "give one of --conversation ID, --email ADDRESS or --shopper ID",
        ),
        ([], "give one of --conversation ID, --email ADDRESS or --shopper ID"),
        (["--shopper", "nobody_at_all"], "no shopper 'nobody_at_all'"),
    ],
)
def test_the_forget_command_refuses_what_it_cannot_search_for(assistant, args: list[str], error: str) -> None:
    done = shopassist(assistant, "privacy", "forget", *args)
    assert done.returncode == 1 and done.stderr.strip() == f"shopassist: {error}"


def test_forgetting_a_store_shopper_removes_their_account_and_everything_tied_to_them(tmp_path) -> None:
    from assistant.privacy.erasure import forget_shopper
    from db.models import Order, Shopper
    from db.store_data import export_orders
    from tests.small_shop import after_sales_store

    db = after_sales_store(tmp_path)
    with db.transaction() as session:
        session.add(Conversation(id="c_ana", state={"shopper_id": "ana"}, token_hash="h"))
        session.add(Conversation(id="c_omar", state={"shopper_id": "omar"}, token_hash="h"))
    conversation_ids, forgotten = forget_shopper(db, "ana")
    assert conversation_ids == ["c_ana"] and forgotten.conversations == 1 and forgotten.orders_anonymised == 4
    with db.transaction() as session:
        assert session.get(Shopper, "ana") is None and session.get(Shopper, "omar") is not None
        assert session.get(Conversation, "c_ana").state == {}
        assert session.get(Conversation, "c_omar").state == {"shopper_id": "omar"}
        kept = [line for line in export_orders(session) if line["id"] != "#5003"]
        assert len(kept) == 4 and all("shopper_id" not in line and line["address"] == {} for line in kept)
        assert {p["payment_method_id"] for line in kept for p in line["payments"]} == {"[forgotten]"}
        # The amounts stay for the store's books.
        assert session.get(Order, 1).total == 36.0


def back_date(assistant: Assistant, conversation_id: str, days: float) -> None:
    with assistant.db.transaction() as session:
        session.get(Conversation, conversation_id).updated_at = utcnow() - timedelta(days=days)


def test_the_retention_sweep_forgets_only_conversations_idle_past_the_period(assistant) -> None:
    old, _ = assistant.start_conversation()
    recent, recent_token = assistant.start_conversation()
    for conversation_id in (old, recent):
        assistant.handle(conversation_id, "show me mugs")
    back_date(assistant, old, 400)
    back_date(assistant, recent, 300)
    assert RetentionSweep(assistant.db, 0).run().conversations == 0  # 0 keeps everything
    swept = RetentionSweep(assistant.db, 365).run()
    assert swept.conversations >= 1
    with assistant.db.transaction() as session:
        assert session.get(Conversation, old).forgotten_at is not None
        assert session.get(Conversation, recent).forgotten_at is None
    assert assistant.token_matches(recent, recent_token)
    again = RetentionSweep(assistant.db, 365).run()
    assert again.conversations == 0  # a forgotten conversation is not visited twice
    done = shopassist(assistant, "privacy", "sweep")
    assert done.returncode == 0 and done.stdout.startswith("forgot 0 conversations"), done.stderr


def test_the_server_sweeps_for_retention_while_it_serves(assistant) -> None:
    conversation_id, _ = assistant.start_conversation()
    assistant.handle(conversation_id, "show me mugs")
    back_date(assistant, conversation_id, 40)
    short = assistant.settings.model_copy(update={"retention_days": 30})
    parts = (assistant.understand, assistant.decide, assistant.act, assistant.respond, assistant.record)
    with TestClient(create_app(Assistant(short, assistant.db, assistant.catalog, *parts))):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with assistant.db.transaction() as session:
                if session.get(Conversation, conversation_id).forgotten_at is not None:
                    break
            time.sleep(0.1)
    with assistant.db.transaction() as session:
        assert session.get(Conversation, conversation_id).forgotten_at is not None
