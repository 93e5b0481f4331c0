"""The embeddable chat widget (`/widget.js`) and a demo store page (`/store`) that embeds it.

The store page shows a grid of catalog products; every catalog value is HTML-escaped, because product data
comes from whatever catalog a merchant imports.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from core.formatting import money
from core.product import ProductRecord
from ui.product_images import image_src

WIDGET_JS = Path(__file__).parent / "static" / "widget.js"
STORE_PRODUCTS = 24

router = APIRouter(include_in_schema=False)

STORE_CSS = """
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937;
       background: #f8fafc; }
header { background: #0f766e; color: #fff; padding: 18px 24px; }
header h1 { margin: 0; font-size: 1.4em; }
header p { margin: 4px 0 0; opacity: .85; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 16px 120px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; }
.product { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; overflow: hidden;
           display: flex; flex-direction: column; }
.product img { width: 100%; aspect-ratio: 4 / 3; object-fit: cover; display: block; }
.info { padding: 10px 12px; display: flex; flex-direction: column; gap: 2px; flex: 1; }
.category { font-size: .75em; color: #6b7280; text-transform: uppercase; letter-spacing: .03em; }
.title { font-weight: 600; }
.brand { font-size: .85em; color: #6b7280; }
.price { margin-top: auto; font-weight: 700; }
"""


def product_card(product: ProductRecord) -> str:
    picture = f'<img src="{escape(image_src(product))}" alt="{escape(product.title)}" loading="lazy">'
    return (
        f'<article class="product">{picture}<div class="info">'
        f'<div class="category">{escape(product.category)}</div>'
        f'<div class="title">{escape(product.title)}</div>'
        f'<div class="brand">{escape(product.brand)}</div>'
        f'<div class="price">{escape(money(product.price, product.currency))}</div></div></article>'
    )


def store_page(products: list[ProductRecord]) -> str:
    """A demo shop front: the best-rated products of each category in turn, and the chat widget."""
    by_category: dict[str, list[ProductRecord]] = {}
    for product in sorted(products, key=lambda p: -(p.rating or 0)):
        by_category.setdefault(product.category.split(" > ")[0], []).append(product)
    # Round-robin over the categories, so the page shows the range of the catalog and not one department.
    shown: list[ProductRecord] = []
    while len(shown) < min(STORE_PRODUCTS, len(products)):
        for items in by_category.values():
            if items and len(shown) < STORE_PRODUCTS:
                shown.append(items.pop(0))
    cards = "".join(product_card(product) for product in shown)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Demo store</title><style>{STORE_CSS}</style></head><body>"
        "<header><h1>Demo store</h1><p>A shop front with the shopassist chat widget: "
        "ask the assistant in the corner.</p></header>"
        f'<main><div class="grid">{cards}</div></main>'
        '<script src="/widget.js" data-color="#0f766e" data-greeting="Hi! Need help finding something?" '
        'data-position="right"></script></body></html>'
    )


@router.get("/widget.js")
def widget_js() -> FileResponse:
    return FileResponse(WIDGET_JS, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/store", response_class=HTMLResponse)
def store(request: Request) -> HTMLResponse:
    return HTMLResponse(store_page(request.app.state.assistant.catalog.products))
