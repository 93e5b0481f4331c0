"""retrieval/related.py: embedding neighbours and bought-together products over the real demo catalog."""

from __future__ import annotations

import pytest

from assistant.bootstrap import open_database
from core.settings import Settings
from db.models import Cart, CartItem, Conversation, Order, OrderItem
from retrieval.related import RelatedProducts


@pytest.fixture(scope="module")
def related(assistant) -> RelatedProducts:
    return RelatedProducts(assistant.catalog, assistant.act.search.index)


@pytest.fixture()
def database(tmp_path):
    return open_database(Settings(home=tmp_path), log=lambda _message: None)


def first_of(catalog, category):
    return next(product for product in catalog.products if product.category == category)


def test_similar_products_are_neighbours_of_the_same_kind_never_the_product_itself(related):
    shoe = first_of(related.catalog, "Shoes > Running")
    similar = related.similar(shoe.id, 5)
    assert len(similar) == 5 and shoe.id not in {p.id for p in similar}
    assert sum(p.category.startswith("Shoes") for p in similar) >= 4


def test_without_history_goes_well_with_suggests_the_sibling_categories(related, database):
    shoe = first_of(related.catalog, "Shoes > Running")
    with database.transaction() as session:
        suggestions = related.goes_well_with(session, shoe.id, 6)
    categories = {p.category for p in suggestions}
    assert len(suggestions) == 6 and "Shoes > Running" not in categories
    assert all(c.startswith("Shoes > ") for c in categories) and len(categories) == 3


def test_goes_well_with_ranks_products_ordered_together_over_those_only_carted_together(related, database):
    catalog = related.catalog
    tent = first_of(catalog, "Sports > Tents")
    bottle, lights = (
        first_of(catalog, "Kitchen > Water Bottles"),
        first_of(catalog, "Garden > Outdoor Lighting"),
    )
    with database.transaction() as session:
        session.add(Conversation(id="c1"))
        session.flush()
        order = Order(
            conversation_id="c1",
            journey=1,
            idempotency_key="k1",
            total=1,
            currency="USD",
            shipping_address="a",
            payment_method="card",
        )
        order.items = [
            OrderItem(product_id=p.id, title=p.title, quantity=1, unit_price=p.price) for p in (tent, bottle)
        ]
        cart = Cart(conversation_id="c1")
        cart.items = [
            CartItem(product_id=p.id, variant_id=p.id, quantity=1, unit_price=p.price) for p in (tent, lights)
        ]
        session.add_all([order, cart])
        session.flush()
        suggestions = related.goes_well_with(session, tent.id, 4)
    assert [p.id for p in suggestions[:2]] == [bottle.id, lights.id]
    assert all(p.category.startswith("Sports > ") for p in suggestions[2:])
