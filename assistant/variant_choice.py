"""Which variant of a product the shopper means (docs/store-data.md): the options they name select it ("the blue
one in size 10"); when the variants that can still be bought differ in an option nobody named, one question asks
for it ("Which size: 9, 10 or 11?") instead of a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.product import ProductRecord, Variant

_TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*")
# The slots the understanding step reads that are also a variant's options, by the option names stores use.
_SLOT_OF = {"color": "color", "colour": "color", "size": "size", "material": "material"}


@dataclass(frozen=True)
class VariantChoice:
    variant: Variant | None = None  # the one the words select among the buyable ones
    ask: str = ""  # else the option that tells the buyable ones apart ("size")
    values: tuple[str, ...] = ()  # with its values among them
    sold_out: bool = False  # the words name only variants that cannot be bought


def choose_variant(product: ProductRecord, said: str, slots: dict) -> VariantChoice:
    units = product.units()
    named = named_options(product, said, slots)
    matching = [unit for unit in units if all(_value(unit, key) in values for key, values in named.items())]
    buyable = [unit for unit in matching if unit.buyable]
    if not buyable:
        return VariantChoice(sold_out=True)
    if len(buyable) == 1:
        return VariantChoice(buyable[0])
    for key in dict.fromkeys(key for unit in buyable for key in unit.options):
        values = tuple(dict.fromkeys(unit.options[key] for unit in buyable if key in unit.options))
        if len(values) > 1:
            return VariantChoice(ask=key, values=values)
    return VariantChoice(buyable[0])  # variants that differ in nothing a shopper could name


def named_options(product: ProductRecord, said: str, slots: dict) -> dict[str, set[str]]:
    """Each option the words name, with the values of it they name (lower-cased): "in blue" names color blue,
    "size 10" or the slot size 10 names size 10, and a bare "M" answering "which size?" names size M."""
    tokens = [token.lower() for token in _TOKEN.findall(said)]
    text = f" {' '.join(tokens)} "
    named: dict[str, set[str]] = {}
    for unit in product.variants:
        for key, value in unit.options.items():
            wanted = value.lower()
            slot = slots.get(_SLOT_OF.get(key.lower(), ""))
            by_slot = isinstance(slot, str) and slot.lower() == wanted
            words = " ".join(_TOKEN.findall(wanted))
            # A one-letter or bare-number value ("M", "10") is named only with its option's name or alone: "2"
            # in "add 2 of them" is a quantity, not a size.
            short = len(words) == 1 or words.isdigit()
            by_words = bool(words) and (
                f" {key.lower()} {words} " in text
                or (not short and f" {words} " in text)
                or text.strip() == words
            )
            if by_slot or by_words:
                named.setdefault(key, set()).add(wanted)
    return named


def _value(unit: Variant, key: str) -> str:
    return unit.options.get(key, "").lower()
