"""Benchmark: end-to-end turn latency and throughput on the demo catalog with template replies.

Prints and writes JSON (bench/results/turns.json):
- in-process: `Assistant.handle` per turn (median, p95, p99) over scripted shopping journeys, one after another;
- over HTTP: a real `shopassist serve` process, with 1, 8 and 32 concurrent shoppers each replaying the script
  through the REST API (`POST /conversations`, `POST …/messages`), journey after journey: turn latency as the
  client sees it and turns per second. The shoppers arrive over a 2 s ramp-up, each with its own connection
  (aiohttp: a quarter of httpx's CPU per request, on the two cores the server uses too), and each level is
  measured for 10 s (`--seconds`) once all of them are active.

    .venv/bin/python -m bench.turns [--db URL] [--concurrency 1 8 32] [--journeys 20] [--seconds 10] [--processes 1] [--profile]

Every row also gives the median and p95 of each step of the journey (`by_step`).

`--profile` also samples the in-process turns with pyinstrument and writes where their time goes to
bench/results/turns-profile.txt.

The default database is SQLite in a temporary data directory; pass `--db postgresql+psycopg://…` for PostgreSQL
(an empty database: the schema and the demo catalog are created in it). The tuned intent model is copied from
`.cache/intent-model` when present, so nothing is retrained.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import numpy as np
from pyinstrument import Profiler

from assistant.bootstrap import build_assistant
from core.settings import Settings
from harness.server_process import data_dir_with, free_port, stop, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
INTENT_MODEL_CACHE = ROOT / ".cache" / "intent-model"
# Over HTTP the shoppers' arrivals spread over the ramp-up, about one journey's time at 32 shoppers (see
# over_http); then each level is measured for HTTP_SECONDS.
RAMP_UP_SECONDS = 2.0
HTTP_SECONDS = 10.0
# One shopping journey: greet, search, refine, details, compare, add, cart, checkout details, confirm. Each
# journey searches for its own product type and budget, so the embedding caches do not answer every turn.
PRODUCT_TYPES = (
    "running shoes", "sofa", "headphones", "backpack", "mugs", "t-shirts", "desk lamp", "yoga mat", "hoodie",
    "water bottle", "sneakers", "office chair", "dumbbells", "rug", "blender", "jeans",
)  # fmt: skip
COLORS = ("blue", "black", "grey", "red", "white", "green")


def script(journey: int) -> tuple[str, ...]:
    product = PRODUCT_TYPES[journey % len(PRODUCT_TYPES)]
    budget = 40 + 10 * (journey % 23)
    return (
        "hi",
        f"show me {product} under {budget}",
        f"only in {COLORS[journey % len(COLORS)]}",
        "tell me about the first one",
        "compare the first two",
        "add the first one to my cart",
        "what's in my cart?",
        "checkout",
        f"ship to {journey + 1} Main Street, Springfield, pay with card ending 4242",
        "yes",
    )


# What each turn of the script does, in order: the overall percentiles hide which kinds of turn are slow, and
# whether the tail is one kind of turn or the wait that all of them share.
STEPS = (
    "greet", "search", "refine", "details", "compare", "add to cart", "view cart", "checkout", "checkout details",
    "confirm",
)  # fmt: skip


def summary(latencies_ms: list[float]) -> dict:
    values = np.array(latencies_ms)
    return {
        "turns": len(latencies_ms),
        "median_ms": round(float(np.median(values)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "p99_ms": round(float(np.percentile(values, 99)), 1),
    }


def by_step(latencies_ms: dict[str, list[float]]) -> dict:
    """The overall summary, and the median and p95 of each step."""
    steps = {
        step: {key: value for key, value in summary(values).items() if key in ("median_ms", "p95_ms")}
        for step, values in latencies_ms.items()
    }
    return {**summary([value for values in latencies_ms.values() for value in values]), "by_step": steps}


def in_process(settings: Settings, journeys: int, profile: bool) -> dict:
    assistant = build_assistant(settings, log=lambda _message: None)
    profiler = Profiler(interval=0.0005) if profile else None
    latencies = defaultdict(list)
    for journey in range(journeys):
        if profiler and journey == 1:  # the first journey warms caches and lazy imports up
            profiler.start()
        conversation, _token = assistant.start_conversation()
        for step, text in zip(STEPS, script(journey), strict=True):
            started = time.perf_counter()
            assistant.handle(conversation, text)
            latencies[step].append((time.perf_counter() - started) * 1000)
    if profiler:
        profiler.stop()
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "turns-profile.txt").write_text(profiler.output_text(unicode=True, color=False))
    return by_step(latencies)


@dataclass
class Turn:
    """One request as the client saw it: which step, when it was sent and answered (perf_counter), its status."""

    step: str
    sent: float
    answered: float
    status: int

    @property
    def latency_ms(self) -> float:
        return (self.answered - self.sent) * 1000


async def post(session: aiohttp.ClientSession, step: str, url: str, **kwargs) -> tuple[Turn, bytes]:
    sent = time.perf_counter()
    async with session.post(url, **kwargs) as response:
        body = await response.read()
    return Turn(step, sent, time.perf_counter(), response.status), body


async def shopper(session: aiohttp.ClientSession, journey: int, until: float, turns: list[Turn]) -> None:
    """One journey through the REST API, a new conversation and then the script's messages, left unfinished
    when the clock passes `until`."""
    turn, body = await post(session, "start", "/api/v1/conversations")
    turns.append(turn)
    created = json.loads(body)
    headers = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/conversations/{created['conversation_id']}/messages"
    for step, text in zip(STEPS, script(journey), strict=True):
        if time.perf_counter() >= until:
            return
        turn, _result = await post(session, step, url, json={"text": text}, headers=headers)
        turns.append(turn)


async def over_http(base_urls: list[str], concurrency: int, seconds: float) -> dict:
    """`concurrency` shoppers, shopper i on server i mod len(base_urls) (a load balancer's round robin), each
    starting journey after journey for `seconds` once all have arrived. The figures count the requests sent in
    that window, when all the shoppers are active: the ramp-up, with fewer at once, would flatter them."""
    started = time.perf_counter()
    # Shoppers arrive over RAMP_UP_SECONDS: started together, they walk the script in lockstep (every search at
    # once, then every refine), and each turn waits for the others' turns of the same kind.
    arrival = RAMP_UP_SECONDS / concurrency
    opened = started + arrival * (concurrency - 1)
    closed = opened + seconds
    turns: list[Turn] = []

    async def one_shopper(number: int) -> None:
        await asyncio.sleep(arrival * number)
        # Each shopper has its own connection, as each browser does. One shared httpx pool held requests back
        # waiting for a free connection (0.6 s at p95 with 32 shoppers) while the server had nothing to do.
        url = base_urls[number % len(base_urls)]
        async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=60)) as session:
            for journey in itertools.count(number, concurrency):
                if time.perf_counter() >= closed:
                    return
                await shopper(session, journey, closed, turns)

    await asyncio.gather(*(one_shopper(number) for number in range(concurrency)))
    latencies: dict[str, list[float]] = defaultdict(list)
    for turn in turns:
        if opened <= turn.sent < closed:
            latencies[turn.step].append(turn.latency_ms)
    answered = sum(opened <= turn.answered <= closed for turn in turns)
    return {
        "concurrency": concurrency,
        **by_step(latencies),
        "turns_per_second": round(answered / seconds, 1),
        "errors": sum(turn.status >= 400 for turn in turns),
    }


def start_server(settings: Settings, port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "SHOPASSIST_HOME": str(settings.data_dir),
        "SHOPASSIST_DB": settings.database_url,
        # The benchmark is one client address sending many messages: lift the per-IP and per-conversation limits.
        "SHOPASSIST_REQUESTS_PER_MINUTE_PER_IP": "1000000",
        "SHOPASSIST_MESSAGES_PER_MINUTE_PER_CONVERSATION": "1000000",
    }
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    log = settings.data_dir / f"server-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    wait_until_serving(server, f"http://127.0.0.1:{port}/healthz", 300, log)
    return server


def report(title: str, row: dict) -> None:
    print(f"{title}: { ({key: value for key, value in row.items() if key != 'by_step'}) }", flush=True)
    steps = ", ".join(f"{step} {v['median_ms']:.0f}/{v['p95_ms']:.0f}" for step, v in row["by_step"].items())
    print(f"  median/p95 ms by step: {steps}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL (default: SQLite in a temporary directory)"
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--journeys", type=int, default=20, help="in-process journeys (over HTTP: see --seconds)"
    )
    parser.add_argument(
        "--seconds", type=float, default=HTTP_SECONDS, help="over HTTP, how long each level is measured"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="server processes on the one database (round robin)"
    )
    parser.add_argument("--profile", action="store_true", help="profile the in-process turns (pyinstrument)")
    args = parser.parse_args()
    # The tuned intent model of the tests, when there is one, so that nothing is retrained.
    cached = [INTENT_MODEL_CACHE] if INTENT_MODEL_CACHE.is_dir() else []
    home = data_dir_with(Path(tempfile.mkdtemp(prefix="shopassist-bench-turns-")), *cached)
    settings = Settings(home=home, db=args.db, llm_backend="template")
    database = "postgresql" if settings.database_url.startswith("postgresql") else "sqlite"

    results = {
        "database": database,
        "embedding_runtime": settings.embedding_runtime,
        "turns_per_journey": len(script(0)),
        "in_process": in_process(settings, args.journeys, args.profile),
    }
    report(f"in-process ({database})", results["in_process"])
    servers = []
    try:
        # One after another: the first one to start migrates the database, the others find it migrated.
        for _ in range(args.processes):
            port = free_port()
            servers.append((start_server(settings, port), f"http://127.0.0.1:{port}"))
        results["http"] = []
        urls = [url for _server, url in servers]
        for concurrency in args.concurrency:
            row = asyncio.run(over_http(urls, concurrency, args.seconds))
            row["processes"] = args.processes
            results["http"].append(row)
            report(f"http ({database})", row)
    finally:
        for server, _url in servers:
            stop(server)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"turns-{database}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
