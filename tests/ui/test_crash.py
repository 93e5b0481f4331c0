"""Crash safety: a real server process is killed (SIGKILL) while shoppers are in the middle of conversations and
checkouts, and restarted on the same SQLite database. The shoppers' clients retry what got no answer with the
same Idempotency-Key, as bench/load.py's do. Afterwards every acknowledged message, cart and order is intact,
each request under way at the kill made one turn, and a checkout confirmed twice, or re-sent after the crash,
made one order."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, tuple_

from assistant.pipeline import Assistant
from assistant.privacy.redaction import Redactor
from bench.load import (
    REQUEST_TIMEOUT_SECONDS,
    ShopperLog,
    Traffic,
    check_database,
    send,
    start_conversation,
)
from bench.turns import script, start_server
from core.settings import Settings
from db.models import Message, Order
from db.session import Database
from harness.server_process import data_dir_with, free_port, stop

pytestmark = pytest.mark.slow

SHOPPERS = 6
# The kill comes once this many of the shoppers' 60 messages are acknowledged: most shoppers are then in
# checkout (its last three messages), with requests under way.
KILL_AFTER = 40


@dataclass
class Checkout:
    """One shopper's checkout: the conversation, and the confirming message, its key and its turn result."""

    log: ShopperLog
    text: str
    key: str
    result: dict[str, Any] | None


async def check_out(client: httpx.AsyncClient, traffic: Traffic, journey: int) -> Checkout:
    """One shopper's journey from greeting to confirming the order (bench/turns.py's script)."""
    log = await start_conversation(client, traffic)
    *shopping, confirm = script(journey)
    for text in shopping:
        await send(client, traffic, log, text)
    key = f"confirm-{journey}"
    return Checkout(log, confirm, key, await send(client, traffic, log, confirm, key))


async def kill_and_restart(
    settings: Settings, port: int, servers: list[subprocess.Popen], traffic: Traffic
) -> None:
    while traffic.turns < KILL_AFTER:
        await asyncio.sleep(0.02)
    servers[-1].send_signal(signal.SIGKILL)
    servers[-1].wait()
    servers.append(await asyncio.to_thread(start_server, settings, port))


async def shop_through_a_crash(
    settings: Settings, port: int, servers: list[subprocess.Popen]
) -> tuple[Traffic, list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """The shoppers' traffic through the crash; then, for each checkout that placed an order, the conversation,
    the confirmation's result and what its confirmation re-sent with the same key got back. Each of those
    shoppers finally confirms once more, as a new message."""
    traffic = Traffic()
    placed = []
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        *checkouts, _ = await asyncio.gather(
            *(check_out(client, traffic, journey) for journey in range(SHOPPERS)),
            kill_and_restart(settings, port, servers, traffic),
        )
        for checkout in checkouts:
            if checkout.result is None or checkout.result["order"] is None:
                continue
            # Sent again with its key, as by a client that never saw the answer: not a new message, so not
            # acknowledged in the shopper's log.
            log = checkout.log
            headers = log.headers | {"Idempotency-Key": checkout.key}
            again = await client.post(log.messages_url, json={"text": checkout.text}, headers=headers)
            placed.append((log.conversation_id, checkout.result, again.json()))
            await send(client, traffic, log, checkout.text)
    return traffic, placed


def test_a_killed_server_loses_nothing_and_places_each_order_once(assistant: Assistant, tmp_path) -> None:
    built = assistant.settings
    settings = Settings(home=data_dir_with(tmp_path, built.index_dir))
    port = free_port()
    servers = [start_server(settings, port)]
    try:
        traffic, placed = asyncio.run(shop_through_a_crash(settings, port, servers))
    finally:
        stop(servers[-1])
    assert len(servers) == 2 and traffic.retried, "the kill came while requests were under way"

    db = Database(settings.database_url)
    # Every acknowledged message once and in order, carts and orders as the shoppers were told, no 5xx.
    failed = [
        check for check in check_database(db, traffic, Redactor.from_settings(settings)) if not check.passed
    ]
    assert {check.name: check.failures[:5] for check in failed} == {}
    with db.transaction() as session:
        # Each request under way at the kill, retried with its key, made exactly one turn.
        stored = session.execute(
            select(Message.idempotency_key, func.count())
            .where(tuple_(Message.conversation_id, Message.idempotency_key).in_(traffic.retried))
            .group_by(Message.conversation_id, Message.idempotency_key)
        ).all()
        assert sorted(count for _, count in stored) == [1] * len(traffic.retried)
        # Confirmed, re-sent with its key after the crash, then confirmed again: one order per checkout.
        orders = dict(
            session.execute(select(Order.conversation_id, func.count()).group_by(Order.conversation_id)).all()
        )
    assert placed, "some shoppers placed an order"
    for conversation_id, confirmation, resent in placed:
        assert resent == confirmation and orders[conversation_id] == 1
