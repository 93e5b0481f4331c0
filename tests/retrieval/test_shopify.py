"""retrieval/shopify.py: a Shopify product export's variant rows fold into one product each."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.importer import ImportFailed, guess_format, read_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "shopify_products.csv"

# The column names of the exports Shopify writes since 2024 (a subset; the rest are optional).
NEW_STYLE = """URL handle,Title,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,Option1 name,Option1 value,Option2 name,Option2 value,Price,Compare-at price,Inventory tracker,Inventory quantity,Product image URL
linen-shirt,Linen Shirt,<p>Breezy</p>,Loom,Apparel & Accessories > Clothing > Shirts & Tops,Shirts,summer,TRUE,Active,LS-S,Size,S,Color,White,39.00,49.00,shopify,2,https://cdn.example.com/shirt.jpg
linen-shirt,,,,,,,,,LS-M,,M,,White,39.00,49.00,shopify,5,
linen-shirt,,,,,,,,,LS-L,,L,,Sand,42.00,,shopify,0,
"""


@pytest.fixture(scope="module")
def report():
    return read_catalog(FIXTURE)


@pytest.fixture(scope="module")
def products(report):
    return {record.id: record for record in report.records}


def test_the_export_is_recognised_from_its_header():
    assert guess_format(FIXTURE) == "shopify"


def test_variants_fold_into_one_product_with_sizes_colors_lowest_price_and_total_stock(products):
    shoe = products["trail-runner"]
    assert shoe.title == "Trail Runner" and shoe.brand == "Peak Gear"
    assert shoe.sizes == ["8", "9"]
    assert shoe.color == "Red, Blue"
    assert shoe.price == 115.0
    # 3 + 0 + an oversold -2 counted as nothing on hand.
    assert shoe.stock == 3
    assert shoe.category == "Apparel & Accessories > Shoes > Athletic Shoes"
    assert shoe.attributes == {"tags": "trail, running", "type": "Running Shoes"}
    assert shoe.image_url == "https://cdn.example.com/trail-1.jpg"


def test_each_variant_row_is_a_variant_with_its_own_sku_options_price_and_inventory(products):
    variants = [(v.id, v.options, v.price, v.stock, v.buyable) for v in products["trail-runner"].variants]
    assert variants == [
        ("TR-8-RED", {"Size": "8", "Color": "Red"}, 120.0, 3, True),
        ("TR-9-RED", {"Size": "9", "Color": "Red"}, 115.0, 0, False),
        ("TR-8-BLUE", {"Size": "8", "Color": "Blue"}, 120.0, 0, False),  # oversold: none on hand
    ]
    assert products["canvas-tote"].variants == []  # one "Default Title" variant: the product itself


def test_html_descriptions_become_text(products):
    assert products["trail-runner"].description == "Grippy trail shoe & light.\nRock plate\nMesh upper"
    assert products["wool-scarf"].description == "Warm and soft"


def test_other_options_become_attributes_and_material_its_field(products):
    scarf = products["wool-scarf"]
    assert (scarf.color, scarf.material) == ("Grey, Navy", "Merino wool")
    assert scarf.attributes["Length"] == "180 cm, 200 cm"
    assert scarf.stock == 5 and scarf.price == 45.0


def test_a_product_without_options_or_tracked_inventory(products):
    tote = products["canvas-tote"]
    assert tote.sizes == [] and tote.color == "" and tote.attributes == {}
    assert tote.stock is None and tote.in_stock
    assert tote.category == "Bags"


def test_drafts_and_bad_variants_are_skipped_and_reported_at_their_line(report):
    assert len(report.records) == 3
    errors = {(error.line, error.field, error.product_id) for error in report.errors}
    # The trail runner's description spans lines 2-3, so the draft hat's row is line 8.
    assert errors == {(8, "status", "draft-hat"), (10, "price", "broken-mug")}
    assert {"draft-hat", "broken-mug"} <= report.listed_ids


def test_the_column_names_of_newer_exports(tmp_path):
    path = tmp_path / "products_export.csv"
    path.write_text(NEW_STYLE)
    assert guess_format(path) == "shopify"
    report = read_catalog(path)
    assert not report.errors
    (shirt,) = report.records
    assert (shirt.id, shirt.description, shirt.price, shirt.stock) == ("linen-shirt", "Breezy", 39.0, 7)
    assert shirt.sizes == ["S", "M", "L"] and shirt.color == "White, Sand"
    assert shirt.attributes["compare_at_price"] == "49.00"


def test_a_mapping_is_refused_for_a_known_format():
    with pytest.raises(ImportFailed, match="--map does not apply"):
        read_catalog(FIXTURE, mapping={"title": "Handle"})
