"""retrieval/search.py: hybrid (dense + BM25) search over the real demo catalog with the real MiniLM model."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.act import SAME_KIND
from retrieval.filters import SearchFilters
from retrieval.search import METHODS, ProductSearch, ShopperProfile, fuse_rrf


def test_running_shoes_under_100_are_running_shoes_under_100(assistant):
    search = assistant.act.search
    products = search.run("running shoes", SearchFilters(category="running shoes", max_price=100), 5)
    assert len(products) == 5
    assert all(p.category == "Shoes > Running" and p.price <= 100 for p in products)


def test_semantic_query_without_filters_finds_the_right_kind(assistant):
    products = assistant.act.search.run("something to drink coffee from", SearchFilters(), 5)
    assert products and any("Mug" in p.title or "Kitchen" in p.category for p in products[:3])


def test_sort_orders_the_results(assistant):
    products = assistant.act.search.run(
        "headphones", SearchFilters(category="headphones"), 5, sort="price_asc"
    )
    in_stock = [p.price for p in products if p.in_stock]
    assert in_stock == sorted(in_stock)


def test_nonsense_finds_nothing_rather_than_anything(assistant):
    assert assistant.act.search.run("quantum chromodynamics lecture", SearchFilters(), 5) == []


COLORS = st.sampled_from([None, "black", "blue", "red", "white", "grey"])
CATEGORIES = st.sampled_from([None, "shoes", "mugs", "sofas", "headphones", "t-shirts", "running shoes"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.sampled_from(
        ["comfortable", "gift for dad", "running shoes", "blue", "something for the kitchen"]
    ),
    low=st.one_of(st.none(), st.integers(0, 200)),
    span=st.one_of(st.none(), st.integers(0, 500)),
    color=COLORS,
    category=CATEGORIES,
    in_stock=st.booleans(),
)
def test_no_result_ever_violates_a_filter_and_the_top_k_is_full(
    assistant, query, low, span, color, category, in_stock
):
    search = assistant.act.search
    high = None if span is None else (low or 0) + span
    filters = SearchFilters(min_price=low, max_price=high, color=color, category=category, in_stock=in_stock)
    products = search.run(query, filters, 5)
    categories = frozenset(search.catalog.categories_for(category)) if category else None
    assert all(filters.matches(p, categories) for p in products)
    for p in products:
        assert (low is None or p.price >= low) and (high is None or p.price <= high)
        assert color is None or color in p.color
        assert not in_stock or p.in_stock
    if category:  # with a category, every candidate is relevant: the top k is full when k qualify
        assert len(products) == min(5, int(search.allowed(filters).sum()))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.sampled_from(["Levi's", "waterproof", "red cotton", "gift for dad", "stainless steel"]),
    method=st.sampled_from(METHODS),
    high=st.one_of(st.none(), st.integers(5, 400)),
    color=COLORS,
    category=CATEGORIES,
)
def test_every_retriever_keeps_to_the_filters_and_fills_the_top_k(
    assistant, query, method, high, color, category
):
    search = assistant.act.search
    filters = SearchFilters(max_price=high, color=color, category=category)
    allowed = search.allowed(filters)
    hits = search.rank(query, allowed, 10, method)
    assert all(allowed[row] for row, _ in hits)
    if method != "bm25":  # dense ranks every allowed row; BM25 only rows sharing a word with the query
        assert len(hits) == min(10, int(allowed.sum()))


def test_a_brand_name_finds_every_product_of_that_brand_first(assistant):
    search = assistant.act.search
    brand = {p.id for p in search.catalog.products if p.brand == "Leuchtturm1917"}
    products = search.run("Leuchtturm1917", SearchFilters(), 5)
    assert brand <= {p.id for p in products}
    in_stock = [p for p in products if p.in_stock]  # out-of-stock ones go last, whatever their score
    assert {p.id for p in in_stock[: len(brand & {p.id for p in in_stock})]} <= brand


def test_reciprocal_rank_fusion_adds_up_the_ranks():
    fused = fuse_rrf([[(1, 0.9), (2, 0.8)], [(2, 7.0), (3, 5.0)]])
    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1] == pytest.approx(1 / 61) and fused[3] == pytest.approx(1 / 62)


def test_both_fusions_agree_on_an_easy_query(assistant):
    search = assistant.act.search
    rrf = ProductSearch(search.catalog, search.index, search.embedder, fusion="rrf")
    for engine in (search, rrf):
        assert all(
            p.category == "Kitchen > Mugs" for p in engine.run("stoneware coffee mug", SearchFilters(), 3)
        )
    with pytest.raises(ValueError):
        ProductSearch(search.catalog, search.index, search.embedder, fusion="learned")


def test_the_profile_boost_is_small_and_only_for_what_the_shopper_looked_at(assistant):
    catalog = assistant.catalog
    lamp = next(p for p in catalog.products if p.category == "Home > Lamps")
    profile = ShopperProfile.from_products([lamp])
    assert profile.categories == {"Home > Lamps"}
    assert profile.boost(lamp) == pytest.approx(1.08)
    rug = next(p for p in catalog.products if p.category == "Home > Rugs" and p.price > lamp.price * 2)
    assert profile.boost(rug) == 1.0 and ShopperProfile().boost(lamp) == 1.0


def test_a_profile_moves_what_the_shopper_browsed_up_but_keeps_the_results_relevant(assistant):
    search = assistant.act.search
    plain = search.run("something warm for winter", SearchFilters(), 5)
    hoodies_all = [p for p in search.catalog.products if p.category == "Apparel > Hoodies"]
    hoodies = hoodies_all[:3]
    boosted = search.run(
        "something warm for winter", SearchFilters(), 5, profile=ShopperProfile.from_products(hoodies)
    )
    assert sum(p in hoodies_all for p in boosted) >= sum(p in hoodies_all for p in plain)
    assert len(boosted) == len(plain)


def test_a_kind_is_matched_to_the_catalogs_categories_by_meaning(assistant):
    search = assistant.act.search
    (path, similarity), *_ = search.nearest_categories("couches")
    assert "Sofas" in path and similarity >= SAME_KIND
    (path, similarity), *_ = search.nearest_categories("earbuds")
    assert similarity < SAME_KIND  # near the headphones, but not one kind with them
    assert len(search.nearest_categories("kettle", k=3)) == 3
