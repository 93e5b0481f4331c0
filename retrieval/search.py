"""Product search: dense (FAISS) and BM25 retrieval fused, with structured filters applied inside both searches.

A product that violates a filter is never returned, and the top k is full whenever k products qualify, because
the filter selects the candidate rows before either retriever ranks them (not a post-filter of a short list).
The two rankings are fused by a weighted sum of cosine and normalised BM25 scores (the default: on the relevance
set it beat reciprocal rank fusion, see `shopassist retrieval eval`) or by reciprocal rank fusion. A shopper's profile (categories and
price band looked at in this conversation) nudges the fused scores a little.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.product import ProductRecord
from retrieval.catalog import Catalog
from retrieval.embeddings import Embedder
from retrieval.filters import FilterColumns, SearchFilters
from retrieval.index import ProductIndex
from retrieval.lexical import tokens

SORT_KEYS = {
    "price_asc": lambda product: product.price,
    "price_desc": lambda product: -product.price,
    "rating_desc": lambda product: -(product.rating or 0.0),
}
METHODS = ("dense", "bm25", "hybrid")
FUSIONS = ("rrf", "weighted")
# The usual RRF constant: a rank-1 hit in one list is worth about as much as rank ~5 in both.
RRF_K = 60
# Weighted fusion: the dense (cosine) share; the BM25 share is its complement, on BM25/best-BM25. 0.8 was best
# on half of the relevance set (0.7–0.9 within 0.01 nDCG@10) and held up on the other half.
DENSE_WEIGHT = 0.8
# Small on purpose: the profile breaks near-ties towards what the shopper browsed, it never outranks a match.
CATEGORY_BOOST, PRICE_BOOST = 0.05, 0.03


@dataclass(frozen=True)
class ShopperProfile:
    """What the shopper looked at in this conversation: its categories and the price band around them."""

    categories: frozenset[str] = frozenset()
    price_band: tuple[float, float] | None = None

    @classmethod
    def from_products(cls, products: Iterable[ProductRecord]) -> ShopperProfile:
        seen = list(products)
        if not seen:
            return cls()
        prices = [product.price for product in seen]
        # A band a little wider than what was seen: "around that price", not "exactly those prices".
        band = (min(prices) * 0.8, max(prices) * 1.25)
        return cls(frozenset(product.category for product in seen if product.category), band)

    def boost(self, product: ProductRecord) -> float:
        """A factor ≥ 1 for the product's relevance score: higher when it is like what the shopper browsed."""
        factor = 1.0
        if product.category in self.categories:
            factor += CATEGORY_BOOST
        if self.price_band and self.price_band[0] <= product.price <= self.price_band[1]:
            factor += PRICE_BOOST
        return factor


def fuse_rrf(rankings: list[list[tuple[int, float]]]) -> dict[int, float]:
    """Reciprocal rank fusion: each ranking adds 1/(RRF_K + rank) to the rows it holds."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _score) in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
    return fused


class ProductSearch:
    """Finds the products that best match a query, among those that satisfy the filters."""

    def __init__(
        self,
        catalog: Catalog,
        index: ProductIndex,
        embedder: Embedder,
        # Measured on the demo catalog: real matches of uncategorised queries score 0.45 and up, while the best
        # match of something the store does not sell stays near 0.3 ("unicorns" → earrings 0.31).
        min_score: float = 0.33,
        fusion: str = "weighted",
    ) -> None:
        if index.ids != [product.id for product in catalog.products]:
            raise ValueError("the index rows do not match the catalog; rebuild the index")
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {fusion!r}")
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.min_score = min_score
        self.fusion = fusion
        self.columns = FilterColumns(catalog.products)
        # A turn needs a filter set's mask twice (the search, then guidance's count of everything that matched).
        self.allowed = functools.lru_cache(maxsize=256)(self._allowed)

    def _allowed(self, filters: SearchFilters) -> np.ndarray:
        """A boolean mask over the catalog rows: True where the product satisfies every filter."""
        categories = frozenset(self.catalog.categories_for(filters.category)) if filters.category else None
        mask = self.columns.mask(filters, categories)
        mask.flags.writeable = False
        return mask

    def rank(
        self,
        query: str,
        allowed: np.ndarray | None,
        depth: int,
        method: str = "hybrid",
        floor: float = -1.0,
        profile: ShopperProfile | None = None,
    ) -> list[tuple[int, float]]:
        """Up to `depth` allowed rows as (row, score), best first, by one retriever or both fused.

        In dense and hybrid results, rows whose cosine with the query is under `floor` are dropped: weak
        semantic matches are noise, and a BM25 hit on a word like "sell" alone is no match either. Without a
        lexical index, hybrid is dense. The profile, when given, multiplies the scores by its boost.
        """
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        lexical = self.index.lexical
        if method == "bm25" and lexical is not None:
            return self._boosted(lexical.search(query, depth, allowed), profile)
        vector = self.embedder.encode_one(query)
        nearest = self.index.search(vector, depth, allowed)
        dense = [hit for hit in nearest if hit[1] >= floor]
        if lexical is None or method == "dense":
            return self._boosted(dense, profile)
        bm25 = lexical.search(query, depth, allowed)
        cosine = self._cosines(vector, nearest, bm25)
        # A product that holds every word the shopper typed is named by the query: a match however weak its
        # cosine (model names the encoder never saw), and ahead of near twins that lack one of the words.
        exact = lexical.covering(query, [row for row, _ in bm25])
        bm25 = [hit for hit in bm25 if cosine[hit[0]] >= floor or hit[0] in exact]
        fused = fuse_rrf([dense, bm25]) if self.fusion == "rrf" else self._fuse_weighted(cosine, dense, bm25)
        ranked = self._boosted(list(fused.items()), profile)
        # Stable sorts: each tier by score. First the products whose whole title the query gives ("absurd full
        # sleeve solid men's sweatshirt" before the same with "reversible"), then those holding every word.
        asked = set(tokens(query))
        titled = {row for row in exact if set(tokens(self.catalog.products[row].title)) <= asked}
        ranked.sort(key=lambda hit: (hit[0] not in titled, hit[0] not in exact))
        if exact:
            # Below the product asked for by name, the ones most like it of its kind, as a shop shows
            # alternatives to it (found from its own vector: the encoder may not know the name at all).
            named = ranked[0][0]
            kind = self.catalog.products[named].category
            held = {row for row, _ in ranked}
            similar = self.index.search(self.index.vectors(np.array([named]))[0], depth + len(held), allowed)
            ranked += [
                hit
                for hit in similar
                if hit[0] not in held and self.catalog.products[hit[0]].category == kind
            ]
        return ranked[:depth]

    def _boosted(
        self, hits: list[tuple[int, float]], profile: ShopperProfile | None
    ) -> list[tuple[int, float]]:
        """The hits best first, their scores multiplied by the profile's boost when there is one."""
        if profile is not None:
            hits = [(row, score * profile.boost(self.catalog.products[row])) for row, score in hits]
        return sorted(hits, key=lambda hit: -hit[1])

    def _cosines(
        self, vector: np.ndarray, nearest: list[tuple[int, float]], bm25: list[tuple[int, float]]
    ) -> dict[int, float]:
        """The cosine of every candidate row: from the dense search, or computed for BM25-only rows."""
        cosine = dict(nearest)
        missing = np.array([row for row, _ in bm25 if row not in cosine], dtype=np.int64)
        if missing.size:
            cosine.update(zip(missing.tolist(), (self.index.vectors(missing) @ vector).tolist(), strict=True))
        return cosine

    @staticmethod
    def _fuse_weighted(
        cosine: dict[int, float], dense: list[tuple[int, float]], bm25: list[tuple[int, float]]
    ) -> dict[int, float]:
        """DENSE_WEIGHT·cosine + (1 − DENSE_WEIGHT)·BM25/best BM25 over the rows either retriever kept."""
        best = bm25[0][1] if bm25 else 1.0
        lexical = {row: score / best for row, score in bm25}
        rows = {row for row, _ in dense} | lexical.keys()
        return {row: DENSE_WEIGHT * cosine[row] + (1 - DENSE_WEIGHT) * lexical.get(row, 0.0) for row in rows}

    def nearest_categories(self, kind: str, k: int = 3) -> list[tuple[str, float]]:
        """The catalog's category paths closest in meaning to a named kind of product, with their cosine
        similarity: a "couch" is the catalog's sofas, "earbuds" are not its earrings."""
        paths, vectors = self._category_vectors
        if not paths:
            return []
        similarity = vectors @ self.embedder.encode_one(kind)
        best = np.argsort(-similarity)[:k]
        return [(paths[i], float(similarity[i])) for i in best]

    @functools.cached_property
    def _category_vectors(self) -> tuple[list[str], np.ndarray]:
        # Compared by what shoppers call them ("mugs", "running shoes"): a path's parent words
        # ("Kitchen > …") dilute a kind's meaning.
        names = self.catalog.category_names
        paths = list(names)
        vectors = self.embedder.encode([names[path] for path in paths]) if paths else np.zeros((0, 0))
        return paths, vectors.astype(np.float32)

    def run(
        self,
        query: str,
        filters: SearchFilters,
        k: int,
        sort: str | None = None,
        profile: ShopperProfile | None = None,
    ) -> list[ProductRecord]:
        """Up to k products, most relevant first (or in `sort` order among the most relevant)."""
        if k <= 0:
            raise ValueError("k must be positive")
        # A category filter already makes every candidate relevant; otherwise weak matches are noise.
        floor = -1.0 if filters.category else self.min_score
        pool = k * 4 if sort in SORT_KEYS else k
        # Fusion and the profile reorder candidates: rank a few more than shown so they can move up.
        hits = self.rank(query, self.allowed(filters), max(pool, 2 * k, 20), floor=floor, profile=profile)
        products = [self.catalog.products[row] for row, _score in hits[:pool]]
        if sort in SORT_KEYS:
            products.sort(key=SORT_KEYS[sort])
        # Out-of-stock products stay findable but go last: a shopper can only buy what is available.
        products.sort(key=lambda product: not product.in_stock)
        return products[:k]
