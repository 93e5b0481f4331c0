"""ui/store.py: the widget script and the demo store page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.product import ProductRecord
from ui.app import create_app
from ui.store import store_page


def test_the_widget_script_and_the_store_page_are_served(assistant) -> None:
    client = TestClient(create_app(assistant))
    script = client.get("/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "data-greeting" in script.text or "dataset.greeting" in script.text
    store = client.get("/store")
    assert store.status_code == 200
    assert '<script src="/widget.js" data-color=' in store.text
    assert store.text.count('class="product"') == 24


def test_catalog_text_is_escaped_on_the_store_page() -> None:
    hostile = ProductRecord(
        id="sku-x",
        title="<script>alert(1)</script> Boots",
        brand='A"B & <C>',
        category="Shoes & Boots",
        price=10,
        image_url="javascript:alert(1)",
    )
    page = store_page([hostile])
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Boots" in page
    assert "A&quot;B &amp; &lt;C&gt;" in page and "Shoes &amp; Boots" in page
    assert "javascript:" not in page and 'src="/images/sku-x.png?v=' in page  # not a web image: a drawn one
