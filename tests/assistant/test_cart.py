"""assistant/cart.py with variants, on SQLite and PostgreSQL: a cart line and an order line are a variant; stock
is reserved when an order is placed and never goes below zero, also when two shoppers race for the last unit;
and of several conversations changing one order at once, exactly one change is made."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from assistant import cart as carts
from assistant.after_sales import Refusal, Request, apply, claim_order, plan
from core.product import ProductRecord
from db.models import Conversation, Order, ProductVariant
from db.session import Database
from retrieval.importer import ImportReport, upsert_products


@pytest.fixture(scope="module")
def cart_postgres(request) -> str:
    """A PostgreSQL database of this module's own: the session's shared one holds the demo catalog, and a
    catalog of other products there would keep the demo from loading for the tests after these."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = request.getfixturevalue("postgres_url")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS cart_checks"))
        connection.execute(text("CREATE DATABASE cart_checks"))
    admin.dispose()
    return make_url(url).set(database="cart_checks").render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> Database:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("cart_postgres")
    db = Database(url)
    db.migrate()
    yield db
    db.engine.dispose()


@pytest.fixture
def tee(database) -> ProductRecord:
    """A t-shirt of its own for the test (the PostgreSQL database is shared): blue M has one unit left."""
    key = uuid.uuid4().hex[:8]
    product = ProductRecord(
        id=f"tee-{key}",
        title="V-Neck T-Shirt",
        price=24.0,
        stock=6,
        variants=[
            {"id": f"tee-{key}-blue-m", "options": {"color": "blue", "size": "M"}, "stock": 1},
            {"id": f"tee-{key}-red-l", "options": {"color": "red", "size": "L"}, "price": 26.0, "stock": 5},
        ],
    )
    with database.transaction() as session:
        upsert_products(session, ImportReport(records=[product]))
    return product


def conversation(database: Database) -> str:
    conversation_id = f"c_{uuid.uuid4().hex[:12]}"
    with database.transaction() as session:
        session.add(Conversation(id=conversation_id))
    return conversation_id


def add(database: Database, conversation_id: str, product: ProductRecord, variant_index: int, quantity=1):
    with database.transaction() as session:
        here = session.get(Conversation, conversation_id)
        carts.add_to_cart(session, here, product, product.variants[variant_index], quantity)


def stock(database: Database, variant_id: str) -> int | None:
    with database.transaction() as session:
        return session.scalar(select(ProductVariant.stock).where(ProductVariant.id == variant_id))


def place(database: Database, conversation_id: str) -> Order:
    with database.transaction() as session:
        here = session.get(Conversation, conversation_id)
        return carts.place_order(session, here, "5 Oak Road", "card ending 4242", "USD")


def test_the_import_writes_one_row_per_variant_and_one_for_a_product_without_variants(database, tee):
    mug = ProductRecord(id=f"mug-{uuid.uuid4().hex[:8]}", title="Mug", price=12.0, stock=3)
    with database.transaction() as session:
        upsert_products(session, ImportReport(records=[mug]))
        rows = session.scalars(
            select(ProductVariant)
            .where(ProductVariant.product_id.in_([tee.id, mug.id]))
            .order_by(ProductVariant.id)
        ).all()
        assert [(row.id, row.price, row.stock, row.options) for row in rows] == [
            (mug.id, 12.0, 3, {}),
            (tee.variants[0].id, 24.0, 1, {"color": "blue", "size": "M"}),
            (tee.variants[1].id, 26.0, 5, {"color": "red", "size": "L"}),
        ]


def test_two_variants_of_one_product_are_two_lines_and_the_order_lists_each(database, tee):
    here = conversation(database)
    add(database, here, tee, 0)
    add(database, here, tee, 1, quantity=2)
    add(database, here, tee, 1)
    with database.transaction() as session:
        lines = carts.cart_lines(session.get(Conversation, here))
    assert [(line.variant_id, line.quantity, line.unit_price, line.name) for line in lines] == [
        (tee.variants[0].id, 1, 24.0, "V-Neck T-Shirt (blue, size M)"),
        (tee.variants[1].id, 3, 26.0, "V-Neck T-Shirt (red, size L)"),
    ]
    order = place(database, here)
    assert order.total == 102.0
    assert [(item.variant_id, item.options, item.quantity) for item in order.items] == [
        (tee.variants[0].id, {"color": "blue", "size": "M"}, 1),
        (tee.variants[1].id, {"color": "red", "size": "L"}, 3),
    ]
    assert stock(database, tee.variants[0].id) == 0 and stock(database, tee.variants[1].id) == 2


def test_an_order_wanting_more_than_is_left_is_not_placed_and_keeps_the_cart(database, tee):
    here = conversation(database)
    add(database, here, tee, 1, quantity=6)
    with pytest.raises(carts.SoldOut, match="only 5 left of V-Neck T-Shirt"):
        place(database, here)
    with database.transaction() as session:
        assert session.scalars(select(Order).where(Order.conversation_id == here)).first() is None
        assert len(carts.cart_lines(session.get(Conversation, here))) == 1
    assert stock(database, tee.variants[1].id) == 5


def race(workers: list[Callable[[], object]]) -> list[object]:
    """Runs the workers at the same moment, each in its own thread; what each returned or raised."""
    start, results = threading.Barrier(len(workers)), [None] * len(workers)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = workers[index]()
        except Exception as error:  # the loser's error is the result under test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_shoppers_racing_for_the_last_unit_one_gets_it(database, tee):
    shoppers = [conversation(database) for _ in range(2)]
    for here in shoppers:
        add(database, here, tee, 0)
    results = race([lambda here=here: place(database, here) for here in shoppers])
    placed = [result for result in results if isinstance(result, Order)]
    sold_out = [result for result in results if isinstance(result, carts.SoldOut)]
    assert len(placed) == 1 and len(sold_out) == 1 and sold_out[0].left == 0
    assert stock(database, tee.variants[0].id) == 0


def test_of_concurrent_changes_to_one_order_one_wins_and_the_others_are_refused(database, tee):
    here = conversation(database)
    add(database, here, tee, 1)
    number = place(database, here).number

    def change(kind: str, **asked):
        with database.transaction() as session:
            order = session.scalar(select(Order).where(Order.number == number))
            result = plan(Request(kind, number, **asked), order, None, {tee.id: tee})
            if isinstance(result, Refusal):  # another change came first and was committed: its rule says why
                return f"refused: {result.rule}"
            if not claim_order(session, order):
                return "refused: changed meanwhile"
            apply(result, order, None)
            return kind

    requests = [
        ("cancel", {"reason": "no longer needed"}),
        ("modify_address", {"address": {"line1": "5 Elm St"}}),
        ("modify_address", {"address": {"line1": "9 Pine Rd"}}),
        ("cancel", {"reason": "ordered by mistake"}),
    ]
    results = race([lambda kind=kind, asked=asked: change(kind, **asked) for kind, asked in requests])
    made = [result for result in results if not str(result).startswith("refused")]
    assert len(made) == 1, results
    with database.transaction() as session:
        order = session.scalar(select(Order).where(Order.number == number))
        assert order.version == 1
        refunds = [p for p in order.record["payments"] if p["kind"] == "refund"]
        assert len(refunds) == (1 if made[0] == "cancel" else 0)


def test_an_agent_sees_the_orders_of_the_conversation_and_of_its_known_shopper(tmp_path):
    from tests.small_shop import after_sales_store
    from ui.console_panels import render_orders

    db = after_sales_store(tmp_path)
    with db.transaction() as session:
        session.add(Conversation(id="c_ana", state={"shopper_id": "ana"}))
        session.add(Conversation(id="c_stranger"))
    with db.transaction() as session:
        ana = carts.orders_of(session, session.get(Conversation, "c_ana"))
        stranger = carts.orders_of(session, session.get(Conversation, "c_stranger"))
    assert [order["number"] for order in ana] == ["#5005", "#5004", "#5002", "#5001"]  # never Omar's #5003
    assert stranger == []
    shown = render_orders(ana, "ana")
    assert "Orders of shopper ana" in shown and "#5002</strong> · delivered · $140.00" in shown
    assert "1 × Trail Runner Shoe (blue, size 10); 1 × Steel Water Bottle (500ml)" in shown
