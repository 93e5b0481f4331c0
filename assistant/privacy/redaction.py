"""Redaction of personal data — email addresses, phone numbers and payment card numbers — from what shopassist
stores (transcripts, slots, journey events, dialogue state, orders, agents' messages and notes) and from what it
logs.

For the record step (assistant/record.py), the agent console's writes (assistant/desk/takeover.py) and the log
handlers (ui/log_format.py). The turn itself still
sees the shopper's words as typed; only what outlives the turn is redacted. Each kind has its own setting
(`redact_emails`, `redact_phones`, `redact_cards`, all on by default). A card number keeps its last four digits,
which is what a checkout needs ("card ending 4242") and what payment standards allow to be shown.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from core.settings import Settings

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 13-19 digits, optionally grouped by spaces or dashes: every card number length. No Luhn check on purpose:
# a mistyped card number is still a card number that must not be stored.
CARD = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d.,]?\d)")
# A run of digits with the usual separators and an optional +country prefix; counted as a phone number when it
# has 9-15 digits, so prices, sizes, years and short order numbers are left alone.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{6,}\d(?!\w)")
PHONE_DIGITS = range(9, 16)
# Keys whose values are identifiers — the catalog's product ids, our conversation and order ids — not anything a
# person typed. A numeric SKU or GTIN looks like a phone or card number, and redacting it would break "the second
# one", the cart and a retried request's answer.
IDENTIFIER_KEYS = frozenset(
    {"id", "conversation_id", "product_id", "product_ids", "order_id", "shown", "focus"}
)


def _card(match: re.Match[str]) -> str:
    digits = "".join(character for character in match.group() if character.isdigit())
    return f"[card ending {digits[-4:]}]"


def _phone(match: re.Match[str]) -> str:
    digits = sum(character.isdigit() for character in match.group())
    return "[phone]" if digits in PHONE_DIGITS else match.group()


@dataclass(frozen=True)
class Redactor:
    """Replaces the enabled kinds of personal data in text, and in every string inside JSON-like values."""

    emails: bool = True
    phones: bool = True
    cards: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        return cls(settings.redact_emails, settings.redact_phones, settings.redact_cards)

    def redact(self, text: str) -> str:
        # Cards before phones: a card number would otherwise read as a long phone number.
        if self.emails:
            text = EMAIL.sub("[email]", text)
        if self.cards:
            text = CARD.sub(_card, text)
        if self.phones:
            text = PHONE.sub(_phone, text)
        return text

    def redact_value(self, value: Any) -> Any:
        """`value` with every string in it redacted (dicts and lists walked; identifiers and other values
        unchanged)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {
                key: item if key in IDENTIFIER_KEYS else self.redact_value(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.redact_value(item) for item in value]
        return value


# The redactor of the default settings (every kind redacted), for callers not given the configured one.
REDACT_ALL = Redactor()


class RedactingFilter(logging.Filter):
    """A log handler filter that redacts each record's message (arguments merged in) before it is written."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.redact(record.getMessage())
        record.args = None
        # Formatters reuse a record's cached traceback text, so the redacted one is what gets written.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        return True
