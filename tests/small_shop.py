"""A shop of six products for tests that need real parts but not the demo catalog: a real SQLite database with
the products stored, a real index and the real embedding model, built in a second."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.product import ProductRecord
from core.settings import Settings
from db.session import Database
from retrieval.catalog import Catalog
from retrieval.embeddings import Embedder
from retrieval.importer import ImportReport, upsert_products
from retrieval.index import update_index
from retrieval.search import ProductSearch

PRODUCTS = [
    ProductRecord(
        id="m1", title="Blue Enamel Mug", category="Kitchen > Mugs", price=12.0, rating=4.1, stock=9
    ),
    ProductRecord(id="m2", title="Stoneware Mug", category="Kitchen > Mugs", price=18.0, rating=4.7, stock=3),
    ProductRecord(id="m3", title="Travel Mug", category="Kitchen > Mugs", price=25.0, rating=3.2, stock=0),
    ProductRecord(id="l1", title="Brass Desk Lamp", category="Home > Lamps", price=40.0, rating=4.5, stock=5),
    ProductRecord(
        id="l2", title="Paper Floor Lamp", category="Home > Lamps", price=65.0, rating=None, stock=2
    ),
    ProductRecord(
        id="t1", title="Linen Tea Towel", category="Kitchen > Towels", price=8.0, rating=4.0, stock=20
    ),
]


@dataclass(frozen=True)
class SmallShop:
    settings: Settings
    db: Database
    catalog: Catalog
    search: ProductSearch


def small_shop(home: Path, embedder: Embedder, products: list[ProductRecord] = PRODUCTS) -> SmallShop:
    settings = Settings(home=home, results_per_reply=3)
    db = Database(settings.database_url)
    db.migrate()
    with db.transaction() as session:
        upsert_products(session, ImportReport(records=list(products)))
    catalog = Catalog(list(products))
    index = update_index(catalog.products, embedder, settings.index_dir, settings).index
    return SmallShop(settings, db, catalog, ProductSearch(catalog, index, embedder))


AFTER_SALES = Path(__file__).resolve().parent / "data" / "after_sales"


def after_sales_store(directory: Path) -> Database:
    """A real SQLite database in `directory` holding the after-sales store (tests/data/after_sales): its catalog
    with variants, its shoppers and their orders, imported as `catalog/shoppers/orders import` do."""
    from db.store_data import import_orders, import_shoppers
    from retrieval.importer import read_catalog

    db = Database(f"sqlite:///{directory / 'shop.db'}")
    db.migrate()
    with db.transaction() as session:
        upsert_products(session, read_catalog(AFTER_SALES / "catalog.jsonl"))
        import_shoppers(session, (AFTER_SALES / "shoppers.jsonl").read_text().splitlines())
        import_orders(session, (AFTER_SALES / "orders.jsonl").read_text().splitlines(), "USD")
    return db
