"""ui/api.py: the REST API over HTTP (FastAPI's test client on the real app), tokens and validation."""

from __future__ import annotations

import copy
import json
import secrets
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.desk.agents import create_agent
from assistant.desk.takeover import agent_says, hand_back, take_over
from db.models import Agent, Message
from ui.app import create_app


@pytest.fixture(scope="module")
def client(assistant) -> TestClient:
    return TestClient(create_app(assistant))


def new_agent(assistant) -> Agent:
    with assistant.db.transaction() as session:
        return create_agent(session, f"agent-{secrets.token_hex(3)}", "correct horse")


def start(client: TestClient) -> tuple[str, dict]:
    response = client.post("/api/v1/conversations")
    assert response.status_code == 201
    body = response.json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def test_a_conversation_over_http(client):
    conversation_id, auth = start(client)
    result = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "show me running shoes under 100"},
        headers=auth,
    )
    assert result.status_code == 200
    body = result.json()
    assert body["intent"] == "search_products" and body["stage"] == "browsing"
    assert body["products"] and all(p["price"] <= 100 for p in body["products"])
    transcript = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()
    assert [m["role"] for m in transcript["messages"]] == ["shopper", "assistant"]
    assert transcript["stage"] == "browsing" and transcript["cart"]["items"] == []


def test_a_token_opens_only_its_own_conversation(client):
    first, first_auth = start(client)
    second, second_auth = start(client)
    assert client.get(f"/api/v1/conversations/{second}", headers=first_auth).status_code == 403
    assert (
        client.post(
            f"/api/v1/conversations/{second}/messages", json={"text": "hi"}, headers=first_auth
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/conversations/{first}").status_code == 401
    assert (
        client.get(f"/api/v1/conversations/{first}", headers={"Authorization": "Bearer forged"}).status_code
        == 403
    )
    assert client.get(f"/api/v1/conversations/{second}", headers=second_auth).json()["messages"] == []


def test_bad_messages_get_clear_errors_and_are_not_stored(client):
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    assert client.post(url, json={"txt": "hi"}, headers=auth).status_code == 422
    assert client.post(url, content=b"not json", headers=auth).status_code == 422
    assert client.post(url, json={"text": "   "}, headers=auth).status_code == 422
    too_long = client.post(url, json={"text": "x" * 4001}, headers=auth)
    assert too_long.status_code == 413 and "4000" in too_long.json()["detail"]
    assert client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()["messages"] == []


def test_health_openapi_and_pages(client):
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/conversations/{conversation_id}/messages" in paths
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"
    for page in ("/", "/console/"):
        response = client.get(page)
        assert response.status_code == 200 and "<html" in response.text.lower()


def events(client: TestClient, conversation_id: str, **params) -> list[dict]:
    """The `message` events of one stream (closed by the server after `wait` seconds)."""
    with client.stream(
        "GET", f"/api/v1/conversations/{conversation_id}/events", params={"wait": 0.6, **params}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    received = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if fields.get("event") == "message":
            received.append(json.loads(fields["data"]) | {"event_id": int(fields["id"])})
    return received


def test_the_events_stream_pushes_replies_and_agent_messages(client, assistant):
    conversation_id, auth = start(client)
    token = auth["Authorization"].removeprefix("Bearer ")
    client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth)
    first = events(client, conversation_id, token=token)
    assert [message["role"] for message in first] == [
        "assistant"
    ]  # the shopper's own messages are not echoed

    agent = new_agent(assistant)
    with assistant.db.transaction() as session:
        take_over(session, conversation_id, agent)
        agent_says(session, conversation_id, agent, "Hello, I'm Ana from the store.")
    # Resuming after the last event received: only what came since, in order.
    later = events(client, conversation_id, token=token, after=first[-1]["event_id"])
    assert [(m["role"], m["text"]) for m in later] == [
        ("system", f"{agent.username} from our team is answering you now."),
        ("agent", "Hello, I'm Ana from the store."),
    ]
    # The bearer header works as well as ?token=, and Last-Event-ID resumes like ?after=.
    with client.stream(
        "GET",
        f"/api/v1/conversations/{conversation_id}/events",
        params={"wait": 0.6},
        headers=auth | {"Last-Event-ID": str(later[-1]["event_id"])},
    ) as response:
        assert "event: message" not in "".join(response.iter_text())


def test_the_events_stream_is_live(client, assistant):
    # A message written while the stream is open arrives on it: the write waits for the stream's first line,
    # and the stream is read until the message comes (its 60 s `wait` is a bound, not a timing).
    conversation_id, auth = start(client)
    agent = new_agent(assistant)
    with assistant.db.transaction() as session:
        take_over(session, conversation_id, agent)
    url = f"/api/v1/conversations/{conversation_id}/events"
    received = []
    with client.stream("GET", url, params={"wait": 60}, headers=auth) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("retry:")
        with assistant.db.transaction() as session:
            agent_says(session, conversation_id, agent, "Still there?")
        for line in lines:
            if line.startswith("data: "):
                received.append(json.loads(line.removeprefix("data: "))["text"])
                if received[-1] == "Still there?":
                    break
    assert received[-1] == "Still there?"


def test_the_events_stream_needs_the_conversations_own_token(client):
    first, first_auth = start(client)
    second, _ = start(client)
    url = f"/api/v1/conversations/{second}/events"
    assert client.get(url, params={"wait": 0.5}).status_code == 401
    assert client.get(url, params={"wait": 0.5}, headers=first_auth).status_code == 403
    first_token = first_auth["Authorization"].removeprefix("Bearer ")
    assert client.get(url, params={"wait": 0.5, "token": first_token}).status_code == 403
    assert client.get(f"/api/v1/conversations/{first}/events", params={"wait": 99}).status_code == 422


def test_a_taken_over_conversation_is_answered_by_the_agent(client, assistant):
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    agent = new_agent(assistant)
    with assistant.db.transaction() as session:
        take_over(session, conversation_id, agent)
    result = client.post(url, json={"text": "is the blue one waterproof?"}, headers=auth).json()
    assert result["reply"] == "" and result["handoff"] is True and result["turn"] == 1
    with assistant.db.transaction() as session:
        hand_back(session, conversation_id, agent)
    result = client.post(url, json={"text": "show me backpacks"}, headers=auth).json()
    assert result["reply"] and result["handoff"] is False and result["products"]
    transcript = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()
    assert [m["role"] for m in transcript["messages"]] == [
        "system",
        "shopper",
        "system",
        "shopper",
        "assistant",
    ]


def test_the_console_needs_an_agent_login(assistant):
    client = TestClient(create_app(assistant))  # its own cookie jar: logged out at first
    agent = new_agent(assistant)
    assert client.get("/console/config").status_code == 401
    wrong = client.post("/console/login", data={"username": agent.username, "password": "wrong password"})
    assert wrong.status_code == 400
    right = client.post("/console/login", data={"username": agent.username, "password": "correct horse"})
    assert right.status_code == 200 and right.json()["success"] is True
    assert client.get("/console/config").status_code == 200


def test_the_message_size_limit_is_a_setting(assistant) -> None:
    # The same assistant with a smaller limit: the API reads the limit from the settings on each request.
    limited = copy.copy(assistant)
    limited.settings = assistant.settings.model_copy(update={"max_message_chars": 20})
    client = TestClient(create_app(limited))
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    too_long = client.post(url, json={"text": "show me running shoes"}, headers=auth)
    assert too_long.status_code == 413 and "20 characters" in too_long.json()["detail"]
    assert client.post(url, json={"text": "hi"}, headers=auth).status_code == 200
    messages = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()["messages"]
    assert [m["text"] for m in messages if m["role"] == "shopper"] == ["hi"]


def send(client: TestClient, conversation_id: str, auth: dict, text: str, key: str):
    return client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": text},
        headers=auth | {"Idempotency-Key": key},
    )


def shopper_texts(client: TestClient, conversation_id: str, auth: dict) -> list[str]:
    messages = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()["messages"]
    return [m["text"] for m in messages if m["role"] == "shopper"]


def test_a_retry_with_the_same_idempotency_key_gets_the_same_turn(client, assistant):
    conversation_id, auth = start(client)
    first = send(client, conversation_id, auth, "show me running shoes under 100", "key-1")
    assert first.status_code == 200
    # A retry, also through a new app (a restarted server keeps nothing in memory): the same turn, not a new one.
    for retrying in (client, TestClient(create_app(assistant))):
        retry = send(retrying, conversation_id, auth, "show me running shoes under 100", "key-1")
        assert retry.status_code == 200 and retry.json() == first.json()
    assert send(client, conversation_id, auth, "add the first one to my cart", "key-2").json()["turn"] == 2
    assert shopper_texts(client, conversation_id, auth) == [
        "show me running shoes under 100",
        "add the first one to my cart",
    ]
    # Keys belong to their conversation: another conversation's "key-1" is a turn of its own.
    other, other_auth = start(client)
    assert send(client, other, other_auth, "hi", "key-1").json()["turn"] == 1


def test_an_idempotency_key_reused_for_another_message_is_refused(client):
    conversation_id, auth = start(client)
    assert send(client, conversation_id, auth, "hi", "key-1").status_code == 200
    reused = send(client, conversation_id, auth, "show me backpacks", "key-1")
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json()["detail"]
    for malformed in ("with space", "k" * 129):
        assert send(client, conversation_id, auth, "show me backpacks", malformed).status_code == 422
    assert shopper_texts(client, conversation_id, auth) == ["hi"]


def test_a_reused_key_with_other_personal_data_is_another_message(client, assistant):
    # Both messages redact to the same stored text; the retry is compared as sent, so it is refused.
    conversation_id, auth = start(client)
    first = send(client, conversation_id, auth, "my email is ann@example.com", "key-1")
    assert first.status_code == 200
    other = send(client, conversation_id, auth, "my email is bob@example.com", "key-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    assert send(client, conversation_id, auth, "my email is ann@example.com", "key-1").json() == first.json()
    with assistant.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.conversation_id == conversation_id)).all()
        # What is kept of the first message: its redacted text and a salted hash, never the address.
        assert all("ann@example.com" not in (message.text + str(message.text_hash)) for message in stored)
        assert [message.text_hash is not None for message in stored if message.role == "shopper"] == [True]
    assert len(shopper_texts(client, conversation_id, auth)) == 1


def test_concurrent_requests_with_one_idempotency_key_make_one_turn(client):
    conversation_id, auth = start(client)
    barrier = threading.Barrier(4)
    responses = []

    def post() -> None:
        barrier.wait()
        responses.append(send(client, conversation_id, auth, "show me backpacks under 80", "same-key"))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [200] * 4
    assert all(r.json() == responses[0].json() for r in responses) and responses[0].json()["turn"] == 1
    assert shopper_texts(client, conversation_id, auth) == ["show me backpacks under 80"]


def test_a_taken_over_conversations_message_is_recorded_once(client, assistant):
    conversation_id, auth = start(client)
    with assistant.db.transaction() as session:
        take_over(session, conversation_id, new_agent(assistant))
    first = send(client, conversation_id, auth, "is it waterproof?", "key-1")
    assert send(client, conversation_id, auth, "is it waterproof?", "key-1").json() == first.json()
    assert shopper_texts(client, conversation_id, auth) == ["is it waterproof?"]


# --- The store's backend: signed shopper tokens and order status changes (docs/store-data.md) ---------------

STORE = Path(__file__).resolve().parents[1] / "data" / "after_sales"


@pytest.fixture
def store_backend(assistant, monkeypatch):
    """The session's assistant with the store's shoppers and orders loaded and both store secrets set."""
    from pydantic import SecretStr

    from db.store_data import import_shoppers

    secrets_set = {
        "shopper_token_secret": SecretStr("s3cret-shared"),
        "admin_token": SecretStr("admin-t0ken"),
    }
    monkeypatch.setattr(assistant, "settings", assistant.settings.model_copy(update=secrets_set))
    with assistant.db.transaction() as session:
        assert import_shoppers(session, (STORE / "shoppers.jsonl").read_text().splitlines()).loaded == 2
    return assistant


def shopper_token(shopper_id: str, secret: str = "s3cret-shared", minutes: float = 10) -> str:
    from datetime import UTC, datetime

    from assistant.shopper_tokens import expiry, sign_shopper

    return sign_shopper(shopper_id, secret, expiry(datetime.now(UTC), minutes))


def test_a_signed_shopper_token_starts_that_shoppers_conversation(store_backend, client):
    from db.models import Conversation

    response = client.post("/api/v1/conversations", json={"shopper_token": shopper_token("ana")})
    assert response.status_code == 201
    with store_backend.db.transaction() as session:
        state = session.get(Conversation, response.json()["conversation_id"]).state
    assert state["shopper_id"] == "ana"
    # Without a token, a stranger's, as before.
    assert client.post("/api/v1/conversations").status_code == 201


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: shopper_token("ana", secret="guessed"), "signature does not match"),
        (lambda: shopper_token("ana", minutes=-1), "has expired"),
        (lambda: shopper_token("nobody_here"), "names no shopper"),
        (lambda: "not-a-token", "malformed"),
    ],
)
def test_a_forged_expired_or_unknown_shopper_token_is_refused(store_backend, client, token, reason):
    response = client.post("/api/v1/conversations", json={"shopper_token": token()})
    assert response.status_code == 401 and reason in response.json()["detail"]


def test_the_stores_backend_moves_an_order_on_with_its_admin_token(store_backend, client):
    conversation_id, auth = start(client)
    steps = (
        "show me headphones",
        "add the first one to my cart",
        "checkout",
        "ship to 5 Oak Road, Portland and pay with cash on delivery",
        "yes",
    )
    for text in steps:
        last = client.post(
            f"/api/v1/conversations/{conversation_id}/messages", headers=auth, json={"text": text}
        )
    number = f"SA-{last.json()['order']['id']}"
    url = f"/api/v1/orders/{number}/status"
    body = {"status": "delivered", "tracking_ids": ["1Z999"]}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    admin = {"Authorization": "Bearer admin-t0ken"}
    assert client.post(url, json={"status": "teleported"}, headers=admin).status_code == 422
    assert client.post("/api/v1/orders/NOPE-1/status", json=body, headers=admin).status_code == 404
    moved = client.post(url, json=body, headers=admin)
    assert moved.status_code == 200
    assert moved.json()["status"] == "delivered" and moved.json()["fulfillments"][-1]["tracking_ids"] == [
        "1Z999"
    ]
    # Delivered now: the shopper may return it under the policy, and cancelling it is refused.
    refused = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", headers=auth, json={"text": "cancel my order"}
    )
    assert "only a pending order can be cancelled" in refused.json()["reply"]


def test_order_status_changes_are_closed_without_an_admin_token(client):
    response = client.post("/api/v1/orders/SA-1/status", json={"status": "delivered"})
    assert response.status_code == 403 and "SHOPASSIST_ADMIN_TOKEN" in response.json()["detail"]
