"""Related products: "similar to this" (embedding neighbours) and "goes well with" (bought or carted together).

"Goes well with" counts how often two products shared a cart or an order (an order counts double: it is a
decision, a cart only an intention). With no such history for a product it falls back to the best-rated products
of the sibling categories (a running shoe → sneakers, sandals, boots), so there are suggestions before anyone
has bought anything. Products of the same category are left out: they are alternatives, not companions.
"""

from __future__ import annotations

from collections import Counter
from itertools import zip_longest

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.product import ProductRecord
from db.models import CartItem, OrderItem
from retrieval.catalog import Catalog
from retrieval.index import ProductIndex

ORDER_WEIGHT, CART_WEIGHT = 2, 1


class RelatedProducts:
    """Finds products related to a catalog product; in stock ones first."""

    def __init__(self, catalog: Catalog, index: ProductIndex) -> None:
        if index.ids != [product.id for product in catalog.products]:
            raise ValueError("the index rows do not match the catalog; rebuild the index")
        self.catalog = catalog
        self.index = index
        self.rows = {pid: row for row, pid in enumerate(index.ids)}

    def similar(self, product_id: str, k: int = 5) -> list[ProductRecord]:
        """The k products whose embeddings are nearest to `product_id`'s, never the product itself."""
        if k <= 0:
            raise ValueError("k must be positive")
        row = self.rows[product_id]
        allowed = np.ones(len(self.catalog), dtype=bool)
        allowed[row] = False
        hits = self.index.search(self.index.vectors(np.array([row]))[0], k, allowed)
        return [self.catalog.products[hit] for hit, _score in hits]

    def goes_well_with(self, session: Session, product_id: str, k: int = 5) -> list[ProductRecord]:
        """Up to k products most often carted or ordered with `product_id`, then category-based fill."""
        if k <= 0:
            raise ValueError("k must be positive")
        product = self.catalog.by_id[product_id]
        counts = self._co_occurrence(session, product_id)
        chosen = [self.catalog.by_id[pid] for pid, _n in counts.most_common() if pid in self.catalog.by_id]
        chosen = [other for other in chosen if other.category != product.category or not product.category]
        if len(chosen) < k:
            taken = {other.id for other in chosen} | {product_id}
            chosen += [other for other in self._complements(product) if other.id not in taken]
        return sorted(chosen[:k], key=lambda other: not other.in_stock)

    @staticmethod
    def _co_occurrence(session: Session, product_id: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for model, basket, weight in (
            (OrderItem, OrderItem.order_id, ORDER_WEIGHT),
            (CartItem, CartItem.cart_id, CART_WEIGHT),
        ):
            baskets = select(basket).where(model.product_id == product_id)
            together = select(model.product_id).where(basket.in_(baskets), model.product_id != product_id)
            for other in session.scalars(together):
                counts[other] += weight
        return counts

    def _complements(self, product: ProductRecord) -> list[ProductRecord]:
        """Best-rated products of the sibling categories (same top level, other leaf), taken in turn from each
        sibling so that a few suggestions span them, in stock first."""
        top = product.category.split(" > ")[0]
        groups: dict[str, list[ProductRecord]] = {}
        ranked = sorted(self.catalog.products, key=lambda other: (not other.in_stock, -(other.rating or 0.0)))
        for other in ranked:
            if other.category != product.category and other.category.split(" > ")[0] == top:
                groups.setdefault(other.category, []).append(other)
        return [other for turn in zip_longest(*groups.values()) for other in turn if other is not None]
