"""The shopper chat's buttons and forms, as the sentences a shopper would type for them.

A card's "Details" and "Add to cart" buttons, the checkout form and "Talk to a person" send these sentences
through the assistant like typed messages, so a click goes through the same understanding, cart and order code
as the conversation (and is recorded in the transcript and the journey log the same way). Positions refer to
the last results, numbered as the cards number them.
"""

from __future__ import annotations

import re

from assistant.understanding.slots import ORDINALS
from core.errors import FormError

# The ordinal words the slot extractor reads as positions ("the second one"), so a button says what it understands.
POSITION_WORDS = {position: word for word, position in ORDINALS.items() if word.isalpha()}
PAYMENT_METHODS = ("card", "paypal", "apple pay", "google pay", "cash on delivery")
TALK_TO_A_PERSON = "I'd like to talk to a person"
CHECKOUT = "Checkout"
CONFIRM_ORDER = "Yes, place the order"
MAX_ADDRESS_CHARS = 300


def _ordinal(position: int) -> str:
    if position not in POSITION_WORDS:
        raise ValueError(f"a card position is 1 to {len(POSITION_WORDS)}")
    return POSITION_WORDS[position]


def details_request(position: int) -> str:
    return f"Tell me more about the {_ordinal(position)} one"


def add_request(position: int) -> str:
    return f"Add the {_ordinal(position)} one to my cart"


def checkout_details(address: str, payment: str, card_ending: str = "") -> str:
    """The sentence giving the checkout form's address and payment method, as the conversation asks for them."""
    # The conversation reads an address up to a full stop or semicolon, so those become commas here.
    address = " ".join(re.sub(r"[.;]+", ",", address or "").split()).strip(" ,")
    if len(address) < 5:
        raise FormError("please enter the shipping address")
    if len(address) > MAX_ADDRESS_CHARS:
        raise FormError(f"the address may be at most {MAX_ADDRESS_CHARS} characters")
    if payment not in PAYMENT_METHODS:
        raise FormError("please choose a payment method")
    if payment == "card":
        if not re.fullmatch(r"\d{4}", (card_ending or "").strip()):
            raise FormError("please enter the last 4 digits of the card")
        paying = f"by card ending {card_ending.strip()}"
    else:
        paying = f"with {payment}"
    return f"Ship to {address}, and I'll pay {paying}"
