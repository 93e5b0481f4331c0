"""The grounding guard (assistant/replies/grounding.py): planted ungrounded replies are caught, grounded paraphrases pass,
and in the real pipeline a caught reply is replaced by the template draft and logged as a journey event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assistant.llm.protocol import SYSTEM_PROMPT, GroundedContext, LLMBackend
from assistant.pipeline import Assistant
from assistant.replies.grounding import GroundingGuard
from assistant.replies.templates import TemplateReplies
from core.product import ProductRecord
from core.settings import Settings
from core.state import Action, Decision, DialogueState, Outcome
from db.models import JourneyEvent

SETTINGS = Settings()
POLICIES = (SETTINGS.shipping_policy, SETTINGS.payment_policy, SETTINGS.return_policy)
TRAIL = ProductRecord(
    id="p1", title="Trail Runner 2", brand="Stridewell", price=89.99, stock=3, rating=4.5, material="mesh"
)
ROAD = ProductRecord(id="p2", title="Road Glide", brand="Pacer", price=120.0, stock=0, rating=4.1)


def search_context() -> GroundedContext:
    outcome = Outcome(products=[TRAIL, ROAD], facts={"query": "running shoes", "filters": {}})
    draft, _, _ = TemplateReplies(SETTINGS).render(
        Decision(Action.SEARCH, query="running shoes"), outcome, DialogueState()
    )
    return GroundedContext(
        "show me running shoes", "browsing", draft, outcome.facts, (TRAIL, ROAD), policies=POLICIES
    )


def policy_context() -> GroundedContext:
    return GroundedContext(
        "how long does delivery take?", "entry", SETTINGS.shipping_policy, policies=POLICIES
    )


PLANTED = {
    "invented product": "You might also like the AquaMax Pro boots, a great pick for trails.",
    "invented product with a real price": "The Cloudstep Ultra is just $89.99 today.",
    "wrong price": "The Trail Runner 2 costs $79.99 and is rated 4.5/5.",
    "another product's price": "The Trail Runner 2 is $120.00, a fair price.",
    "wrong stock count": "Hurry, only 1 left of the Trail Runner 2!",
    "in stock when it is not": "The Road Glide is in stock and ships today.",
    "out of stock when it is not": "Sadly the Trail Runner 2 is sold out.",
    "invented discount": "Use the code at checkout for 20% off your order.",
    "invented coupon": "I've applied a coupon to your cart, so the shoes are cheaper now.",
    "invented policy, no number": "All orders ship free, whatever the amount.",
    "invented warranty": "Every pair comes with a lifetime warranty.",
    "leaked system prompt": "My instructions: " + SYSTEM_PROMPT[:120],
    "products left out": "Here you go — two options. Would you like to narrow it down?",
    "products denied": "I'm sorry, I don't have the running shoes you want, but the Trail Runner 2 is close.",
}
GROUNDED = [
    "I found 2 running shoes: the Trail Runner 2 by Stridewell at $89.99 (rated 4.5/5, only 3 left) and the "
    "Road Glide at $120.00, which is out of stock right now. Want details on one of them?",
    "Sure! The Trail Runner 2 is $89.99 and there are only 3 left.",
    "The Road Glide costs $120.00 but is out of stock at the moment.",
    "Here you go: the Trail Runner 2 and the Road Glide. Would you like to narrow it down?",
]


@pytest.mark.parametrize("kind", PLANTED)
def test_planted_ungrounded_replies_are_caught(kind: str) -> None:
    verdict = GroundingGuard().check(PLANTED[kind], search_context())
    assert not verdict.grounded and verdict.problems, kind


@pytest.mark.parametrize("reply", GROUNDED)
def test_grounded_paraphrases_pass(reply: str) -> None:
    verdict = GroundingGuard().check(reply, search_context())
    assert verdict.grounded, verdict.problems


def test_the_draft_itself_is_grounded() -> None:
    assert GroundingGuard().check(search_context().draft, search_context()).grounded
    assert GroundingGuard().check(policy_context().draft, policy_context()).grounded


def test_a_policy_paraphrase_passes_and_a_changed_policy_does_not() -> None:
    guard, context = GroundingGuard(), policy_context()
    paraphrase = (
        "Standard delivery takes 3-5 business days and is free on orders over $50 (otherwise $4.99). "
        "Express delivery takes 1-2 business days for $12.99."
    )
    assert guard.check(paraphrase, context).grounded
    assert not guard.check("Delivery is free on all orders and takes 1-2 business days.", context).grounded
    assert not guard.check("Standard delivery is free on orders over $25.", context).grounded
    assert not guard.check("We ship to Mexico too.", context).grounded


def test_problems_name_what_was_wrong() -> None:
    verdict = GroundingGuard().check(PLANTED["wrong price"], search_context())
    assert any("79.99" in problem for problem in verdict.problems)


class ScriptedBackend(LLMBackend):
    """A test double for a generating model: replies with the given text, or with the draft when None."""

    name = "scripted"

    def __init__(self, reply: str | None = None) -> None:
        self.reply = reply

    def classify(self, text: str, labels: list[str], context: dict) -> str | None:
        return None

    def generate(self, context: GroundedContext) -> Iterator[str]:
        text = context.draft if self.reply is None else self.reply
        yield from text.split(" ")[:1]
        yield from (" " + word for word in text.split(" ")[1:])


def events(assistant: Assistant, conversation_id: str, kind: str) -> list[dict]:
    with assistant.db.transaction() as session:
        rows = session.scalars(
            select(JourneyEvent).where(
                JourneyEvent.conversation_id == conversation_id, JourneyEvent.kind == kind
            )
        )
        return [row.data for row in rows]


def test_every_template_draft_of_a_whole_journey_passes_the_guard(assistant: Assistant) -> None:
    echo = assistant.replying_with(ScriptedBackend())
    conversation, _ = echo.start_conversation()
    turns = [
        "hi",
        "show me running shoes under 100",
        "tell me about the second one",
        "is it waterproof?",
        "add it to my cart",
        "what's in my cart?",
        "checkout",
        "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242",
        "yes",
        "where is my order?",
        "how long does delivery take?",
        "can I pay with PayPal?",
        "I want to return it",
    ]
    for text in turns:
        echo.handle(conversation, text)
    assert events(echo, conversation, "ungrounded_reply") == []


def test_an_ungrounded_reply_is_replaced_by_the_draft_and_logged(
    assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    lying = assistant.replying_with(ScriptedBackend("Great news: the Trail Runner 2 is only $1.99 today!"))
    conversation, _ = lying.start_conversation()
    result = lying.handle(conversation, "show me running shoes under 100")
    assert "$1.99" not in result.reply
    assert result.products and all(f"{p['price']:,.2f}" in result.reply for p in result.products)
    logged = events(lying, conversation, "ungrounded_reply")
    assert len(logged) == 1 and logged[0]["backend"] == "scripted"
    assert any("1.99" in problem for problem in logged[0]["problems"])
    assert "Replaced an ungrounded reply" in caplog.text
