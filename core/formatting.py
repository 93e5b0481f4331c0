"""How money and products are written for people: the same in replies, the chat panels, the console and the store."""

from __future__ import annotations

from core.product import ProductRecord

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}


def money(amount: float, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def stock_phrase(product: ProductRecord) -> str:
    if product.stock is None:
        return ""
    if product.stock == 0:
        return "out of stock"
    return f"only {product.stock} left" if product.stock <= 5 else "in stock"


def product_line(position: int, product: ProductRecord) -> str:
    rating = f", rated {product.rating:.1f}/5" if product.rating else ""
    stock = stock_phrase(product)
    return f"{position}. {product.title} — {money(product.price, product.currency)}{rating}{', ' + stock if stock else ''}"


def listed(items: list[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plural(phrase: str) -> str:
    """An English noun phrase in the plural by its last word ("hdmi cable" → "hdmi cables"); a last word
    that already ends in s is taken as plural."""
    head, _, last = phrase.rpartition(" ")
    if last.endswith("s"):
        return phrase
    if last.endswith("fe"):
        last = last[:-2] + "ves"
    elif last.endswith(("x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def results_suggestions(count: int, *more: str) -> list[str]:
    """Quick replies under a list of `count` products: a comparison only when there are two to compare."""
    if count == 1:
        # "the first one", not "it": the words the intent classifier reads surely wherever the chip is tapped.
        return ["Tell me about the first one", "Add it to my cart", *more]
    return ["Tell me about the first one", "Compare the first two", *more]


def one_of(count: int) -> str:
    """How a reply points at one of `count` products shown: "it", "one of them"."""
    return "it" if count == 1 else "one of them"


def details_question(count: int) -> str:
    return f"Want details on {one_of(count)}?"
