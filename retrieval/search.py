"""Product search: dense retrieval over the FAISS index with structured filters applied inside the search.

A product that violates a filter is never returned, and the top k is full whenever k products qualify, because
the filter selects the candidate rows before FAISS ranks them (not a post-filter of a short list).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.catalog import Catalog, words
from retrieval.embeddings import Embedder
from retrieval.index import ProductIndex
from retrieval.product import ProductRecord

SORT_KEYS = {
    "price_asc": lambda product: product.price,
    "price_desc": lambda product: -product.price,
    "rating_desc": lambda product: -(product.rating or 0.0),
}


@dataclass(frozen=True)
class SearchFilters:
    """Hard constraints from the shopper's words; each is ignored when None."""

    min_price: float | None = None
    max_price: float | None = None
    color: str | None = None
    brand: str | None = None
    category: str | None = None
    material: str | None = None
    size: str | None = None
    in_stock: bool = False

    def matches(self, product: ProductRecord, categories: frozenset[str] | None = None) -> bool:
        """Whether `product` satisfies every filter; `categories` are the paths `category` resolved to."""
        if self.min_price is not None and product.price < self.min_price:
            return False
        if self.max_price is not None and product.price > self.max_price:
            return False
        if self.color and self.color.lower() not in product.color.lower():
            return False
        if self.brand and self.brand.lower() != product.brand.lower():
            return False
        if self.material and self.material.lower() not in product.material.lower():
            return False
        if self.size and self.size.lower() not in (size.lower() for size in product.sizes):
            return False
        if self.in_stock and not product.in_stock:
            return False
        if self.category:
            if categories:
                return product.category in categories
            return words(self.category) <= words(product.title)
        return True


class ProductSearch:
    """Finds the products that best match a query, among those that satisfy the filters."""

    def __init__(
        self, catalog: Catalog, index: ProductIndex, embedder: Embedder, min_score: float = 0.25
    ) -> None:
        if index.ids != [product.id for product in catalog.products]:
            raise ValueError("the index rows do not match the catalog; rebuild the index")
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.min_score = min_score

    def allowed(self, filters: SearchFilters) -> np.ndarray:
        """A boolean mask over the catalog rows: True where the product satisfies every filter."""
        categories = frozenset(self.catalog.categories_for(filters.category)) if filters.category else None
        return np.fromiter(
            (filters.matches(product, categories) for product in self.catalog.products),
            dtype=bool,
            count=len(self.catalog),
        )

    def run(self, query: str, filters: SearchFilters, k: int, sort: str | None = None) -> list[ProductRecord]:
        """Up to k products, most relevant first (or in `sort` order among the most relevant)."""
        if k <= 0:
            raise ValueError("k must be positive")
        allowed = self.allowed(filters)
        # A category filter already makes every candidate relevant; otherwise weak matches are noise.
        floor = -1.0 if filters.category else self.min_score
        pool = k * 4 if sort in SORT_KEYS else k
        hits = self.index.search(self.embedder.encode_one(query), pool, allowed)
        products = [self.catalog.products[row] for row, score in hits if score >= floor]
        if sort in SORT_KEYS:
            products.sort(key=SORT_KEYS[sort])
        # Out-of-stock products stay findable but go last: a shopper can only buy what is available.
        products.sort(key=lambda product: not product.in_stock)
        return products[:k]
