"""Conversations for tests that count journeys: the session assistant on a database of the test's own, and
scripted shopper messages that reach the cart and checkout."""

from __future__ import annotations

from assistant.bootstrap import open_database
from assistant.pipeline import Assistant


def assistant_on(assistant: Assistant, url: str) -> Assistant:
    settings = assistant.settings.model_copy(update={"db": url})
    return Assistant(
        settings=settings,
        db=open_database(settings, log=lambda _message: None),
        catalog=assistant.catalog,
        understand=assistant.understand,
        decide=assistant.decide,
        act=assistant.act,
        respond=assistant.respond,
        record=assistant.record,
    )


def converse(assistant: Assistant, *messages: str) -> tuple[str, list]:
    """A new conversation with these shopper messages; its id and the turn results."""
    conversation_id, _token = assistant.start_conversation()
    return conversation_id, [assistant.handle(conversation_id, message) for message in messages]


TO_CART = ("show me mugs", "add the first one to my cart")
TO_CHECKOUT = (*TO_CART, "checkout", "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242")
