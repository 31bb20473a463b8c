"""HTTP routes, one module per area. Shared here: the error responses every route documents."""

from __future__ import annotations

from serve.routers.schemas import ErrorResponse

_ERR = {"model": ErrorResponse}

#: Errors any authenticated route can answer with (documented so clients and Schemathesis know).
AUTH_ERRORS: dict[int | str, dict] = {
    401: {**_ERR, "description": "No API key, or an unknown one"},
    403: {**_ERR, "description": "The key's role does not allow this endpoint"},
    429: {**_ERR, "description": "Rate limit exceeded; see Retry-After"},
}
BODY_ERRORS: dict[int | str, dict] = {
    400: {**_ERR, "description": "Body could not be parsed (e.g. not UTF-8)"},
    413: {**_ERR, "description": "Request body too large"},
    422: {**_ERR, "description": "Malformed or invalid request body, naming the field"},
}
NOT_FOUND: dict[int | str, dict] = {404: {**_ERR, "description": "No such resource"}}
UNAVAILABLE: dict[int | str, dict] = {503: {**_ERR, "description": "A backing component is unavailable"}}

#: One server-sent event as clients (and Schemathesis) see it: an event name and a JSON data line.
SSE_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["delta", "done", "error"]},
        "data": {"type": "string", "description": "JSON: {text} for delta, the ChatResponse for done, an error body for error"},
    },
    "required": ["data"],
}
OPENAI_SSE_EVENT_SCHEMA = {
    "type": "object",
    "properties": {"data": {"type": "string", "description": "JSON chat.completion.chunk, or [DONE]"}},
    "required": ["data"],
}
