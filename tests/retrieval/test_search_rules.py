"""retrieval/search.py, rule by rule, on the small shop (tests/small_shop.py): filters, the shopper profile,
fusion, sorting and the relevance floor, fast enough to run against every mutant."""

from __future__ import annotations

import pytest

from core.product import ProductRecord
from retrieval.catalog import Catalog
from retrieval.filters import SearchFilters
from retrieval.search import DENSE_WEIGHT, ProductSearch, ShopperProfile, fuse_rrf
from tests.small_shop import PRODUCTS, small_shop

MUG = PRODUCTS[0]  # Blue Enamel Mug, 12.0, Kitchen > Mugs, rated 4.1, 9 in stock
SHOE = ProductRecord(
    id="s1", title="Trail Runner", brand="Pacer", category="Shoes > Trail", price=80, color="Navy Blue",
    material="Mesh", sizes=["9", "10"], stock=0,
)  # fmt: skip


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return small_shop(tmp_path_factory.mktemp("search"), embedder)


def ids(products) -> list[str]:
    return [product.id for product in products]


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        (SearchFilters(), True),
        (SearchFilters(min_price=80), True),
        (SearchFilters(min_price=80.01), False),
        (SearchFilters(max_price=80), True),
        (SearchFilters(max_price=79.99), False),
        (SearchFilters(color="blue"), True),
        (SearchFilters(color="red"), False),
        (SearchFilters(brand="PACER"), True),
        (SearchFilters(brand="Pace"), False),
        (SearchFilters(material="mesh"), True),
        (SearchFilters(material="leather"), False),
        (SearchFilters(size="10"), True),
        (SearchFilters(size="11"), False),
        (SearchFilters(in_stock=True), False),
        (SearchFilters(category="trail runner"), True),
        (SearchFilters(category="road runner"), False),
    ],
)
def test_each_filter_is_a_hard_constraint(filters, matches):
    assert filters.matches(SHOE) is matches


def test_a_resolved_category_matches_by_path_not_by_title():
    assert SearchFilters(category="shoes").matches(SHOE, frozenset({"Shoes > Trail"}))
    assert not SearchFilters(category="trail runner").matches(SHOE, frozenset({"Shoes > Road"}))
    assert SearchFilters(in_stock=True, max_price=20).matches(MUG)


def test_the_profile_is_the_categories_and_a_band_around_the_prices_seen():
    assert ShopperProfile.from_products([]) == ShopperProfile()
    profile = ShopperProfile.from_products([PRODUCTS[3], PRODUCTS[4]])  # lamps at 40 and 65
    assert profile.categories == frozenset({"Home > Lamps"})
    assert profile.price_band == pytest.approx((32.0, 81.25))


def test_the_profile_breaks_ties_only_a_little():
    profile = ShopperProfile(frozenset({"Home > Lamps"}), (30.0, 50.0))
    assert profile.boost(PRODUCTS[3]) == pytest.approx(1.08)  # the category and the band
    assert profile.boost(PRODUCTS[4]) == pytest.approx(1.05)  # the category only (65 is above the band)
    assert profile.boost(PRODUCTS[0]) == pytest.approx(1.0)
    edge = ShopperProfile(frozenset(), (12.0, 12.0))
    assert edge.boost(MUG) == pytest.approx(1.03)
    assert ShopperProfile().boost(MUG) == 1.0


def test_reciprocal_rank_fusion_adds_one_over_sixty_plus_the_rank():
    fused = fuse_rrf([[(5, 0.9), (7, 0.1)], [(7, 3.0)]])
    assert fused == pytest.approx({5: 1 / 61, 7: 1 / 62 + 1 / 61})


def test_an_index_of_another_catalog_or_an_unknown_fusion_is_refused(shop):
    with pytest.raises(ValueError, match="rebuild the index"):
        ProductSearch(Catalog(list(PRODUCTS[:2])), shop.search.index, shop.search.embedder)
    with pytest.raises(ValueError, match="fusion must be one of rrf, weighted"):
        ProductSearch(shop.catalog, shop.search.index, shop.search.embedder, fusion="max")
    with pytest.raises(ValueError, match="k must be positive"):
        shop.search.run("mug", SearchFilters(), 0)
    with pytest.raises(ValueError, match="method must be one of"):
        shop.search.rank("mug", None, 3, method="sparse")


def test_a_category_search_finds_its_products_in_stock_first(shop):
    found = shop.search.run("mugs", SearchFilters(category="mugs"), 5)
    assert set(ids(found)) == {"m1", "m2", "m3"} and found[-1].id == "m3"  # the travel mug is out of stock


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("price_asc", ["m1", "m2", "m3"]),
        ("price_desc", ["m2", "m1", "m3"]),
        ("rating_desc", ["m2", "m1", "m3"]),
    ],
)
def test_sorted_results_keep_the_out_of_stock_last(shop, sort, order):
    assert ids(shop.search.run("mug", SearchFilters(category="mugs"), 5, sort)) == order


def test_products_without_a_rating_count_as_unrated_when_sorting_by_rating(shop):
    assert ids(shop.search.run("lamp", SearchFilters(category="lamps"), 5, "rating_desc")) == ["l1", "l2"]


def test_at_most_k_products_come_back(shop):
    assert len(shop.search.run("kitchen things", SearchFilters(category="kitchen"), 2)) == 2
    assert len(shop.search.run("mug", SearchFilters(category="mugs"), 1, "price_desc")) == 1
    assert ids(shop.search.run("mug", SearchFilters(category="mugs"), 1, "price_desc")) == ["m2"]


def test_without_a_category_weak_matches_are_dropped(shop):
    assert shop.search.run("rocket engine for a spaceship", SearchFilters(), 5) == []
    assert ids(shop.search.run("a lamp for my desk", SearchFilters(), 1)) == ["l1"]


def test_filters_narrow_a_free_text_search(shop):
    assert ids(shop.search.run("lamp", SearchFilters(max_price=50), 5)) == ["l1"]


def test_the_profile_moves_a_near_tie_up(shop):
    plain = ids(shop.search.run("lamp", SearchFilters(category="lamps"), 2))
    profile = ShopperProfile(frozenset({"Home > Lamps"}), (60.0, 70.0))
    boosted = ids(shop.search.run("lamp", SearchFilters(category="lamps"), 2, profile=profile))
    assert set(plain) == set(boosted) == {"l1", "l2"}
    # The boosted order is the relevance scores times the profile's boost, whichever way that falls here.
    hits = shop.search.rank("lamp", shop.search.allowed(SearchFilters(category="lamps")), 20, floor=-1.0)
    by_boosted_score = sorted(hits, key=lambda hit: -hit[1] * profile.boost(shop.catalog.products[hit[0]]))
    assert boosted == [shop.catalog.products[row].id for row, _ in by_boosted_score][:2]
    assert profile.boost(PRODUCTS[4]) > profile.boost(PRODUCTS[3])  # the band holds l2, not l1
    assert boosted != plain  # here the two lamps are a near-tie, so the boost reorders them


@pytest.mark.parametrize("method", ["dense", "bm25", "hybrid"])
def test_each_method_ranks_the_named_product_first(shop, method):
    hits = shop.search.rank("brass desk lamp", None, 3, method=method)
    assert hits and shop.catalog.products[hits[0][0]].id == "l1" and len(hits) <= 3
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)


def test_reciprocal_rank_fusion_is_a_choice(shop):
    rrf = ProductSearch(shop.catalog, shop.search.index, shop.search.embedder, fusion="rrf")
    hits = rrf.rank("brass desk lamp", None, 3)
    assert shop.catalog.products[hits[0][0]].id == "l1" and hits[0][1] <= 2 / 61


def test_the_filter_mask_is_cached_and_read_only(shop):
    mask = shop.search.allowed(SearchFilters(max_price=20))
    assert mask is shop.search.allowed(SearchFilters(max_price=20))
    allowed = [product.id for product, ok in zip(shop.catalog.products, mask.tolist(), strict=True) if ok]
    assert sorted(allowed) == ["m1", "m2", "t1"] and not mask.flags.writeable


def test_weighted_fusion_is_the_dense_share_of_the_cosine_plus_the_rest_of_the_normalised_bm25():
    cosine = {1: 0.5, 2: 0.9, 3: 0.2}
    fused = ProductSearch._fuse_weighted(cosine, [(2, 0.9), (1, 0.5)], [(1, 4.0), (3, 2.0)])
    weight = DENSE_WEIGHT
    assert fused == pytest.approx(
        {1: weight * 0.5 + (1 - weight) * 1.0, 2: weight * 0.9, 3: weight * 0.2 + (1 - weight) * 0.5}
    )
    assert ProductSearch._fuse_weighted(cosine, [(2, 0.9)], []) == pytest.approx({2: weight * 0.9})


def test_each_method_is_its_own_retriever(shop):
    search, allowed = shop.search, shop.search.allowed(SearchFilters(max_price=50))
    lexical = search.rank("brass desk lamp", allowed, 5, method="bm25")
    assert lexical == search.index.lexical.search("brass desk lamp", 5, allowed)
    dense = search.rank("brass desk lamp", allowed, 5, method="dense")
    assert dense == search.index.search(search.embedder.encode_one("brass desk lamp"), 5, allowed)
    assert {shop.catalog.products[row].price <= 50 for row, _ in lexical + dense} == {True}
    assert lexical != dense  # BM25 scores are not cosines


def test_the_default_floor_keeps_a_match_by_meaning_alone(shop):
    search = ProductSearch(shop.catalog, shop.search.index, shop.search.embedder)
    assert ids(search.run("something to light up my reading corner", SearchFilters(), 1)) in (["l1"], ["l2"])
    assert search.run("rocket engine for a spaceship", SearchFilters(), 5) == []


TWINS = [
    ProductRecord(
        id="plain",
        title="Absurd Full Sleeve Solid Men's Sweatshirt",
        description="Machine wash cold, tumble dry low. Ships in two days from our warehouse in Pune.",
        category="Men > Sweatshirts",
        price=20,
    ),
    ProductRecord(
        id="twin",
        title="Absurd Full Sleeve Solid Men's Reversible Sweatshirt",
        # Its text says the plain one's title over again, so that by score alone it would come first.
        description="An absurd full sleeve solid men's sweatshirt: full sleeve, solid, a sweatshirt for men.",
        category="Men > Sweatshirts",
        price=22,
    ),
    ProductRecord(
        id="hood", title="Absurd Solid Men's Hooded Sweatshirt", category="Men > Sweatshirts", price=25
    ),
    ProductRecord(
        id="tee", title="Absurd Solid Men's Round Neck T-Shirt", category="Men > T-Shirts", price=9
    ),
    ProductRecord(id="sock", title="Absurd Men's Solid Ankle Socks", category="Men > Socks", price=4),
]


@pytest.fixture(scope="module")
def twins(tmp_path_factory, embedder):
    return small_shop(tmp_path_factory.mktemp("twins"), embedder, TWINS)


def test_a_whole_title_goes_before_a_twin_with_one_more_word(twins):
    assert ids(twins.search.run("absurd full sleeve solid men's sweatshirt", SearchFilters(), 2)) == [
        "plain",
        "twin",
    ]


def test_below_a_product_named_in_full_come_others_of_its_kind_only(twins):
    search = twins.search
    hits = search.rank("absurd full sleeve solid men's reversible sweatshirt", None, 5, floor=0.99)
    kinds = [search.catalog.products[row].category for row, _ in hits]
    assert search.catalog.products[hits[0][0]].id == "twin" and len(hits) == 3
    assert kinds == ["Men > Sweatshirts"] * 3


@pytest.mark.parametrize("method", ["dense", "bm25"])
def test_the_profile_boosts_each_single_retriever_too(shop, method):
    profile = ShopperProfile(frozenset({"Home > Lamps"}), (60.0, 70.0))
    plain = dict(shop.search.rank("lamp", None, 5, method=method))
    boosted = shop.search.rank("lamp", None, 5, method=method, profile=profile)
    expected = {row: score * profile.boost(shop.catalog.products[row]) for row, score in plain.items()}
    assert dict(boosted) == pytest.approx(expected) and dict(boosted) != pytest.approx(plain)
