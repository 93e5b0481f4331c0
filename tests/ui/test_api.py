"""ui/api.py: the REST API over HTTP (FastAPI's test client on the real app), tokens and validation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ui.app import create_app


@pytest.fixture(scope="module")
def client(assistant) -> TestClient:
    return TestClient(create_app(assistant))


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
