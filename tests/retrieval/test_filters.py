"""retrieval/filters.py: the vectorised masks answer exactly what the per-product predicate answers, for
generated filter sets over the demo catalog (prices, colours, brands, materials, sizes, stock, categories and
category words that name no category path)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.product import ProductRecord
from retrieval.catalog import Catalog
from retrieval.demo_catalog import demo_products
from retrieval.filters import FilterColumns, SearchFilters

CATALOG = Catalog([ProductRecord.model_validate(record) for record in demo_products()])
# The catalog's own values, parts of them (a colour filter "blue" holds for "navy blue") and values it lacks.
TEXTS = sorted({p.color for p in CATALOG.products} | {p.material for p in CATALOG.products} - {""})
WORDS = sorted({word for text in TEXTS for word in text.lower().split()} | {"plaid", "Blue", "NOPE"})
BRANDS = sorted({p.brand for p in CATALOG.products} | {"ACME"})
SIZES = sorted({size for p in CATALOG.products for size in p.sizes} | {"xxs", "m", "99"})
CATEGORY_TERMS = [*sorted(CATALOG.category_terms), "mug", "running shoe", "lamp shade", "cars"]


def maybe(values):
    return st.none() | st.sampled_from(values)


filters = st.builds(
    SearchFilters,
    min_price=st.none() | st.floats(0, 500, allow_nan=False),
    max_price=st.none() | st.floats(0, 2000, allow_nan=False),
    color=maybe(WORDS),
    brand=maybe(BRANDS + [brand.upper() for brand in BRANDS[:5]]),
    category=maybe(CATEGORY_TERMS),
    material=maybe(WORDS),
    size=maybe(SIZES),
    in_stock=st.booleans(),
)


@pytest.fixture(scope="module")
def columns() -> FilterColumns:
    # Built in a fixture, not at import, so that each test session (and each mutant's) builds its own.
    return FilterColumns(CATALOG.products)


def expected(query: SearchFilters) -> tuple[np.ndarray, frozenset[str] | None]:
    categories = frozenset(CATALOG.categories_for(query.category)) if query.category else None
    truth = np.array([query.matches(product, categories) for product in CATALOG.products])
    return truth, categories


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters)
def test_the_mask_is_the_predicate_for_every_product(columns, query):
    truth, categories = expected(query)
    assert np.array_equal(columns.mask(query, categories), truth)


@pytest.mark.parametrize(
    "query",
    [
        SearchFilters(),
        SearchFilters(color="blue", in_stock=True),
        SearchFilters(category="sofas", max_price=900),
        SearchFilters(category="mug"),  # no category path: the titles' words decide
        SearchFilters(size="10", category="running shoes"),
        SearchFilters(brand="nobody at all"),
        SearchFilters(size="99"),  # a size no product has
        SearchFilters(min_price=CATALOG.products[0].price, max_price=CATALOG.products[0].price),
        SearchFilters(min_price=CATALOG.products[1].price, category="sofas"),
        SearchFilters(max_price=CATALOG.products[2].price, size="m"),
        # Two words that name no category path but several titles: every word must be in the title.
        SearchFilters(category=" ".join(CATALOG.products[0].title.split()[:2])),
        SearchFilters(category=f"{CATALOG.products[0].title.split()[0]} lamp"),
    ],
)
def test_named_filter_sets_select_what_the_predicate_selects(columns, query):
    truth, categories = expected(query)
    mask = columns.mask(query, categories)
    assert np.array_equal(mask, truth) and mask.dtype == bool and mask.shape == (len(CATALOG),)


def test_filter_sets_that_hold_for_some_products_and_not_others_are_generated():
    # The property above is only worth something if the masks it compares are neither all true nor all false.
    shares = [expected(query)[0].mean() for query in (
        SearchFilters(color="blue"), SearchFilters(category="sofas"), SearchFilters(size="m"),
        SearchFilters(category="mug"), SearchFilters(max_price=50.0),
        SearchFilters(category=" ".join(CATALOG.products[0].title.split()[:2])),
    )]  # fmt: skip
    assert all(0 < share < 1 for share in shares), shares


def test_columns_take_a_few_bytes_per_product(columns):
    assert columns.count == len(CATALOG) and columns.nbytes < 64 * len(CATALOG)
