"""`GET/DELETE /v1/sessions/{session_id}`: a conversation's history, and forgetting it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from serve.app import ApiError, require, services_of
from serve.auth import Role
from serve.routers import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND
from serve.routers.schemas import SESSION_ID_PATTERN, SessionOut

router = APIRouter(tags=["sessions"])

SessionId = Path(pattern=SESSION_ID_PATTERN, description="Conversation id", examples=["s-5b1c0a9e"])


@router.get("/v1/sessions/{session_id}", response_model=SessionOut, summary="Conversation history",
            responses={**AUTH_ERRORS, **NOT_FOUND, 422: BODY_ERRORS[422]})
async def get_session(request: Request, session_id: str = SessionId, _p=Depends(require(Role.chat))) -> SessionOut:
    found = await run_in_threadpool(services_of(request).sessions.get, session_id)
    if found is None:
        raise ApiError(404, "not_found", f"session {session_id!r} not found (never started, deleted or expired)")
    return found


@router.delete("/v1/sessions/{session_id}", status_code=204, summary="Delete a conversation",
               responses={**AUTH_ERRORS, **NOT_FOUND, 422: BODY_ERRORS[422]})
async def delete_session(request: Request, session_id: str = SessionId, _p=Depends(require(Role.chat))) -> Response:
    deleted = await run_in_threadpool(services_of(request).sessions.delete, session_id)
    if not deleted:
        raise ApiError(404, "not_found", f"session {session_id!r} not found")
    return Response(status_code=204)
