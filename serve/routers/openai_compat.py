"""`POST /v1/chat/completions`: an OpenAI-compatible facade over the same answers, so existing
chat front ends and SDKs work unchanged.

The last user message is the question. The conversation continues server-side: pass the
`session_id` returned in `shopgraph.session_id` back as an extra body field (with the `openai`
client: `extra_body={"session_id": ...}`); without it each call starts a new session. Citations
travel in the extra `citations` field (and in the final chunk when streaming).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import AsyncIterator, Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from serve.app import ApiError, require, services_of
from serve.auth import Role
from serve.logging import get_logger
from serve.routers import AUTH_ERRORS, BODY_ERRORS, OPENAI_SSE_EVENT_SCHEMA, UNAVAILABLE
from serve.routers.chat import record_answer
from serve.routers.schemas import (
    MAX_MESSAGE_CHARS,
    ChatResponse,
    OAChatRequest,
    OAChatResponse,
    OAChoice,
    OAChoiceMessage,
    OAUsage,
)

router = APIRouter(tags=["openai"])
log = get_logger("shopgraph.openai")


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", "")) for part in content
            if isinstance(part, dict) and part.get("type", "text") == "text"
        )
    return ""


def question_of(body: OAChatRequest) -> str:
    for i in range(len(body.messages) - 1, -1, -1):
        message = body.messages[i]
        if message.role == "user":
            text = _text_of(message.content).strip()
            if not text:
                break
            if len(text) > MAX_MESSAGE_CHARS:
                raise ApiError(422, "invalid_request", f"the user message is longer than {MAX_MESSAGE_CHARS} characters",
                               [{"loc": ["body", "messages", i, "content"], "msg": "too long", "type": "string_too_long"}])
            return text
    raise ApiError(422, "invalid_request", "no user message with text to answer",
                   [{"loc": ["body", "messages"], "msg": "needs a user message with text", "type": "value_error"}])


def _completion(body: OAChatRequest, question: str, answer: ChatResponse) -> OAChatResponse:
    prompt_tokens = len(question.split())
    completion_tokens = len(answer.answer.split())
    return OAChatResponse(
        id=f"chatcmpl-{uuid.uuid4().hex[:24]}", created=int(time.time()), model=body.model,
        choices=[OAChoice(message=OAChoiceMessage(content=answer.answer))],
        usage=OAUsage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                      total_tokens=prompt_tokens + completion_tokens),
        citations=answer.citations, shopgraph=answer,
    )


def _chunk(cid: str, created: int, model: str, delta: dict, finish: str | None = None, **extra: object) -> bytes:
    payload = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode("utf-8")


def _stream(request: Request, body: OAChatRequest, items: Iterator[str | ChatResponse]) -> AsyncIterator[bytes]:
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

    async def gen() -> AsyncIterator[bytes]:
        yield _chunk(cid, created, body.model, {"role": "assistant", "content": ""})
        try:
            async for item in iterate_in_threadpool(items):
                if isinstance(item, ChatResponse):
                    record_answer(request, item)
                    yield _chunk(cid, created, body.model, {}, "stop",
                                 citations=[c.model_dump(mode="json") for c in item.citations],
                                 shopgraph=item.model_dump(mode="json"))
                else:
                    yield _chunk(cid, created, body.model, {"content": item})
        except Exception as exc:
            log.exception("stream_failed", error_type=type(exc).__name__)
            err = {"error": {"code": "internal_error", "message": "the answer failed midway"}}
            yield f"data: {json.dumps(err)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    return gen()


@router.post(
    "/v1/chat/completions",
    response_model=OAChatResponse,
    summary="OpenAI-compatible chat completion",
    description=__doc__,
    responses={
        200: {"content": {"text/event-stream": {"schema": OPENAI_SSE_EVENT_SCHEMA}}},
        **AUTH_ERRORS, **BODY_ERRORS, **UNAVAILABLE,
    },
)
async def chat_completions(body: OAChatRequest, request: Request, _principal=Depends(require(Role.chat))):
    question = question_of(body)
    engine = services_of(request).engine
    if body.stream:
        items = await run_in_threadpool(engine.stream, question, body.session_id, body.product_id)
        return StreamingResponse(_stream(request, body, items), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    answer = await run_in_threadpool(engine.answer, question, body.session_id, body.product_id)
    record_answer(request, answer)
    return _completion(body, question, answer)
