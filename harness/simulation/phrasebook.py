"""What simulated shoppers say, and what about: message templates per step, and products, colors and budgets
drawn from the catalog so that a simulated search finds what a shopper of that catalog would look for.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, replace

from core.formatting import plural
from core.product import ProductRecord
from retrieval.catalog import Catalog

# Several phrasings per step, as different shoppers would put it.
GREET = ["hi", "hello", "hey there", "hi!", "good morning", "hello there"]
SEARCH = [
    "show me {things}",
    "do you have {things}?",
    "I'm looking for {thing}",
    "i need {thing}",
    "any {things} in stock?",
    "can you show me some {things}",
    "I want to buy {thing}",
]
SEARCH_COLOR = ["show me {color} {things}", "looking for {color} {things}", "do you have {color} {things}?"]
SEARCH_PRICE = [
    "show me {things} under ${price}",
    "{things} under {price}",
    "do you have {things} for less than ${price}?",
    "I'm looking for {things} under {price} dollars",
]
RECOMMEND = [
    "what do you recommend?",
    "what's a good gift for my dad?",
    "any suggestions for a birthday gift?",
]
REFINE_COLOR = ["in {color}", "do you have them in {color}?", "only {color} ones", "any in {color}?"]
SORT = ["sort by rating", "best rated first", "show the best rated ones", "sort by price"]
SORT_PRICE = ["cheapest first", "sort by price, lowest first"]
CHEAPER = [
    "cheaper ones",
    "anything cheaper?",
    "that's too expensive",
    "show me cheaper options",
    "too pricey",
]
ORDINALS = ["first", "second", "third"]
DETAILS = [
    "tell me about the {ordinal} one",
    "what material is the {ordinal} one?",
    "more details on the {ordinal} one",
    "what about the {ordinal} one?",
]
COMPARE = ["compare the first two", "can you compare the first and second?", "compare the first two please"]
ADD = [
    "add the {ordinal} one to my cart",
    "I'll take the {ordinal} one",
    "add the {ordinal} one",
    "put the {ordinal} one in my basket",
]
AFFIRM = ["yes", "sure", "yes please", "go ahead", "sounds good"]
DECLINE = ["no thanks", "not now", "nope"]
CHECKOUT = ["checkout", "I'm ready to pay", "let's check out", "proceed to checkout", "checkout please"]
ADDRESSES = [
    "12 Main Street, Springfield",
    "5 Oak Road, Portland",
    "3 Lake Road, Denver",
    "48 Elm Avenue, Austin",
    "221 Baker Street, Boston",
    "9 Harbor Drive, Seattle",
]
PAYMENTS = ["card ending 4242", "card ending 1881", "cash on delivery", "paypal", "apple pay"]
GIVE_BOTH = [
    "ship to {address} and pay with {payment}",
    "ship to {address}, and I'll pay by {payment}",
    "deliver to {address}, paying with {payment}",
]
GIVE_ADDRESS = ["ship to {address}", "deliver to {address}", "my address is {address}"]
GIVE_PAYMENT = ["I'll pay by {payment}", "pay with {payment}", "I'll pay with {payment}"]
CONFIRM = ["yes", "yes, place the order", "place the order", "go ahead"]
VIEW_CART = ["what's in my cart?", "show my basket", "what did I leave in my cart?"]
BACK = ["hi, I'm back", "hello again", "I'm back", "hi again"]
THANKS = ["thanks!", "thank you", "great, thanks", "thanks for the help"]
BYE = ["bye", "thanks, bye", "that's all, thanks bye", "ok bye"]
SUPPORT = [
    [
        "where is my order {order_id}?",
        "has my order {order_id} shipped?",
        "what's the status of order {order_id}?",
    ],
    ["I want to return my order {order_id}", "how do I return order {order_id}?", "refund please"],
    ["cancel order {order_id}", "please cancel my order {order_id}"],
    ["let me talk to a human", "agent please", "can I speak to a real person?"],
    ["the item arrived broken", "this is the worst service"],
]
POLICY = [
    ["how long does delivery take?", "do you ship to Canada?", "how much is shipping?"],
    ["can I pay with PayPal?", "my card was declined", "what payment methods do you accept?"],
]


@dataclass(frozen=True)
class Interest:
    """What a shopper is after: a kind of product, maybe a color, and a budget that the catalog can meet."""

    things: str
    thing: str
    category: str
    color: str | None
    price_cap: int

    def cheaper(self, rng: random.Random) -> Interest:
        """The same interest on a tighter budget (still above the cheapest product of its kind)."""
        return replace(self, price_cap=max(5, nice_price(self.price_cap * rng.uniform(0.5, 0.8))))


def nice_price(price: float) -> int:
    """A budget as people say it: 20, 45, 150, 600."""
    step = 5 if price < 50 else 10 if price < 200 else 50 if price < 1000 else 100
    return int(math.ceil(price / step) * step)


def product_term(titles: list[str]) -> str:
    """The words all these titles end with: their product type ("Running Shoe", "Mug")."""
    reversed_titles = [title.split()[::-1] for title in titles]
    common: list[str] = []
    for words in zip(*reversed_titles, strict=False):
        if len({word.lower() for word in words}) != 1:
            break
        common.append(words[0])
    return " ".join(reversed(common)).lower()


class ShopperVocabulary:
    """The catalog as shoppers name it: per category, a product type, its in-stock products and their colors."""

    def __init__(self, catalog: Catalog) -> None:
        by_category: dict[str, list[ProductRecord]] = defaultdict(list)
        for product in catalog.products:
            if product.category and product.in_stock:
                by_category[product.category].append(product)
        if not by_category:
            raise ValueError("the catalog has no products in stock to shop for")
        self.products = dict(sorted(by_category.items()))
        self.terms = {category: self._term(category, items) for category, items in self.products.items()}

    @staticmethod
    def _term(category: str, products: list[ProductRecord]) -> str:
        term = product_term([product.title for product in products])
        # No shared type word in the titles: the category's own name ("Clothing") is what the shopper knows.
        return term or category.split(" > ")[-1].lower()

    def interest(self, rng: random.Random) -> Interest:
        category = rng.choice(list(self.products))
        product = rng.choice(self.products[category])
        term = self.terms[category]
        return Interest(
            things=plural(term),
            thing=f"a {term}" if rng.random() < 0.6 else plural(term),
            category=category,
            color=product.color.lower() or None,
            price_cap=nice_price(product.price * rng.uniform(1.05, 1.6)),
        )

    def color(self, rng: random.Random, interest: Interest) -> str:
        """A color that some product of the interest's category has."""
        colors = sorted({p.color.lower() for p in self.products[interest.category] if p.color})
        return rng.choice(colors) if colors else "black"
