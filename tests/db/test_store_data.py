"""db/store_data.py: the store's shoppers and orders imported and exported as the contract's JSON lines
(docs/store-data.md), on a real SQLite database with the demo catalog's products."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from core.product import ProductRecord
from db.models import Order, Shopper
from db.session import Database
from db.store_data import export_orders, import_orders, import_shoppers, refund_lines, saved_details
from retrieval.demo_catalog import demo_products
from retrieval.importer import ImportReport, upsert_products

STORE = Path(__file__).resolve().parents[1] / "data" / "store"
SHOPPERS = (STORE / "shoppers.jsonl").read_text().splitlines()
ORDERS = (STORE / "orders.jsonl").read_text().splitlines()


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    database.migrate()
    with database.transaction() as session:
        records = [ProductRecord.model_validate(item) for item in demo_products()]
        variants = {
            "id": "sku-00002",
            "variants": [{"id": "v-2-blue-m", "options": {"color": "blue", "size": "M"}}],
        }
        records[1] = ProductRecord.model_validate({**records[1].model_dump(), **variants})
        upsert_products(session, ImportReport(records=records))
    return database


def test_shoppers_load_with_each_bad_line_named(db):
    with db.transaction() as session:
        report = import_shoppers(session, SHOPPERS)
    assert report.summary() == "2 loaded, 3 skipped"
    assert report.problems == [
        "line 3: email: 'not an email' is not an email address",
        "line 4: id: Field required",
        "line 5: *: not valid JSON (Expecting value)",
    ]
    with db.transaction() as session:
        omar = session.get(Shopper, "omar_haddad_02")
        assert (omar.email, omar.first_name, omar.last_name, omar.zip) == (
            "omar.haddad@example.org",
            "omar",
            "haddad",
            "h2x1y4",
        )
        assert session.get(Shopper, "ana_ruiz_01").record["loyalty_tier"] == "gold"  # extra keys are kept


def test_orders_with_an_unknown_shopper_product_variant_or_status_are_skipped(db):
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        report = import_orders(session, ORDERS, "USD")
    assert report.summary() == "3 loaded, 4 skipped"
    assert report.problems[:3] == [
        "line 4: shopper_id: unknown shopper 'nobody_99'",
        "line 5: items.0.product_id: unknown product 'sku-99999'",
        "line 6: items.0.variant_id: 'v-nonexistent' is not a variant of 'sku-00001'",
    ]
    assert report.problems[3].startswith("line 7: status: Input should be 'pending'")


def test_an_export_gives_the_imported_orders_back_unchanged(db):
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        import_orders(session, ORDERS, "USD")
        exported = export_orders(session)
    assert exported == [json.loads(line) for line in ORDERS[:3]]


def test_an_export_filters_by_shopper_and_by_order(db):
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        import_orders(session, ORDERS, "USD")
        assert [o["id"] for o in export_orders(session, shopper_id="ana_ruiz_01")] == ["#1042", "#1043"]
        assert [o["id"] for o in export_orders(session, order_id="#2001")] == ["#2001"]
        assert export_orders(session, shopper_id="nobody") == []


def test_a_second_import_upserts_by_id(db):
    delivered = json.loads(ORDERS[0]) | {"status": "delivered"}
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        import_orders(session, ORDERS, "USD")
        report = import_orders(session, [json.dumps(delivered)], "USD")
        assert report.loaded == 1
        orders = session.scalars(select(Order).where(Order.number == "#1042")).all()
        assert [order.status for order in orders] == ["delivered"]
        assert orders[0].total == 152.95
        assert export_orders(session, order_id="#1042") == [delivered]


def test_an_order_line_may_name_a_variant_of_its_product(db):
    line = {
        "id": "#5001",
        "shopper_id": "ana_ruiz_01",
        "status": "pending",
        "items": [
            {"product_id": "sku-00002", "variant_id": "v-2-blue-m", "quantity": 2, "unit_price": 18.99}
        ],
    }
    wrong = line | {"id": "#5002", "items": [line["items"][0] | {"variant_id": "sku-00002"}]}
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        report = import_orders(session, [json.dumps(line), json.dumps(wrong)], "USD")
        assert report.loaded == 1
        # A product with variants is bought as one of them, not as itself.
        assert report.problems == ["line 2: items.0.variant_id: 'sku-00002' is not a variant of 'sku-00002'"]
        order = session.scalars(select(Order).where(Order.number == "#5001")).one()
        assert (order.total, order.items[0].variant_id, order.items[0].title) == (
            37.98,
            "v-2-blue-m",
            "Larkspur Pocket T-Shirt",
        )


def test_a_full_refund_pays_back_each_method_what_it_paid_net_of_refunds():
    paid = {
        "payments": [
            {"kind": "payment", "amount": 30.0, "payment_method_id": "gift_card_01"},
            {"kind": "payment", "amount": 17.98, "payment_method_id": "card_01"},
            {"kind": "refund", "amount": 5.0, "payment_method_id": "card_01"},
        ]
    }
    refunds = refund_lines(paid)
    assert refunds == [
        {"kind": "refund", "amount": 30.0, "payment_method_id": "gift_card_01"},
        {"kind": "refund", "amount": 12.98, "payment_method_id": "card_01"},
    ]
    # Once refunded, nothing is left to pay back: payments less refunds balance to zero.
    assert refund_lines({"payments": [*paid["payments"], *refunds]}) == []


def test_saved_details_are_the_identified_shoppers_own_and_none_for_a_stranger(db):
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
    with db.transaction() as session:
        assert saved_details(session, None) == {}
        assert saved_details(session, "nobody_99") == {}
        assert saved_details(session, "ana_ruiz_01") == {
            "shipping address": ["Ship to 14 Harbour Road, Apt 3, Portland, OR 97201"],
            "payment method": ["Pay with PayPal", "Pay with card ending 4242", "Pay with a gift card"],
        }
