"""Rule-based slot extraction: prices, colors, materials, sizes, quantities, brands, categories, references to
shown products, order ids, sort orders, and the checkout details (address, payment method).

Rules, not a model, because these values must be exact (a price limit of 100 is 100) and the vocabulary comes
from the merchant's own catalog, so a new catalog's brands and categories work without retraining.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from core.state import Context
from retrieval.catalog import Catalog, singular, words
from retrieval.lexical import tokens

BASE_COLORS = [
    "black",
    "white",
    "grey",
    "gray",
    "navy",
    "blue",
    "red",
    "green",
    "beige",
    "brown",
    "pink",
    "purple",
    "yellow",
    "orange",
    "silver",
    "gold",
    "teal",
    "burgundy",
    "cream",
    "ivory",
    "khaki",
    "olive",
    "charcoal",
    "turquoise",
    "maroon",
    "lavender",
    "tan",
    "multicolor",
]
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "a pair of": 2, "both": 2,
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
SORTS = (
    (
        r"most expensive|highest price|price:? high to low|priciest|by price,? (?:high|highest|descending)|"
        r"high(?:est)? to low(?:est)?|highest first",
        "price_desc",
    ),
    (
        r"cheapest|lowest price|price:? low to high|least expensive|lowest first|low(?:est)? to high(?:est)?|"
        r"(?:sort|order|rank|arrange|list|show)(?:ed)?\b.*\bby (?:the )?price|^\W*by price",
        "price_asc",
    ),
    (r"best[- ]rated|top[- ]rated|highest[- ]rated|by rating|best reviews?|most popular", "rating_desc"),
    (r"newest|latest|most recent|new arrivals", "newest"),
)

# Units of measure and of time: a number before one is a length, a capacity, an age, never a price or a count
# ("HDMI cable, 3 metres", "1TB", "for a 5 year old").
_UNIT = (
    r"(?:mm|cm|m|km|metres?|meters?|inch(?:es)?|ft|feet|foot|yards?|kb|mb|gb|tb|hz|khz|mhz|ghz|w|watts?|kw|v|volts?|"
    r"mah|ah|ml|l|litres?|liters?|g|grams?|kg|lbs?|pounds?|oz|ounces?|mp|megapixels?|fps|rpm|cores?|threads?|"
    r"gen|series|years?|yrs?|yo|am|pm|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|%|\")"
)
# The whole number (never a shorter run of its digits) and not a measure.
_FIGURE = rf"(\d[\d,]*(?:\.\d+)?)(?![\d,]|\.\d)(?!\s*{_UNIT}(?![a-z]))"
_ROUGHLY = r"(?:around|about|roughly|approximately|maybe)"
_MONEY_WORD = r"(?:dollars?|bucks|usd|euros?|rupees?|inr|quid|pounds?)"
_AMOUNT = rf"(?:[$€£₹]|rs\.?|inr|usd)?\s*{_FIGURE}\s*(?:k\b)?\s*{_MONEY_WORD}?"
_BETWEEN = re.compile(
    rf"\bbetween\s+{_AMOUNT}\s+(?:and|to|-)\s+{_AMOUNT}|\b{_AMOUNT}\s*(?:-|to)\s*{_AMOUNT}\b", re.I
)
_MAX = re.compile(
    rf"\b(?:under|below|less than|cheaper than|at most|no more than|max(?:imum)?|up to|within|<"
    rf"|(?:nothing|not|never|none|no(?:thing)? (?:more|higher)) (?:over|above|more than|higher than|exceeding)"
    # A budget, or a price said roughly, is the most the shopper means to spend.
    rf"|budget(?: is| of)?(?: about| around)?|spend(?:ing)?(?: about| around)?)\s*{_AMOUNT}"
    rf"|{_AMOUNT}\s*(?:max(?:imum)?|tops|or less|or under|or below|at most|budget)\b"
    rf"|{_ROUGHLY}\s*(?:[$€£₹]\s*{_FIGURE}|{_FIGURE}\s*{_MONEY_WORD})",
    re.I,
)
# After "roughly what budget?", a rough number is the answer, money sign or not.
_ROUGH_BUDGET = re.compile(rf"\b{_ROUGHLY}\s*{_AMOUNT}", re.I)
# "nothing over 60" is a ceiling (_MAX), not a floor.
_MIN = re.compile(
    rf"(?<!nothing )(?<!not )(?<!never )(?<!none )(?<!no )\b(?:over|above|more than|at least|min(?:imum)?|from|>)\s*{_AMOUNT}",
    re.I,
)
_RELATIVE_CHEAPER = re.compile(
    r"\b(cheaper|less expensive|lower price|more affordable|budget|too (?:expensive|pricey|much)|can'?t afford|over my budget)\b",
    re.I,
)
_RELATIVE_PRICIER = re.compile(r"\b(pricier|more expensive|more premium|higher end|fancier)\b", re.I)
_ORDER_ID = re.compile(
    r"(?:\border|\bpurchase|#)\s*(?:number|no\.?|id)?\s*[#:]?\s*([A-Za-z]*\d[\w-]{2,})", re.I
)
_SIZE = re.compile(
    r"\bsize\s+([a-z0-9.]{1,4})\b|\b(xxs|xs|xxl|xxxl|xl)\b|\b(queen|king|twin)(?:[- ]size)?\b", re.I
)
_QUANTITY = re.compile(
    r"\b(\d{1,2}|a couple of|a pair of|an?|one|two|three|four|five|six|seven|eight|nine|ten|both)\s+"
    rf"(?!(?:{_UNIT}|{_MONEY_WORD})(?![a-z]))"
    r"(?=(?:of (?:the|those|these|them|it)\b|those\b|these\b|them\b|more|items?|pieces?|pcs|pairs?|units?|x\b|[a-z]+s\b))",
    re.I,
)
_REF_ORDINAL = re.compile(
    # "lowest first", "cheapest first": an order, not the first product shown.
    r"\b(?<!est )(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|seventh|eighth|ninth|tenth|last)"
    # "last year", "last week": a time, not the last product shown.
    r"(?:\s+(two|three|four))?\b(?!\s+(?:year|week|month|time|night|days?|weekend|order|purchase)\b)|(?:#|number|no\.?|option|item)\s*(\d)\b",
    re.I,
)
_PAYMENT = re.compile(
    r"\b(?:card|visa|mastercard|amex)\s+ending(?:\s+in)?\s+(\d{4})\b|\b(cash on delivery|cod|paypal|apple pay|"
    r"google pay|gift card|bank transfer|credit card|debit card)\b",
    re.I,
)
_ADDRESS = re.compile(
    r"(?:ship(?:ping)?(?: it)? to|deliver(?: it)? to|send it to|address(?: is| to| should be)?:?)\s+(.+?)"
    r"(?=,?\s+(?:and\s+)?(?:i'?ll\s+|i will\s+|i\s+)?(?:pay|paying|payment|with card|by card|card ending|cash on|paypal)|[.;]|$)"
    r"|\b(\d+\s+[a-z][\w .'-]*?\b(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|"
    r"ct|place|pl|square|sq)\b[^;.]*?)(?=,?\s+(?:and\s+)?(?:i'?ll\s+|i will\s+)?(?:pay|paying|payment|card ending|cash on|paypal)|[;.]|$)",
    re.I,
)
# The store's two reasons for cancelling an order (docs/store-data.md).
_CANCEL_REASONS = (
    (
        "no longer needed",
        re.compile(r"\b(?:no longer need|don'?t need|do not need|changed my mind|not needed)", re.I),
    ),
    (
        "ordered by mistake",
        re.compile(r"\b(?:by mistake|by accident|accidentally|mistakenly|wrong (?:item|order))", re.I),
    ),
)
# "make it 2", "change that to three": the quantity of the product just added, not more of it.
_SET_QUANTITY = re.compile(
    r"\b(?:make (?:it|that|them|this)|change (?:it|that|this|the quantity) to|set (?:it|the quantity) to)\s+"
    r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)
# "both", "all three", "all of them": every product shown, or the first N.
_ALL_SHOWN = re.compile(r"\b(?:both|all (?:of )?(?:them|those|these|(two|three|four|five|2|3|4|5)))\b", re.I)
_DEMONSTRATIVE = re.compile(r"\b(that|this|it|that one|this one|those|these|them)\b", re.I)


_TITLE_WORD = re.compile(r"[^\W_]+")
_PLAIN_WORD = re.compile(r"[a-z0-9]+")
# At most this many titles share a pair of words that names a product ("Nitro 3" names a Puma line of three).
NAME_PAIR_TITLES = 3


def _numbered_pairs(lowered: str) -> Iterator[tuple[str, str]]:
    """(word, number) for each number that directly follows a word."""
    found = _PLAIN_WORD.findall(lowered)
    return ((word, number) for word, number in pairwise(found) if number.isdigit() and not word.isdigit())


def _codes(text: str) -> set[str]:
    return {token for token in tokens(text) if not token.isalpha() and not token.isdigit()}


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


class Phrases:
    """A vocabulary of phrases found as whole words in lower-case text; the longest one present wins."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.rank = {
            phrase: rank for rank, phrase in enumerate(sorted(set(phrases), key=lambda p: (-len(p), p)))
        }
        # Longest first, so that at any position "light blue" is tried before "blue".
        alternatives = "|".join(re.escape(phrase) for phrase in self.rank)
        self.pattern = re.compile(rf"\b(?:{alternatives})\b") if self.rank else None

    def longest_in(self, lowered: str) -> str | None:
        found = self.pattern.findall(lowered) if self.pattern else []
        return min(found, key=self.rank.__getitem__, default=None)


class SlotExtractor:
    """Finds the taxonomy's slots in one utterance, using the catalog's vocabulary and the shown products."""

    def __init__(self, catalog: Catalog, common_words: frozenset[str] = frozenset()) -> None:
        self.catalog = catalog
        # One compiled pattern per vocabulary: a turn runs one search each, not one per colour or brand.
        self.colors = Phrases(set(BASE_COLORS) | set(catalog.colors))
        self.materials = Phrases(catalog.materials)
        self.brands = {brand.lower(): brand for brand in catalog.brands}
        self.brand_names = Phrases(self.brands)
        # Words the catalog or shoppers' everyday requests use are never typos ("like" is not "nike", "cart"
        # is not "care", "sort" is not "sport").
        self._known_words = {word for product in catalog.products for word in words(product.search_text())}
        self._known_words |= common_words
        # The model codes the catalog's titles carry ("rtx4060", "5900x", "nv2"), however they are spaced.
        self._models = {code for product in catalog.products for code in _codes(product.title)}
        # How many titles hold each pair of neighbouring words: a rare pair is a product's name.
        self._title_pairs = Counter(
            pair
            for product in catalog.products
            for pair in set(pairwise(w for w in _TITLE_WORD.findall(product.title.lower()) if w not in _STOP))
        )
        # A number that follows a word in the catalog's titles is part of a name ("Ryzen 9", "Series 5"): "ryzen 9
        # processors" asks for a model line, not for nine.
        self._named_numbers = {
            pair for product in catalog.products for pair in _numbered_pairs(product.title.lower())
        }
        # Every word a title or category holds: a request whose head is none of them asks for what the store lacks.
        self._type_vocabulary = set(catalog.type_words) | {
            word for path in catalog.categories for word in words(path)
        }
        self._type_list = sorted(self._type_vocabulary)
        self._product_words = {word for path in catalog.categories for word in words(path)} | {
            word for word, count in catalog.type_words.items() if count >= 3 and len(word) > 3
        }

    @property
    def known_words(self) -> set[str]:
        return self._known_words

    def names_model(self, text: str) -> bool:
        """Whether the text names a product of the catalog: one of its titles' model codes ("5900x"), or two words
        side by side that few titles share ("clifton 9", "hoka clifton"), not a kind many share ("running shoe")."""
        if not self._models.isdisjoint(_codes(text)):
            return True
        found = [word for word in _TITLE_WORD.findall(text.lower()) if word not in _STOP]
        return any(0 < self._title_pairs.get(pair, 0) <= NAME_PAIR_TITLES for pair in pairwise(found))

    def run(self, text: str, context: Context | None = None) -> dict[str, Any]:
        context = context or Context()
        slots: dict[str, Any] = {}
        lowered = text.lower()
        self._prices(text, context, slots)
        if order := _ORDER_ID.search(text):
            slots["order_id"] = order.group(1)
        for reason, pattern in _CANCEL_REASONS:
            if pattern.search(text):
                slots["cancel_reason"] = reason
                break
        if color := self.colors.longest_in(lowered):
            slots["color"] = color
        if material := self.materials.longest_in(lowered):
            slots["material"] = material
        if size := _SIZE.search(text):
            slots["size"] = next(group for group in size.groups() if group).upper()
            if slots["size"] in ("QUEEN", "KING", "TWIN"):
                slots["size"] = slots["size"].lower()
        if quantity := self._quantity(lowered):
            slots["quantity"] = quantity
        if setting := _SET_QUANTITY.search(lowered):
            slots["quantity"] = _count(setting.group(1))
        if brand := self._brand(lowered):
            slots["brand"] = brand
        # Words already read as a color, material or brand do not name a category as well: "brown t-shirts"
        # is t-shirts, "only Nike" keeps the category on screen.
        rest = lowered
        for pattern in (_BETWEEN, _MAX, _MIN):
            rest = pattern.sub(" ", rest)
        for value in (slots.get("color"), slots.get("material"), brand and brand.lower()):
            if value:
                rest = re.sub(rf"\b{re.escape(value)}\b", " ", rest)
        if category := self._category(rest):
            slots["category"] = category
        if refs := self._references(lowered, context):
            slots["product_ref"] = refs
        for pattern, sort in SORTS:
            if re.search(pattern, lowered):
                slots["sort"] = sort
                break
        self._checkout_details(text, slots)
        if address := slots.get("address"):
            # "7 Oak Ave" is where to ship, not a material, a count or a price.
            inside = address.lower()
            for key in (
                "color",
                "material",
                "brand",
                "category",
                "size",
                "quantity",
                "min_price",
                "max_price",
            ):
                if key in slots and re.search(rf"\b{re.escape(str(slots[key]).lower())}\b", inside):
                    del slots[key]
        return slots

    def _prices(self, text: str, context: Context, slots: dict[str, Any]) -> None:
        if between := _BETWEEN.search(text):
            low, high = (_number(group) for group in between.groups() if group)
            slots["min_price"], slots["max_price"] = min(low, high), max(low, high)
            return
        if high := _MAX.search(text) or (context.need_asked and _ROUGH_BUDGET.search(text)):
            slots["max_price"] = _number(next(group for group in high.groups() if group))
        if low := _MIN.search(text):
            slots["min_price"] = _number(low.group(1))
        # "cheaper" is relative to the product under discussion, else to what is on screen: below the cheapest.
        shown_prices = [product.price for product in context.focus or context.shown]
        if "max_price" not in slots and shown_prices and _RELATIVE_CHEAPER.search(text):
            slots["max_price"] = round(min(shown_prices) - 0.01, 2)
        if "min_price" not in slots and shown_prices and _RELATIVE_PRICIER.search(text):
            slots["min_price"] = round(max(shown_prices) + 0.01, 2)

    def _quantity(self, lowered: str) -> int | None:
        for match in _QUANTITY.finditer(lowered):
            word = match.group(1)
            if word in ("a", "an"):
                continue  # "a red mug" names a product, not a count.
            before = _PLAIN_WORD.findall(lowered[: match.start()])
            if word.isdigit() and before and (before[-1], word) in self._named_numbers:
                continue
            return _count(word)
        return None

    def _brand(self, lowered: str) -> str | None:
        if name := self.brand_names.longest_in(lowered):
            return self.brands[name]
        single_words = [name for name in self.brands if " " not in name]
        return next((self.brands[name] for name in self._corrections(lowered, single_words)), None)

    def _corrections(self, lowered: str, vocabulary: list[str]) -> Iterator[str]:
        """Vocabulary words that a misspelt word of the text stands for ("nkie" → "nike", "sofaa" → "sofa")."""
        for token in re.findall(r"[a-z]{4,}", lowered):
            if token in self._known_words or singular(token) in self._known_words or token in _STOP:
                continue
            for word in vocabulary:
                # Two edits only for long words: at 7 letters, two edits turn "choosing" into "cooling".
                limit = 1 if len(word) <= 7 else 2
                # Typos rarely change the first letter; requiring it keeps "like" from reading as "Nike".
                # The token against the word and its plurals: "wacthes" is one swap from "watches".
                if (
                    token[0] == word[0]
                    and min(
                        DamerauLevenshtein.distance(said, form)
                        for said in (token, singular(token))
                        for form in (word, word + "s", word + "es")
                    )
                    <= limit
                ):
                    yield word

    def _category(self, lowered: str) -> str | None:
        # "women's" is the catalog's "womens"; function words and stray letters never name a category,
        # however long a merchant's category paths are ("sandals for women" must not match "for boys").
        tokens = re.findall(r"[a-z0-9-]+", re.sub(r"['’]s\b", "s", lowered))
        for size in (3, 2, 1):
            phrases = [
                " ".join(tokens[start : start + size])
                for start in range(len(tokens) - size + 1)
                if not any(len(token) < 2 or token in _STOP for token in tokens[start : start + size])
            ]
            if category := next(filter(self.catalog.categories_for, phrases), None):
                return category
            # Else a word many titles carry; of several, the last is the head ("scented candles": candles).
            if size == 1 and (kind := next(filter(self._is_product_type, reversed(phrases)), None)):
                return kind
        return next(self._corrections(lowered, sorted(self._product_words)), None)

    def not_carried(self, text: str) -> str | None:
        """The kind of product the request names when no title or category of the catalog names it ("earbuds",
        "yoga leggings"), so the reply can say so instead of showing the nearest products as if they were it.

        The kind is the request's first noun phrase, read past the words that ask, point, describe or price
        ("do you have", "the cheapest", "red", "under 50"); its last word is the head. A head that a catalog
        word is a misspelling of ("sneekers") is carried; a need ("a gift for dad") names no kind."""
        lowered = text.lower()
        for pattern in (_BETWEEN, _MAX, _MIN, _SIZE):
            lowered = pattern.sub(" , ", lowered)
        described = {
            word
            for phrase in (*self.colors.rank, *self.materials.rank, *self.brands)
            for word in phrase.split()
        }
        phrase: list[str] = []
        previous = ""
        # A hyphenated word is one word, as the catalog's vocabulary has it ("t-shirts" is "tshirts").
        for token in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*|[^\w\s]|\d+", lowered):
            if token in _ENDS_PHRASE and previous not in _ASKING_VERBS and not phrase:
                return None  # "something for my dad": what follows is who or what it is for, not a kind
            asking = token in _ASKING or token in _STOP or token in described or len(token) < 3
            if asking or not token.replace("-", "").isalpha():
                if phrase:
                    break
                previous = token
                continue
            phrase.append(token)
        if not phrase or phrase[-1] in _NEEDS:
            return None
        head = singular(phrase[-1].replace("-", ""))
        if head in self._type_vocabulary or next(self._corrections(phrase[-1], self._type_list), None):
            return None
        if next(self._corrections(phrase[-1], _ASKING_LIST), None):
            return None  # a misspelt word of asking or ordering ("lwoest first") is no kind of product
        return " ".join(phrase[-3:])

    def _is_product_type(self, token: str) -> bool:
        """A word that names a kind of product in many titles ("mug", "sneakers"), not a generic word."""
        return len(token) > 2 and self.catalog.type_words.get(singular(token), 0) >= 3 and token not in _STOP

    def _references(self, lowered: str, context: Context) -> list[int]:
        refs: list[int] = []
        for ordinal, count, number in _REF_ORDINAL.findall(_ordinals_spelt(lowered, self._known_words)):
            if number:
                refs.append(int(number))
            elif ordinal == "last":
                refs.append(max(len(context.shown), 1))
            elif count:
                refs.extend(range(1, NUMBER_WORDS[count] + 1))
            else:
                refs.append(ORDINALS[ordinal])
        if not refs and len(context.shown) > 1 and (every := _ALL_SHOWN.search(lowered)):
            count = every.group(1)
            wanted = 2 if every.group(0).startswith("both") else len(context.shown)
            if count:
                wanted = _count(count)
            return list(range(1, min(wanted, len(context.shown)) + 1))
        if not refs and context.shown and re.search(r"\b(one|ones)\b", lowered):
            # "the red one", "the leather one": the shown products with that attribute.
            for position, product in enumerate(context.shown, start=1):
                attributes = f"{product.color} {product.material} {product.brand}".lower()
                if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in attributes.split()):
                    refs.append(position)
        return refs

    @staticmethod
    def _checkout_details(text: str, slots: dict[str, Any]) -> None:
        if payment := _PAYMENT.search(text):
            slots["payment_method"] = (
                f"card ending {payment.group(1)}" if payment.group(1) else payment.group(2).lower()
            )
        if address := _ADDRESS.search(text):
            slots["address"] = (address.group(1) or address.group(2)).strip(" ,")


def _count(word: str) -> int:
    """ "2" or "two" → 2."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def relative_price(text: str) -> bool:
    """Whether the price limit is relative to what was shown ("something cheaper"), not a number said."""
    return bool(_RELATIVE_CHEAPER.search(text) or _RELATIVE_PRICIER.search(text)) and not re.search(
        r"\d", text
    )


def sets_quantity(text: str) -> bool:
    """Whether the shopper changes how many of a product they want ("make it 2"), rather than adding more."""
    return bool(_SET_QUANTITY.search(text))


def mentions_reference(text: str) -> bool:
    """Whether the shopper points at something already discussed ("it", "that one")."""
    return bool(_DEMONSTRATIVE.search(text))


_STOP = set(
    [
        "the",
        "and",
        "for",
        "with",
        "you",
        "your",
        "have",
        "any",
        "some",
        "show",
        "find",
        "want",
        "need",
        "looking",
        "like",
        "what",
        "which",
        "that",
        "this",
        "them",
        "those",
        "these",
        "one",
        "ones",
        "can",
        "are",
        "does",
        "how",
        "much",
        "more",
        "less",
        "best",
        "good",
        "new",
        "cheap",
        "price",
        "under",
        "over",
        "between",
        "me",
        "my",
        "in",
        "of",
        "to",
        "on",
        "at",
        "is",
        "it",
        "or",
        "an",
        "do",
        "get",
        "buy",
        "please",
        "than",
        "from",
    ]
)

# The words of a request that ask, point, rate or fill, never naming the kind of product wanted.
_ASKING = {
    "hey", "hello", "hiya", "there", "looking", "searching", "shopping", "hunting", "after", "got", "sell",
    "stock", "carry", "offer", "stocked", "available", "was", "were", "would", "could", "should", "will", "shall",
    "may", "might", "our", "they", "their", "its", "something", "anything", "everything", "stuff", "thing",
    "things", "kind", "sort", "type", "kinds", "sorts", "types", "maybe", "perhaps", "really", "just", "also",
    "too", "very", "quite", "all", "each", "every", "cheapest", "priciest", "nicest", "top", "rated", "cheaper",
    "similar", "other", "another", "else", "nice", "great", "decent", "quality", "thanks", "thank", "pls", "plz",
    "yes", "yeah", "okay", "not", "nothing", "none", "wanted", "wanna", "gonna", "needs", "love", "tell", "see",
    "give", "recommend", "suggest", "help", "search", "order", "bring", "send", "list", "sale", "cost", "costs",
    "prices", "budget", "expensive", "affordable", "bucks", "dollars", "euros", "quid", "pounds", "rupees",
    "don", "doesn", "didn", "isn", "aren", "won", "haven", "hasn", "couple", "few", "lot", "lots", "two", "three",
    "four", "five", "pair", "pairs", "set", "piece", "pieces", "size", "sized", "small", "medium", "large",
    "big", "little", "cool", "fancy", "simple", "plain", "nicer", "better", "cheapo", "mine", "yours", "here",
    "now", "today", "still", "again", "only", "exactly", "which", "where", "who", "whose", "priced", "costing",
    "around", "about", "roughly",
    # Words for what is shown and its order: "cheaper options", "lowest first".
    "option", "options", "ones", "alternatives", "alternative", "choices", "choice", "items", "item", "products",
    "product", "price", "lowest", "highest", "first", "last", "sorted", "ordered", "ranked",
}  # fmt: skip
_ASKING_LIST = sorted(word for word in _ASKING if len(word) >= 4)
# Request verbs after which a preposition still leads to the kind wanted ("looking for a kettle").
_ASKING_VERBS = {"looking", "searching", "shopping", "hunting", "asking", "after", "need", "want"}
# Prepositions that end a phrase: what follows says who or what the product is for.
_ENDS_PHRASE = {"for", "with", "to", "who", "that", "which"}
# Words that name a need, never a kind of product: a gift can be anything.
_NEEDS = {"gift", "gifts", "present", "presents", "idea", "ideas", "surprise", "treat", "stocking", "stuffer"}


_ORDINAL_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


def _ordinals_spelt(lowered: str, known: set[str]) -> str:
    """The text with a misspelt ordinal written right: letters swapped ("seocnd", "thrid") or one left out
    ("secnd"), never a word the catalog uses. Only those: one other edit turns real words into ordinals ("fifty",
    "tents", "seconds"), and a letter left out of a short one does too ("tent")."""

    def misspells(word: str, ordinal: str) -> bool:
        if word[0] != ordinal[0]:
            return False
        if sorted(word) == sorted(ordinal):
            return DamerauLevenshtein.distance(word, ordinal) <= 2
        letters = iter(ordinal)
        return len(word) == len(ordinal) - 1 >= 5 and all(letter in letters for letter in word)

    def spelt(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in known:
            return word
        return next((ordinal for ordinal in _ORDINAL_WORDS if misspells(word, ordinal)), word)

    return re.sub(r"\b[a-z]{4,7}\b", spelt, lowered)
