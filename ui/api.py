"""The REST API of `docs/interfaces.md`, under /api/v1: thin handlers over the assistant.

A conversation is readable and writable only with its own bearer token, until the token expires
(`token_ttl_hours`). Besides the spec's endpoints, the conversation's events stream pushes the messages the
shopper receives (the assistant's, an agent's, notices). Starting conversations and sending messages are rate
limited per client IP and per conversation (a 429 with Retry-After), in this process (ui/rate_limits.py).

A message may carry an `Idempotency-Key` header (a token the client makes up, e.g. a UUID, one per message):
a client that retries after a timeout or a server crash sends the same key again and gets the turn's result
(200) instead of a second turn, even after a restart; the key with another message is refused (422).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from assistant.desk.transcripts import conversation_view, messages_after
from assistant.pipeline import Assistant
from assistant.shopper_tokens import InvalidShopperToken
from assistant.tokens import TokenCheck
from core.errors import InvalidMessage, RepeatedKey, UnknownConversation
from core.settings import Settings
from core.state import TurnResult
from core.store_records import OrderStatus
from db.store_data import set_order_status as set_order_status_in
from ui.rate_limits import SlidingWindowLimiter, whole_seconds

# How often the events stream looks for new messages, and how long a browser waits before reconnecting.
EVENTS_POLL_SECONDS = 0.5
EVENTS_RETRY_MS = 1000
# An idempotency key is visible ASCII, as HTTP header values are; a UUID or any client-made token fits.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,128}$"
# The largest message id a database stores (a signed 64-bit integer): a bigger `after` is refused up front, since
# PostgreSQL would fail on it mid-stream.
MAX_MESSAGE_ID = 2**63 - 1

router = APIRouter(prefix="/api/v1")
bearer = HTTPBearer(auto_error=False)


class NewConversation(BaseModel):
    conversation_id: str
    token: str


class ConversationIn(BaseModel):
    """An optional body of `POST /conversations`: the signed token of the store's logged-in shopper."""

    shopper_token: str | None = Field(default=None, max_length=1000)


class OrderStatusIn(BaseModel):
    """The store's status change of an order (`POST /orders/{id}/status`), with any new tracking numbers."""

    status: OrderStatus
    tracking_ids: list[str] = Field(default_factory=list, max_length=50)


class MessageIn(BaseModel):
    text: str


class Refusal(BaseModel):
    """Why a request was refused: one sentence from a handler, or FastAPI's list of invalid fields (422)."""

    detail: str | list[dict[str, Any]]


# Documented so that clients (and the schema fuzz, tests/ui/test_fuzz.py) know the shape of every refusal: the
# handlers' own 422s carry a sentence where FastAPI's carry a list.
REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": Refusal} for code in (401, 403, 404, 413, 422, 429)
}


class ApiLimits:
    """The API's rate limits, one set per app: requests that start conversations or send messages per client
    IP, and messages per conversation, each per minute."""

    def __init__(self, settings: Settings) -> None:
        self.per_ip = SlidingWindowLimiter(settings.requests_per_minute_per_ip, 60)
        self.per_conversation = SlidingWindowLimiter(settings.messages_per_minute_per_conversation, 60)


# The dependencies and the handlers that compute are coroutines: FastAPI runs a plain function in a worker
# thread, and each such round trip costs more CPU than a lookup. What blocks (the database, the models) goes to a
# worker thread in one hop per request (`run_in_threadpool`), checks included.
async def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


async def get_limits(request: Request) -> ApiLimits:
    return request.app.state.api_limits


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
LimitsDep = Annotated[ApiLimits, Depends(get_limits)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def authorize(
    assistant: Assistant, conversation_id: str, credentials: HTTPAuthorizationCredentials | None
) -> None:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"}
        )
    check = assistant.check_token(conversation_id, credentials.credentials)
    if check is TokenCheck.EXPIRED:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "this token has expired; start a new conversation",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    # Unknown conversation and wrong token answer alike, so a token cannot probe for other conversations.
    if check is not TokenCheck.VALID:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token does not give access to that conversation")


def within_limit(limiter: SlidingWindowLimiter, key: str, what: str) -> None:
    """Counts one request for `key`; a 429 naming the limit and the wait when it is over its limit."""
    wait = limiter.hit(key)
    if wait is not None:
        seconds = whole_seconds(wait)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many {what}: at most {limiter.limit} a minute; try again in {seconds} seconds",
            {"Retry-After": str(seconds)},
        )


def client_ip(request: Request) -> str:
    # Behind a proxy this is the proxy's address unless uvicorn trusts its X-Forwarded-For (docs/deployment.md).
    return request.client.host if request.client else "unknown"


@router.post("/conversations", status_code=status.HTTP_201_CREATED, responses=REFUSALS)
async def create_conversation(
    request: Request, assistant: AssistantDep, limits: LimitsDep, body: ConversationIn | None = None
) -> NewConversation:
    shopper_token = body.shopper_token if body else None
    return await run_in_threadpool(start_conversation, assistant, limits, client_ip(request), shopper_token)


def start_conversation(
    assistant: Assistant, limits: ApiLimits, ip: str, shopper_token: str | None = None
) -> NewConversation:
    within_limit(limits.per_ip, ip, "requests from this address")
    try:
        shopper_id = assistant.shopper_from_token(shopper_token) if shopper_token else None
    except InvalidShopperToken as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from None
    conversation_id, token = assistant.start_conversation(shopper_id=shopper_id)
    return NewConversation(conversation_id=conversation_id, token=token)


def order_status_set(assistant: Assistant, order_id: str, new: str, tracking_ids: list[str]) -> dict | None:
    with assistant.db.transaction() as session:
        return set_order_status_in(session, order_id, new, tracking_ids)


@router.post("/orders/{order_id}/status", responses=REFUSALS)
async def set_order_status(
    order_id: str,
    body: OrderStatusIn,
    assistant: AssistantDep,
    credentials: CredentialsDep,
) -> dict:
    """The store's backend moves an order on (processed, delivered…); the order's line as `orders export` gives
    it is the answer."""
    admin = assistant.settings.admin_token
    if admin is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "order status changes are closed (SHOPASSIST_ADMIN_TOKEN is unset)"
        )
    if credentials is None or not hmac.compare_digest(credentials.credentials, admin.get_secret_value()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the admin token is required", {"WWW-Authenticate": "Bearer"}
        )
    line = await run_in_threadpool(order_status_set, assistant, order_id, body.status, body.tracking_ids)
    if line is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no order {order_id!r}")
    return line


@router.post("/conversations/{conversation_id}/messages", response_model=TurnResult, responses=REFUSALS)
async def send_message(
    conversation_id: str,
    message: MessageIn,
    request: Request,
    assistant: AssistantDep,
    limits: LimitsDep,
    credentials: CredentialsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="One per message; a retry with the same key gets the same turn, not a second one.",
        ),
    ] = None,
) -> Response:
    """One shopper turn. Refused, and not stored: over a rate limit (429), a missing or expired token (401),
    another conversation's token (403), an empty (422) or too long (413) message, an Idempotency-Key already
    used for another message (422). A repeat with an Idempotency-Key answers with that key's turn (200)."""
    result = await run_in_threadpool(
        take_turn,
        assistant,
        limits,
        client_ip(request),
        conversation_id,
        message.text,
        credentials,
        idempotency_key,
    )
    # The result is already a validated TurnResult: pydantic writes its JSON in one call, where FastAPI's
    # response handling would validate it again and convert it to JSON in Python.
    return Response(result.model_dump_json(), media_type="application/json")


def take_turn(
    assistant: Assistant,
    limits: ApiLimits,
    ip: str,
    conversation_id: str,
    text: str,
    credentials: HTTPAuthorizationCredentials | None,
    idempotency_key: str | None,
) -> TurnResult:
    within_limit(limits.per_ip, ip, "requests from this address")
    authorize(assistant, conversation_id, credentials)
    within_limit(limits.per_conversation, conversation_id, "messages in this conversation")
    if len(text) > assistant.settings.max_message_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"a message may be at most {assistant.settings.max_message_chars} characters",
        )
    try:
        return assistant.handle(conversation_id, text, idempotency_key)
    except (InvalidMessage, RepeatedKey) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    except UnknownConversation as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


@router.get("/conversations/{conversation_id}", responses=REFUSALS)
def read_conversation(conversation_id: str, assistant: AssistantDep, credentials: CredentialsDep) -> dict:
    authorize(assistant, conversation_id, credentials)
    with assistant.db.transaction() as session:
        view = conversation_view(session, conversation_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no conversation {conversation_id}")
    return view


async def message_events(
    assistant: Assistant, request: Request, conversation_id: str, after_id: int, wait_seconds: float
) -> AsyncIterator[str]:
    """Server-sent events: each new message for the shopper, until `wait_seconds` pass or the client leaves."""
    yield f"retry: {EVENTS_RETRY_MS}\n\n"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while loop.time() < deadline and not await request.is_disconnected():
        messages = await asyncio.to_thread(read_messages_after, assistant, conversation_id, after_id)
        for message in messages:
            after_id = message["id"]
            yield f"id: {after_id}\nevent: message\ndata: {json.dumps(message)}\n\n"
        await asyncio.sleep(EVENTS_POLL_SECONDS)


def read_messages_after(assistant: Assistant, conversation_id: str, after_id: int) -> list[dict]:
    with assistant.db.transaction() as session:
        return messages_after(session, conversation_id, after_id)


@router.get(
    "/conversations/{conversation_id}/events",
    response_class=StreamingResponse,
    responses={
        **REFUSALS,
        200: {"content": {"text/event-stream": {}}, "description": "A stream of `message` events."},
    },
)
async def conversation_events(
    conversation_id: str,
    request: Request,
    assistant: AssistantDep,
    credentials: CredentialsDep,
    token: Annotated[
        str | None, Query(description="The bearer token, for EventSource (it sends no headers).")
    ] = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_MESSAGE_ID, description="Only messages with an id above this one.")
    ] = 0,
    wait: Annotated[float, Query(gt=0, le=60, description="Seconds before the stream closes.")] = 25.0,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_MESSAGE_ID)] = None,
) -> StreamingResponse:
    """Pushes the assistant's and agents' messages of this conversation as server-sent events (`id` is the
    message id, `data` the message as JSON). The stream closes after `wait` seconds; EventSource reconnects
    by itself and resumes after the last event it received (the Last-Event-ID header)."""
    if credentials is None and token is not None:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    await asyncio.to_thread(authorize, assistant, conversation_id, credentials)
    after_id = last_event_id if last_event_id is not None else after
    return StreamingResponse(
        message_events(assistant, request, conversation_id, after_id, wait),
        media_type="text/event-stream",
        # Proxies must neither cache nor buffer the stream, or messages would arrive late or all at once.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
