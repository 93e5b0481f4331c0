"""Hostile and broken input over HTTP (the real app through FastAPI's test client): each gets a clear 4xx or a
normal reply, nothing is stored that should not be, and never a 5xx or a traceback."""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

from assistant.desk.agent_desk import AgentDesk
from assistant.pipeline import Assistant
from ui.app import create_app
from ui.chat_session import send_message
from ui.console_panels import conversation_detail


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> TestClient:
    # Generous limits: this module sends many messages from one test client address.
    roomy = copy.copy(assistant)
    roomy.settings = assistant.settings.model_copy(
        update={"requests_per_minute_per_ip": 10_000, "messages_per_minute_per_conversation": 10_000}
    )
    return TestClient(create_app(roomy), raise_server_exceptions=False)


@pytest.fixture
def conversation(client: TestClient) -> tuple[str, dict]:
    body = client.post("/api/v1/conversations").json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def shopper_texts(client: TestClient, conversation_id: str, auth: dict) -> list[str]:
    messages = client.get(f"/api/v1/conversations/{conversation_id}", headers=auth).json()["messages"]
    return [message["text"] for message in messages if message["role"] == "shopper"]


def assert_clean_refusal(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.json()["detail"]


INVISIBLE_ONLY = [
    "\u200b",  # zero-width space
    "\ufeff\u2060\u200b",  # byte-order mark, word joiner, zero-width space
    " \u200b\n\u202e ",  # with whitespace and a right-to-left override
    "\u200d\u200c",  # joiners alone mean nothing either
]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\x00\x01\x02", "\x7f\x1b", *INVISIBLE_ONLY])
def test_empty_and_whitespace_messages_are_refused_and_not_stored(client, conversation, text: str) -> None:
    conversation_id, auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": text}, headers=auth
    )
    assert_clean_refusal(response, 422)
    assert response.json()["detail"] == "the message is empty"
    assert shopper_texts(client, conversation_id, auth) == []


def test_invisible_characters_are_stripped_and_joiners_kept(client, conversation) -> None:
    conversation_id, auth = conversation
    url = f"/api/v1/conversations/{conversation_id}/messages"
    response = client.post(url, json={"text": "\ufeffshow me\u200b mu\u2060gs"}, headers=auth)
    assert response.status_code == 200, response.text
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467 gift ideas"  # an emoji sequence held by joiners
    assert client.post(url, json={"text": family}, headers=auth).status_code == 200
    # Bidirectional overrides are format characters too: they could make the console show other words.
    assert client.post(url, json={"text": "\u202eevil\u202c shoes"}, headers=auth).status_code == 200
    assert shopper_texts(client, conversation_id, auth) == ["show me mugs", family, "evil shoes"]
    assert response.json()["products"], "the cleaned words are what is understood"


def test_a_one_megabyte_body_is_refused_before_it_is_parsed(client, conversation) -> None:
    conversation_id, auth = conversation
    url = f"/api/v1/conversations/{conversation_id}/messages"
    body = json.dumps({"text": "x" * 1_000_000})
    response = client.post(url, content=body, headers=auth | {"Content-Type": "application/json"})
    assert_clean_refusal(response, 413)
    assert "at most" in response.json()["detail"]

    def chunks():  # no Content-Length: the body is read only up to the limit
        for _ in range(1000):
            yield b"x" * 1000

    streamed = client.post(url, content=chunks(), headers=auth | {"Content-Type": "application/json"})
    assert_clean_refusal(streamed, 413)
    assert shopper_texts(client, conversation_id, auth) == []


def test_the_longest_allowed_message_still_fits_the_body_limit_when_escaped(client, conversation) -> None:
    conversation_id, auth = conversation
    text = "é" * 4000  # sent as \\u00e9 escapes: six bytes a character
    body = json.dumps({"text": text}, ensure_ascii=True)
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        content=body,
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert shopper_texts(client, conversation_id, auth) == [text]


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "caf\xe9 \xff\xfe"}',  # invalid UTF-8
        b'{"text": "hi"',  # truncated
        b"\xef\xbb\xbf\x00\x00",  # a BOM and NULs
        b"[" * 50_000 + b"]" * 50_000,  # deeply nested, 100 kB: over the body limit
        b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",  # deeply nested, under it
        b'{"text": {"$gt": ""}}',  # an object where text belongs
        b'{"text": 12345}',
        b'{"text": null}',
    ],
)
def test_broken_json_gets_a_clear_4xx(client, conversation, body: bytes) -> None:
    conversation_id, auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        content=body,
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 413, 422), response.text
    assert "Traceback" not in response.text
    assert shopper_texts(client, conversation_id, auth) == []


def test_unpaired_surrogates_are_refused_as_not_text(client, conversation) -> None:
    conversation_id, auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        content=b'{"text": "hi \\ud800 there"}',
        headers=auth | {"Content-Type": "application/json"},
    )
    assert_clean_refusal(response, 422)
    assert response.json()["detail"] == "the message is not valid text"
    assert shopper_texts(client, conversation_id, auth) == []


def test_control_characters_are_removed_before_the_message_is_stored(client, conversation) -> None:
    conversation_id, auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "show me\x00 mugs\x1b[31m\x07"},
        headers=auth,
    )
    assert response.status_code == 200
    assert shopper_texts(client, conversation_id, auth) == ["show me mugs[31m"]


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE messages; --",
        '" OR 1=1 --',
        "mugs' UNION SELECT token_hash FROM conversations --",
        "🏃‍♀️👟 running shoes under 100 🔥",
        "أريد حذاء للجري",  # Arabic (right to left)
        "<script>alert(1)</script><img src=x onerror=alert(2)>",
    ],
)
def test_odd_but_valid_text_gets_a_normal_reply_and_is_stored_verbatim(
    client, conversation, text: str
) -> None:
    conversation_id, auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": text}, headers=auth
    )
    assert response.status_code == 200
    assert response.json()["reply"]
    assert shopper_texts(client, conversation_id, auth) == [text]
    assert client.get("/healthz").json()["status"] == "ok"  # the tables are all still there


def test_script_in_a_message_is_escaped_in_the_console_and_the_chat(
    assistant: Assistant, client, conversation
):
    conversation_id, auth = conversation
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": attack}, headers=auth)
    transcript, *_ = conversation_detail(AgentDesk(assistant.db, assistant.catalog), conversation_id, "USD")
    assert "<script>" not in transcript and "<img" not in transcript
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in transcript
    turn = send_message(assistant, None, [], [], attack)
    assert all("<script>" not in bubble["content"] for bubble in turn.history)


@pytest.mark.parametrize(
    "conversation_id",
    ["c_doesnotexist", "../../etc/passwd", "' OR '1'='1", "x" * 5000, "%00", "🛒"],
)
def test_unknown_conversation_ids_are_refused_like_wrong_tokens(
    client, conversation, conversation_id
) -> None:
    _own, auth = conversation
    for response in (
        client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth),
        client.get(f"/api/v1/conversations/{conversation_id}", headers=auth),
        client.get(f"/api/v1/conversations/{conversation_id}/events", params={"wait": 0.5}, headers=auth),
    ):
        assert response.status_code in (403, 404), response.text
        assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer \u00ff\u00fe", "Bearer " + "a" * 10_000, "token abc"],
)
def test_malformed_authorization_headers_are_refused(client, conversation, authorization: str) -> None:
    conversation_id, _auth = conversation
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "hi"},
        headers={"Authorization": authorization.encode("latin-1")},
    )
    assert response.status_code in (401, 403), response.text
    assert "Traceback" not in response.text


def test_odd_query_parameters_of_the_events_stream_are_refused(client, conversation) -> None:
    conversation_id, auth = conversation
    url = f"/api/v1/conversations/{conversation_id}/events"
    for params in ({"after": -1}, {"after": "x"}, {"wait": 0}, {"wait": "nan"}, {"after": "9" * 400}):
        response = client.get(url, params=params, headers=auth)
        assert response.status_code == 422, (params, response.text)
    response = client.get(url, params={"wait": 0.3}, headers=auth | {"Last-Event-ID": "not a number"})
    assert response.status_code == 422
