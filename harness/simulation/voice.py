"""What every simulated shopper shares: their random source, their taste in products, how they type, and the
steps all personas take — find products, add one, check out, leave — and how they react to what a reply asks
(`harness/simulation/reactions.py`).

A step is a sub-script: `last = yield from voice.find_products()` yields the shopper's messages and returns the
latest turn result.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

from harness.simulation.phrasebook import (
    ADD,
    ADDRESSES,
    AFFIRM,
    BYE,
    CHECKOUT,
    CONFIRM,
    DECLINE,
    GIVE_ADDRESS,
    GIVE_BOTH,
    GIVE_PAYMENT,
    ORDINALS,
    PAYMENTS,
    SEARCH,
    SEARCH_COLOR,
    SEARCH_PRICE,
    THANKS,
    Interest,
    ShopperVocabulary,
)
from harness.simulation.reactions import Prompt, Result, Temper, chip, missing_details, prompt_of


@dataclass(frozen=True)
class Step:
    """Wait `wait_minutes`, then send `text`; a `text` of None means the shopper walked away for good."""

    text: str | None
    wait_minutes: float


Script = Generator[Step, Result, None]


Reaction = Callable[..., Generator[Step, Result, Result]]


def reaction(script: Reaction) -> Reaction:
    """Marks a sub-script that reacts to a reply: it draws from the shopper's stream of reactions, not from the
    stream of their own choices. So one seed's shopper makes the same choices of their own whatever the replies
    ask, and two runs of a seed (guidance on and off) differ only by what the replies gave them to react to."""

    @functools.wraps(script)
    def reacting(self: Voice, *args, **kwargs) -> Generator[Step, Result, Result]:
        own, self.rng = self.rng, self.reactions
        try:
            return (yield from script(self, *args, **kwargs))
        finally:
            self.rng = own

    return reacting


class Voice:
    """What every persona shares: the shopper's random source, their taste in products, and how they type."""

    def __init__(
        self,
        rng: random.Random,
        vocabulary: ShopperVocabulary,
        abandon_after_minutes: float,
        temper: Temper | None = None,
    ) -> None:
        self.rng = rng
        self.reactions = random.Random(rng.random())
        self.vocabulary = vocabulary
        self.timeout = abandon_after_minutes
        self.temper = temper or Temper()
        self.interest = vocabulary.interest(rng)
        # The results on screen follow a choice of the shopper's own (a color, an answered question): they
        # show what the shopper asked for, so the shopper is readier to buy from them.
        self.narrowed = False

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
        self.narrowed = False
        last = yield self.search_step(interest)
        if not last.get("products"):
            last = yield self.search_step(interest, plain=True)
        if last.get("products"):
            last = yield from self.answer_choice(last, interest)
        return last if last.get("products") else None

    def add_to_cart(self, last: Result, tap: str | None = None) -> Generator[Step, Result, Result]:
        """Adds one of the products shown (by tapping `tap`, a quick reply, when given); another one when that
        was out of stock."""
        for _attempt in range(2):
            last = yield Step(tap, self.think()) if tap else self.say(ADD, ordinal=self.ordinal(last))
            tap = None
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
        return (yield from self.confirm(last))

    def confirm(self, last: Result) -> Generator[Step, Result, Result]:
        """Says yes to placing the order, once more in plain words if the first yes was not understood."""
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

    # Reactions: what the shopper does with the question a reply ends on, each taken with the persona's odds.

    @reaction
    def answer_choice(self, last: Result, interest: Interest) -> Generator[Step, Result, Result]:
        """Answers a "which … would you like" question by tapping the answer nearest the shopper's taste; back
        to the plain search when that answer finds nothing."""
        answers = list(last.get("suggestions") or ())
        if prompt_of(last) != Prompt.CHOICE or not answers or not self.chance(self.temper.answer_choice):
            return last
        liked = [answer for answer in answers if interest.color and interest.color in answer.lower()]
        answered = yield Step(self.rng.choice(liked or answers), self.think())
        if answered.get("products"):
            self.narrowed = True
            return answered
        return (yield self.search_step(interest, plain=True))

    @reaction
    def take_companion(self, last: Result) -> Generator[Step, Result, Result]:
        """Says yes to a "goes well with it" product now and then; otherwise perhaps "no thanks"."""
        if prompt_of(last) != Prompt.COMPANION:
            return last
        if self.chance(self.temper.take_companion):
            return (yield Step(chip(last, "yes") or self.rng.choice(AFFIRM), self.think()))
        if self.chance(self.temper.say_no):
            return (yield self.say(DECLINE))
        return last

    @reaction
    def take_add(self, last: Result) -> Generator[Step, Result, Result]:
        """Takes the product the reply proposes to add (after a comparison: the better-rated one), by a yes or
        by its quick reply; perhaps says no to it."""
        if prompt_of(last) != Prompt.ADD:
            return last
        if self.chance(self.temper.take_add):
            tap = chip(last, "add")
            return (yield Step(tap, self.think()) if tap and self.chance(0.5) else self.say(AFFIRM))
        if self.chance(self.temper.say_no):
            return (yield self.say(DECLINE))
        return last

    @reaction
    def take_cheaper(self, last: Result) -> Generator[Step, Result, Result]:
        """Adds one of the cheaper products a reply offers after a price hesitation, tapped or typed."""
        if prompt_of(last) != Prompt.CHEAPER or not last.get("products"):
            return last
        if not self.chance(self.temper.take_cheaper):
            return last
        tap = chip(last, "add", "first")
        return (yield from self.add_to_cart(last, tap if tap and self.chance(0.5) else None))

    @reaction
    def finish_checkout(self, last: Result) -> Generator[Step, Result, Result]:
        """Reminded of what checkout still needs (or asked to confirm), gives it there and then, now and then."""
        if prompt_of(last) not in (Prompt.CHECKOUT_MISSING, Prompt.CONFIRM):
            return last
        if not self.chance(self.temper.finish_checkout):
            return last
        address, payment = self.rng.choice(ADDRESSES), self.rng.choice(PAYMENTS)
        needs_address, needs_payment = missing_details(last)
        if needs_address and needs_payment:
            last = yield self.say(
                GIVE_BOTH, self.rng.uniform(0.5, 2.5), False, address=address, payment=payment
            )
        elif needs_address:
            last = yield self.say(GIVE_ADDRESS, self.rng.uniform(0.5, 2.5), False, address=address)
        elif needs_payment:
            last = yield self.say(GIVE_PAYMENT, noisy=False, payment=payment)
        return (yield from self.confirm(last))

    def leave(self, p_bye: float = 0.4) -> Script:
        if self.chance(p_bye):
            yield self.say(self.rng.choice((BYE, THANKS)))
