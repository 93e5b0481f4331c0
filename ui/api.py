"""The REST API of `shared/spec/interfaces.md`, under /api/v1: thin handlers over the assistant.

A conversation is readable and writable only with its own bearer token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from assistant.pipeline import Assistant, InvalidMessage, UnknownConversation
from assistant.state import TurnResult
from assistant.transcripts import conversation_view

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
