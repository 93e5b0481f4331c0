"""Load test: concurrent simulated shoppers over the REST API of a real server process, then a check of what the
database holds.

Starts `shopassist serve` (bench/turns.py's server: rate limits lifted) on SQLite in a temporary data directory,
or on `--db URL` (PostgreSQL). Then N shoppers for D seconds, each playing one simulated journey after another
(the personas and phrasing of harness/simulation/personas.py, as `shopassist simulate` plays them, with no waiting between
messages); every message carries an Idempotency-Key and is retried with that key after a timeout, a dropped
connection, a 5xx or a 429. Afterwards the database must show:
- every message acknowledged with a 200 stored exactly once, in the order sent, and no other shopper message;
- every order's total equal to the sum of its items' quantity × unit price, at the catalog's prices, and exactly
  the orders the shoppers were told about;
- every cart holding what the conversation's last turn result showed, at the catalog's prices;
- no 5xx response, and every message answered (429s are counted apart).
Prints the figures, writes JSON (bench/results/load.json) and exits with 1 when a check fails.

    .venv/bin/python -m bench.load [--shoppers 50] [--seconds 120] [--db URL] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.privacy.redaction import Redactor
from bench.turns import INTENT_MODEL_CACHE, start_server, summary
from core.settings import Settings
from db.models import Cart, Message, Order, Product
from db.session import Database
from harness.server_process import data_dir_with, free_port, stop
from harness.simulation.personas import Shopper, persona_for
from harness.simulation.phrasebook import ShopperVocabulary
from harness.simulation.simulator import MAX_TURNS
from retrieval.catalog import Catalog

RESULTS = Path(__file__).parent / "results"
# A client gives one request this long to answer, and keeps retrying it (with the same idempotency key) for
# RETRY_FOR_SECONDS through timeouts, dropped connections and 5xx, long enough for a crashed server to restart.
REQUEST_TIMEOUT_SECONDS = 30.0
RETRY_FOR_SECONDS = 120.0
RETRY_PAUSE_SECONDS = 0.5
# SQLite allows a limited number of parameters per statement: conversations are checked in batches.
BATCH = 500


@dataclass
class ShopperLog:
    """One conversation as its client saw it: the messages acknowledged with a 200, in the order sent, and the
    cart and orders the turn results showed."""

    conversation_id: str
    headers: dict[str, str]
    acknowledged: list[str] = field(default_factory=list)
    cart: list[dict[str, Any]] = field(default_factory=list)
    orders: set[int] = field(default_factory=set)

    @property
    def messages_url(self) -> str:
        return f"/api/v1/conversations/{self.conversation_id}/messages"

    def acknowledge(self, text: str, result: dict[str, Any]) -> None:
        self.acknowledged.append(text)
        self.cart = result["cart"]["items"]
        if result.get("order"):
            self.orders.add(int(result["order"]["id"]))


@dataclass
class Traffic:
    """What all clients saw: their conversations, each acknowledged message's latency, the responses by status,
    the requests retried after a dropped connection or a timeout, and those given up."""

    conversations: list[ShopperLog] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    # (conversation id, idempotency key) of each message that had to be sent again after no answer came.
    retried: list[tuple[str, str]] = field(default_factory=list)
    unanswered: int = 0

    @property
    def turns(self) -> int:
        return sum(len(log.acknowledged) for log in self.conversations)

    @property
    def orders(self) -> int:
        return sum(len(log.orders) for log in self.conversations)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


@dataclass
class Answer:
    """The answer a request finally got (None once given up), its latency, and how many tries got none."""

    response: httpx.Response | None
    latency_ms: float = 0.0
    dropped: int = 0


async def request(client: httpx.AsyncClient, traffic: Traffic, url: str, **kwargs: Any) -> Answer:
    """POSTs until an answer other than a 5xx or 429 comes (waiting Retry-After on a 429), for at most
    RETRY_FOR_SECONDS."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    dropped = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await client.post(url, **kwargs)
        except (
            httpx.TransportError
        ):  # a timeout, a refused or dropped connection: the server may be restarting
            dropped += 1
            traffic.transport_errors += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        traffic.statuses[response.status_code] += 1
        if response.status_code == 429:
            await asyncio.sleep(float(response.headers.get("Retry-After", 1)))
        elif response.status_code >= 500:
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
        else:
            return Answer(response, (time.perf_counter() - started) * 1000, dropped)
    traffic.unanswered += 1
    return Answer(None, dropped=dropped)


async def start_conversation(client: httpx.AsyncClient, traffic: Traffic) -> ShopperLog | None:
    response = (await request(client, traffic, "/api/v1/conversations")).response
    if response is None or response.status_code != 201:
        return None
    body = response.json()
    log = ShopperLog(body["conversation_id"], {"Authorization": f"Bearer {body['token']}"})
    traffic.conversations.append(log)
    return log


async def send(
    client: httpx.AsyncClient, traffic: Traffic, log: ShopperLog, text: str, key: str | None = None
) -> dict[str, Any] | None:
    """Sends one shopper message with an idempotency key (a new one unless given) until it is answered; the
    turn result once acknowledged (200), None when refused or given up."""
    key = key or uuid.uuid4().hex
    headers = log.headers | {"Idempotency-Key": key}
    answer = await request(client, traffic, log.messages_url, json={"text": text}, headers=headers)
    if answer.dropped:
        traffic.retried.append((log.conversation_id, key))
    if answer.response is None or answer.response.status_code != 200:
        return None
    result = answer.response.json()
    traffic.latencies_ms.append(answer.latency_ms)
    log.acknowledge(text, result)
    return result


async def play_journey(
    client: httpx.AsyncClient, traffic: Traffic, vocabulary: ShopperVocabulary, index: int, seed: int
) -> None:
    """The `index`-th simulated shopper of this seed, as `shopassist simulate` would play them, over HTTP."""
    rng = random.Random(f"{seed}:{index}")
    shopper = Shopper(persona_for(index, rng), rng, vocabulary)
    log = await start_conversation(client, traffic)
    step = shopper.next_step(None)
    while (
        log is not None and step is not None and step.text is not None and len(log.acknowledged) < MAX_TURNS
    ):
        result = await send(client, traffic, log, step.text)
        if result is None:
            return
        step = shopper.next_step(result)


async def drive(
    base_url: str, vocabulary: ShopperVocabulary, shoppers: int, seconds: float, seed: int
) -> Traffic:
    """`shoppers` concurrent clients, each playing one journey after another until `seconds` have passed
    (a journey under way is finished)."""
    traffic = Traffic()
    indexes = itertools.count()
    deadline = time.monotonic() + seconds

    async def shop() -> None:
        # Each shopper has its own connection, as each browser does: with one pool shared by all of them,
        # requests waited inside the client for a free connection, and that wait counted as latency.
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
            while time.monotonic() < deadline:
                await play_journey(client, traffic, vocabulary, next(indexes), seed)

    await asyncio.gather(*(shop() for _ in range(shoppers)))
    return traffic


@dataclass
class Check:
    """One property of the database after the load; passed when nothing contradicts it."""

    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def check_database(db: Database, traffic: Traffic, redactor: Redactor) -> list[Check]:
    """The checks of the module docstring, over the conversations of `traffic`."""
    messages = Check("every acknowledged message stored once, in order")
    orders = Check("order totals equal their items at catalog prices; exactly the orders announced")
    carts = Check("carts hold what the last turn showed, at catalog prices")
    with db.transaction() as session:
        prices = dict(session.execute(select(Product.id, Product.price)).all())
        for start in range(0, len(traffic.conversations), BATCH):
            logs = {log.conversation_id: log for log in traffic.conversations[start : start + BATCH]}
            messages.failures += message_failures(session, logs, redactor)
            orders.failures += order_failures(session, logs, prices)
            carts.failures += cart_failures(session, logs, prices)
    answers = Check("no 5xx response; every message answered")
    if traffic.server_errors:
        answers.failures.append(f"{traffic.server_errors} responses with a 5xx status")
    if traffic.unanswered:
        answers.failures.append(f"{traffic.unanswered} requests given up after {RETRY_FOR_SECONDS:g} s")
    return [messages, orders, carts, answers]


def message_failures(session: Session, logs: dict[str, ShopperLog], redactor: Redactor) -> list[str]:
    """Conversations whose stored shopper messages are not exactly the acknowledged ones, turn 1, 2, 3… in
    order (the database keeps them redacted: assistant/privacy/redaction.py)."""
    stored = defaultdict(list)
    for conversation_id, turn, text in session.execute(
        select(Message.conversation_id, Message.turn, Message.text)
        .where(Message.conversation_id.in_(logs), Message.role == "shopper")
        .order_by(Message.id)
    ):
        stored[conversation_id].append((turn, text))
    failures = []
    for conversation_id, log in logs.items():
        expected = [(turn, redactor.redact(text)) for turn, text in enumerate(log.acknowledged, start=1)]
        if stored[conversation_id] != expected:
            turns = [turn for turn, _ in stored[conversation_id]]
            failures.append(f"{conversation_id}: {len(expected)} acknowledged, stored turns {turns}")
    return failures


def order_failures(session: Session, logs: dict[str, ShopperLog], prices: dict[str, float]) -> list[str]:
    """Orders whose total is not the sum of their items, or whose items are not at the catalog's price; and
    any difference between the orders placed and the orders the turn results announced."""
    placed = session.scalars(select(Order).where(Order.conversation_id.in_(logs))).all()
    failures = []
    for order in placed:
        items_total = sum(item.quantity * item.unit_price for item in order.items)
        if abs(order.total - items_total) > 0.005:
            failures.append(f"order {order.id}: total {order.total}, items {items_total:.2f}")
        failures += [
            f"order {order.id}: {item.product_id} at {item.unit_price}, the catalog says {prices[item.product_id]}"
            for item in order.items
            if item.unit_price != prices[item.product_id]
        ]
    announced = set().union(*(log.orders for log in logs.values()))
    if {order.id for order in placed} != announced:
        failures.append(f"placed {sorted(order.id for order in placed)}, announced {sorted(announced)}")
    return failures


def cart_failures(session: Session, logs: dict[str, ShopperLog], prices: dict[str, float]) -> list[str]:
    """Conversations whose cart differs from the last turn result's, or holds a product not at its price."""
    held: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    for cart in session.scalars(select(Cart).where(Cart.conversation_id.in_(logs))):
        held[cart.conversation_id] = sorted((i.product_id, i.quantity, i.unit_price) for i in cart.items)
    failures = []
    for conversation_id, log in logs.items():
        shown = sorted((item["product_id"], item["quantity"], item["unit_price"]) for item in log.cart)
        lines = held[conversation_id]
        if lines != shown or any(price != prices[product] for product, _, price in lines):
            failures.append(f"{conversation_id}: holds {lines}, showed {shown}")
    return failures


@dataclass
class LoadReport:
    database: str
    shoppers: int
    seconds: float
    traffic: Traffic
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def figures(self) -> dict[str, Any]:
        traffic = self.traffic
        return {
            "database": self.database,
            "shoppers": self.shoppers,
            "seconds": round(self.seconds, 1),
            "conversations": len(traffic.conversations),
            "turns_per_second": round(traffic.turns / self.seconds, 1),
            "latency": summary(traffic.latencies_ms) if traffic.latencies_ms else {"turns": 0},
            "orders": traffic.orders,
            "responses": {str(status): count for status, count in sorted(traffic.statuses.items())},
            "rate_limited": traffic.statuses[429],
            "server_errors": traffic.server_errors,
            "transport_errors": traffic.transport_errors,
            "retried_messages": len(traffic.retried),
            "checks": {
                check.name: {"passed": check.passed, "failures": check.failures[:10]} for check in self.checks
            },
        }


def shopper_vocabulary(db: Database) -> ShopperVocabulary:
    """What the simulated shoppers look for: the catalog the server serves, read from its database."""
    with db.transaction() as session:
        return ShopperVocabulary(Catalog.load(session))


def run_load(settings: Settings, shoppers: int, seconds: float, seed: int = 0) -> LoadReport:
    """Starts a server on `settings` (its data directory and database), drives the load and checks the
    database; the server is stopped before the checks, so everything it acknowledged has been written."""
    port = free_port()
    server = start_server(settings, port)
    db = Database(settings.database_url)
    try:
        vocabulary = shopper_vocabulary(db)
        started = time.perf_counter()
        traffic = asyncio.run(drive(f"http://127.0.0.1:{port}", vocabulary, shoppers, seconds, seed))
        elapsed = time.perf_counter() - started
    finally:
        stop(server)
    checks = check_database(db, traffic, Redactor.from_settings(settings))
    db.engine.dispose()
    database = "postgresql" if settings.database_url.startswith("postgresql") else "sqlite"
    return LoadReport(database, shoppers, elapsed, traffic, checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=50, help="concurrent shoppers (default 50)")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long they shop (default 120)")
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL (default: SQLite in a temporary directory)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the simulated shoppers' seed")
    args = parser.parse_args()
    # The tuned intent model of the tests, when there is one, so that the server does not retrain it.
    cached = [INTENT_MODEL_CACHE] if INTENT_MODEL_CACHE.is_dir() else []
    home = data_dir_with(Path(tempfile.mkdtemp(prefix="shopassist-bench-load-")), *cached)
    settings = Settings(home=home, db=args.db)
    print(f"starting a server in {home} and {args.shoppers} shoppers for {args.seconds:g} s…", flush=True)
    report = run_load(settings, args.shoppers, args.seconds, args.seed)
    figures = report.figures()
    latency = figures["latency"]
    print(
        f"{figures['database']}: {report.traffic.turns} turns in {figures['seconds']} s "
        f"({figures['turns_per_second']} turns/s) by {args.shoppers} shoppers in {figures['conversations']} "
        f"conversations, {figures['orders']} orders\n"
        f"latency: p50 {latency.get('median_ms')} ms, p95 {latency.get('p95_ms')} ms, "
        f"p99 {latency.get('p99_ms')} ms\n"
        f"responses {figures['responses']}; 429: {figures['rate_limited']}, 5xx: {figures['server_errors']}, "
        f"dropped connections: {figures['transport_errors']}"
    )
    for check in report.checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.name}")
        for failure in check.failures[:10]:
            print(f"      {failure}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "load.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out} (server log: {home / 'server.log'})")
    sys.exit(0 if report.passed else 1)


if __name__ == "__main__":
    main()
