"""Product questions answered from the listing: "is it waterproof?", "what is it made of?", "how heavy is it?".

The answer is the product's own attribute when one names what was asked, else the description sentence that
answers it (picked by MiniLM similarity, above a threshold), else "the listing doesn't say". No LLM is needed and
nothing is invented: every answer quotes the catalog. A general request ("tell me about the second one") is no
question, and gets the full details reply instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.product import ProductRecord
from retrieval.embeddings import Embedder

# Words that point at a product or ask for its details in general; what is left after them is the question. The
# last line's pick a shown product by a superlative ("the cheapest one"): they do not say what is asked about it.
GENERAL_WORDS = frozenset(
    """a an the it its it's this that these those one ones first second third fourth fifth last other item product
    tell me more about details detail info information describe show give please can could would you i we is are
    was be does do did has have what whats what's which how and or of on in to for with any there so just about
    some really very much kind sort thing things like look looks
    cheapest priciest dearest expensive least most""".split()  # noqa: SIM905 (a word list reads better as text)
)
# Question words that ask about a field under another name ("made of" → material).
FIELD_SYNONYMS = {
    "material": {"material", "materials", "made", "fabric", "fabrics", "leather", "cotton", "wool"},
    "color": {"color", "colour", "colors", "colours"},
    "sizes": {"size", "sizes", "fit", "fits"},
    "brand": {"brand", "makes", "maker", "manufacturer"},
    "rating": {"rating", "rated", "reviews", "stars"},
    "weight": {"weight", "weigh", "weighs", "heavy", "light", "lightweight"},
    "capacity": {"capacity", "hold", "holds", "litres", "liters", "ml"},
    "battery_life": {"battery"},
    "dimensions": {"dimensions", "big", "large", "small", "wide", "tall", "long"},
}
YES = {"yes", "true"}
NO = {"no", "false"}
_WORD = re.compile(r"[a-z][a-z'\-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Answer:
    """The reply's answer sentence, and where it came from: an attribute, the description, or neither."""

    text: str
    source: str  # attribute | description | none


def question_words(question: str) -> set[str]:
    """The words of a product question that say what is asked (empty for a general request)."""
    return {word for word in _WORD.findall(question.lower()) if word not in GENERAL_WORDS}


class ProductQA:
    """Answers one question about one product from its attributes and description.

    `threshold` is the least cosine similarity between the question and a description sentence for that sentence
    to count as the answer; below it the listing "doesn't say"."""

    def __init__(self, embedding_model: str, threshold: float = 0.4, onnx_cache: Path | None = None) -> None:
        """`embedding_model` and `onnx_cache` name the assistant's own loaded model (`Embedder.shared`)."""
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.embedding_model = embedding_model
        self.threshold = threshold
        self.onnx_cache = onnx_cache

    def answer(self, question: str, product: ProductRecord) -> Answer | None:
        """The answer, or None when the shopper asked for the product's details in general."""
        asked = question_words(question)
        if not asked:
            return None
        if found := self._attribute(asked, product):
            return found
        if found := self._sentence(question, product):
            return found
        return Answer(f"The listing for {product.title} doesn't say.", "none")

    def _attribute(self, asked: set[str], product: ProductRecord) -> Answer | None:
        fields = {
            "material": product.material,
            "color": product.color,
            "sizes": ", ".join(product.sizes),
            "brand": product.brand,
            "rating": f"{product.rating:.1f}/5" if product.rating else "",
            **{key.lower(): value for key, value in product.attributes.items()},
        }
        for key, value in fields.items():
            names = set(key.replace("_", " ").split()) | FIELD_SYNONYMS.get(key, set())
            if value and asked & names:
                return Answer(_attribute_sentence(key, value, product), "attribute")
        return None

    def _sentence(self, question: str, product: ProductRecord) -> Answer | None:
        candidates = [s.strip() for s in _SENTENCE_END.split(product.description) if len(s.split()) >= 3]
        if not candidates:
            return None
        embedder = Embedder.shared(self.embedding_model, self.onnx_cache)
        vectors = embedder.encode([question, *candidates])
        scores = vectors[1:] @ vectors[0]
        best = int(np.argmax(scores))
        if scores[best] < self.threshold:
            return None
        return Answer(f"The listing says: “{candidates[best]}”", "description")


def _attribute_sentence(key: str, value: str, product: ProductRecord) -> str:
    name = key.replace("_", " ")
    answer = value.strip().lower()
    if answer in YES or answer in NO:
        return f"{'Yes' if answer in YES else 'No'} — the listing for {product.title} says {name}: {answer}."
    return f"The {name} of {product.title} {'are' if name.endswith('s') else 'is'} {value}."
