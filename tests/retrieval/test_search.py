"""retrieval/search.py: dense search over the real demo catalog with the real MiniLM model."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.search import SearchFilters


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
