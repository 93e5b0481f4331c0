"""What the taxonomy defines by the conversation rather than by the words, applied after the classifier.

The classifier sees the words and a few context features; some intents are defined by what is on screen:
- refining changes results already shown: with nothing to refine, the shopper is searching;
- comparing needs two or more products: a question about two or more shown products is a comparison ("what
  brands are those two?", "tell me about the first and the third"), and "which of your coats are cheap?" with no
  product pointed at is a search (or a refinement of what is shown);
- the cart is the shopper's own: "show me backpacks" names a kind of product in the catalog and nothing of theirs,
  so it is a search however close "show bag" (the cart, in British shops) lies to it in the encoder's space;
- asking for a product by its model ("show me the AMD Ryzen 9 5900X", "do you have the Canon EOS R5?") is a search
  whatever the classifier made of words it never saw, when the catalog's titles hold that model code; nothing on
  screen, it cannot be a question about a shown product;
- one product picked by a superlative among those shown ("I'll take the cheapest", "tell me about the best rated
  one") is about that product, not a new sort order ("cheapest first", "the cheapest sofas" re-sort or search).
"""

from __future__ import annotations

import re
from typing import Any

from core.state import Context
from core.taxonomy import Intent

# Words that point at several shown products at once.
_SEVERAL = re.compile(
    r"\b(?:both|either|each|their|them|all|"
    r"(?:those|these|the|them|which of (?:the|these|those))\s+(?:two|three|four|2|3|4))\b",
    re.IGNORECASE,
)
_POINTS_AT_SHOWN = re.compile(
    r"\b(?:them|those|these|they|their|both|either|each|one|ones|first|second|third|last|other|two|three|four|"
    r"vs|versus|side by side)\b",
    re.IGNORECASE,
)

# What a turn naming a catalog model is misread as: words never seen look out of scope or like chatter.
_NOT_A_REQUEST = {Intent.OUT_OF_SCOPE, Intent.COMPLAINT, Intent.GOODBYE, Intent.GREET, Intent.THANKS}
_ABOUT_SHOWN = {Intent.PRODUCT_QUESTION, Intent.COMPARE_PRODUCTS}

# Words that make a request about the shopper's own cart rather than the catalog.
_POINTS_AT_ONE = re.compile(
    r"\b(?:it|its|it's|this|that|one|first|second|third|last|[a-z]+est)\b", re.IGNORECASE
)
_OWN_CART = re.compile(
    r"\b(?:my|mine|i(?:'ve| have)?|cart|basket|trolley|added|so far|checkout|total)\b", re.IGNORECASE
)


# "the cheapest (one)", not "the cheapest first" nor "the cheapest sofas".
_PICK = re.compile(
    r"\bthe\s+(?:cheapest|least expensive|most expensive|priciest|dearest|best[- ]rated|top[- ]rated|"
    r"highest[- ]rated|best reviewed)(?:\s+one)?\b(?!\s+(?:first|ones|[a-z]+s)\b)",
    re.IGNORECASE,
)
_BUY = re.compile(r"\b(?:take|buy|add|get|order|grab|want|i'?ll have|put)\b", re.IGNORECASE)


# A question about the store's rules for returns, not a return of something bought: it asks about the policy or
# a hypothetical ("if they don't fit"), or whether the shop takes returns at all.
_POLICY_QUESTION = re.compile(
    r"\b(?:polic(?:y|ies)|returnable|refundable|"
    r"how (?:long|many days) (?:do|does|did) (?:i|we|you|one|a customer) (?:have|get)|"
    r"(?:do|does|can|will) (?:you|your (?:store|shop)|the (?:store|shop)) (?:accept|take|allow|offer|do) "
    r"(?:returns|refunds|exchanges)|"
    r"are (?:returns|refunds|exchanges) (?:free|possible|allowed|accepted)|"
    r"if (?:it|they|he|she|the \w+|\w+) (?:does ?n[o']?t|do ?n[o']?t|do not|does not|won'?t) (?:fit|work|suit))",
    re.IGNORECASE,
)


def asks_policy(text: str) -> bool:
    """ "what's your return policy?", "can I return shoes if they don't fit?": a question the store's policy
    answers, which touches no order."""
    return bool(_POLICY_QUESTION.search(text))


def points_at_several(text: str, slots: dict[str, Any], context: Context) -> bool:
    """Whether the turn is about two or more of the products on screen."""
    if len(set(slots.get("product_ref", []))) >= 2:
        return True
    return len(context.shown) >= 2 and bool(_SEVERAL.search(text))


def reconcile(
    intent: Intent, text: str, slots: dict[str, Any], context: Context, names_model: bool = False
) -> Intent:
    """The classifier's intent, corrected where the taxonomy's definitions, the screen and the catalog decide."""
    shown = context.has_results or bool(context.shown)
    if names_model and (intent in _NOT_A_REQUEST or (intent in _ABOUT_SHOWN and not shown)):
        return Intent.SEARCH_PRODUCTS
    if (
        intent in (Intent.REFINE_SEARCH, Intent.SEARCH_PRODUCTS)
        and len(context.shown) >= 2
        and _PICK.search(text)
    ):
        return Intent.ADD_TO_CART if _BUY.search(text) else Intent.PRODUCT_QUESTION
    searched = shown or bool(context.last_query) or context.last_act == "no_results"
    if intent == Intent.REFINE_SEARCH and not searched:
        # After a search that found nothing, "sort by price" or "in blue" still refines it.
        return Intent.SEARCH_PRODUCTS
    if intent == Intent.PRODUCT_QUESTION and points_at_several(text, slots, context):
        return Intent.COMPARE_PRODUCTS
    if intent == Intent.PRODUCT_QUESTION and asks_for_kind(text, slots):
        # "do you have blue backpacks?" asks for backpacks, not about one on screen: a new kind is a search,
        # the kind on screen with a new colour or size a refinement.
        return Intent.SEARCH_PRODUCTS if _another_kind(slots, context) else Intent.REFINE_SEARCH
    if intent == Intent.VIEW_CART and "category" in slots and not _OWN_CART.search(text):
        return Intent.SEARCH_PRODUCTS
    if intent == Intent.COMPARE_PRODUCTS and "product_ref" not in slots:
        if not shown:
            return Intent.SEARCH_PRODUCTS  # nothing on screen to compare: find what they ask about
        if "category" in slots and not _POINTS_AT_SHOWN.search(text):
            return Intent.REFINE_SEARCH
    return intent


def asks_for_kind(text: str, slots: dict[str, Any]) -> bool:
    """A question that names a kind of product and points at no one product ("do you have blue backpacks?",
    not "does it come in blue?" or "is the first backpack waterproof?")."""
    return "category" in slots and "product_ref" not in slots and not _POINTS_AT_ONE.search(text)


def _another_kind(slots: dict[str, Any], context: Context) -> bool:
    """Whether the slots name a kind of product that none of the products on screen is."""
    kind = str(slots.get("category") or "").lower()
    if not kind or not context.shown:
        return False
    words = set(kind.split()) | {kind.rstrip("s")}
    return not any(
        words & set(f"{product.category} {product.title}".lower().replace(">", " ").split())
        or kind.rstrip("s") in product.title.lower()
        for product in context.shown
    )
