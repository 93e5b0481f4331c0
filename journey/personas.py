"""Simulated shoppers: six personas that talk to the assistant the way shoppers do.

A persona is a script: a generator that yields the shopper's next step (what they type, and how long they
thought or stayed away before typing it) and receives the assistant's turn result in return. Scripts read only
the turn result's JSON fields, so the same shopper drives the assistant in-process (`journey/simulator.py`) or
over the REST API (a load test): ask `Shopper.next_step(last_result)` until it returns None.

Phrasing varies: several templates per step, products, colors and prices drawn from the catalog so that searches
find things, and now and then a typo, lower case or a missing question mark.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journey.phrasebook import (
    ADD,
    ADDRESSES,
    AFFIRM,
    BACK,
    BYE,
    CHEAPER,
    CHECKOUT,
    COMPARE,
    CONFIRM,
    DECLINE,
    DETAILS,
    GIVE_ADDRESS,
    GIVE_BOTH,
    GIVE_PAYMENT,
    GREET,
    ORDINALS,
    PAYMENTS,
    POLICY,
    RECOMMEND,
    REFINE_COLOR,
    SEARCH,
    SEARCH_COLOR,
    SEARCH_PRICE,
    SORT,
    SORT_PRICE,
    SUPPORT,
    THANKS,
    VIEW_CART,
    Interest,
    ShopperVocabulary,
)

Result = Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """Wait `wait_minutes`, then send `text`; a `text` of None means the shopper walked away for good."""

    text: str | None
    wait_minutes: float


Script = Generator[Step, Result, None]


class Voice:
    """What every persona shares: the shopper's random source, their taste in products, and how they type."""

    def __init__(
        self, rng: random.Random, vocabulary: ShopperVocabulary, abandon_after_minutes: float
    ) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        self.timeout = abandon_after_minutes
        self.interest = vocabulary.interest(rng)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def think(self) -> float:
        """Minutes between two messages in one sitting: mostly under a minute, now and then a few."""
        return round(min(8.0, max(0.1, self.rng.lognormvariate(math.log(0.6), 0.8))), 2)

    def away(self) -> float:
        """Minutes away past the abandonment timeout: from just over it to a couple of days."""
        return round(self.timeout * self.rng.uniform(1.2, 2.0) * self.rng.choice((1, 1, 4, 16, 60)), 1)

    def say(self, templates: Sequence[str], wait: float | None = None, noisy: bool = True, **values) -> Step:
        text = self.rng.choice(templates).format(**values)
        return Step(self.noise(text) if noisy else text, self.think() if wait is None else wait)

    def noise(self, text: str) -> str:
        """How people type in a chat box: a slipped letter, no capitals, no question mark."""
        if self.chance(0.07):
            text = self._typo(text)
        if self.chance(0.3):
            text = text.lower()
        if self.chance(0.3):
            text = text.rstrip("?!.")
        return text or "hi"

    def _typo(self, text: str) -> str:
        words = text.split(" ")
        # Letters inside a long plain word only: numbers, prices and the first letter stay as typed.
        candidates = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
        if not candidates:
            return text
        i = self.rng.choice(candidates)
        word, j = words[i], self.rng.randrange(1, len(words[i]) - 2)
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        return " ".join(words)

    def ordinal(self, last: Result, within: int = 3) -> str:
        shown = max(1, min(within, len(last.get("products") or ())))
        return ORDINALS[self.rng.randrange(shown)]

    def search_step(self, interest: Interest, plain: bool = False) -> Step:
        if plain:
            return Step(f"show me {interest.things}", self.think())
        roll = self.rng.random()
        if roll < 0.25 and interest.color:
            return self.say(SEARCH_COLOR, things=interest.things, color=interest.color)
        if roll < 0.45:
            return self.say(SEARCH_PRICE, things=interest.things, price=interest.price_cap)
        return self.say(SEARCH, things=interest.things, thing=interest.thing)

    # The steps below are sub-scripts: `last = yield from voice.find_products()` returns the latest turn result.

    def find_products(self, interest: Interest | None = None) -> Generator[Step, Result, Result | None]:
        """Searches until something is shown: a second, plain try after a search that found nothing."""
        interest = interest or self.interest
        last = yield self.search_step(interest)
        if not last.get("products"):
            last = yield self.search_step(interest, plain=True)
        return last if last.get("products") else None

    def add_to_cart(self, last: Result) -> Generator[Step, Result, Result]:
        """Adds one of the products shown; another one when that was out of stock."""
        for _attempt in range(2):
            last = yield self.say(ADD, ordinal=self.ordinal(last))
            if last["cart"]["items"]:
                break
        return last

    def check_out(self, last: Result) -> Generator[Step, Result, Result]:
        """From a filled cart to a placed order: details in one message or two, then the confirmation."""
        last = yield self.say(CHECKOUT)
        if last["stage"] != "checkout":
            last = yield Step("checkout", self.think())
        address, payment = self.rng.choice(ADDRESSES), self.rng.choice(PAYMENTS)
        typing = self.rng.uniform(0.5, 2.5)  # typing an address takes a while
        if self.chance(0.6):
            last = yield self.say(GIVE_BOTH, typing, False, address=address, payment=payment)
        else:
            last = yield self.say(GIVE_ADDRESS, typing, False, address=address)
            last = yield self.say(GIVE_PAYMENT, noisy=False, payment=payment)
        for confirmation in (self.rng.choice(CONFIRM), "yes, place the order"):
            if last.get("order") or last["stage"] != "checkout":
                break
            last = yield Step(confirmation, self.think())
        return last

    def maybe_suggestion(self, last: Result, p: float) -> Generator[Step, Result, Result]:
        """Taps one of the reply's quick-reply suggestions, as shoppers in a chat widget do."""
        suggestions = last.get("suggestions") or []
        if suggestions and self.chance(p):
            last = yield Step(self.rng.choice(suggestions), self.think())
        return last

    def maybe_buy(self, last: Result | None, p_add: float, p_check_out: float) -> Script:
        """Perhaps adds a shown product and perhaps checks out with it; otherwise leaves."""
        if last is not None and last.get("products") and self.chance(p_add):
            last = yield from self.add_to_cart(last)
            if last["cart"]["items"] and self.chance(p_check_out):
                yield from self.check_out(last)
                return
        yield from self.leave()

    def leave(self, p_bye: float = 0.4) -> Script:
        if self.chance(p_bye):
            yield self.say(self.rng.choice((BYE, THANKS)))


def decisive_buyer(voice: Voice) -> Script:
    """Knows what they want: searches, adds one of the first results and checks out."""
    if voice.chance(0.4):
        yield voice.say(GREET)
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield from voice.add_to_cart(last)
    if last["cart"]["items"]:
        last = yield from voice.check_out(last)
    if last.get("order") and voice.chance(0.2):
        # One more thing after the order: a new journey that mostly stays a look.
        last = yield from voice.find_products(voice.vocabulary.interest(voice.rng))
        if last is not None and voice.chance(0.3):
            yield voice.say(DETAILS, ordinal=voice.ordinal(last))
    yield from voice.leave(0.5)


def browser(voice: Voice) -> Script:
    """Just looking: searches, refines, opens a product or two, rarely buys."""
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
        elif action == "sort":
            last = yield voice.say(SORT)
        elif action == "details":
            last = yield voice.say(DETAILS, ordinal=voice.ordinal(last))
        elif action == "other":
            last = yield from voice.find_products(voice.vocabulary.interest(voice.rng))
        else:
            last = yield from voice.maybe_suggestion(last, 1.0)
    yield from voice.maybe_buy(last, 0.15, 0.4)


def price_sensitive(voice: Voice) -> Script:
    """Watches the price: sets a budget, asks for cheaper, sorts by price; buys the cheapest now and then."""
    interest = voice.interest.cheaper(voice.rng)
    last = yield from voice.find_products(interest)
    if last is None:
        return
    for _ in range(voice.rng.randint(1, 2)):
        last = yield voice.say(voice.rng.choice((CHEAPER, CHEAPER, SORT_PRICE)))
        if not last.get("products"):
            break
        last = yield from voice.maybe_suggestion(last, 0.3)
    yield from voice.maybe_buy(last, 0.5, 0.75)


def comparison_shopper(voice: Voice) -> Script:
    """Compares before choosing: the first two results side by side, then takes the assistant's pick."""
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield voice.say(COMPARE)
    if voice.chance(0.4):
        last = yield voice.say(DETAILS, ordinal=voice.ordinal(last, within=2))
    if not voice.chance(0.7):
        yield voice.say(DECLINE)
        yield from voice.leave()
        return
    last = yield voice.say(AFFIRM)
    if not last["cart"]["items"] and last.get("products"):
        last = yield from voice.add_to_cart(last)
    if last["cart"]["items"] and voice.chance(0.85):
        yield from voice.check_out(last)
    yield from voice.leave(0.3)


def abandoner(voice: Voice) -> Script:
    """Fills a cart, maybe starts checkout, and goes away; some come back to it hours or days later."""
    last = yield from voice.find_products()
    if last is None:
        return
    last = yield from voice.add_to_cart(last)
    if last["cart"]["items"] and voice.chance(0.5):
        last = yield voice.say(CHECKOUT)
        if voice.chance(0.5):
            last = yield voice.say(GIVE_ADDRESS, noisy=False, address=voice.rng.choice(ADDRESSES))
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
        self._script = PERSONAS[persona](Voice(rng, vocabulary, abandon_after_minutes))
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
