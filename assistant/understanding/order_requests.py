"""What an after-sales request says, read against the order it is about (assistant/after_sales.py): which kind
of change, which of the order's lines ("the water bottle from that order", "the second item"), the variant wanted
instead ("in size 10", "the red one"), the payment method named ("my gift card", "the card ending 5100") and a new
address. Only what the words say is read; what they leave out is asked for by the policy's `Missing`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assistant.after_sales import CANCEL_REASONS, Request
from assistant.variant_choice import named_options
from core.product import ProductRecord
from retrieval.catalog import words

_EXCHANGE = re.compile(
    r"\b(?:exchange|swap|switch|trade|replace(?:ment)?)\b|"
    r"\b(?:for|in|into|to) (?:a |an |the )?(?:different|another|other|bigger|smaller|larger) (?:size|colou?r|one)\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"\b(?:address|ship(?:ped|ping)? (?:it )?to|deliver(?:ed|y)? (?:it )?to|send (?:it )?to|zip|postcode|"
    r"apartment|apt|street|flat)\b",
    re.IGNORECASE,
)
_PAYMENT = re.compile(
    r"\b(?:pay(?:ment|ing)?|paid|card|paypal|gift ?card|charge[ds]?|visa|mastercard)\b", re.I
)
_GIFT_CARD = re.compile(r"\bgift ?card\b", re.IGNORECASE)
_LAST4 = re.compile(r"\b(?:ending(?: in)?|last four|\*+)\s*(\d{4})\b", re.IGNORECASE)
_NEW_ADDRESS = re.compile(
    r"\b(?:to|is|at|address:?)\s+(\d+[\w\s.,'#/-]*?\d{4,6}(?:-\d{4})?|\d+\s+[\w\s.'#/-]+?(?:street|st|road|rd|"
    r"avenue|ave|lane|ln|drive|dr|way|court|ct|boulevard|blvd)\b[\w\s.,'#/-]*)\s*[.!]?$",
    re.IGNORECASE,
)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
# Words of a request that say nothing of which line it is about.
_GENERIC = words(
    "i want would like to return exchange swap change the my from order that this it item items one please for "
    "a an in size color colour instead of different another can you could me get refund back send"
)


def request_kind(reason: str, text: str, status: str) -> str | None:
    """The kind of change a turn of an order intent asks for; None for a status question. Another size or colour
    of an item is an exchange once the order is delivered and an item change while it is pending, whichever
    word the shopper used."""
    kind = _kind(reason, text)
    if kind in ("exchange", "modify_items"):
        return (
            "exchange" if status == "delivered" else "modify_items" if status.startswith("pending") else kind
        )
    return kind


def _kind(reason: str, text: str) -> str | None:
    if reason == "cancel_order":
        return "cancel"
    if reason == "return_refund":
        return "exchange" if _EXCHANGE.search(text) else "return"
    if reason == "modify_order":
        if _ADDRESS.search(text) and not _PAYMENT.search(text):
            return "modify_address"
        if _PAYMENT.search(text):
            return "modify_payment"
        return "modify_items"
    return None


def read_request(
    request: Request,
    text: str,
    slots: Mapping[str, Any],
    lines: list[dict[str, Any]],
    products: Mapping[str, ProductRecord],
    methods: list[dict[str, Any]],
) -> Request:
    """The request with what this turn adds to it: the lines it names, the variants wanted, a payment method,
    a cancellation's reason, a new address. What an earlier turn said stays unless this one says otherwise."""
    said = Request(**request.as_data())
    if slots.get("cancel_reason") in CANCEL_REASONS:
        said.reason = slots["cancel_reason"]
    if chosen := _lines_named(text, slots, lines):
        said.variant_ids = chosen
    elif len(lines) == 1:
        said.variant_ids = [lines[0]["variant_id"]]
    other = _other_product(text, products, {line["product_id"] for line in lines})
    for line in lines:
        if line["variant_id"] not in said.variant_ids:
            continue
        product = products.get(line["product_id"])
        # "the bottle for the desk lamp" names another product: the policy refuses a swap across products.
        wanted = other or (_variant_wanted(product, line, text, slots) if product is not None else None)
        if wanted is not None:
            said.to[line["variant_id"]] = wanted
    if (method := _method_named(text, methods)) is not None:
        said.method = method
    if said.kind == "modify_address" and (address := _address(text, slots)):
        said.address = address
    return said


def _lines_named(text: str, slots: Mapping[str, Any], lines: list[dict[str, Any]]) -> list[str]:
    """The order's lines the words point at: by position ("the second item") or by words of their titles."""
    lowered = text.lower()
    positions = [n for word, n in _ORDINAL.items() if re.search(rf"\b{word}\b", lowered)]
    picked = [lines[n - 1 if n > 0 else n]["variant_id"] for n in positions if -len(lines) <= n <= len(lines)]
    if picked:
        return picked
    wanted = words(text) - _GENERIC
    return [line["variant_id"] for line in lines if wanted & words(line["title"])]


def _other_product(text: str, products: Mapping[str, ProductRecord], ordered: set[str]) -> str | None:
    """A product outside the order that the words name by most of its title ("the brass desk lamp")."""
    said = words(text)
    for product in products.values():
        title = words(product.title) - _GENERIC
        if product.id not in ordered and len(title) >= 2 and len(title & said) * 2 > len(title):
            return product.id
    return None


def _variant_wanted(product: ProductRecord, line: dict[str, Any], text: str, slots) -> str | None:
    """Another variant of the line's product that the words name, keeping the options they do not name: "in
    size 10" for a blue size 9 shoe is the blue size 10."""
    named = named_options(product, text, slots)
    current = {key: str(value).lower() for key, value in (line.get("options") or {}).items()}
    named = {key: values for key, values in named.items() if values != {current.get(key)}}
    if not named:
        return None
    for unit in product.units():
        options = {key: value.lower() for key, value in unit.options.items()}
        if unit.id == line["variant_id"]:
            continue
        if all(options.get(key) in values for key, values in named.items()) and all(
            options.get(key) == value for key, value in current.items() if key not in named and key in options
        ):
            return unit.id
    return None


def _method_named(text: str, methods: list[dict[str, Any]]) -> str | None:
    if _GIFT_CARD.search(text):
        return next((m["id"] for m in methods if m.get("kind") == "gift_card"), None)
    if last4 := _LAST4.search(text):
        return next((m["id"] for m in methods if m.get("last4") == last4.group(1)), None)
    lowered = text.lower()
    for method in methods:
        names = {method.get("kind", "").replace("_", " "), str(method.get("brand", "")), method["id"].lower()}
        if any(name and re.search(rf"\b{re.escape(name)}\b", lowered) for name in names - {"credit card"}):
            return method["id"]
    return None


def _address(text: str, slots: Mapping[str, Any]) -> dict[str, str] | None:
    """A new address as one line: the checkout's address slot, else the words after "to" that look like one."""
    found = _NEW_ADDRESS.search(text.strip())
    given = found.group(1) if found else slots.get("address")
    return {"line1": given.strip(" ,.")} if given else None
