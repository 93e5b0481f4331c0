"""retrieval/woocommerce.py: a WooCommerce product export (written for the project: variations, sale prices, decimal
commas, doubly escaped HTML, products not for sale, a duplicate) imports without a mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval import woocommerce
from retrieval.importer import ImportFailed, guess_format, read_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "woocommerce_export.csv"


@pytest.fixture(scope="module")
def report():
    return read_catalog(FIXTURE, currency="EUR")


@pytest.fixture(scope="module")
def products(report):
    return {record.id: record for record in report.records}


def test_the_format_is_recognised_from_the_header():
    assert guess_format(FIXTURE) == "woocommerce"


def test_decimal_comma_prices_are_exact_to_the_cent(products):
    assert products["AMD-5900X"].price == 389.90
    assert products["ASUS-RTX4060TI"].price == 1299.00  # "1.299,00": the point groups thousands
    assert products["wc-307"].price == 3.49
    assert {record.currency for record in products.values()} == {"EUR"}


def test_the_sale_price_is_the_price_while_it_applies(products):
    nvme = products["KNG-NV2-1TB"]
    assert nvme.price == 59.99 and nvme.attributes["compare_at_price"] == "64.99"
    cable = products["HAMA-HDMI-3M"]  # its sale ended in 2020
    assert cable.price == 9.99 and "compare_at_price" not in cable.attributes


def test_a_variable_product_has_its_variations_as_variants(products):
    tee = products["TEE-ORG"]
    assert [(v.id, v.options, v.price, v.available, v.stock) for v in tee.variants] == [
        ("TEE-ORG-BLUE-M", {"Color": "Blue", "Size": "M"}, 24.90, True, 5),
        ("TEE-ORG-BLACK-L", {"Color": "Black", "Size": "L"}, 19.90, False, 0),
    ]  # the unpublished Blue S is not offered
    # The price shown is the cheapest variant a shopper can buy; stock is the variants' sum.
    assert tee.price == 24.90 and tee.stock == 5
    assert tee.color == "Blue, Black" and tee.sizes == ["S", "M", "L"]
    assert "Color Black" in tee.search_text() and "Size M" in tee.search_text()


def test_html_and_doubly_escaped_entities_are_plain_text(products):
    assert products["HAMA-HDMI-3M"].title == "Hama HDMI-Kabel, Data & Video, 3 m"
    description = products["AMD-5900X"].description
    assert "12 Kerne, 24 Threads" in description and "4,8 GHz & 70 MB Cache" in description
    assert "<" not in description and "&amp;" not in description


def test_the_rest_of_a_product_is_read(products):
    cpu = products["AMD-5900X"]
    assert (cpu.brand, cpu.category, cpu.stock) == ("AMD", "Komponenten > Prozessoren", 14)
    assert cpu.image_url == "https://example.test/5900x.jpg"
    assert cpu.attributes == {"Sockel": "AM4", "tags": "CPU, AMD"}
    assert products["KNG-NV2-1TB"].attributes["also in"] == "Angebote"
    assert products["HAMA-HDMI-3M"].stock == 0  # "In stock?" 0 without a count
    assert products["KNG-NV2-1TB"].stock is None  # in stock, not counted
    assert products["wc-307"].title == "Kabelbinder 100 Stück"  # no SKU: the WooCommerce ID names it


def test_what_is_not_for_sale_is_skipped_and_reported(report):
    assert sorted(str(error) for error in report.errors) == [
        "line 10: published: a draft is not for sale",
        "line 11: published: a private product is not for sale",
        "line 12: type: a grouped product has no price of its own; its products are listed on their own rows",
        "line 13: type: an external product is sold on another site",
        "line 14: visibility in catalog: a product hidden from the catalog is not offered",
        "line 15: id: duplicate id 'AMD-5900X' (first occurrence kept)",
        "line 16: parent: a variation of an unknown product 'id:999'",
        "line 18: price: no number in price 'auf Anfrage'",
    ]
    assert len(report.records) == 6


def test_a_sale_within_its_dates_applies():
    header = "Type,SKU,Name,Published,Date sale price starts,Date sale price ends,Sale price,Regular price"
    row = "simple,S1,Lamp,1,2026-01-01,2026-01-31,10.00,20.00"
    rows = [(2, dict(zip(header.split(","), row.split(","), strict=True)))]
    during = dict(woocommerce.products(rows, today=date(2026, 1, 15)))[2]
    after = dict(woocommerce.products(rows, today=date(2026, 2, 1)))[2]
    assert (during["price"], after["price"]) == (10.0, 20.0)


def test_a_mapping_is_refused_for_an_export_whose_columns_are_known():
    with pytest.raises(ImportFailed, match="does not apply to a WooCommerce export"):
        read_catalog(FIXTURE, mapping={"title": "Name"})


@pytest.fixture(scope="module")
def electronics_shop(assistant, tmp_path_factory):
    """The assistant on the imported export, as `shopassist catalog import` leaves it."""
    from assistant.bootstrap import build_assistant
    from core.settings import Settings
    from db.session import Database
    from retrieval.catalog import Catalog
    from retrieval.embeddings import Embedder
    from retrieval.importer import upsert_products
    from retrieval.index import update_index

    settings = Settings(home=tmp_path_factory.mktemp("woocommerce"))
    db = Database(settings.database_url)
    db.migrate()
    report = read_catalog(FIXTURE, currency="EUR")
    with db.transaction() as session:
        upsert_products(session, report)
    update_index(
        Catalog(report.records).products, Embedder.shared(settings.embedding_model), settings.index_dir
    )
    return build_assistant(settings, log=lambda _message: None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show me the AMD Ryzen 9 5900X", "AMD-5900X"),
        ("Kingston 1TB NV2 NVMe SSD", "KNG-NV2-1TB"),
        ("do you have the ASUS Dual RTX4060 Ti EVO OC 8GB?", "ASUS-RTX4060TI"),
        ("5900x", "AMD-5900X"),
        ("Hama HDMI cable, 3 metres", "HAMA-HDMI-3M"),
    ],
)
def test_asking_for_a_product_by_name_shows_it_first(electronics_shop, text, expected):
    conversation, _ = electronics_shop.start_conversation()
    result = electronics_shop.handle(conversation, text)
    assert result.intent == "search_products"
    assert result.products and result.products[0]["id"] == expected


def test_an_unrelated_request_with_a_shop_word_stays_out_of_scope(electronics_shop):
    conversation, _ = electronics_shop.start_conversation()
    assert (
        electronics_shop.handle(conversation, "what's the share price of apple today").intent
        == "out_of_scope"
    )
