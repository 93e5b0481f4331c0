"""assistant/shopper_tokens.py: a store's signed shopper token names its shopper until it expires, and nothing
else passes: another secret, a changed id or expiry, a malformed token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.shopper_tokens import InvalidShopperToken, expiry, shopper_of, sign_shopper

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("shopper_id", ["ana", "ana.ruiz@example.com", "ünïcode 42", "a.b.c"])
def test_a_token_names_its_shopper_until_it_expires(shopper_id):
    token = sign_shopper(shopper_id, "secret", expiry(NOW, 30))
    assert shopper_of(token, "secret", NOW + timedelta(minutes=29)) == shopper_id
    with pytest.raises(InvalidShopperToken, match="expired"):
        shopper_of(token, "secret", NOW + timedelta(minutes=30))


def test_another_secret_or_a_changed_token_is_refused():
    token = sign_shopper("ana", "secret", expiry(NOW, 30))
    with pytest.raises(InvalidShopperToken, match="signature"):
        shopper_of(token, "other", NOW)
    subject, expires, mac = token.split(".")
    other = sign_shopper("omar", "secret", expiry(NOW, 30)).split(".")[0]
    for forged in (f"{other}.{expires}.{mac}", f"{subject}.{int(expires) + 3600}.{mac}"):
        with pytest.raises(InvalidShopperToken, match="signature"):
            shopper_of(forged, "secret", NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.123", "a.1.2.3"])
def test_a_malformed_token_is_refused(token):
    with pytest.raises(InvalidShopperToken, match=r"malformed|signature"):
        shopper_of(token, "secret", NOW)
