"""The REST API of `shared/spec/interfaces.md`, under /api/v1: thin handlers over the assistant.

A conversation is readable and writable only with its own bearer token. Besides the spec's endpoints, the
conversation's events stream pushes the messages the shopper receives (the assistant's, an agent's, notices).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from assistant.pipeline import Assistant, InvalidMessage, UnknownConversation
from assistant.state import TurnResult
from assistant.transcripts import conversation_view, messages_after

# How often the events stream looks for new messages, and how long a browser waits before reconnecting.
EVENTS_POLL_SECONDS = 0.5
EVENTS_RETRY_MS = 1000

router = APIRouter(prefix="/api/v1")
bearer = HTTPBearer(auto_error=False)


class NewConversation(BaseModel):
    conversation_id: str
    token: str


class MessageIn(BaseModel):
    text: str


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def authorize(
    assistant: Assistant, conversation_id: str, credentials: HTTPAuthorizationCredentials | None
) -> None:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"}
        )
    # Unknown conversation and wrong token answer alike, so a token cannot probe for other conversations.
    if not assistant.token_matches(conversation_id, credentials.credentials):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token does not give access to that conversation")


@router.post("/conversations", status_code=status.HTTP_201_CREATED)
def create_conversation(assistant: AssistantDep) -> NewConversation:
    conversation_id, token = assistant.start_conversation()
    return NewConversation(conversation_id=conversation_id, token=token)


@router.post("/conversations/{conversation_id}/messages")
def send_message(
    conversation_id: str, message: MessageIn, assistant: AssistantDep, credentials: CredentialsDep
) -> TurnResult:
    authorize(assistant, conversation_id, credentials)
    if len(message.text) > assistant.settings.max_message_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"a message may be at most {assistant.settings.max_message_chars} characters",
        )
    try:
        return assistant.handle(conversation_id, message.text)
    except InvalidMessage as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    except UnknownConversation as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


@router.get("/conversations/{conversation_id}")
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
    responses={200: {"content": {"text/event-stream": {}}, "description": "A stream of `message` events."}},
)
async def conversation_events(
    conversation_id: str,
    request: Request,
    assistant: AssistantDep,
    credentials: CredentialsDep,
    token: Annotated[
        str | None, Query(description="The bearer token, for EventSource (it sends no headers).")
    ] = None,
    after: Annotated[int, Query(ge=0, description="Only messages with an id above this one.")] = 0,
    wait: Annotated[float, Query(gt=0, le=60, description="Seconds before the stream closes.")] = 25.0,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
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
