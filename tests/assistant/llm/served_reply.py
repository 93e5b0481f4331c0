"""A turn phrased by a real LLM backend, held against what the store's data allows it to say: the template draft
of the same turn (from the template assistant, in a conversation of its own) and the catalog's products."""

from __future__ import annotations

import re

from sqlalchemy import select

from assistant.llm.protocol import GroundedContext, LLMBackend
from assistant.pipeline import Assistant
from assistant.replies.grounding import GroundingGuard
from core.state import TurnResult
from db.models import JourneyEvent

AMOUNT = re.compile(r"\d[\d,]*\.\d{2}")


def served_turn(assistant: Assistant, backend: LLMBackend, text: str) -> tuple[TurnResult, list[dict]]:
    """The turn `text` phrased by `backend` (checked here) and the `ungrounded_reply` events it logged."""
    served = assistant.replying_with(backend)
    conversation, _ = served.start_conversation()
    result = served.handle(conversation, text)
    template_conversation, _ = assistant.start_conversation()
    draft = assistant.handle(template_conversation, text)
    # The backend phrases the reply; what the turn shows and does is the template turn's.
    assert [p["id"] for p in result.products] == [p["id"] for p in draft.products]
    with served.db.transaction() as session:
        replaced = session.scalars(
            select(JourneyEvent.data).where(
                JourneyEvent.conversation_id == conversation, JourneyEvent.kind == "ungrounded_reply"
            )
        ).all()
    if replaced:  # the small model strayed: the shopper got the template draft, word for word
        assert result.reply == draft.reply
        return result, replaced
    products = tuple(assistant.catalog.by_id[p["id"]] for p in result.products)
    context = GroundedContext(text, "entry", draft.reply, products=products)
    verdict = GroundingGuard().check(result.reply, context)
    assert verdict.grounded, (result.reply, verdict.problems)
    # Apart from the guard: every amount the reply states is a shown product's price or stands in the draft.
    allowed = {f"{p.price:,.2f}" for p in products} | {f"{p.price:.2f}" for p in products}
    allowed |= set(AMOUNT.findall(draft.reply))
    assert set(AMOUNT.findall(result.reply)) <= allowed, result.reply
    return result, replaced
