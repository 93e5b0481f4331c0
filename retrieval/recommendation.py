"""Recommendation for a need ("for my dad who cooks", "for a 6 year old", "a housewarming present"): the need is
matched to the catalog's own categories by meaning, and the best products of the few closest categories are
shown side by side.

A category is described by its products and its name together: the mean of its products' vectors (what the
category really holds) plus the vector of what shoppers call it, normalised. No list of needs is written by hand,
so a new catalog's categories answer needs without any change here.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from itertools import zip_longest

import numpy as np

from core.product import ProductRecord
from retrieval.filters import SearchFilters
from retrieval.search import ProductSearch

# Below this cosine a category does not answer the need, and when none reaches it the need says nothing about
# what to buy ("for him", "a present"): the assistant asks what the person enjoys instead of guessing.
MIN_MATCH = 0.25
# Categories this close to the best one are as good an answer to the need and are shown too, at most MAX_KINDS.
MARGIN = 0.15
MAX_KINDS = 3


@dataclass(frozen=True)
class Recommendation:
    products: list[ProductRecord]
    categories: list[str]  # the category paths the products come from, best match first


class Recommender:
    """Finds products for a need across the catalog categories closest to it in meaning."""

    def __init__(self, search: ProductSearch) -> None:
        self.search = search

    def categories(self, need: str, filters: SearchFilters) -> list[tuple[str, float]]:
        """The categories that answer the need, with their cosine, best first; only those with a product the
        filters allow (a budget of $20 leaves out a category whose cheapest product costs more)."""
        paths, vectors = self._profiles
        if not paths:
            return []
        similarity = vectors @ self.search.embedder.encode_one(need)
        allowed = self.search.allowed(filters)
        ranked = [
            (paths[i], float(similarity[i]))
            for i in np.argsort(-similarity)
            if allowed[self._rows[paths[i]]].any()
        ]
        if not ranked:
            return []
        floor = max(MIN_MATCH, ranked[0][1] - MARGIN)
        return [(path, score) for path, score in ranked[:MAX_KINDS] if score >= floor]

    def run(self, need: str, filters: SearchFilters, k: int) -> Recommendation:
        """Up to k products for the need: each matching category's best, taken in turn so every kind is seen,
        in-stock products first."""
        if k <= 0:
            raise ValueError("k must be positive")
        kinds = [path for path, _ in self.categories(need, filters)]
        per_kind = [
            self.search.run(need, dataclasses.replace(filters, category=path), k)
            # A path is its own filter: its products, not those of every path sharing its words.
            for path in kinds
        ]
        mixed = {
            product.id: product
            for row in zip_longest(*per_kind)
            for product in row
            if product is not None and product.category in kinds
        }
        in_kind = list(mixed.values())
        in_kind.sort(key=lambda product: not product.in_stock)
        return Recommendation(in_kind[:k], kinds)

    @functools.cached_property
    def _rows(self) -> dict[str, np.ndarray]:
        """Each category path's catalog rows."""
        rows: dict[str, list[int]] = {}
        for row, product in enumerate(self.search.catalog.products):
            if product.category:
                rows.setdefault(product.category, []).append(row)
        return {path: np.array(found, dtype=np.int64) for path, found in rows.items()}

    @functools.cached_property
    def _profiles(self) -> tuple[list[str], np.ndarray]:
        paths = list(self._rows)
        if not paths:
            return [], np.zeros((0, 0), dtype=np.float32)
        names = self.search.catalog.category_names
        # The whole path, in the words shoppers use: "Garden > Pruning Tools" answers gardening.
        said = self.search.embedder.encode([f"{path.rpartition(' > ')[0]} {names[path]}" for path in paths])
        matrix = self.search.index.matrix
        profiles = np.stack([matrix[self._rows[path]].mean(axis=0) + said[i] for i, path in enumerate(paths)])
        profiles /= np.linalg.norm(profiles, axis=1, keepdims=True)
        return paths, profiles.astype(np.float32)
