"""Two app processes on one PostgreSQL database, as behind a load balancer: one conversation alternates between
them turn by turn, and every turn sees what the turns on the other process did.

Real parts: a throwaway PostgreSQL cluster, two `shopassist serve` processes, each with its own data directory
(so the database is all they share), and the REST API over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from sqlalchemy import create_engine, make_url, select, text

from assistant.bootstrap import build_assistant
from assistant.pipeline import Assistant
from core.settings import Settings
from db.models import Order
from db.session import Database
from harness.server_process import data_dir_with, free_port, stop, wait_until_serving

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "two_instances"
# Search, then point back, add, review, check out and confirm: each turn needs what an earlier one stored.
SCRIPT = (
    "show me running shoes under 100",
    "tell me about the second one",
    "add it to my cart",
    "what's in my cart?",
    "checkout",
    "ship to 12 Main Street, Springfield, and I'll pay by card ending 4242",
    "yes",
)


class Deployment(NamedTuple):
    """The shared database, and a data directory (index, intent model) to give each app process a copy of."""

    db: Database
    home: Path


@pytest.fixture(scope="module")
def deployment(
    assistant: Assistant, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Deployment:
    """A database of its own on the session's PostgreSQL cluster, migrated and loaded once before any app
    process starts, as a deployment runs its migrations once."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = make_url(postgres_url).set(database=DATABASE).render_as_string(hide_password=False)
    built = assistant.settings
    home = data_dir_with(tmp_path_factory.mktemp("deployment"), built.index_dir)
    deployed = build_assistant(Settings(home=home, db=url, llm_backend="template"), log=lambda _message: None)
    return Deployment(deployed.db, home)


@pytest.fixture(scope="module")
def servers(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two `shopassist serve` processes on the shared database; their base URLs."""
    started = []
    try:
        for name in ("a", "b"):
            built = (deployment.home / "index",)
            home = data_dir_with(tmp_path_factory.mktemp(f"instance-{name}"), *built)
            port = free_port()
            environment = {
                **os.environ,
                "SHOPASSIST_HOME": str(home),
                "SHOPASSIST_DB": deployment.db.url,
                "SHOPASSIST_LLM_BACKEND": "template",
            }
            command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
            with (home / "server.log").open("w") as log:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
                )
            started.append((process, f"http://127.0.0.1:{port}", home / "server.log"))
        # Both load their models at once; each is waited for in turn.
        for process, base, log in started:
            wait_until_serving(process, f"{base}/healthz", 300, log)
        yield [base for _process, base, _log in started]
    finally:
        for process, _base, _log in started:
            stop(process, timeout=10)


def test_one_conversation_alternating_between_two_processes_sees_one_state(
    servers: list[str], deployment: Deployment
) -> None:
    first, second = (httpx.Client(base_url=base, timeout=60) for base in servers)
    created = first.post("/api/v1/conversations").json()
    conversation_id = created["conversation_id"]
    auth = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/conversations/{conversation_id}"
    turns = []
    for number, message in enumerate(SCRIPT):
        client = (first, second)[number % 2]  # turn 1 on A, turn 2 on B, …
        response = client.post(f"{url}/messages", json={"text": message}, headers=auth)
        assert response.status_code == 200, (number, client.base_url, response.text)
        turns.append(response.json())
    search, details, added, cart, checkout, details_given, confirmed = turns

    assert [turn["turn"] for turn in turns] == list(range(1, len(SCRIPT) + 1))
    assert search["stage"] == "browsing" and len(search["products"]) >= 2
    # B resolves "the second one" against the results A showed, and A adds the product B described.
    second_shown = search["products"][1]["id"]
    assert [product["id"] for product in details["products"]] == [second_shown]
    assert [item["product_id"] for item in added["cart"]["items"]] == [second_shown]
    assert cart["cart"] == added["cart"]
    assert checkout["stage"] == details_given["stage"] == "checkout"
    assert confirmed["order"] is not None and confirmed["stage"] == "purchased"
    assert [item["product_id"] for item in confirmed["order"]["items"]] == [second_shown]

    # Either process reads the same transcript: every message, once, in the order sent.
    for client in (first, second):
        transcript = client.get(url, headers=auth).json()
        messages = transcript["messages"]
        assert [m["role"] for m in messages] == ["shopper", "assistant"] * len(SCRIPT)
        assert [m["text"] for m in messages if m["role"] == "shopper"] == list(SCRIPT)
        assert [m["text"] for m in messages if m["role"] == "assistant"] == [turn["reply"] for turn in turns]
        assert transcript["stage"] == "purchased"
    with deployment.db.transaction() as session:
        orders = session.scalars(select(Order).where(Order.conversation_id == conversation_id)).all()
        assert len(orders) == 1 and str(orders[0].id) == confirmed["order"]["id"]
        assert [item.product_id for item in orders[0].items] == [second_shown]
