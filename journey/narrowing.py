"""The narrowing question of guidance: which attribute of the matching products splits them best, by entropy.

An attribute's values (color, material, brand, price band, sub-category) spread the matches over groups; the
more evenly and the more groups, the more one answer narrows them, so the attribute of highest entropy is asked
about and its most common values are offered as quick replies the assistant understands.
"""

from __future__ import annotations

import math
from collections import Counter

from core.formatting import money
from core.product import ProductRecord

# Narrowing attributes, with the slots that a shopper's answer fills (a filtered attribute is not asked again).
ATTRIBUTE_SLOTS = {
    "color": ("color",),
    "material": ("material",),
    "brand": ("brand",),
    "price": ("min_price", "max_price"),
    "category": ("category",),
}
ATTRIBUTE_NAMES = {"color": "color", "material": "material", "brand": "brand", "price": "price range"}
# Below this share of the matches carrying a value, an attribute cannot split them.
MIN_COVERAGE = 0.6


def entropy(counts: Counter) -> float:
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values() if n)


def best_split(products: list[ProductRecord], slots: dict) -> tuple[str, list[tuple[str, str]]] | None:
    """The attribute that splits `products` best and its top values as (label, quick reply); None if none does.

    An attribute the shopper already constrained is skipped; one that too few products carry counts for less
    (its entropy is weighted by the share of products that have a value)."""
    best, best_score = None, 0.0
    for attribute, keys in ATTRIBUTE_SLOTS.items():
        if any(slots.get(key) is not None for key in keys):
            continue
        counts, replies = attribute_values(attribute, products)
        coverage = sum(counts.values()) / len(products)
        if len(counts) < 2 or coverage < MIN_COVERAGE:
            continue
        score = entropy(counts) * coverage
        if score > best_score:
            top = [(label, replies[label]) for label, _n in counts.most_common(3)]
            best, best_score = (attribute, top), score
    return best


def attribute_values(attribute: str, products: list[ProductRecord]) -> tuple[Counter, dict[str, str]]:
    """How many products carry each value of `attribute`, and the quick reply that picks each value."""
    if attribute == "price":
        return price_bands(products)
    counts: Counter = Counter()
    replies: dict[str, str] = {}
    for product in products:
        # A category's leaf names the sub-category ("Shoes > Running" → "Running").
        value = (
            product.category.rpartition(" > ")[2] if attribute == "category" else getattr(product, attribute)
        )
        if not value:
            continue
        label = value if attribute == "brand" else value.lower()
        counts[label] += 1
        replies[label] = {
            "color": f"In {label}",
            "material": f"Only {label} ones",
            "brand": f"Only {label}",
            "category": f"Only {label}",
        }[attribute]
    return counts, replies


def price_bands(products: list[ProductRecord]) -> tuple[Counter, dict[str, str]]:
    """Three price bands at whole-number cut points near the thirds of the products' prices."""
    prices = sorted(product.price for product in products)
    currency = products[0].currency
    low, high = (math.ceil(prices[len(prices) * i // 3]) for i in (1, 2))
    if low >= high:
        return Counter(), {}
    bands = {
        f"under {money(low, currency)}": (f"Under {low}", lambda p: p < low),
        f"{money(low, currency)} to {money(high, currency)}": (
            f"Between {low} and {high}",
            lambda p: low <= p <= high,
        ),
        f"over {money(high, currency)}": (f"Over {high}", lambda p: p > high),
    }
    counts = Counter({label: sum(1 for p in prices if test(p)) for label, (_reply, test) in bands.items()})
    return +counts, {label: reply for label, (reply, _test) in bands.items()}
