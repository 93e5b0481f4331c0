"""Google Merchant Center product feeds: tab-separated text and RSS 2.0 (or Atom) XML with the `g:` namespace.

Each feed item is one product. Its attributes keep Google's names (`id`, `title`, `price` "15.00 USD",
`sale_price`, `availability`, `product_type`, `google_product_category`, `image_link` …); a merchant's own
category path (`product_type`, "Home > Kitchen > Mugs") is preferred to Google's taxonomy, which is kept as an
attribute. Variants stay separate products, as they are separate items in the feed (`item_group_id` is kept).

XML is read with defusedxml's SAX parser: feeds are often fetched from third parties, and defusedxml refuses
entity declarations and external references outright, whatever the linked expat's own limits; SAX keeps memory
flat on large feeds and gives each item's line for the error report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces

import defusedxml.sax
from defusedxml import DefusedXmlException

from core.errors import ImportFailed
from core.product import RowError, html_to_text, parse_price

# Product field → feed attribute, for the attributes that carry over unchanged.
FIELDS = {
    "id": "id",
    "title": "title",
    "description": "description",
    "brand": "brand",
    "color": "color",
    "material": "material",
    "sizes": "size",
    "url": "link",
    "image_url": "image_link",
}
KEPT_ATTRIBUTES = ("gtin", "mpn", "condition", "gender", "age_group", "item_group_id", "pattern", "size_type")
_CHUNK = 1 << 16


def attribute_name(column: str) -> str:
    """Google's attribute name for a header or element name: "g:image_link", "Image link" → "image_link"."""
    name = column.strip().lower()
    return name.removeprefix("g:").replace(" ", "_")


def is_feed(header: Iterable[str]) -> bool:
    """Whether a tab-separated header names Merchant Center attributes."""
    return {"id", "title", "price"} <= {attribute_name(column) for column in header if column}


def products(
    rows: Iterable[tuple[int, dict[str, Any]]], mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """Each item's product field values (or why it cannot be one), with its line.

    `mapping` (product field → attribute) overrides or adds a field's source, e.g. material=custom_label_0.
    """
    overrides = {field: attribute_name(column) for field, column in (mapping or {}).items()}
    for line, row in rows:
        item = {attribute_name(key): str(value).strip() for key, value in row.items() if key and value}
        values = product_values(line, item)
        if isinstance(values, dict):
            values.update({field: item[source] for field, source in overrides.items() if item.get(source)})
        yield line, values


def product_values(line: int, item: dict[str, str]) -> dict[str, Any] | RowError:
    """One item's attributes as product fields: the sale price when there is one, the merchant's category path,
    stock 0 when out of stock (unknown, so available, otherwise)."""
    values: dict[str, Any] = {field: item[source] for field, source in FIELDS.items() if item.get(source)}
    values["description"] = html_to_text(values.get("description", ""))
    attributes = {name: item[name] for name in KEPT_ATTRIBUTES if item.get(name)}
    if item.get("sale_price"):
        try:
            parse_price(item["sale_price"])
        except ValueError as error:
            return RowError(line, "sale_price", str(error), item.get("id", ""))
        values["price"] = item["sale_price"]
        if item.get("price"):
            attributes["regular_price"] = item["price"]
    elif item.get("price"):
        values["price"] = item["price"]
    google_category = item.get("google_product_category", "")
    # Google's category is often a bare taxonomy number, which says nothing to a shopper.
    values["category"] = item.get("product_type") or ("" if google_category.isdigit() else google_category)
    if google_category and google_category != values["category"]:
        attributes["google_product_category"] = google_category
    availability = item.get("availability", "").lower().replace("_", " ")
    if availability == "out of stock":
        values["stock"] = 0
    elif availability and availability != "in stock":
        attributes["availability"] = availability
    values["attributes"] = attributes
    return values


def read_xml(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Each RSS `<item>` (or Atom `<entry>`) as {attribute: text}, with the line it starts on."""
    collector = _ItemCollector()
    parser = defusedxml.sax.make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(collector)
    # Incremental feeding never hands the handler a locator; the parser itself knows the current line.
    collector.setDocumentLocator(parser)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                parser.feed(chunk)
                yield from collector.take()
            parser.close()
    except SAXParseException as error:
        raise ImportFailed(
            f"{path.name} is not well-formed XML (line {error.getLineNumber()}: {error.getMessage()})"
        ) from None
    except DefusedXmlException:
        raise ImportFailed(f"{path.name} declares XML entities, which are refused for safety") from None
    yield from collector.take()


class _ItemCollector(ContentHandler):
    """SAX handler that turns each item's direct child elements into {local name: text}."""

    def __init__(self) -> None:
        super().__init__()
        self._done: list[tuple[int, dict[str, str]]] = []
        self._item: dict[str, str] | None = None
        self._line = 0
        self._depth = 0
        self._item_depth = 0
        self._text: list[str] = []

    def setDocumentLocator(self, locator) -> None:
        self._locator = locator

    def take(self) -> list[tuple[int, dict[str, str]]]:
        done, self._done = self._done, []
        return done

    def startElementNS(self, name, qname, attrs) -> None:
        self._depth += 1
        local = name[1]
        if self._item is None and local in ("item", "entry"):
            self._item, self._item_depth = {}, self._depth
            self._line = self._locator.getLineNumber()
        elif self._item is not None and self._depth == self._item_depth + 1:
            self._text = []
            # Atom puts a link in an attribute: <link href="…"/>.
            if local == "link" and attrs.get((None, "href")):
                self._item.setdefault("link", attrs[(None, "href")])

    def characters(self, content: str) -> None:
        if self._item is not None and self._depth == self._item_depth + 1:
            self._text.append(content)

    def endElementNS(self, name, qname) -> None:
        if self._item is not None and self._depth == self._item_depth + 1:
            text = "".join(self._text).strip()
            # A repeated attribute (additional product_type, image links) keeps its first value.
            if text:
                self._item.setdefault(attribute_name(name[1]), text)
        elif self._item is not None and self._depth == self._item_depth:
            self._done.append((self._line, self._item))
            self._item = None
        self._depth -= 1
