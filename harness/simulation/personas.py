"""Simulated shoppers: six personas that talk to the assistant the way shoppers do.

A persona is a script: a generator that yields the shopper's next step (what they type, and how long they
thought or stayed away before typing it) and receives the assistant's turn result in return. Scripts read only
the turn result's JSON fields, so the same shopper drives the assistant in-process (`harness/simulation/simulator.py`) or
over the REST API (a load test): ask `Shopper.next_step(last_result)` until it returns None.

Phrasing varies: several templates per step, products, colors and prices drawn from the catalog so that searches
find things, and now and then a typo, lower case or a missing question mark.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from harness.simulation.phrasebook import (
    ADDRESSES,
    BACK,
    CHEAPER,
    CHECKOUT,
    COMPARE,
    DETAILS,
    GIVE_ADDRESS,
    GREET,
    POLICY,
    RECOMMEND,
    REFINE_COLOR,
    SORT,
    SORT_PRICE,
    SUPPORT,
    VIEW_CART,
    ShopperVocabulary,
)
from harness.simulation.reactions import Result, Temper
from harness.simulation.voice import Script, Step, Voice


def decisive_buyer(voice: Voice) -> Script:
    """Knows what they want: searches, adds one of the first results and checks out; now and then takes the
    one product offered to go with it."""
    if voice.chance(0.4):
        yield voice.say(GREET)
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield from voice.add_to_cart(last)
    last = yield from voice.take_companion(last)
    if last["cart"]["items"]:
        last = yield from voice.check_out(last)
    if last.get("order") and voice.chance(0.2):
        # One more thing after the order: a new journey that mostly stays a look.
        last = yield from voice.find_products(voice.vocabulary.interest(voice.rng))
        if last is not None and voice.chance(0.3):
            yield voice.say(DETAILS, ordinal=voice.ordinal(last))
    yield from voice.leave(0.5)


def browser(voice: Voice) -> Script:
    """Just looking: searches, refines, answers a question about what they like, opens a product or two; buys
    now and then, more readily from results that show what they chose."""
    if voice.chance(0.5):
        yield voice.say(GREET)
    last = yield from voice.find_products()
    for _ in range(voice.rng.randint(1, 3)):
        if last is None:
            last = yield voice.say(RECOMMEND)
            continue
        action = voice.rng.choice(("color", "sort", "details", "details", "other", "suggestion"))
        if action == "color":
            last = yield voice.say(REFINE_COLOR, color=voice.vocabulary.color(voice.rng, voice.interest))
            voice.narrowed = bool(last.get("products"))
        elif action == "sort":
            last = yield voice.say(SORT)
        elif action == "details":
            last = yield voice.say(DETAILS, ordinal=voice.ordinal(last))
        elif action == "other":
            last = yield from voice.find_products(voice.vocabulary.interest(voice.rng))
        else:
            last = yield from voice.maybe_suggestion(last, 1.0)
        if last is not None and last.get("products"):
            last = yield from voice.answer_choice(last, voice.interest)
    yield from voice.maybe_buy(last, 0.35 if voice.narrowed else 0.15, 0.4)


def price_sensitive(voice: Voice) -> Script:
    """Watches the price: sets a budget, asks for cheaper, sorts by price; takes a cheaper product when one is
    offered, and buys the cheapest now and then."""
    interest = voice.interest.cheaper(voice.rng)
    last = yield from voice.find_products(interest)
    if last is None:
        return
    for _ in range(voice.rng.randint(1, 2)):
        last = yield voice.say(voice.rng.choice((CHEAPER, CHEAPER, SORT_PRICE)))
        last = yield from voice.take_cheaper(last)
        if last["cart"]["items"]:
            if voice.chance(0.75):
                yield from voice.check_out(last)
                return
            break
        if not last.get("products"):
            break
        last = yield from voice.maybe_suggestion(last, 0.3)
    yield from voice.maybe_buy(last, 0.5, 0.75)


def comparison_shopper(voice: Voice) -> Script:
    """Compares before choosing: the first two results side by side, then takes the assistant's pick when it
    offers one."""
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield voice.say(COMPARE)
    if voice.chance(0.4):
        last = yield voice.say(DETAILS, ordinal=voice.ordinal(last, within=2))
    last = yield from voice.take_add(last)
    if not last["cart"]["items"]:
        if last.get("intent") == "deny" or not voice.chance(0.3) or not last.get("products"):
            yield from voice.leave()
            return
        # No pick was offered (or it was out of stock): the shopper chooses one of the two themselves.
        last = yield from voice.add_to_cart(last)
    last = yield from voice.take_companion(last)
    if last["cart"]["items"] and voice.chance(0.85):
        yield from voice.check_out(last)
    yield from voice.leave(0.3)


def abandoner(voice: Voice) -> Script:
    """Fills a cart, maybe starts checkout and hesitates there (a question about shipping or payment): reminded
    of what checkout still needs, some finish; the others go away, and some come back hours or days later."""
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield from voice.add_to_cart(last)
    last = yield from voice.take_companion(last)
    if last["cart"]["items"] and voice.chance(0.5):
        last = yield voice.say(CHECKOUT)
        if voice.chance(0.5):
            last = yield voice.say(GIVE_ADDRESS, noisy=False, address=voice.rng.choice(ADDRESSES))
        if last["stage"] == "checkout" and voice.chance(0.6):
            last = yield voice.say(voice.rng.choice(POLICY))
            last = yield from voice.finish_checkout(last)
            if last.get("order"):
                yield from voice.leave(0.5)
                return
    if not voice.chance(0.45):
        yield Step(None, voice.away())
        return
    last = yield voice.say(BACK, voice.away())
    if voice.chance(0.5):
        last = yield voice.say(VIEW_CART)
    if last["cart"]["items"] and voice.chance(0.55):
        yield from voice.check_out(last)
        yield from voice.leave(0.3)
    else:
        yield Step(None, voice.away())


def support_seeker(voice: Voice) -> Script:
    """Comes about an order: some buy first and ask later, others ask about an order from another visit."""
    order_id = str(voice.rng.randint(1000, 99999))
    wait = None
    if voice.chance(0.4):
        last = yield from voice.find_products()
        if last is not None:
            last = yield from voice.add_to_cart(last)
            last = yield from voice.take_companion(last)
            last = yield from voice.check_out(last)
            order_id = str((last.get("order") or {}).get("id", order_id))
            wait = voice.away()
    for templates in voice.rng.sample(SUPPORT, voice.rng.randint(1, 3)):
        last = yield voice.say(templates, wait, order_id=order_id)
        wait = None
        if last.get("handoff"):
            return
    if voice.chance(0.5):
        yield voice.say(voice.rng.choice(POLICY))
    yield from voice.leave(0.5)


PERSONAS: dict[str, Callable[[Voice], Script]] = {
    "decisive_buyer": decisive_buyer,
    "browser": browser,
    "price_sensitive": price_sensitive,
    "comparison_shopper": comparison_shopper,
    "abandoner": abandoner,
    "support_seeker": support_seeker,
}
# A store's traffic: mostly lookers, fewer buyers, a few with a question about an order.
MIX = {
    "browser": 0.27,
    "decisive_buyer": 0.15,
    "price_sensitive": 0.15,
    "comparison_shopper": 0.15,
    "abandoner": 0.18,
    "support_seeker": 0.10,
}
# How readily each persona takes what a reply asks or offers (`harness/simulation/reactions.py`): assumptions about
# shoppers, not measurements; the guidance comparison (bench/guidance.py) is only as good as they are.
TEMPERS = {
    "decisive_buyer": Temper(answer_choice=0.15, take_companion=0.3),
    "browser": Temper(answer_choice=0.6, take_add=0.3, take_companion=0.15, take_cheaper=0.3),
    "price_sensitive": Temper(answer_choice=0.3, take_companion=0.05, take_cheaper=0.5),
    "comparison_shopper": Temper(answer_choice=0.3, take_add=0.7, take_companion=0.2),
    "abandoner": Temper(answer_choice=0.2, take_companion=0.1, finish_checkout=0.35),
    "support_seeker": Temper(take_companion=0.1),
}


class Shopper:
    """One simulated shopper: ask for the next step with the assistant's last turn result (JSON or TurnResult)."""

    def __init__(
        self,
        persona: str,
        rng: random.Random,
        vocabulary: ShopperVocabulary,
        abandon_after_minutes: float = 30.0,
    ) -> None:
        if persona not in PERSONAS:
            raise ValueError(f"unknown persona {persona!r}; one of {', '.join(PERSONAS)}")
        self.persona = persona
        self._script = PERSONAS[persona](Voice(rng, vocabulary, abandon_after_minutes, TEMPERS[persona]))
        self._started = False

    def next_step(self, last: Result | Any | None = None) -> Step | None:
        """The shopper's next step after the assistant's `last` turn result; None once the shopper is done."""
        if hasattr(last, "model_dump"):
            last = last.model_dump()
        try:
            if not self._started:
                self._started = True
                return next(self._script)
            return self._script.send(last or {})
        except StopIteration:
            return None


def persona_for(index: int, rng: random.Random) -> str:
    """The persona of the `index`-th shopper: each persona once first, then drawn by the traffic mix."""
    names = list(PERSONAS)
    if index < len(names):
        return names[index]
    return rng.choices(list(MIX), weights=list(MIX.values()))[0]
