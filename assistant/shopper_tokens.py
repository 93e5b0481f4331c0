"""Signed shopper tokens: how the store's site tells the assistant who its logged-in shopper is
(docs/store-data.md). The store's backend signs the shopper's id and an expiry with the secret both share
(HMAC-SHA256); the widget passes the token (`data-shopper-token`); a conversation started with a valid one belongs
to that shopper from its first turn, with no email or zip asked. Nothing but the signature is trusted."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta


class InvalidShopperToken(ValueError):
    """The token is malformed, forged or expired; the message says which, never the secret."""


def sign_shopper(shopper_id: str, secret: str, expires_at: datetime) -> str:
    """`<shopper id, base64url>.<expiry, unix seconds>.<HMAC-SHA256 of both, hex>`."""
    subject = base64.urlsafe_b64encode(shopper_id.encode()).decode().rstrip("=")
    payload = f"{subject}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(payload, secret)}"


def shopper_of(token: str, secret: str, now: datetime) -> str:
    """The shopper id a token signs, or InvalidShopperToken."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise InvalidShopperToken("the shopper token is malformed")
    subject, expires, mac = parts
    if not hmac.compare_digest(mac, _mac(f"{subject}.{expires}", secret)):
        raise InvalidShopperToken("the shopper token's signature does not match")
    if int(expires) <= now.timestamp():
        raise InvalidShopperToken("the shopper token has expired")
    try:
        return base64.urlsafe_b64decode(subject + "=" * (-len(subject) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidShopperToken("the shopper token is malformed") from None


def expiry(now: datetime, minutes: float) -> datetime:
    return now + timedelta(minutes=minutes)


def _mac(payload: str, secret: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
