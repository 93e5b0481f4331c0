"""Access to the web application: expiring shopper tokens, rate limits, the console's failed-login pause, CORS
and frame-ancestors for the widget, and the /metrics endpoint (ui/api.py, ui/web_security.py, ui/app.py)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assistant.desk.agents import create_agent
from assistant.pipeline import Assistant
from db.models import Conversation, utcnow
from ui.app import create_app
from ui.chat_session import restore


def app_with(assistant: Assistant, **settings) -> TestClient:
    """A client of a fresh app over the shared assistant with some settings changed (fresh limiters too)."""
    changed = copy.copy(assistant)
    changed.settings = assistant.settings.model_copy(update=settings)
    return TestClient(create_app(changed))


def start(client: TestClient) -> tuple[str, dict]:
    response = client.post("/api/v1/conversations")
    assert response.status_code == 201
    body = response.json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def expire(assistant: Assistant, conversation_id: str) -> None:
    with assistant.db.transaction() as session:
        session.get(Conversation, conversation_id).token_expires_at = utcnow() - timedelta(seconds=1)


@pytest.fixture(scope="module")
def client(assistant) -> TestClient:
    return TestClient(create_app(assistant))


def test_tokens_are_stored_hashed_with_an_expiry(client, assistant) -> None:
    conversation_id, auth = start(client)
    token = auth["Authorization"].removeprefix("Bearer ")
    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        assert token not in conversation.token_hash and len(conversation.token_hash) == 64
        lifetime = conversation.token_expires_at - conversation.created_at
    assert timedelta(hours=719) < lifetime <= timedelta(hours=720)


def test_an_expired_token_gets_a_clear_401_and_nothing_is_stored(client, assistant) -> None:
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}"
    assert client.post(f"{url}/messages", json={"text": "hi"}, headers=auth).status_code == 200
    expire(assistant, conversation_id)
    for response in (
        client.post(f"{url}/messages", json={"text": "show me mugs"}, headers=auth),
        client.get(url, headers=auth),
        client.get(f"{url}/events", params={"wait": 0.5}, headers=auth),
    ):
        assert response.status_code == 401
        assert response.json()["detail"] == "this token has expired; start a new conversation"
        assert "invalid_token" in response.headers["www-authenticate"]
    with assistant.db.transaction() as session:
        assert session.get(Conversation, conversation_id).turns == 1
    # The chat page's kept conversation does not open either: the browser starts a new one.
    token = auth["Authorization"].removeprefix("Bearer ")
    assert restore(assistant, {"conversation_id": conversation_id, "token": token}).conversation_id is None


def test_a_forged_token_is_refused_and_an_expired_one_reveals_nothing_to_others(client, assistant) -> None:
    conversation_id, _auth = start(client)
    expire(assistant, conversation_id)
    forged = {"Authorization": "Bearer " + "A" * 32}
    response = client.get(f"/api/v1/conversations/{conversation_id}", headers=forged)
    # A wrong token is told only that it gives no access, whether or not the conversation's token expired.
    assert response.status_code == 403 and "does not give access" in response.json()["detail"]
    assert client.get("/api/v1/conversations/c_nope", headers=forged).status_code == 403


def test_the_token_lifetime_is_a_setting(assistant) -> None:
    client = app_with(assistant, token_ttl_hours=1.5)
    conversation_id, _auth = start(client)
    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.token_expires_at - conversation.created_at <= timedelta(hours=1.5)


def test_messages_per_conversation_are_limited_with_a_clear_429(assistant) -> None:
    client = app_with(assistant, messages_per_minute_per_conversation=2)
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    assert [client.post(url, json={"text": "hi"}, headers=auth).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url, json={"text": "show me mugs"}, headers=auth)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("too many messages in this conversation: at most 2 a minute")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    messages = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()["messages"]
    assert [m["text"] for m in messages if m["role"] == "shopper"] == ["hi", "hi"]
    # Another conversation has its own budget.
    other, other_auth = start(client)
    response = client.post(f"/api/v1/conversations/{other}/messages", json={"text": "hi"}, headers=other_auth)
    assert response.status_code == 200


def test_requests_per_ip_are_limited_across_conversations(assistant) -> None:
    client = app_with(assistant, requests_per_minute_per_ip=3)
    first, first_auth = start(client)
    second, second_auth = start(client)
    sent = client.post(f"/api/v1/conversations/{first}/messages", json={"text": "hi"}, headers=first_auth)
    assert sent.status_code == 200
    refused = client.post(
        f"/api/v1/conversations/{second}/messages", json={"text": "hi"}, headers=second_auth
    )
    assert refused.status_code == 429 and "requests from this address" in refused.json()["detail"]
    assert client.post("/api/v1/conversations").status_code == 429
    # Reading is not limited: a shopper over the limit still sees their conversation.
    assert client.get(f"/api/v1/conversations/{first}", headers=first_auth).status_code == 200


def test_failed_console_logins_pause_the_address(assistant) -> None:
    client = app_with(assistant, console_login_failures=3)
    with assistant.db.transaction() as session:
        create_agent(session, "throttled-agent", "correct horse")
    login = lambda password: client.post(  # noqa: E731
        "/console/login", data={"username": "throttled-agent", "password": password}
    )
    assert [login("wrong password").status_code for _ in range(3)] == [400, 400, 400]
    paused = login("correct horse")  # even the right password waits: the address is guessing
    assert paused.status_code == 429
    assert paused.json()["detail"] == "too many failed logins from this address; try again in 15 minutes"
    assert int(paused.headers["retry-after"]) > 14 * 60
    fresh = app_with(assistant)  # another app (another process's counts): the right password works
    response = fresh.post("/console/login", data={"username": "throttled-agent", "password": "correct horse"})
    assert response.status_code == 200


def test_the_chat_may_be_framed_as_configured_and_the_console_never(assistant) -> None:
    default = TestClient(create_app(assistant))  # by default the widget works on any site
    assert default.get("/").headers["content-security-policy"] == "frame-ancestors *"
    assert default.get("/console/").headers["content-security-policy"] == "frame-ancestors 'none'"
    configured = app_with(assistant, frame_ancestors="'self' https://shop.example https://*.shop.example")
    for path in ("/", "/widget.js", "/store", "/api/v1/openapi.json"):
        policy = configured.get(path).headers["content-security-policy"]
        assert policy == "frame-ancestors 'self' https://shop.example https://*.shop.example", path
    console = configured.get("/console/")
    assert console.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert console.headers["x-frame-options"] == "DENY"


def test_frame_ancestors_refuses_anything_but_sources() -> None:
    from pydantic import ValidationError

    from core.settings import Settings

    with pytest.raises(ValidationError):
        Settings(frame_ancestors="'self'; script-src *")
    with pytest.raises(ValidationError):
        Settings(cors_origins="https://a.example\r\nX-Injected: 1")


def test_cors_lets_only_the_configured_origins_call_the_api(assistant) -> None:
    assert (
        "access-control-allow-origin"
        not in TestClient(create_app(assistant))
        .get("/healthz", headers={"Origin": "https://shop.example"})
        .headers
    )
    client = app_with(assistant, cors_origins="https://shop.example https://www.shop.example")
    preflight = client.options(
        "/api/v1/conversations/c_x/messages",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://shop.example"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    created = client.post("/api/v1/conversations", headers={"Origin": "https://www.shop.example"})
    assert created.headers["access-control-allow-origin"] == "https://www.shop.example"
    elsewhere = client.post("/api/v1/conversations", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in elsewhere.headers
    refused = client.options(
        "/api/v1/conversations",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 400


def scrape(client: TestClient) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_turns_latency_intents_and_stage_changes(client) -> None:
    before = scrape(client)
    conversation_id, auth = start(client)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    assert client.post(url, json={"text": "show me running shoes under 100"}, headers=auth).status_code == 200
    after = scrape(client)

    def delta(name: str, **labels) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta("shopassist_turns_total", answered_by="assistant") == 1
    assert delta("shopassist_turn_latency_seconds_count") == 1
    assert delta("shopassist_turn_latency_seconds_sum") > 0
    assert delta("shopassist_intents_total", intent="search_products") == 1
    assert delta("shopassist_stage_transitions_total", from_stage="entry", to_stage="browsing") == 1
    # The template backend makes no LLM call, and the turn was no error (each family, whatever its labels).
    for family in ("shopassist_llm_calls_total", "shopassist_turn_errors_total"):
        changed = {
            key: value for key, value in after.items() if key[0] == family and value != before.get(key, 0.0)
        }
        assert changed == {}, changed
