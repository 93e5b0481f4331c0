"""The grounding guard: checks a generated reply against what the tools returned, before a shopper sees it.

A generating backend only rephrases the grounded template draft. The guard reads the reply sentence by sentence
and refuses it when it states anything the context does not hold:
- a number (a price, a stock count, a total, a delivery time) that neither the draft, the products, the cart, the
  order nor the store's policies contain, or a price or stock level attached to the wrong product;
- a stock claim ("out of stock", "in stock", "only 3 left") that contradicts the product it is about;
- a name (a capitalised word) that appears nowhere in the context: an invented product or brand;
- a policy statement (shipping, returns, discounts, coupons, guarantees…) that no policy or draft sentence makes;
- a passage of the system prompt;
- a reply that names none of the products the draft shows, or denies having them.
Respond replaces a refused reply with the draft and logs why (assistant/respond.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.llm.protocol import SYSTEM_PROMPT, GroundedContext

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_STOCK_COUNT = re.compile(r"(\d+(?:,\d{3})*)\s+(?:left|in stock|remaining|available|units?|pieces?)\b")
_OUT_OF_STOCK = re.compile(r"\b(?:out of stock|sold out|unavailable|not available|no longer available)\b")
_DENIAL = re.compile(
    r"\b(?:don't|do not|doesn't|does not|can't|cannot|couldn't|could not)\s+(?:have|carry|sell|stock|find)\b"
)
_IN_STOCK = re.compile(r"\b(?:in stock|available now|ready to ship)\b")
# Words that start a policy claim; a reply word counts when it starts with one ("shipping" → "ship").
POLICY_STEMS = (
    "ship",
    "deliver",
    "return",
    "refund",
    "exchange",
    "free",
    "discount",
    "coupon",
    "promo",
    "voucher",
    "rebate",
    "cashback",
    "warrant",
    "guarantee",
    "loyalty",
    "express",
    "price-match",
    "%",
)
# Exact words for stems that would otherwise match unrelated words ("deal" → "dealer").
POLICY_WORDS = {
    *("sale", "sales", "deal", "deals", "offer", "offers", "reward", "rewards", "bonus", "half", "halved"),
    *("reduced", "markdown", "clearance", "complimentary", "bargain", "waived"),
}
# A policy claim that generalises ("free on all orders") says more than the policy it rests on.
ABSOLUTES = {"all", "every", "any", "always", "everything", "unlimited", "lifetime", "forever", "anywhere"}
# Capitalised words any reply may use without them being names of things the context must hold.
COMMON_CAPITALISED = {
    "i",
    "i'm",
    "i'll",
    "i've",
    "i'd",
    "ok",
    "okay",
    "hi",
    "hello",
    "thanks",
    "thank",
    "sure",
    "yes",
    "no",
    "great",
}
LEAK_WINDOW = 6  # consecutive words of the system prompt that make a reply a leak


@dataclass(frozen=True)
class Verdict:
    """Whether a reply may be shown, and each statement that made it ungrounded."""

    grounded: bool
    problems: tuple[str, ...] = ()


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def numbers(text: str) -> set[float]:
    return {round(float(match.replace(",", "")), 2) for match in _NUMBER.findall(text)}


def lowered_words(text: str) -> set[str]:
    return {_bare(word) for word in _WORD.findall(text)}


def _bare(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def policy_terms(text: str) -> set[str]:
    """The policy stems (or exact policy words) that `text` uses."""
    found = {word for word in POLICY_WORDS if re.search(rf"\b{word}\b", text.lower())}
    for word in lowered_words(text) | ({"%"} if "%" in text else set()):
        found.update(stem for stem in POLICY_STEMS if word.startswith(stem))
    return found


def _word_windows(text: str, size: int) -> set[tuple[str, ...]]:
    words = [word.lower() for word in _WORD.findall(text)]
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


_PROMPT_WINDOWS = _word_windows(SYSTEM_PROMPT, LEAK_WINDOW)


class GroundingGuard:
    """Judges generated replies against their grounded context; stateless, one per assistant."""

    def check(self, reply: str, context: GroundedContext) -> Verdict:
        """The verdict on `reply`: grounded only if every statement in it is backed by `context`."""
        if not reply.strip():
            return Verdict(False, ("the reply is empty",))
        facts = _Facts(context)
        problems: list[str] = []
        if _word_windows(reply, LEAK_WINDOW) & _PROMPT_WINDOWS:
            problems.append("it repeats the system prompt")
        for sentence in sentences(reply):
            problems += facts.problems_in(sentence)
        problems += facts.omissions(reply)
        return Verdict(not problems, tuple(dict.fromkeys(problems)))


class _Facts:
    """The context's statements, indexed for checking one reply."""

    def __init__(self, context: GroundedContext) -> None:
        self.products = context.products
        self.draft = context.draft
        self.cart = context.cart
        grounded_texts = [context.draft, *context.policies]
        for product in context.products:
            grounded_texts += [product.title, product.brand, product.category, product.description]
            grounded_texts += [product.color, product.material, " ".join(product.sizes)]
            grounded_texts += [f"{key} {value}" for key, value in product.attributes.items()]
        grounded_texts += [line.title for line in context.cart]
        self.vocabulary = lowered_words(" ".join(grounded_texts))
        self.amounts = numbers(" ".join(grounded_texts))
        for product in context.products:
            self.amounts |= {round(product.price, 2), *([product.stock] if product.stock is not None else [])}
            self.amounts |= {product.rating} if product.rating is not None else set()
        for line in context.cart:
            self.amounts |= {
                round(line.unit_price, 2),
                round(line.unit_price * line.quantity, 2),
                line.quantity,
            }
        self.totals = {round(sum(line.unit_price * line.quantity for line in context.cart), 2)}
        if context.order:
            self.totals |= {round(float(context.order["total"]), 2), float(context.order["id"])}
        self.amounts |= self.totals
        # Money is only what the tools priced: not a "10 mm" of a description written with a dollar sign.
        self.money = {round(p.price, 2) for p in context.products} | self.totals | numbers(context.draft)
        self.money |= _money(" ".join(context.policies))
        self.money |= {round(line.unit_price * n, 2) for line in context.cart for n in (1, line.quantity)}
        self.policy_sentences = [s for text in (context.draft, *context.policies) for s in sentences(text)]
        self.policy_amounts = numbers(" ".join(context.policies))
        self.out_of_stock_said = bool(_OUT_OF_STOCK.search(context.draft.lower()))

    def omissions(self, reply: str) -> list[str]:
        """A reply about products the draft names must name one of them, and not deny what the tools found."""
        drafted = [p for p in self.products if p.title.lower() in self.draft.lower()]
        if not drafted:
            return []
        lowered = reply.lower()
        problems = []
        if not any(p in drafted for p in self._products_named(lowered)):
            problems.append("it names none of the products the draft shows")
        if _DENIAL.search(lowered.replace("’", "'")) and not _DENIAL.search(self.draft.lower()):
            problems.append("it denies having products the tools found")
        return problems

    def problems_in(self, sentence: str) -> list[str]:
        lowered = sentence.lower()
        problems = [
            f"the number {n:g} is not in the context" for n in sorted(numbers(sentence) - self.amounts)
        ]
        problems += [
            f"{n:g} is not an amount the context prices" for n in sorted(_money(sentence) - self.money)
        ]
        problems += [f"{name!r} is not a name the context holds" for name in self._unknown_names(sentence)]
        about = self._products_named(lowered)
        if len(about) == 1:
            problems += self._product_claims(about[0], sentence, lowered)
        elif _OUT_OF_STOCK.search(lowered) and not (
            self.out_of_stock_said or any(p.stock == 0 for p in self.products)
        ):
            problems.append("it says something is out of stock")
        if terms := policy_terms(sentence):
            problems += self._policy_claim(terms, lowered)
        return problems

    def _unknown_names(self, sentence: str) -> list[str]:
        """Capitalised words the context never uses: the first word of a sentence only when a name follows."""
        tokens = _WORD.findall(sentence)
        names = []
        for i, token in enumerate(tokens):
            if not any(ch.isupper() for ch in token) or _bare(token) in COMMON_CAPITALISED:
                continue
            starts_name = i + 1 < len(tokens) and tokens[i + 1][0].isupper()
            if (i > 0 or starts_name) and _bare(token) not in self.vocabulary:
                names.append(token)
        return names

    def _products_named(self, lowered: str) -> list:
        """The products the sentence is about: its title, else the most title words (two at least)."""
        exact = [p for p in self.products if p.title.lower() in lowered]
        if exact:
            return exact
        said = lowered_words(lowered)
        overlaps = [(len(lowered_words(p.title) & said), p) for p in self.products]
        best = max((n for n, _ in overlaps), default=0)
        return [p for n, p in overlaps if n == best] if best >= 2 else []

    def _product_claims(self, product, sentence: str, lowered: str) -> list[str]:
        problems = []
        allowed = {round(product.price, 2), *self.totals, *self.policy_amounts}
        allowed |= {round(product.price * line.quantity, 2) for line in self._lines(product)}
        for amount in _money(sentence):
            if amount not in allowed:
                problems.append(f"{amount:g} is not the price of {product.title}")
        if _OUT_OF_STOCK.search(lowered) and product.in_stock:
            problems.append(f"{product.title} is in stock, not out of stock")
        if _IN_STOCK.search(lowered) and not product.in_stock:
            problems.append(f"{product.title} is out of stock")
        for count in _STOCK_COUNT.findall(lowered):
            if product.stock is None or float(count.replace(",", "")) != product.stock:
                held = "unknown" if product.stock is None else product.stock
                problems.append(f"{product.title}'s stock is {held}, not {count}")
        return problems

    def _lines(self, product) -> list:
        return [line for line in self.cart if line.product_id == product.id]

    def _policy_claim(self, terms: set[str], lowered: str) -> list[str]:
        """A policy sentence needs one draft or policy sentence that uses all its terms and its absolutes, and
        is about the same thing: they share a word besides the terms ("free" alone is no shipping policy)."""
        said = lowered_words(lowered)
        topic = {word for word in said if len(word) > 3 and not policy_terms(word)} - ABSOLUTES
        for grounded in self.policy_sentences:
            words = lowered_words(grounded)
            if terms <= policy_terms(grounded) and (said & ABSOLUTES) <= words and topic & words:
                return []
        return [f"no policy says {', '.join(sorted(terms))} as the reply does"]


def _money(sentence: str) -> set[float]:
    """Amounts written as money: after a currency sign or before a currency word."""
    found = re.findall(r"[$€£₹]\s?(\d[\d,]*(?:\.\d+)?)", sentence)
    found += re.findall(r"(\d[\d,]*(?:\.\d+)?)\s?(?:USD|EUR|GBP|INR|dollars|euros|pounds|rupees)\b", sentence)
    return {round(float(amount.replace(",", "")), 2) for amount in found}
