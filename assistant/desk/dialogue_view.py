"""What a conversation's dialogue state means for the screens around the chat: the results the shopper can
point at ("the second one" is the second of these), the product under discussion, and whether an order waits
for the shopper's confirmation. The shopper chat draws its cards and checkout buttons from it, the agent
console its "shown products".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.product import ProductRecord
from core.state import CheckoutDetails, DialogueState
from db.models import Conversation
from retrieval.catalog import Catalog


@dataclass(frozen=True)
class DialogueView:
    results: list[ProductRecord] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)
    checkout: CheckoutDetails = field(default_factory=CheckoutDetails)
    awaiting_confirmation: bool = False


def dialogue_view(session: Session, conversation_id: str | None, catalog: Catalog) -> DialogueView:
    """The conversation's last results (in the order shown), focus and checkout; empty for no conversation.
    Products removed from the catalog since they were shown are left out."""
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is None:
        return DialogueView()
    state = DialogueState.model_validate(conversation.state or {})
    return DialogueView(
        results=[catalog.by_id[pid] for pid in state.shown if pid in catalog.by_id],
        focus=list(state.focus),
        checkout=state.checkout,
        awaiting_confirmation=state.last_act == "ask_confirmation",
    )
