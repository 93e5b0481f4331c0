"""The store's shoppers and orders end to end, as a script outside the project drives them
(docs/store-data.md): `shoppers import`, `orders import`, a conversation as a known shopper, `orders export`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parents[1] / "data" / "store"


def shopassist(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli", *args, "--data-dir", str(home)]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def store(assistant, settings, tmp_path_factory) -> Path:
    """A data directory holding the demo catalog and the store's shoppers and orders."""
    home = tmp_path_factory.mktemp("store")
    # The session's index of the same demo catalog spares embedding it again.
    shutil.copytree(settings.index_dir, home / "index")
    shoppers = shopassist("shoppers", "import", str(STORE / "shoppers.jsonl"), home=home)
    assert shoppers.returncode == 0, shoppers.stderr
    assert "2 loaded, 3 skipped" in shoppers.stderr and "line 3: email:" in shoppers.stderr
    orders = shopassist("orders", "import", str(STORE / "orders.jsonl"), home=home)
    assert orders.returncode == 0, orders.stderr
    assert "3 loaded, 4 skipped" in orders.stderr and "line 4: shopper_id: unknown shopper" in orders.stderr
    return home


def chat(home: Path, *lines: str) -> list[dict]:
    done = shopassist("chat", "--json", home=home, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_an_order_is_given_only_to_its_owner_once_identified(store):
    asked, identified, another, own = chat(
        store, "where is my order #1042?", "ana.ruiz@example.com", "and order #2001?", "what about #1043"
    )
    assert "email on your account" in asked["reply"] and "Hoka" not in asked["reply"]
    assert "Order #1042" in identified["reply"] and "pending" in identified["reply"]
    assert "Hoka Arahi 7 Running Shoe (size 10)" in identified["reply"]
    assert "isn't on your account" in another["reply"] and "Sandal" not in another["reply"]
    assert "Order #1043 ($47.98) is delivered" in own["reply"] and "1Z999AA10123456784" in own["reply"]


def test_name_and_zip_identify_and_a_wrong_zip_does_not(store):
    asked, wrong, right = chat(
        store, "where is my order?", "Omar Haddad, 97201", "I'm Omar Haddad, zip H2X 1Y4"
    )
    assert "email on your account" in asked["reply"]
    assert "couldn't find an account" in wrong["reply"] and "Sandal" not in wrong["reply"]
    assert "Order #2001" in right["reply"] and "LX123456789CA" in right["reply"]


def test_the_export_gives_the_store_orders_back_with_what_conversations_placed(store):
    turns = chat(
        store,
        "where is my order #1042?",
        "ana.ruiz@example.com",
        "show me backpacks",
        "add the first one to my cart",
        "checkout",
        "ship to 14 Harbour Road, Portland and I'll pay by card ending 4242",
        "yes",
    )
    placed = turns[-1]["order"]
    assert placed is not None
    done = shopassist("orders", "export", "--shopper", "ana_ruiz_01", home=store)
    assert done.returncode == 0, done.stderr
    exported = [json.loads(line) for line in done.stdout.splitlines()]
    given = [json.loads(line) for line in (STORE / "orders.jsonl").read_text().splitlines()[:2]]
    assert exported[:2] == given
    chat_order = exported[-1]
    assert chat_order["id"] == f"SA-{placed['id']}" and chat_order["shopper_id"] == "ana_ruiz_01"
    assert chat_order["status"] == "pending"
    assert sum(i["quantity"] * i["unit_price"] for i in chat_order["items"]) == pytest.approx(placed["total"])
    assert chat_order["payments"] == [
        {"kind": "payment", "amount": placed["total"], "payment_method_id": "card ending 4242"}
    ]


def export(store: Path, order: str) -> dict:
    done = shopassist("orders", "export", "--order", order, home=store)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# The tests above read #1042 as imported; this one cancels it, so it comes after them.
def test_a_pending_order_is_cancelled_with_a_reason_after_a_yes_and_refunded(store):
    before = export(store, "#1042")
    asked, why, confirm, declined = chat(
        store, "cancel my order #1042", "ana.ruiz@example.com", "no longer needed", "no, keep it"
    )
    assert "email on your account" in asked["reply"]
    assert "Why would you like to cancel order #1042" in why["reply"]
    assert "refund $152.95 to card_01" in confirm["reply"] and "Shall I go ahead?" in confirm["reply"]
    assert "cancelled" not in declined["reply"]
    assert export(store, "#1042") == before  # no yes, no change

    *_, done = chat(store, "cancel order #1042, I ordered it by mistake", "ana.ruiz@example.com", "yes")
    assert "is cancelled. Refunded: $152.95 to card_01." in done["reply"]
    after = export(store, "#1042")
    assert after["status"] == "cancelled"
    assert after["payments"] == [
        *before["payments"],
        {"kind": "refund", "amount": 152.95, "payment_method_id": "card_01"},
    ]
    assert {key: value for key, value in after.items() if key not in ("status", "payments")} == {
        key: value for key, value in before.items() if key not in ("status", "payments")
    }


def test_a_delivered_order_is_not_cancelled_and_a_return_waits_for_a_yes(store):
    _asked, refused = chat(store, "cancel order #1043", "ana.ruiz@example.com")
    assert "only a pending order can be cancelled" in refused["reply"]
    _asked, returned, declined = chat(store, "I want to return order #1043", "ana.ruiz@example.com", "no")
    assert "Done" not in declined["reply"]
    assert "refund $47.98 to gift_card_01. Shall I go ahead?" in returned["reply"]
    assert export(store, "#1043")["status"] == "delivered"  # a no changes nothing


def test_another_shoppers_order_is_never_cancelled(store):
    _asked, refused = chat(store, "cancel order #2001, I don't need it", "ana.ruiz@example.com")
    assert "isn't on your account" in refused["reply"]
    assert export(store, "#2001")["status"] == "processed"


def test_checkout_offers_a_known_shopper_their_own_details_and_a_stranger_none(store):
    *_, known = chat(
        store,
        "where is my order #1042?",
        "ana.ruiz@example.com",
        "show me backpacks",
        "add the first one",
        "checkout",
    )
    assert "To place the order I need your shipping address and payment method" in known["reply"]
    assert known["suggestions"] == [
        "Ship to 14 Harbour Road, Apt 3, Portland, OR 97201",
        "Pay with PayPal",
        "Pay with card ending 4242",
        "Pay with a gift card",
    ]
    *_, stranger = chat(store, "show me backpacks", "add the first one", "checkout")
    assert "shipping address" in stranger["reply"]
    assert not any(chip.startswith(("Ship to", "Pay with")) for chip in stranger["suggestions"])
