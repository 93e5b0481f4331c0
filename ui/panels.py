"""The HTML panels beside the chat and in the console: product cards, the cart and the journey stage badge.

Catalog and shopper text is escaped before it reaches the browser, because product data comes from whatever
catalog a store imports. A card's buttons carry only an action name and a position; the chat turns a click into
the shopper's sentence (ui/shopper_actions.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from core.formatting import money
from core.product import ProductRecord

# The stock level below which a card warns "Only N left", as the reply text does (replies.stock_phrase).
LOW_STOCK = 5
# Placeholder colours by top-level category, so cards without a picture still tell departments apart.
PLACEHOLDER_COLORS = ("#0f766e", "#1d4ed8", "#7c3aed", "#b45309", "#be123c", "#0e7490", "#4d7c0f", "#9333ea")

CARDS_CSS = """
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--border-color-primary); border-radius: 10px; overflow: hidden;
        background: var(--block-background-fill); display: flex; flex-direction: column; }
.card.focus { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.picture { position: relative; height: 84px; overflow: hidden; }
.picture img { width: 100%; height: 100%; object-fit: cover; display: block; }
.placeholder { width: 100%; height: 100%; display: grid; place-items: center; color: #fff; font-size: 1.4em;
               font-weight: 700; letter-spacing: .06em; opacity: .92; }
.position { position: absolute; top: 6px; left: 6px; background: rgba(0,0,0,.6); color: #fff;
            border-radius: 999px; padding: 0 7px; font-size: .75em; font-weight: 600; }
.body { padding: 6px 8px; display: flex; flex-direction: column; gap: 2px; flex: 1; }
.title { font-weight: 600; line-height: 1.25; font-size: .92em; }
.meta { font-size: 0.8em; color: var(--body-text-color-subdued); }
.price { font-weight: 700; margin-top: auto; padding-top: 4px; }
.rating { color: #b45309; font-size: 0.85em; }
.stock { font-size: 0.8em; color: #15803d; }
.stock.low { color: #b45309; }
.stock.out { color: #b91c1c; }
.actions { display: flex; gap: 6px; padding: 0 8px 8px; }
.actions button { flex: 1; border-radius: 6px; padding: 5px 4px; font-size: .8em; font-weight: 600;
                  cursor: pointer; border: 1px solid var(--color-accent); }
.actions .details { background: transparent; color: var(--color-accent); }
.actions .add { background: var(--color-accent); color: #fff; }
.actions button:disabled { opacity: .45; cursor: not-allowed; }
.none { color: var(--body-text-color-subdued); font-size: 0.9em; }
"""

CART_CSS = """
.cart table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.cart td { padding: 4px !important; border: 0 !important; vertical-align: top;
           border-bottom: 1px solid var(--border-color-primary) !important; }
.cart .quantity, .cart .amount { text-align: right; white-space: nowrap; }
.cart .total td { font-weight: 700; border-bottom: 0 !important; }
.empty { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 4px 0; }
"""

STAGE_CSS = """
.stage { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 0.85em; font-weight: 600;
         background: var(--color-accent-soft); color: var(--body-text-color); }
.handoff { margin-left: 6px; font-size: 0.85em; color: #b45309; }
.handoff.person { font-weight: 600; }
"""

# Delegated on the panel's element, because the cards are redrawn every turn.
CARD_CLICKS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  trigger('card_action', {action: button.dataset.action, position: Number(button.dataset.position)});
});
"""


def stock_label(stock: int | None) -> str:
    if stock is None:
        return ""
    if stock == 0:
        return '<div class="stock out">Out of stock</div>'
    if stock <= LOW_STOCK:
        return f'<div class="stock low">Only {stock} left</div>'
    return '<div class="stock">In stock</div>'


def rating_label(rating: float | None) -> str:
    if not rating:
        return ""
    stars = round(rating)
    return f'<div class="rating" title="rated {rating:.1f} out of 5">{"★" * stars}{"☆" * (5 - stars)} {rating:.1f}</div>'


def picture(product: ProductRecord) -> str:
    # Only web images: a catalog value such as "javascript:…" must not become a URL on the page.
    if product.image_url.startswith(("https://", "http://")):
        return f'<img src="{escape(product.image_url)}" alt="" loading="lazy">'
    initials = "".join(word[0] for word in product.title.split()[:2]).upper()
    department = product.category.split(" > ")[0]
    color = PLACEHOLDER_COLORS[sum(map(ord, department)) % len(PLACEHOLDER_COLORS)]
    return f'<div class="placeholder" style="background:{color}" aria-hidden="true">{escape(initials)}</div>'


def render_product(product: ProductRecord, position: int, focused: bool = False, actions: bool = True) -> str:
    """One card: picture (or a coloured placeholder), number, title, brand, price, rating, stock and, in the
    shopper chat, the Details and Add to cart buttons."""
    meta = " · ".join(escape(value) for value in (product.brand, product.color) if value)
    buttons = ""
    if actions:
        sold_out = " disabled" if product.stock == 0 else ""
        buttons = (
            f'<div class="actions"><button class="details" data-action="details" data-position="{position}">'
            f'Details</button><button class="add" data-action="add" data-position="{position}"{sold_out}>'
            "Add to cart</button></div>"
        )
    return (
        f'<div class="card{" focus" if focused else ""}" data-product-id="{escape(product.id)}">'
        f'<div class="picture">{picture(product)}<span class="position">#{position}</span></div>'
        f'<div class="body"><div class="title">{escape(product.title)}</div>'
        + (f'<div class="meta">{meta}</div>' if meta else "")
        + f'<div class="price">{escape(money(product.price, product.currency))}</div>'
        + rating_label(product.rating)
        + stock_label(product.stock)
        + f"</div>{buttons}</div>"
    )


def render_products(products: list[ProductRecord], focus: Iterable[str] = (), actions: bool = True) -> str:
    """Cards numbered as the reply numbers them ("the second one" is #2); the product under discussion is
    outlined."""
    if not products:
        return ""
    focus = set(focus)
    cards = "".join(
        render_product(product, position, product.id in focus, actions)
        for position, product in enumerate(products, start=1)
    )
    return f'<div class="cards">{cards}</div>'


def render_cart(cart: dict[str, Any], currency: str) -> str:
    """The cart's lines with quantities and line totals, and the cart total."""
    if not cart.get("items"):
        return '<div class="cart"><p class="empty">Your cart is empty.</p></div>'
    rows = "".join(
        f'<tr><td>{escape(item["title"])}</td><td class="quantity">× {item["quantity"]}</td>'
        f'<td class="amount">{escape(money(item["quantity"] * item["unit_price"], currency))}</td></tr>'
        for item in cart["items"]
    )
    total = f'<tr class="total"><td>Total</td><td></td><td class="amount">{escape(money(cart["total"], currency))}</td></tr>'
    return f'<div class="cart"><table>{rows}{total}</table></div>'


def render_stage(stage: str, handoff: bool = False, taken_over: bool = False) -> str:
    """The journey stage as a badge, with a note when a person from the team has been asked to join or is
    answering."""
    badge = f'<span class="stage">{escape(stage.replace("_", " ").capitalize())}</span>'
    if taken_over:
        return badge + '<span class="handoff person">A person is answering you</span>'
    return badge + ('<span class="handoff">A person from our team will join</span>' if handoff else "")
