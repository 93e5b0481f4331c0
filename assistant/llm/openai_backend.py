"""The `openai` LLM backend: any OpenAI-compatible chat server (vLLM, TGI, llama.cpp server) over HTTP.

This is how generation scales past one machine: the serving engine batches many shoppers on its GPUs, and every
assistant process talks to it. Replies are streamed (server-sent events of `/chat/completions`); a connection
error, a timeout or a server error is retried a few times, then the backend raises BackendUnavailable and
Respond replies with the template draft. After a failure the server is left alone for `cooldown` seconds, so
while it is down turns cost nothing extra. `classify` asks for JSON constrained by a schema whose only value is
one of the labels, and checks the answer: it returns a label or None, never free text.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx

from assistant.llm.protocol import INTENT_DESCRIPTIONS, GroundedContext, LLMBackend, reply_messages
from core.errors import BackendUnavailable

log = logging.getLogger(__name__)

# How servers spell "JSON that follows this schema": OpenAI and vLLM take `json_schema`; llama-cpp-python's
# server takes a `schema` beside `json_object`. The first the server accepts is kept.
SCHEMA_DIALECTS = ("json_schema", "json_object")
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


def response_format(dialect: str, schema: dict) -> dict:
    if dialect == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "intent", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


def classify_messages(text: str, labels: list[str], context: dict) -> list[dict[str, str]]:
    """The chat that asks for one label: the labels with what each means, then the shopper's turn."""
    lines = [
        f"- {label}: {INTENT_DESCRIPTIONS[label]}" if label in INTENT_DESCRIPTIONS else f"- {label}"
        for label in labels
    ]
    system = (
        "Label the shopper's message to an online shop's assistant with exactly one intent from this list, "
        'answering as JSON {"intent": "<label>"}.\n' + "\n".join(lines)
    )
    turn = [f"{key}: {context[key]}" for key in ("stage", "last_act") if context.get(key)]
    user = "\n".join([*turn, f"Shopper: {' '.join(text.split())}"])
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class _Retry(Exception):
    """A failure worth another attempt (connection, timeout, overloaded or failing server)."""


class OpenAIBackend(LLMBackend):
    """Generation and intent choice by an OpenAI-compatible server at `base_url` (ending in /v1)."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        max_tokens: int = 160,
        cooldown: float = 30.0,
        merge_system: bool = False,
    ) -> None:
        """`merge_system` sends the system prompt at the head of the user's message, for models without a
        system role whose server's chat format would drop it (Gemma on llama-cpp-python's `gemma` format)."""
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, not {retries}")
        if max_tokens <= 0:
            raise ValueError(f"max_tokens must be positive, not {max_tokens}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.retries = retries
        self.max_tokens = max_tokens
        self.cooldown = cooldown
        self.merge_system = merge_system
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # A server that accepts no connection fails fast; one that is generating may take `timeout` per chunk.
        self.client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))
        )
        self._dialect: str | None = None
        self._down_until = 0.0

    # Generation

    def generate(self, context: GroundedContext) -> Iterator[str]:
        """The reply as the server streams it; BackendUnavailable when the server is down or stops mid-reply."""
        payload = {
            "model": self._model_name(),
            "messages": self._messages(reply_messages(context)),
            "stream": True,
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
        }
        yield from self._attempts(lambda: self._stream(payload))

    def _stream(self, payload: dict) -> Iterator[str]:
        with self.client.stream("POST", "/chat/completions", json=payload) as response:
            self._check(response)
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue  # SSE comments and keep-alives
                data = line[len("data:") :].strip()
                if data == "[DONE]":
                    return
                choices = json.loads(data).get("choices") or [{}]
                if piece := (choices[0].get("delta") or {}).get("content"):
                    yield piece

    # Classification

    def classify(self, text: str, labels: list[str], context: dict) -> str | None:
        """One of `labels` as the server's schema-constrained JSON answer; None if the server fails or strays."""
        if not labels:
            raise ValueError("classify needs at least one label")
        if len(labels) == 1:
            return labels[0]
        schema = {
            "type": "object",
            "properties": {"intent": {"type": "string", "enum": labels}},
            "required": ["intent"],
            "additionalProperties": False,
        }
        messages = self._messages(classify_messages(text, labels, context))
        try:
            content = "".join(self._attempts(lambda: self._constrained(messages, schema)))
        except BackendUnavailable as error:
            log.warning("The LLM server could not classify (%s); the classifier's intent stands.", error)
            return None
        try:
            answer = json.loads(content).get("intent")
        except (json.JSONDecodeError, AttributeError):
            answer = None
        if answer not in labels:
            log.warning("The LLM server answered %r, not one of the labels; ignored.", content[:200])
            return None
        return answer

    def _constrained(self, messages: list[dict], schema: dict) -> Iterator[str]:
        dialects = [self._dialect] if self._dialect else list(SCHEMA_DIALECTS)
        for dialect in dialects:
            payload = {
                "model": self._model_name(),
                "messages": messages,
                "temperature": 0.0,
                "max_tokens": 40,
                "response_format": response_format(dialect, schema),
            }
            response = self.client.post("/chat/completions", json=payload)
            # A server that does not know this spelling refuses it (llama-cpp-python's answers 500).
            if response.status_code in (400, 422, 500) and dialect != dialects[-1]:
                continue
            self._check(response)
            self._dialect = dialect
            yield response.json()["choices"][0]["message"]["content"] or ""
            return

    # Plumbing

    def _messages(self, messages: list[dict[str, str]]) -> list[dict[str, str]]:
        if not self.merge_system or messages[0]["role"] != "system":
            return messages
        system, user, *rest = messages
        return [{"role": "user", "content": f"{system['content']}\n\n{user['content']}"}, *rest]

    def _attempts(self, request) -> Iterator[str]:
        """The pieces of `request()`, retried while nothing has been yielded; BackendUnavailable at the end."""
        if (wait := self._down_until - time.monotonic()) > 0:
            raise BackendUnavailable(f"the LLM server at {self.base_url} is down; next try in {wait:.0f} s")
        failure: Exception | None = None
        for attempt in range(self.retries + 1):
            started = False
            try:
                for piece in request():
                    started = True
                    yield piece
                return
            except (httpx.TransportError, _Retry) as error:
                failure = error
                if started:
                    self._down_until = time.monotonic() + self.cooldown
                    raise BackendUnavailable(f"the LLM server stopped mid-reply: {error}") from error
                if attempt < self.retries:
                    time.sleep(0.2 * 2**attempt)
        self._down_until = time.monotonic() + self.cooldown
        raise BackendUnavailable(
            f"no answer from the LLM server at {self.base_url} after {self.retries + 1} tries: {failure}"
        ) from failure

    def _check(self, response: httpx.Response) -> None:
        if response.status_code in RETRYABLE_STATUS:
            raise _Retry(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            response.read()
            raise BackendUnavailable(
                f"the LLM server refused the request: HTTP {response.status_code} {response.text[:200]}"
            )

    def _model_name(self) -> str:
        """The configured model, else the first the server lists (vLLM wants its exact name)."""
        if self.model is None:
            try:
                listed: Any = self.client.get("/models").json().get("data") or []
                self.model = listed[0]["id"] if listed else "default"
            except (httpx.HTTPError, ValueError, KeyError, IndexError):
                return "default"  # asked again next time, when the server may be up
        return self.model

    def close(self) -> None:
        self.client.close()
