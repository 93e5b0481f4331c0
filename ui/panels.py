"""The HTML panels beside the chat and in the console: product cards, the cart, the journey stage badge (for
agents) and the note that a person is joining (for shoppers).

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
from ui.product_images import image_src

# The stock level below which a card warns "Only N left", as the reply text does (replies.stock_phrase).
LOW_STOCK = 5

CARDS_CSS = """
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--border-color-primary); border-radius: 10px; overflow: hidden;
        background: var(--block-background-fill); display: flex; flex-direction: column; }
.card.focus { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
/* 2:1 shows the whole product of a drawn 4:3 picture (ui/product_images.py), trimming only backdrop. */
.picture { position: relative; aspect-ratio: 2 / 1; overflow: hidden; }
.picture img { width: 100%; height: 100%; object-fit: cover; display: block; }
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
/* Narrow (a phone, the widget): the cards in one row, so the cart stays in view; three whole cards at a time,
   and the rest a swipe away, never a card cut at the edge. */
@media (max-width: 640px) {
  .cards { display: flex; gap: 6px; overflow-x: auto; scroll-snap-type: x mandatory; scrollbar-width: thin;
           padding-bottom: 4px; }
  .card { flex: 0 0 calc((100% - 12px) / 3); min-width: 0; scroll-snap-align: start; }
  .body { padding: 4px 6px; }
  .title { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
           font-size: .85em; }
  .price { padding-top: 0; }
  .meta, .stock, .rating { display: none; }
  .actions { flex-direction: column; padding: 0 6px 6px; gap: 3px; }  /* side by side they do not fit */
  .actions button { white-space: nowrap; padding: 2px; font-size: .75em; }
}
"""

CART_CSS = """
.cart table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.cart td { padding: 4px !important; border: 0 !important; vertical-align: top;
           border-bottom: 1px solid var(--border-color-primary) !important; }
.cart .quantity, .cart .amount { text-align: right; white-space: nowrap; }
.cart .total td { font-weight: 700; border-bottom: 0 !important; }
.empty { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 4px 0; }
"""

# The stages in plain words, for agents (the funnel's own names are for reports and code).
STAGE_NAMES = {
    "entry": "Just arrived",
    "browsing": "Browsing",
    "consideration": "Comparing",
    "cart": "Cart",
    "checkout": "Checkout",
    "purchased": "Purchased",
    "post_purchase": "After purchase",
    "abandoned": "Abandoned",
}

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
    # alt="": the card's title names the product right below the picture.
    return f'<img src="{escape(image_src(product))}" alt="" loading="lazy">'


def render_product(product: ProductRecord, position: int, focused: bool = False, actions: bool = True) -> str:
    """One card: picture (the catalog's or a drawn one, ui/product_images.py), number, title, brand, price, rating, stock and, in the
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


def stage_name(stage: str) -> str:
    """A journey stage in the words an agent says ("post_purchase" is "After purchase")."""
    return STAGE_NAMES.get(stage, stage.replace("_", " ").capitalize())


def render_handoff(handoff: bool = False, taken_over: bool = False) -> str:
    """What a shopper sees of the conversation's state: only whether a person from the team is joining or
    answering; the journey stage is for agents."""
    if taken_over:
        return '<span class="handoff person">A person is answering you</span>'
    return '<span class="handoff">A person from our team will join</span>' if handoff else ""


def render_stage(stage: str, handoff: bool = False, taken_over: bool = False) -> str:
    """For agents: the journey stage as a badge, with the shopper's note about a person joining or answering."""
    return f'<span class="stage">{escape(stage_name(stage))}</span>' + render_handoff(handoff, taken_over)
