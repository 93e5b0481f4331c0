"""The shopper chat's side of one conversation: sending a message, continuing a kept conversation, the team's
messages, and rating a reply. The chat page (ui/chat.py) only wires these to its components.

The chat history is Gradio's list of message dicts; beside it the page keeps `reply_ids`, the database id of
the assistant message behind each bubble (None for the shopper's bubbles and notices), so a thumb clicked on a
bubble rates that reply.

Messages are limited per conversation like the REST API's (ui/rate_limits.py): over the limit, the
shopper is asked to wait, and the message is not handled or stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any, NamedTuple

from assistant.desk.dialogue_view import DialogueView, dialogue_view
from assistant.desk.feedback import rate_reply, reply_of_turn
from assistant.desk.transcripts import conversation_view, messages_after
from assistant.pipeline import Assistant
from assistant.shopper_tokens import InvalidShopperToken
from core.errors import FeedbackError, InvalidMessage
from core.state import TurnResult
from ui.rate_limits import SlidingWindowLimiter, whole_seconds

log = logging.getLogger(__name__)

PERSON_LABEL = "Our team"
# A reply is revealed in this many pieces: it reads as it arrives, and even a long one is done in well under
# a second.
STREAM_PIECES = 12


class ChatTurn(NamedTuple):
    """The chat after one shopper message; `result` is None when the message could not be processed, and
    `token` is set on the message that started the conversation (the page keeps it in the browser)."""

    history: list[dict[str, Any]]
    reply_ids: list[int | None]
    conversation_id: str | None
    result: TurnResult | None
    token: str | None = None


def send_message(
    assistant: Assistant,
    conversation_id: str | None,
    history: list[dict[str, Any]],
    reply_ids: list[int | None],
    text: str,
    limiter: SlidingWindowLimiter | None = None,
    shopper_token: str | None = None,
) -> ChatTurn:
    """Sends one shopper message, starting the browser session's conversation on its first message.

    `limiter` counts the messages of each conversation (None: no limit); over it, the chat answers with a
    request to wait. `shopper_token` is the store's signed token of its logged-in shopper (the widget's
    `data-shopper-token`): a new conversation is theirs; a token that does not hold starts a stranger's."""
    if not text.strip():
        return ChatTurn(history, reply_ids, conversation_id, None)  # an empty box sent by accident
    history = [*history, {"role": "user", "content": escape(text, quote=False)}]
    reply_ids = [*reply_ids, None]
    try:
        # Validated before a conversation is started, so a rejected first message leaves none behind.
        text = assistant.validate(text)
        token = None
        if conversation_id is None:
            conversation_id, token = assistant.start_conversation(shopper_id=known(assistant, shopper_token))
        if limiter is not None and (wait := limiter.hit(conversation_id)) is not None:
            return notice(
                history,
                reply_ids,
                conversation_id,
                f"You're sending messages faster than I can answer. "
                f"Please wait {whole_seconds(wait)} seconds and try again.",
            )
        result = assistant.handle(conversation_id, text)
    except InvalidMessage as error:
        return notice(
            history,
            reply_ids,
            conversation_id,
            f"Sorry, I can't take that message: {error}. Could you try again?",
        )
    if result.reply:  # empty while an agent has taken over: their answer arrives as an agent message
        with assistant.db.transaction() as session:
            reply_id = reply_of_turn(session, conversation_id, result.turn)
        history = [*history, {"role": "assistant", "content": escape(result.reply, quote=False)}]
        reply_ids = [*reply_ids, reply_id]
    return ChatTurn(history, reply_ids, conversation_id, result, token)


def known(assistant: Assistant, shopper_token: str | None) -> str | None:
    if not shopper_token:
        return None
    try:
        return assistant.shopper_from_token(shopper_token)
    except InvalidShopperToken as error:
        log.warning("A chat started without its shopper: %s", error)
        return None


def notice(
    history: list[dict[str, Any]], reply_ids: list[int | None], conversation_id: str | None, text: str
) -> ChatTurn:
    """The chat answering a message that was not handled (nothing stored) with `text`."""
    history = [*history, {"role": "assistant", "content": escape(text, quote=False)}]
    return ChatTurn(history, [*reply_ids, None], conversation_id, None)


def streamed(history: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The history with its last (assistant) bubble growing piece by piece, ending with the whole reply."""
    if not history or history[-1]["role"] != "assistant":
        yield history
        return
    *before, last = history
    words = last["content"].split(" ")
    step = max(1, -(-len(words) // STREAM_PIECES))
    for end in range(step, len(words) + step, step):
        yield [*before, {**last, "content": " ".join(words[:end])}]


def shown_message(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the chat shows it: an agent's marked as a person's, notices in italics."""
    text = escape(message["text"], quote=False)
    if message["role"] == "shopper":
        return {"role": "user", "content": text}
    if message["role"] == "agent":
        return {"role": "assistant", "content": f"**{PERSON_LABEL}:** {text}"}
    if message["role"] == "system":
        return {"role": "assistant", "content": f"_{text}_"}
    return {"role": "assistant", "content": text}


@dataclass(frozen=True)
class Restored:
    """A kept conversation as the page shows it again; all empty when there is none to continue."""

    conversation_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    reply_ids: list[int | None] = field(default_factory=list)
    last_id: int = 0
    view: dict[str, Any] | None = None


def restore(assistant: Assistant, saved: dict[str, Any] | None) -> Restored:
    """The conversation a browser kept (id and token in its storage), if the token still opens it; nothing for
    a missing or forged one."""
    conversation_id, token = (saved or {}).get("conversation_id"), (saved or {}).get("token")
    if not conversation_id or not token or not assistant.token_matches(conversation_id, token):
        return Restored()
    with assistant.db.transaction() as session:
        view = conversation_view(session, conversation_id)
    messages = view["messages"]
    return Restored(
        conversation_id,
        [shown_message(message) for message in messages],
        [message["id"] if message["role"] == "assistant" else None for message in messages],
        max((message["id"] for message in messages), default=0),
        view,
    )


def new_from_team(assistant: Assistant, conversation_id: str | None, after_id: int) -> list[dict[str, Any]]:
    """Agents' messages and notices that arrived since `after_id` (the assistant's come with each turn)."""
    if not conversation_id:
        return []
    with assistant.db.transaction() as session:
        return messages_after(session, conversation_id, after_id, roles=("agent", "system"))


def panels_state(
    assistant: Assistant, conversation_id: str | None
) -> tuple[dict[str, Any] | None, DialogueView]:
    """The transcript document (stage, cart, who answers) and the dialogue view (results, checkout) that the
    panels beside the chat show."""
    with assistant.db.transaction() as session:
        view = conversation_view(session, conversation_id) if conversation_id else None
        return view, dialogue_view(session, conversation_id, assistant.catalog)


def rate(
    assistant: Assistant,
    conversation_id: str | None,
    reply_ids: list[int | None],
    index: int,
    liked: bool | str,
) -> bool:
    """Stores a thumb clicked on bubble `index` (True up, False down, anything else takes it back); False when
    that bubble is not a rateable reply (a notice, an agent's message)."""
    if not conversation_id or not 0 <= index < len(reply_ids) or reply_ids[index] is None:
        return False
    rating = "up" if liked is True else "down" if liked is False else None
    try:
        with assistant.db.transaction() as session:
            rate_reply(session, conversation_id, reply_ids[index], rating)
    except FeedbackError:
        return False
    return True
