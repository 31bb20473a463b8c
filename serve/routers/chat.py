"""`POST /v1/chat`: one message in, a grounded answer with citations out (JSON or SSE)."""

from __future__ import annotations

import json
from typing import AsyncIterator, Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from serve.app import require, services_of
from serve.auth import Role
from serve.logging import get_logger
from serve.routers import AUTH_ERRORS, BODY_ERRORS, SSE_EVENT_SCHEMA, UNAVAILABLE
from serve.routers.schemas import ChatRequest, ChatResponse

router = APIRouter(tags=["chat"])
log = get_logger("shopgraph.chat")

SSE_DOC = (
    "With `stream: true` the answer comes as server-sent events: `delta` events carry "
    "`{\"text\": ...}` pieces of the answer as they are written, then one `done` event carries the "
    "complete response object (same as the JSON answer); an `error` event replaces `done` on failure."
)


def record_answer(request: Request, response: ChatResponse) -> None:
    """Per-stage latencies, fallbacks, abstentions and escalations into the metrics."""
    request.app.state.metrics.observe_answer(
        stages_ms=response.timings.stages_ms, generator=response.generator, fallback=response.fallback,
        abstained=response.abstained, escalate=response.escalate,
    )


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


def stream_events(request: Request, items: Iterator[str | ChatResponse]) -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        try:
            async for item in iterate_in_threadpool(items):
                if isinstance(item, ChatResponse):
                    record_answer(request, item)
                    yield sse("done", item.model_dump(mode="json"))
                else:
                    yield sse("delta", {"text": item})
        except Exception as exc:  # headers are sent already: report in-band
            log.exception("stream_failed", error_type=type(exc).__name__)
            yield sse("error", {"code": "internal_error", "message": "the answer failed midway",
                                "request_id": request.scope["state"].get("request_id")})

    return gen()


@router.post(
    "/v1/chat",
    response_model=ChatResponse,
    summary="Answer a shopper's message",
    description="Answers from the store's graph and passages only, citing them; abstains when they "
    "do not answer. " + SSE_DOC,
    responses={
        200: {"content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA,
                                                "example": 'event: delta\ndata: {"text": "You can "}\n\n'}}},
        **AUTH_ERRORS, **BODY_ERRORS, **UNAVAILABLE,
    },
)
async def chat(body: ChatRequest, request: Request, _principal=Depends(require(Role.chat))):
    engine = services_of(request).engine
    # Personal data in the message is masked by the log processor (serve/logging.py).
    log.info("chat", message=body.message[:200], chars=len(body.message), product_id=body.product_id,
             session_id=body.session_id, stream=body.stream)
    if body.stream:
        items = await run_in_threadpool(engine.stream, body.message, body.session_id, body.product_id)
        return StreamingResponse(
            stream_events(request, items), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    response = await run_in_threadpool(engine.answer, body.message, body.session_id, body.product_id)
    record_answer(request, response)
    return response
