"""The web application's HTTP guards, for a deployment that faces the internet: which sites may frame the chat
(CSP frame-ancestors) and call the API from a browser (CORS), the size of API request bodies, and a pause for
an address that keeps failing the console login.

Each guard is a small ASGI middleware (pure ASGI, so the API's server-sent events stream passes untouched);
`add_web_security` installs them from the settings.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from ui.rate_limits import SlidingWindowLimiter, whole_seconds

CONSOLE_PREFIX = "/console"
LOGIN_PATH = "/console/login"
API_PREFIX = "/api/"


def max_body_bytes(settings: Settings) -> int:
    # The longest allowed message written entirely as JSON \uXXXX escapes (6 bytes a character), plus room
    # for the rest of the document: no valid request is refused, and a 1 MB body is never parsed.
    return settings.max_message_chars * 6 + 1024


async def send_json(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class FrameAncestors:
    """Sets CSP frame-ancestors: the configured sources for the chat (the widget's iframe) and everything else,
    'none' for the agent console, which no other site may frame (clickjacking its Take over button)."""

    def __init__(self, app: ASGIApp, sources: str) -> None:
        self.app = app
        self.sources = " ".join(sources.split())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        console = scope["path"].startswith(CONSOLE_PREFIX)
        ancestors = "'none'" if console else self.sources
        added = [
            (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        if console:  # for browsers that predate CSP frame-ancestors
            added.append((b"x-frame-options", b"DENY"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _value in added}
                kept = [
                    (name, value) for name, value in message.get("headers", []) if name.lower() not in names
                ]
                message = {**message, "headers": kept + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses an API request whose body is over `limit` bytes with a 413, before anything parses it; a body
    sent without a Content-Length is read up to the limit and no further."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        too_large = f"the request body may be at most {self.limit} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await send_json(send, 413, too_large)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limit:
                await send_json(send, 413, too_large)
                return
        replayed = False

        async def replay() -> Message:
            # The body once, then the client's own messages (the events stream listens for its disconnect).
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


class ConsoleLoginThrottle:
    """After `limiter.limit` failed console logins from one address within the window, refuses that address's
    logins with a 429 until the oldest failure leaves the window. Gradio answers a failed login with a 400."""

    def __init__(self, app: ASGIApp, limiter: SlidingWindowLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != LOGIN_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        wait = self.limiter.retry_after(address)
        if wait is not None:
            seconds = whole_seconds(wait)
            await send_json(
                send,
                429,
                f"too many failed logins from this address; try again in {-(-seconds // 60)} minutes",
                {"Retry-After": str(seconds)},
            )
            return

        async def count_failure(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400:
                self.limiter.record(address)
            await send(message)

        await self.app(scope, receive, count_failure)


def add_web_security(app: FastAPI, settings: Settings) -> None:
    """Installs the guards on `app` (the last added runs first: CORS answers preflights before the rest)."""
    app.add_middleware(BodyLimit, limit=max_body_bytes(settings))
    failures = SlidingWindowLimiter(
        settings.console_login_failures, settings.console_login_lockout_minutes * 60
    )
    app.add_middleware(ConsoleLoginThrottle, limiter=failures)
    app.add_middleware(FrameAncestors, sources=settings.frame_ancestors)
    if origins := settings.cors_origins.split():
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            max_age=600,
        )
