"""The embedded demo catalog is big, varied, well-typed and identical on every call."""

from retrieval.demo_catalog import demo_products

FIELD_TYPES = {
    "id": str,
    "title": str,
    "description": str,
    "brand": str,
    "category": str,
    "price": float,
    "currency": str,
    "color": str,
    "sizes": list,
    "material": str,
    "rating": float,
    "stock": int,
    "image_url": str,
    "attributes": dict,
}


def test_catalog_is_large_and_spans_many_categories():
    products = demo_products()
    assert len(products) >= 650
    assert len({p["category"].split(" > ")[0] for p in products}) >= 12
    assert all(" > " in p["category"] for p in products)


def test_ids_and_titles_are_unique():
    products = demo_products()
    assert len({p["id"] for p in products}) == len(products)
    assert len({p["title"] for p in products}) == len(products)


def test_catalog_is_deterministic():
    assert demo_products() == demo_products()


def test_every_field_has_the_right_type():
    for product in demo_products():
        assert set(product) == set(FIELD_TYPES), product["id"]
        for field, kind in FIELD_TYPES.items():
            assert type(product[field]) is kind, (product["id"], field)
        assert all(isinstance(size, str) for size in product["sizes"])
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in product["attributes"].items())
        assert product["id"].startswith("sku-")
        assert product["brand"] in product["title"]
        assert product["currency"] == "USD"
        assert product["color"] == product["color"].lower()
        assert product["description"]


def test_prices_ratings_and_stock_are_plausible():
    products = demo_products()
    assert all(p["price"] > 0 and round(p["price"], 2) == p["price"] for p in products)
    assert all(1.0 <= p["rating"] <= 5.0 for p in products)
    assert all(p["stock"] >= 0 for p in products)
    out_of_stock = sum(p["stock"] == 0 for p in products)
    assert 0 < out_of_stock < len(products) * 0.2


def test_running_shoes_support_budget_searches():
    running = [p for p in demo_products() if p["category"] == "Shoes > Running"]
    assert len(running) >= 25
    assert sum(p["price"] < 100 for p in running) >= 12
    brands = {p["brand"] for p in running}
    assert {"Nike", "Adidas", "Asics", "Brooks", "New Balance", "Hoka", "Saucony"} <= brands
    assert len({p["color"] for p in running}) >= 4


def test_apparel_and_shoes_have_sizes():
    for product in demo_products():
        if product["category"].startswith(("Apparel > ", "Shoes > ")):
            assert product["sizes"], product["id"]
