"""How a simulated shopper reads the assistant's reply: what its closing question asks or offers, and which quick
reply answers it.

Shoppers in a chat widget answer the question the assistant ends on and tap its quick replies. A persona
(`harness/simulation/personas.py`) reads only the turn result — the reply's words, its suggestions, its products — never the
assistant's settings: whether guidance is on shows only in what the reply asks, so a reply without a question
simply gives the shopper less to react to. How readily each persona takes each kind of prompt is its `Temper`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Result = Mapping[str, Any]


class Prompt(StrEnum):
    """What a reply's closing line puts to the shopper."""

    CHOICE = "choice"  # "which color would you like: red, blue or green?", one quick reply per answer
    COMPANION = "companion"  # "X goes well with it — shall I add it too?"
    ADD = "add"  # "Shall I add it to your cart?", "Want me to add X to your cart?"
    CHEAPER = "cheaper"  # products shown as costing less than the ones before
    CHECKOUT_MISSING = "checkout_missing"  # what checkout still needs from the shopper
    CONFIRM = "confirm"  # "Shall I place the order?"
    CHECKOUT = "checkout"  # "Ready to check out?"


# Read in this order: the first pattern found in the reply's last lines names its prompt.
PATTERNS = (
    (Prompt.CHOICE, re.compile(r"\bwhich [\w ]+ would you like\b", re.I)),
    (Prompt.COMPANION, re.compile(r"\b(shall|should) i add it too\b", re.I)),
    (Prompt.CHEAPER, re.compile(r"\b(options for less than|costs at most|the least expensive)\b", re.I)),
    (Prompt.ADD, re.compile(r"\b(shall i|want me to|should i) add\b", re.I)),
    (Prompt.CHECKOUT_MISSING, re.compile(r"\bi (still )?need your\b", re.I)),
    (Prompt.CONFIRM, re.compile(r"\bplace the order\?", re.I)),
    (Prompt.CHECKOUT, re.compile(r"\bready to check ?out\?", re.I)),
)
# The closing question is on the reply's last line; a cheaper-alternatives reply opens its product list with it.
TAIL_LINES = 6


def prompt_of(result: Result) -> Prompt | None:
    """The prompt the reply ends on, or None when it asks nothing a shopper would answer."""
    tail = "\n".join(str(result.get("reply") or "").splitlines()[-TAIL_LINES:])
    return next((prompt for prompt, pattern in PATTERNS if pattern.search(tail)), None)


def chip(result: Result, *words: str) -> str | None:
    """The first quick reply that contains all of `words` (any case), or None."""
    for suggestion in result.get("suggestions") or ():
        if all(word.lower() in suggestion.lower() for word in words):
            return suggestion
    return None


def missing_details(result: Result) -> tuple[bool, bool]:
    """(address missing, payment missing) as a checkout reply states them."""
    reply = str(result.get("reply") or "").lower()
    return "shipping address" in reply, "payment method" in reply


@dataclass(frozen=True)
class Temper:
    """How readily a persona takes each kind of prompt: a probability per prompt, drawn from the shopper's seed."""

    answer_choice: float = 0.0  # answers a "which … would you like" question by tapping an answer
    take_add: float = 0.0  # says yes to adding the product the reply proposes (its pick after a comparison)
    take_companion: float = 0.0  # says yes to a "goes well with it" product
    take_cheaper: float = 0.0  # takes one of the cheaper products offered after a price hesitation
    finish_checkout: float = 0.0  # gives what checkout says it still needs, there and then
    # A shopper who does not take an offer says "no thanks" this often, rather than going on as if unasked.
    say_no: float = 0.4
