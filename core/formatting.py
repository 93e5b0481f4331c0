"""How money and products are written for people: the same in replies, the chat panels, the console and the store."""

from __future__ import annotations

from core.product import ProductRecord

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}


def money(amount: float, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def stock_phrase(product: ProductRecord) -> str:
    if product.stock is None:
        return ""
    if product.stock == 0:
        return "out of stock"
    return f"only {product.stock} left" if product.stock <= 5 else "in stock"


def product_line(position: int, product: ProductRecord) -> str:
    rating = f", rated {product.rating:.1f}/5" if product.rating else ""
    stock = stock_phrase(product)
    return f"{position}. {product.title} — {money(product.price, product.currency)}{rating}{', ' + stock if stock else ''}"
