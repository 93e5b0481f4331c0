"""Product pictures drawn by the app for products without a photo of their own (the whole demo catalog): a
silhouette of the product's kind (ui/product_shapes.py) in the product's colour, on a studio backdrop.

A picture depends only on the product's id, title, brand, category and colour, so the same product gets the
same PNG bytes on every request, and two products never get the same picture: the id and name choose the
backdrop, a second colour, a detail, the side it faces and the brand's initial. Pictures are drawn on demand at
`/images/{product_id}.png` and kept in a small in-memory cache; nothing is written to disk or fetched.

A merchant's own image URLs always win: the cards show a catalog `image_url` when it is a web (http or https)
address, and the drawn picture otherwise.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from functools import lru_cache
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from PIL import Image, ImageDraw

from core.product import ProductRecord
from ui.product_shapes import HEIGHT, WIDTH, Look, Pen, drawing_for

# Drawn this many times larger, then shrunk: Pillow's shapes have no anti-aliasing of their own.
SCALE = 2
# About one demo catalog's worth of pictures (5–12 KB each).
CACHE_SIZE = 1024
IMAGE_PATH = "/images/{product_id}.png"

# The catalog's colour words as paint; other colours are read word by word ("light blue" is blue) and the rest
# get a colour of PALETTE chosen by the product, so they still differ.
COLORS = {
    "black": (38, 38, 42), "white": (246, 246, 243), "grey": (150, 154, 160), "gray": (150, 154, 160),
    "navy": (34, 52, 99), "beige": (222, 203, 170), "brown": (120, 80, 50), "blue": (52, 110, 210),
    "red": (200, 46, 52), "green": (58, 140, 84), "pink": (236, 130, 170), "purple": (128, 78, 168),
    "yellow": (245, 200, 52), "orange": (240, 130, 40), "gold": (212, 172, 72), "silver": (196, 200, 206),
    "teal": (20, 140, 140), "turquoise": (50, 190, 190), "cream": (240, 230, 206), "ivory": (245, 240, 225),
    "tan": (200, 160, 110), "khaki": (190, 176, 130), "olive": (110, 120, 60), "maroon": (120, 30, 45),
    "burgundy": (128, 24, 50), "coral": (245, 120, 100), "mint": (160, 222, 190), "lavender": (190, 170, 225),
    "charcoal": (64, 66, 72), "rose": (226, 120, 140), "copper": (190, 110, 70), "bronze": (170, 120, 60),
    "natural": (214, 190, 150), "clear": (222, 236, 244),
}  # fmt: skip
PALETTE = [(52, 110, 210), (58, 140, 84), (200, 46, 52), (240, 130, 40), (128, 78, 168), (20, 140, 140),
           (236, 130, 170), (245, 200, 52), (120, 80, 50), (34, 52, 99)]  # fmt: skip
ACCENTS = [(240, 130, 40), (52, 110, 210), (245, 200, 52), (200, 46, 52), (58, 140, 84), (250, 250, 250),
           (38, 38, 42), (20, 140, 140)]  # fmt: skip
METALS = {"gold": (212, 172, 72), "silver": (196, 200, 206)}
STEEL = (176, 180, 188)

router = APIRouter(include_in_schema=False)


def image_src(product: ProductRecord) -> str:
    """The picture a card shows: the catalog's own image when it is a web address, else the drawn one.

    Only web images: a catalog value such as "javascript:…" must not become a URL on the page."""
    if product.image_url.startswith(("https://", "http://")):
        return product.image_url
    # The version changes with what the picture is drawn from, so a browser may keep a picture for long.
    version = picture_seed(*picture_fields(product)).hex()[:10]
    return IMAGE_PATH.format(product_id=quote(product.id, safe="")) + f"?v={version}"


def picture_fields(product: ProductRecord) -> tuple[str, str, str, str, str]:
    return product.id, product.title, product.brand, product.category, product.color


def picture_seed(*fields: str) -> bytes:
    return hashlib.sha256("\x1f".join(fields).encode()).digest()


def paint(color: str, pick: int) -> tuple[int, int, int]:
    """The RGB of a colour name; a name the table lacks is read by its last known word, else `pick` chooses
    from the palette."""
    name = color.strip().lower()
    if name in COLORS:
        return COLORS[name]
    for word in reversed(name.replace("-", " ").split()):
        if word in COLORS:
            return COLORS[word]
    return PALETTE[pick % len(PALETTE)]


def mix(color: tuple[int, int, int], other: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    return tuple(round(a + (b - a) * share) for a, b in zip(color, other, strict=True))  # type: ignore[return-value]


def look_of(fill: tuple[int, int, int], color: str, seed: bytes, brand: str) -> Look:
    """The picture's colours around the product's `fill`; the accent is never the fill itself."""
    black, white = (0, 0, 0), (255, 255, 255)
    dark = sum(fill) < 200
    accents = [
        accent for accent in ACCENTS if sum(abs(a - b) for a, b in zip(accent, fill, strict=True)) > 120
    ]
    return Look(
        fill=fill,
        shade=mix(fill, white, 0.25) if dark else mix(fill, black, 0.22),
        light=mix(fill, white, 0.55),
        outline=mix(fill, white, 0.35) if dark else mix(fill, black, 0.5),
        accent=accents[seed[1] % len(accents)],
        metal=METALS.get(color.strip().lower(), STEEL),
        variant=seed[2] % 4,
        initial=next((char.upper() for char in brand if char.isalnum()), ""),
    )


def backdrop(seed: bytes) -> Image.Image:
    """A soft studio backdrop: a pale colour chosen by the product, lighter at the top, with a floor."""
    hue = seed[3] / 255
    top = tuple(round(channel * 255) for channel in colorsys.hls_to_rgb(hue, 0.95, 0.45))
    bottom = tuple(round(channel * 255) for channel in colorsys.hls_to_rgb(hue, 0.86, 0.35))
    width, height = WIDTH * SCALE, HEIGHT * SCALE
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    )
    draw = ImageDraw.Draw(image)
    floor = 244 * SCALE
    draw.rectangle((0, floor, width, height), fill=mix(bottom, (0, 0, 0), 0.05))
    # A disc behind the product, placed by the product, so that neighbours on a page differ at a glance.
    radius = (96 + seed[4] % 40) * SCALE
    cx, cy = (140 + seed[5] % 120) * SCALE, (120 + seed[6] % 40) * SCALE
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=mix(top, (255, 255, 255), 0.6))
    draw.ellipse((90 * SCALE, 232 * SCALE, 310 * SCALE, 256 * SCALE), fill=mix(bottom, (0, 0, 0), 0.14))
    return image


@lru_cache(maxsize=CACHE_SIZE)
def draw_picture(product_id: str, title: str, brand: str, category: str, color: str) -> bytes:
    """The PNG of one product's picture (400×300), the same bytes for the same arguments."""
    seed = picture_seed(product_id, title, brand, category, color)
    look = look_of(paint(color, seed[0]), color, seed, brand)
    image = backdrop(seed)
    drawing_for(category, title)(Pen(ImageDraw.Draw(image), look, SCALE, mirror=bool(seed[7] % 2)), look)
    buffer = io.BytesIO()
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def product_picture(product: ProductRecord) -> bytes:
    return draw_picture(*picture_fields(product))


@router.get("/images/{product_id:path}.png")
def product_image(product_id: str, request: Request) -> Response:
    """A catalog product's drawn picture; 404 for an id the catalog lacks."""
    product = request.app.state.assistant.catalog.by_id.get(product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="No such product.")
    # The address carries the picture's version (image_src), so the browser may keep it for a week.
    headers = {"Cache-Control": "public, max-age=604800"}
    return Response(product_picture(product), media_type="image/png", headers=headers)
