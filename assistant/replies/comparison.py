"""A comparison of two or more products written as a shop assistant would: short names, what differs, and the
one worth buying.

Names shrink to what tells them apart ("Manduka Pro" and "Solace Active Grip", not both full titles ending in
"Yoga Mat"); only the attributes whose values differ are listed, since "both are natural rubber" does not help a
choice; and the verdict names one product when it is both the cheaper and the better rated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.formatting import money
from core.product import ProductRecord


def short_names(products: Sequence[ProductRecord]) -> list[str]:
    """Each title without the words every title shares ("Yoga Mat"), kept whole when that leaves nothing or two
    names alike."""
    titles = [product.title.split() for product in products]
    shared = set.intersection(*({word.lower() for word in title} for title in titles))
    shortened = [" ".join(word for word in title if word.lower() not in shared) for title in titles]
    if not all(shortened) or len(set(shortened)) < len(shortened):
        return [product.title for product in products]
    return shortened


def _rating(product: ProductRecord) -> str:
    return f"rated {product.rating:.1f}/5" if product.rating else "not rated"


def _differing(products: Sequence[ProductRecord]) -> list[Callable[[ProductRecord], str]]:
    """The attributes worth a line: those whose values are not the same for every product."""
    readers: list[Callable[[ProductRecord], str]] = [
        lambda product: product.material,
        lambda product: product.color,
        lambda product: ", ".join(product.sizes) and f"sizes {', '.join(product.sizes)}",
        lambda product: "in stock" if product.in_stock else "out of stock",
    ]
    names = sorted({name for product in products for name in product.attributes})
    readers += [
        (
            lambda product, name=name: (
                f"{name.replace('_', ' ')} {product.attributes[name]}" if name in product.attributes else ""
            )
        )
        for name in names
    ]
    return [read for read in readers if len({read(product) for product in products}) > 1]


def recommended(products: Sequence[ProductRecord]) -> ProductRecord:
    """The one to offer: the best rated of those in stock, the cheaper on a tie."""
    return min(products, key=lambda product: (not product.in_stock, -(product.rating or 0.0), product.price))


def compare(products: Sequence[ProductRecord]) -> str:
    """Short names, price and rating, what differs, and a one-line verdict."""
    if len(products) < 2:
        raise ValueError("a comparison needs two or more products")
    names = short_names(products)
    differing = _differing(products)
    lines = []
    for name, product in zip(names, products, strict=True):
        details = [money(product.price, product.currency), _rating(product)]
        details += [text for read in differing if (text := read(product))]
        lines.append(f"• {name}: {', '.join(details)}")
    named = dict(zip((product.id for product in products), names, strict=True))
    best = recommended(products)
    cheapest = min(products, key=lambda product: (product.price, -(product.rating or 0.0)))
    cheaper, better = (
        ("cheaper", "better rated") if len(products) == 2 else ("the cheapest", "the best rated")
    )
    if len({product.price for product in products}) == 1:
        verdict = f"They cost the same; {named[best.id]} is {better}."
    elif len({product.rating for product in products}) == 1:
        verdict = f"They are rated the same; {named[cheapest.id]} is {cheaper}."
    elif best.id == cheapest.id:
        verdict = f"{named[best.id]} is both {cheaper} and {better}."
    else:
        top = max(products, key=lambda product: product.rating or 0.0)
        verdict = f"{named[top.id]} is {better}; {named[cheapest.id]} is {cheaper}."
    return "\n".join(lines) + f"\n{verdict}"
