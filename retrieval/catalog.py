"""The catalog in memory: every product by id, the vocabulary shoppers use for it, and its fingerprint.

Loaded once from the database per process; the assistant's replies and filters only ever use these records.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.formatting import plural
from core.product import ProductRecord
from db.models import Product

_WORD = re.compile(r"[^\W_]+")  # words in any script


def singular(word: str) -> str:
    """A rough English singular, enough to match "sofas"/"sofa", "shoes"/"shoe", "dresses"/"dress"."""
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    return {singular(word) for word in _WORD.findall(text.lower().replace("-", ""))}


class Catalog:
    """All products, in a fixed order (the index's row order), with lookups the assistant needs."""

    def __init__(self, products: list[ProductRecord]) -> None:
        self.products = sorted(products, key=lambda product: product.id)
        self.by_id = {product.id: product for product in self.products}

    @classmethod
    def load(cls, session: Session) -> Catalog:
        return cls([ProductRecord.model_validate(row) for row in session.scalars(select(Product))])

    def __len__(self) -> int:
        return len(self.products)

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any product's searchable text changes: the index is rebuilt then."""
        digest = hashlib.sha256()
        for product in self.products:
            digest.update(f"{product.id}\x1f{product.search_text()}\x1e".encode())
        return digest.hexdigest()[:16]

    @cached_property
    def brands(self) -> list[str]:
        return sorted({product.brand for product in self.products if product.brand})

    @cached_property
    def colors(self) -> list[str]:
        return sorted({product.color.lower() for product in self.products if product.color})

    @cached_property
    def materials(self) -> list[str]:
        return sorted({product.material.lower() for product in self.products if product.material})

    @cached_property
    def categories(self) -> list[str]:
        return sorted({product.category for product in self.products if product.category})

    @cached_property
    def category_terms(self) -> dict[str, str]:
        """Phrases a shopper may use for a category ("running shoes", "sofas") → the category path's leaf words."""
        terms: dict[str, str] = {}
        for path in self.categories:
            levels = path.split(" > ")
            leaf, parent = levels[-1].lower(), levels[0].lower()
            terms[leaf] = path
            if len(levels) > 1:
                terms[f"{leaf} {parent}"] = path
        return terms

    @cached_property
    def _category_words(self) -> dict[str, set[str]]:
        return {path: words(path) for path in self.categories}

    def categories_for(self, term: str) -> list[str]:
        """Category paths whose words include every word of `term` ("running shoes" → "Shoes > Running")."""
        wanted = words(term)
        return [path for path, have in self._category_words.items() if wanted and wanted <= have]

    @cached_property
    def category_names(self) -> dict[str, str]:
        """What a shopper calls each category path: its leaf, with the kind its titles end in when the leaf
        does not name one ("Shoes > Running" → "running shoes", "Kitchen > Mugs" → "mugs")."""
        endings: dict[str, Counter[str]] = {}
        for product in self.products:
            if product.category and (title := _WORD.findall(product.title.lower())):
                endings.setdefault(product.category, Counter())[title[-1]] += 1
        names = {}
        for path, counts in endings.items():
            leaf = path.split(" > ")[-1].lower()
            kind = counts.most_common(1)[0][0]
            # A leaf that ends in a plural already names the kind ("Dumbbells" of "… Dumbbell Set").
            named = leaf.endswith("s") or singular(kind) in words(leaf)
            names[path] = leaf if named else f"{leaf} {plural(kind)}"
        return names

    @cached_property
    def departments(self) -> list[str]:
        """The top level of the category paths, the largest first ("Kitchen" of "Kitchen > Mugs")."""
        counts = Counter(product.category.split(" > ")[0] for product in self.products if product.category)
        return [name for name, _ in counts.most_common()]

    @cached_property
    def type_words(self) -> Counter[str]:
        """How many products' titles carry each word: product types a shopper can name ("mug", "sneaker")."""
        return Counter(word for product in self.products for word in words(product.title))
