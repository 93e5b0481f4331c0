"""journey/guidance.py: the next step of each reply, and its nudges and their outcomes in the journey log."""

from __future__ import annotations

from sqlalchemy import select

from assistant.pipeline import Assistant
from core.product import ProductRecord
from core.state import DialogueState
from db.models import Conversation, JourneyEvent
from journey.guidance import replace_question
from journey.narrowing import best_split, entropy
from tests.conversations import TO_CART, TO_CHECKOUT, converse


def nudges(assistant: Assistant, conversation_id: str) -> list[tuple[int, str, str, str]]:
    """(turn, event kind, nudge kind, outcome) of the conversation's nudge events, in order."""
    with assistant.db.transaction() as session:
        events = session.scalars(
            select(JourneyEvent)
            .where(JourneyEvent.conversation_id == conversation_id, JourneyEvent.kind.like("nudge_%"))
            .order_by(JourneyEvent.id)
        )
        return [(e.turn, e.kind, e.data["kind"], e.data.get("outcome", "")) for e in events]


def state_of(assistant: Assistant, conversation_id: str) -> DialogueState:
    with assistant.db.transaction() as session:
        return DialogueState.model_validate(session.get(Conversation, conversation_id).state)


def product(pid: str, **fields) -> ProductRecord:
    return ProductRecord(id=pid, title=f"Product {pid}", **{"price": 10.0, **fields})


def test_the_attribute_that_splits_the_matches_best_is_asked_about():
    products = [
        product(str(i), color=("red", "blue", "green", "black")[i % 4], brand="Acme", material="cotton")
        for i in range(12)
    ]
    attribute, values = best_split(products, {})
    assert attribute == "color"
    assert [reply for _label, reply in values] == ["In red", "In blue", "In green"]
    # Filtered by color, nothing else varies (one brand, one material, one price): no question to ask.
    assert best_split(products, {"color": "red"}) is None


def test_price_bands_split_when_nothing_else_varies():
    products = [product(str(i), price=5.0 + 10 * i, brand="Acme") for i in range(9)]
    attribute, values = best_split(products, {})
    assert attribute == "price"
    assert [reply for _label, reply in values] == ["Between 35 and 65", "Under 35", "Over 65"]
    assert best_split(products, {"max_price": 50}) is None


def test_entropy_and_question_replacement():
    from collections import Counter

    assert entropy(Counter(a=2, b=2)) == 1.0
    assert replace_question("Results\nWould you like more?", "Which color?") == "Results\nWhich color?"
    assert replace_question("You're welcome! Anything else?", "Ready?") == "You're welcome! Ready?"
    assert replace_question("Done.", "Ready?") == "Done.\nReady?"


def test_a_broad_search_asks_one_narrowing_question_and_answering_accepts_it(fresh_assistant):
    conversation_id, (search, refined) = converse(fresh_assistant, "show me running shoes", "in blue")
    assert "more matches than I can show" in search.reply
    assert 2 <= len(search.suggestions) <= 4
    assert refined.products and all("blue" in p["color"].lower() for p in refined.products)
    assert nudges(fresh_assistant, conversation_id)[:2] == [
        (1, "nudge_shown", "narrowing_question", ""),
        (2, "nudge_outcome", "narrowing_question", "accepted"),
    ]


def test_the_first_cart_item_gets_one_cross_sell_and_a_yes_adds_it(fresh_assistant):
    conversation_id, (_search, added, yes) = converse(fresh_assistant, *TO_CART, "yes please")
    assert "goes well with it" in added.reply
    assert len(yes.cart["items"]) == 2
    companion = yes.cart["items"][1]
    assert (
        companion["title"] in added.reply
    )  # the reply named the product it then added, at its catalog price
    events = nudges(fresh_assistant, conversation_id)
    assert (2, "nudge_shown", "cross_sell", "") in events
    assert (3, "nudge_outcome", "cross_sell", "accepted") in events


def test_a_declined_cross_sell_is_recorded_and_never_shown_again(fresh_assistant):
    buy_again = ("yes, place the order", "show me candles", "add the first one to my cart")
    conversation_id, turns = converse(fresh_assistant, *TO_CART, "no thanks", *TO_CHECKOUT[2:], *buy_again)
    assert turns[2].cart["items"] and len(turns[2].cart["items"]) == 1
    assert turns[5].order is not None and turns[-1].journey == 2
    assert "goes well with" not in turns[-1].reply
    events = nudges(fresh_assistant, conversation_id)
    assert (3, "nudge_outcome", "cross_sell", "declined") in events
    assert [e for e in events if e[1:3] == ("nudge_shown", "cross_sell")] == [
        (2, "nudge_shown", "cross_sell", "")
    ]
    assert state_of(fresh_assistant, conversation_id).guidance.declined == ["cross_sell"]


def test_a_nudge_not_taken_within_two_turns_is_ignored(fresh_assistant):
    conversation_id, _turns = converse(
        fresh_assistant, *TO_CART, "what's in my cart?", "how long does delivery take?"
    )
    events = nudges(fresh_assistant, conversation_id)
    assert (4, "nudge_outcome", "cross_sell", "ignored") in events
    assert not any(e[1] == "nudge_outcome" and e[2] == "cross_sell" and e[0] != 4 for e in events)
    assert state_of(fresh_assistant, conversation_id).guidance.pending == []


def test_only_one_cross_sell_per_journey(fresh_assistant):
    conversation_id, turns = converse(
        fresh_assistant, *TO_CART, "remove the mug", "show me candles", "add the first one to my cart"
    )
    assert len(turns[-1].cart["items"]) == 1
    assert "goes well with" not in turns[-1].reply
    shown = [e for e in nudges(fresh_assistant, conversation_id) if e[1:3] == ("nudge_shown", "cross_sell")]
    assert len(shown) == 1


def test_a_stalled_checkout_restates_what_is_missing_and_a_yes_then_places_the_order(fresh_assistant):
    conversation_id, turns = converse(
        fresh_assistant, *TO_CHECKOUT[:3], "how much is express delivery?", "ship to 9 Pine Ave, Austin"
    )
    assert "still need your shipping address and payment method" in turns[3].reply
    assert turns[3].stage == "checkout"
    assert (4, "nudge_shown", "checkout_reminder", "") in nudges(fresh_assistant, conversation_id)
    assert (5, "nudge_outcome", "checkout_reminder", "accepted") in nudges(fresh_assistant, conversation_id)


def test_price_hesitation_shows_cheaper_products(fresh_assistant):
    conversation_id, (_search, details, hesitation) = converse(
        fresh_assistant, "show me sofas", "tell me about the first one", "that's too expensive"
    )
    considered = details.products[0]["price"]
    assert hesitation.products and all(p["price"] < considered for p in hesitation.products)
    assert (3, "nudge_shown", "cheaper_alternatives", "") in nudges(fresh_assistant, conversation_id)


def test_every_reply_but_goodbye_offers_two_to_four_suggestions(fresh_assistant):
    _id, turns = converse(
        fresh_assistant, "hi", "show me mugs", "compare the first two", "what's the weather?"
    )
    assert all(2 <= len(turn.suggestions) <= 4 for turn in turns)


def test_cheaper_than_the_cheapest_match_still_answers_with_the_least_expensive(fresh_assistant):
    conversation_id, (_search, cheapest_first, hesitation) = converse(
        fresh_assistant, "show me dumbbell sets", "cheapest first", "cheaper ones"
    )
    cheapest = cheapest_first.products[0]
    assert hesitation.products, hesitation.reply  # not "I couldn't find anything"
    # Cheaper ones of the same kind when there are any; else the least expensive, the cheapest first.
    same_kind = all(p["category"] == cheapest["category"] for p in hesitation.products)
    assert same_kind and (
        all(p["price"] < cheapest["price"] for p in hesitation.products)
        or hesitation.products[0]["id"] == cheapest["id"]
    )
    assert (3, "nudge_shown", "cheaper_alternatives", "") in nudges(fresh_assistant, conversation_id)


def test_a_checkout_reminder_to_a_stranger_offers_no_ones_details(fresh_assistant):
    _id, turns = converse(
        fresh_assistant, *TO_CHECKOUT[:3], "ship to 9 Pine Ave, Austin", "how much is shipping?"
    )
    assert "still need your payment method" in turns[-1].reply
    # A stranger is offered no one's details, invented or real: only the way back to the cart.
    assert not any(s.startswith(("Pay with", "Ship to", "Cash")) for s in turns[-1].suggestions)
    assert "Show my cart" in turns[-1].suggestions
