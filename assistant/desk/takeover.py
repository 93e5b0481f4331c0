"""Agent takeover: while an agent has taken a conversation over, the shopper talks to that person.

The shopper's messages are still recorded turn by turn, but the assistant does not answer them; the agent's
messages are stored with the role "agent" and reach the shopper like the assistant's (the chat page and the
events stream read them from the transcript). Handing back lets the assistant answer the next turn again.
Joining and leaving are recorded as "system" messages, so the shopper sees who is answering. What an agent
writes, to the shopper or in a note, is stored redacted like the shopper's words (assistant/privacy/redaction.py): an
agent who repeats a card number or an email address does not put it in the database.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.cart import cart_lines
from assistant.privacy.redaction import REDACT_ALL, Redactor
from core.errors import TakeoverError
from core.state import TurnResult
from core.taxonomy import Intent
from db.models import Agent, AgentNote, Conversation, Message, utcnow

MAX_AGENT_MESSAGE_CHARS = 4000


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise TakeoverError(f"no conversation {conversation_id}")
    return conversation


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise TakeoverError("the message is empty")
    if len(text) > MAX_AGENT_MESSAGE_CHARS:
        raise TakeoverError(f"a message may be at most {MAX_AGENT_MESSAGE_CHARS} characters")
    return text


def _system_message(session: Session, conversation: Conversation, text: str) -> None:
    session.add(Message(conversation_id=conversation.id, turn=conversation.turns, role="system", text=text))


def take_over(session: Session, conversation_id: str, agent: Agent) -> None:
    """The agent answers this conversation from now on; taking over one's own conversation again is a no-op."""
    conversation = _conversation(session, conversation_id)
    if conversation.agent_id == agent.id:
        return
    conversation.agent_id = agent.id
    conversation.handoff = True  # a person is on it: the turn results say so
    _system_message(session, conversation, f"{agent.username} from our team is answering you now.")


def hand_back(session: Session, conversation_id: str, agent: Agent) -> None:
    """The assistant answers this conversation again (any agent may hand back, e.g. for a colleague gone home)."""
    conversation = _conversation(session, conversation_id)
    if conversation.agent_id is None:
        return
    conversation.agent_id = None
    conversation.handoff = False
    _system_message(session, conversation, f"{agent.username} handed you back to the shopping assistant.")


def agent_says(
    session: Session, conversation_id: str, agent: Agent, text: str, redactor: Redactor = REDACT_ALL
) -> None:
    """Stores the agent's message for the shopper, redacted; only the agent who has taken the conversation over
    may write."""
    conversation = _conversation(session, conversation_id)
    if conversation.agent_id != agent.id:
        raise TakeoverError("take the conversation over before writing to the shopper")
    text = redactor.redact(_text(text))
    session.add(Message(conversation_id=conversation.id, turn=conversation.turns, role="agent", text=text))


def shopper_turn(session: Session, conversation: Conversation, text: str, started: float) -> TurnResult:
    """Records a shopper's message in a taken-over conversation; the assistant does not answer it.

    The result has an empty reply and `handoff` set: a person is answering, and their reply comes as an
    "agent" message. The message is stored without an intent, because it was addressed to a person and not
    classified, so intent analytics do not count it.
    """
    conversation.turns += 1
    conversation.updated_at = utcnow()
    session.add(Message(conversation_id=conversation.id, turn=conversation.turns, role="shopper", text=text))
    lines = cart_lines(conversation)
    return TurnResult(
        conversation_id=conversation.id,
        turn=conversation.turns,
        intent=Intent.HUMAN_AGENT.value,
        confidence=1.0,
        slots={},
        stage=conversation.stage,
        journey=conversation.journey,
        reply="",
        products=[],
        cart={
            "items": [vars(line) for line in lines],
            "total": round(sum(line.quantity * line.unit_price for line in lines), 2),
        },
        order=None,
        suggestions=[],
        handoff=True,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def add_note(
    session: Session, conversation_id: str, agent: Agent, text: str, redactor: Redactor = REDACT_ALL
) -> None:
    """An internal note on the conversation, for the team only; stored redacted."""
    conversation = _conversation(session, conversation_id)
    text = redactor.redact(_text(text))
    session.add(AgentNote(conversation_id=conversation.id, agent_id=agent.id, text=text))


def notes_of(session: Session, conversation_id: str) -> list[dict]:
    """The conversation's internal notes, oldest first."""
    conversation = _conversation(session, conversation_id)
    notes = session.scalars(
        select(AgentNote).where(AgentNote.conversation_id == conversation.id).order_by(AgentNote.id)
    )
    return [
        {"agent": note.agent.username, "text": note.text, "created_at": note.created_at.isoformat() + "Z"}
        for note in notes
    ]
