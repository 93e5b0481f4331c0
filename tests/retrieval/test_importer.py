"""retrieval/importer.py: CSV and JSONL with a field mapping; bad rows reported, good rows upserted; the
`shopassist catalog import` command with --prune, and the Flipkart worked example of docs/catalog-import.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from assistant.bootstrap import build_assistant
from cli.app import UserError, app
from core.product import ProductRecord
from core.settings import Settings
from db.models import Cart, CartItem, Conversation, Order, OrderItem, Product
from db.session import Database
from retrieval.importer import (
    ImportFailed,
    ImportReport,
    guess_format,
    parse_mapping,
    prune_products,
    read_catalog,
    upsert_products,
)
from retrieval.index import ProductIndex

FIXTURES = Path(__file__).parent / "fixtures"
BAD_ROWS_MAP = [
    "id=sku",
    "title=name",
    "price=cost",
    "category=cat",
    "color=colour",
    "stock=qty",
    "rating=stars",
]
FLIPKART_MAP = [
    "id=uniq_id", "title=product_name", "price=discounted_price", "category=product_category_tree",
    "brand=brand", "description=description", "rating=product_rating",
]  # fmt: skip

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
    assert {(error.line, error.field) for error in report.errors} == {(4, "title"), (5, "price")}
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
    report = read_catalog(
        shared_data / "flipkart_sample_1k.csv", mapping=parse_mapping(FLIPKART_MAP), currency="INR"
    )
    assert len(report.records) >= 990
    assert all(record.price > 0 for record in report.records)
    assert {record.currency for record in report.records} == {"INR"}
    # Category paths: every product has one, and most have several levels ("footwear > womens footwear > …").
    assert all(record.category for record in report.records)
    assert sum(" > " in record.category for record in report.records) >= 950
    sandals = next(record for record in report.records if record.title == "dutch benson women sandals")
    assert (sandals.price, sandals.category.split(" > ")[:2]) == (399.0, ["footwear", "womens footwear"])
    # The only rows skipped are those whose price is 0 (missing in the sample).
    assert {error.field for error in report.errors} <= {"price"}


def test_formats_are_guessed_from_name_and_header(tmp_path):
    assert guess_format(FIXTURES / "bad_rows.csv") == "csv"
    assert guess_format(FIXTURES / "shopify_products.csv") == "shopify"
    assert guess_format(FIXTURES / "gmc_feed.tsv") == "gmc"
    assert guess_format(FIXTURES / "gmc_feed.xml") == "gmc"
    assert guess_format(tmp_path / "catalog.jsonl") == "jsonl"
    tsv = tmp_path / "catalog.tsv"
    tsv.write_text("sku\tname\tcost\nt1\tTray\t9\n")
    assert guess_format(tsv) == "csv"
    (tray,) = read_catalog(tsv, mapping=parse_mapping(["id=sku", "title=name", "price=cost"])).records
    assert (tray.id, tray.price) == ("t1", 9.0)


def test_every_bad_row_is_reported_with_line_field_and_reason():
    report = read_catalog(FIXTURES / "bad_rows.csv", mapping=parse_mapping(BAD_ROWS_MAP))
    assert [record.id for record in report.records] == ["b1", "b4"]
    assert [(error.line, error.field) for error in report.errors] == [
        (3, "title"), (4, "price"), (6, "price"), (7, "id"), (8, "stock"), (9, "rating"),
    ]  # fmt: skip
    assert "no number in price 'not a price'" in str(report.errors[1])
    assert "duplicate id 'b1'" in report.errors[3].reason


def test_a_bad_row_does_not_make_a_later_good_row_with_its_id_a_duplicate(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl", [{"id": "x", "title": "", "price": 1}, {"id": "x", "title": "Ok", "price": 1}]
    )
    report = read_catalog(path)
    assert [record.title for record in report.records] == ["Ok"]
    assert [(error.line, error.field) for error in report.errors] == [(1, "title")]


def import_cli(home: Path, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, ["catalog", "import", *args, "--data-dir", str(home)], env=env)
    return result


def stored(home: Path) -> dict[str, ProductRecord]:
    database = Database(Settings(home=home).database_url)
    with database.transaction() as session:
        return {row.id: ProductRecord.model_validate(row) for row in session.scalars(select(Product))}


def indexed_ids(home: Path, embedder) -> list[str]:
    return ProductIndex.load(Settings(home=home).index_dir, embedder.model_name, embedder.dimension).ids


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_cli_import_skips_bad_rows_loads_the_rest_and_indexes_them(tmp_path, embedder):
    args = [arg for pair in BAD_ROWS_MAP for arg in ("--map", pair)]
    result = import_cli(tmp_path, str(FIXTURES / "bad_rows.csv"), *args)
    assert result.exit_code == 0, result.output
    assert "skipped line 3: title:" in result.stderr and "skipped line 9: rating:" in result.stderr
    assert "imported 2 products (2 new, 0 updated, 0 unchanged); 6 rows skipped" in result.stderr
    assert set(stored(tmp_path)) == {"b1", "b4"}
    assert indexed_ids(tmp_path, embedder) == ["b1", "b4"]


def test_cli_reimport_upserts_and_prunes_only_when_asked(tmp_path, embedder):
    rows = [
        {"id": "p1", "title": "Lamp", "price": 30, "category": "Home > Lighting"},
        {"id": "p2", "title": "Rug", "price": 80, "category": "Home > Rugs"},
        {"id": "p3", "title": "Vase", "price": 20, "category": "Home > Decor"},
    ]
    assert import_cli(tmp_path, str(write_jsonl(tmp_path / "v1.jsonl", rows))).exit_code == 0
    # The next full export: p1 repriced, p2's row broken (it is still listed, so it stays), p3 gone.
    changed = [{**rows[0], "price": 25}, {**rows[1], "price": "ask us"}]
    again = write_jsonl(tmp_path / "v2.jsonl", changed)
    result = import_cli(tmp_path, str(again), "--format", "jsonl")
    assert result.exit_code == 0 and "(0 new, 1 updated, 0 unchanged)" in result.stderr
    assert set(stored(tmp_path)) == {"p1", "p2", "p3"} and stored(tmp_path)["p1"].price == 25
    result = import_cli(tmp_path, str(again), "--prune")
    assert result.exit_code == 0 and "1 removed" in result.stderr
    assert set(stored(tmp_path)) == {"p1", "p2"}
    assert indexed_ids(tmp_path, embedder) == ["p1", "p2"]


def test_cli_refuses_a_prune_that_would_empty_the_catalog(tmp_path):
    rows = [{"id": "p1", "title": "Lamp", "price": 30}]
    assert import_cli(tmp_path, str(write_jsonl(tmp_path / "v1.jsonl", rows))).exit_code == 0
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"sku": "p1", "name": "Lamp"}])
    result = import_cli(tmp_path, str(broken), "--prune")
    assert isinstance(result.exception, UserError) and "--prune refused" in str(result.exception)
    assert set(stored(tmp_path)) == {"p1"}


def test_prune_keeps_ordered_products_out_of_stock_and_empties_carts(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    database.migrate()
    records = [ProductRecord(id=pid, title=pid.upper(), price=10) for pid in ("a", "b", "c")]
    with database.transaction() as session:
        upsert_products(session, ImportReport(records=records))
    with database.transaction() as session:
        session.add(Conversation(id="c1"))
        cart = Cart(
            conversation_id="c1", items=[CartItem(product_id="c", variant_id="c", quantity=1, unit_price=10)]
        )
        order = Order(
            conversation_id="c1", journey=1, idempotency_key="k1", total=10, currency="USD",
            shipping_address="1 Main St", payment_method="card",
            items=[OrderItem(product_id="b", title="B", quantity=1, unit_price=10)],
        )  # fmt: skip
        session.add_all([cart, order])
    full_import = ImportReport(records=records[:1], listed_ids={"a"})
    with database.transaction() as session:
        prune_products(session, full_import)
    assert (full_import.removed, full_import.retired) == (1, 1)
    with database.transaction() as session:
        assert {product.id: product.stock for product in session.scalars(select(Product))} == {
            "a": None,
            "b": 0,
        }
        assert session.scalars(select(CartItem)).all() == []


@pytest.fixture(scope="module")
def flipkart_assistant(shared_data, assistant, tmp_path_factory):
    """The worked example of docs/catalog-import.md: the Flipkart sample imported with its mapping, and the real assistant on it."""
    home = tmp_path_factory.mktemp("flipkart")
    args = [arg for pair in FLIPKART_MAP for arg in ("--map", pair)]
    csv_path = str(shared_data / "flipkart_sample_1k.csv")
    result = import_cli(home, csv_path, *args, env={"SHOPASSIST_CURRENCY": "INR"})
    assert result.exit_code == 0, result.output
    assert "imported 997 products (997 new, 0 updated, 0 unchanged); 5 rows skipped" in result.stderr
    flipkart_settings = Settings(home=home, currency="INR")
    # The intent model does not depend on the catalog: reuse the session's instead of training another.
    return build_assistant(flipkart_settings, log=lambda _message: None)


@pytest.mark.slow
@pytest.mark.parametrize(
    "query",
    [
        "womens sandals under 500",
        "women's sandals under 500",
        "sandals for women under 500",
    ],
)
def test_flipkart_search_shows_only_footwear_within_the_budget(flipkart_assistant, query):
    conversation_id, _token = flipkart_assistant.start_conversation(None)
    result = flipkart_assistant.handle(conversation_id, query)
    shown = [flipkart_assistant.catalog.by_id[item["id"]] for item in result.products]
    assert shown, result.reply
    for product in shown:
        assert product.category.startswith("footwear > "), product.category
        assert product.price <= 500 and product.currency == "INR"


@pytest.mark.parametrize("name", ["latin1.csv", "latin1.jsonl", "latin1.tsv"])
def test_a_file_that_is_not_utf8_is_one_clear_error_and_stores_nothing(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_bytes('{"id": "p1", "title": "Café crème mug", "price": 9}\n'.encode("latin-1"))
    else:
        separator = "\t" if name.endswith(".tsv") else ","
        rows = [["id", "title", "price"], ["p1", "Café crème mug", "9"]]
        path.write_bytes("\n".join(separator.join(row) for row in rows).encode("latin-1"))
    with pytest.raises(ImportFailed, match=f"{name} is not UTF-8 text"):
        read_catalog(path)
    before = write_jsonl(tmp_path / "before.jsonl", [{"id": "p0", "title": "Teapot", "price": 20}])
    assert import_cli(tmp_path, str(before)).exit_code == 0
    result = import_cli(tmp_path, str(path))
    assert result.exit_code != 0 and isinstance(result.exception, UserError)
    assert "is not UTF-8 text" in str(result.exception)
    assert set(stored(tmp_path)) == {"p0"}


def test_jsonl_lines_that_are_not_objects_are_skipped_with_their_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = ['{"id": "p1", "title": "Lamp", "price": 30}', "[1, 2]", '"a string"', "42", "null"]
    path.write_text("\n".join([*lines, '{"id": "p2", "title": "Rug", "price": 80}']) + "\n")
    report = read_catalog(path)
    assert [record.id for record in report.records] == ["p1", "p2"]
    assert [(error.line, error.reason) for error in report.errors] == [
        (line, "a line must be a JSON object") for line in (2, 3, 4, 5)
    ]


def test_a_jsonl_product_line_may_carry_its_variants(tmp_path):
    line = {
        "id": "p-1001",
        "title": "T-Shirt",
        "price": 49.67,
        "category": "Apparel > T-Shirts",
        "variants": [
            {
                "id": "v-1001-blue-m",
                "options": {"color": "blue", "size": "M"},
                "price": 50.88,
                "available": True,
            },
            {
                "id": "v-1001-purple-xl",
                "options": {"color": "purple", "size": "XL"},
                "available": False,
                "stock": 0,
            },
        ],
    }
    twin = {**line, "id": "p-1002", "variants": [line["variants"][0], line["variants"][0]]}
    catalog = tmp_path / "variants.jsonl"
    catalog.write_text(json.dumps(line) + "\n" + json.dumps(twin) + "\n")
    report = read_catalog(catalog)
    (shirt,) = report.records
    assert [(v.id, v.price, v.buyable) for v in shirt.variants] == [
        ("v-1001-blue-m", 50.88, True),
        ("v-1001-purple-xl", None, False),
    ]
    assert shirt.variant("v-1001-blue-m").options == {"color": "blue", "size": "M"}
    assert shirt.variant("p-1001") is None  # a product with variants is bought as one of them
    assert [str(error) for error in report.errors] == ["line 2: *: variants: two variants share an id"]
