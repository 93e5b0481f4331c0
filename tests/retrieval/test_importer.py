"""retrieval/importer.py: CSV and JSONL with a field mapping; bad rows reported, good rows upserted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import Product
from db.session import Database
from retrieval.importer import ImportFailed, parse_mapping, read_catalog, upsert_products

CSV = """sku,name,cost,cat,colour,qty
a1,Blue Mug,12.50,Kitchen > Mugs,blue,4
a2,Red Mug,$14,Kitchen > Mugs,red,0
a3,,9,Kitchen > Mugs,green,1
a4,Teapot,not a price,Kitchen > Teapots,white,2
a5,Oak Table,"1,299.00",Furniture > Tables,brown,
"""


@pytest.fixture
def database(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'import.db'}")
    db.migrate()
    return db


def test_csv_with_a_mapping_loads_good_rows_and_reports_bad_ones(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(CSV)
    mapping = parse_mapping(
        ["id=sku", "title=name", "price=cost", "category=cat", "color=colour", "stock=qty"]
    )
    report = read_catalog(path, mapping=mapping)
    assert [record.id for record in report.records] == ["a1", "a2", "a5"]
    assert {(error.line, error.field) for error in report.errors} == {(4, "title"), (5, "*")}
    assert report.records[2].price == 1299.0 and report.records[2].stock is None


def test_jsonl_import_and_upsert_by_id(tmp_path, database):
    path = tmp_path / "catalog.jsonl"
    rows = [
        {"id": "p1", "title": "Lamp", "price": 30},
        {"id": "p2", "title": "Rug", "price": 80, "category": ["Home", "Rugs"]},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n{broken\n")
    report = read_catalog(path)
    assert len(report.records) == 2 and report.errors[0].line == 3
    with database.transaction() as session:
        upsert_products(session, report)
    assert (report.added, report.updated) == (2, 0)

    rows[0]["price"] = 25
    path.write_text("\n".join(json.dumps(row) for row in rows))
    again = read_catalog(path)
    with database.transaction() as session:
        upsert_products(session, again)
        assert session.get(Product, "p1").price == 25
        assert session.get(Product, "p2").category == "Home > Rugs"
        assert len(session.scalars(select(Product)).all()) == 2
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)


def test_whole_file_problems_are_one_clear_error(tmp_path):
    with pytest.raises(ImportFailed, match="no catalog file"):
        read_catalog(tmp_path / "missing.csv")
    with pytest.raises(ImportFailed, match="unknown product field"):
        parse_mapping(["titel=name"])
    with pytest.raises(ImportFailed, match="FIELD=COLUMN"):
        parse_mapping(["title"])


def test_flipkart_sample_imports_with_a_mapping(shared_data):
    mapping = parse_mapping(
        ["id=uniq_id", "title=product_name", "price=discounted_price", "category=product_category_tree",
         "rating=product_rating", "brand=brand", "description=description"]
    )  # fmt: skip
    report = read_catalog(shared_data / "flipkart_sample_1k.csv", mapping=mapping, currency="INR")
    assert len(report.records) >= 990
    assert all(record.price >= 0 and record.category for record in report.records)
    assert {record.currency for record in report.records} == {"INR"}
