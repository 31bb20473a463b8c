"""The FastAPI application: `create_app(services, settings)` builds it from the parts it serves.

Read top to bottom: the error type and its JSON body, the one ASGI middleware that gives every
request an id, a size limit, a log line and metrics, the auth dependency (key -> role -> rate
limit), then the app factory that mounts the routers and the web console.
"""

from __future__ import annotations

import re
import time
from contextlib import asynccontextmanager
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from serve.auth import KeyRing, Principal, Role
from serve.logging import get_logger
from serve.metrics import Metrics
from serve.ratelimit import RateLimiter
from serve.services import Services
from serve.settings import ServerSettings

log = get_logger("shopgraph.http")
CONSOLE_DIR = Path(__file__).parent / "console"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# ------------------------------------------------------------------------------------- errors
class ApiError(Exception):
    """Raised anywhere in a request to answer with a JSON error body."""

    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []
        self.headers = headers or {}


_STATUS_CODES = {
    400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 429: "rate_limited", 503: "unavailable",
}


def error_response(status: int, code: str, message: str, request_id: str | None,
                   details: list[dict] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "request_id": request_id, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for err in exc.errors():
        loc = [p if isinstance(p, (str, int)) else str(p) for p in err.get("loc", ())]
        details.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", "value_error"))})
    return details


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, _request_id(request), exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        where = ".".join(str(p) for p in details[0]["loc"]) if details else "body"
        first = f"{where}: {details[0]['msg']}" if details else "request is invalid"
        return error_response(422, "invalid_request", f"invalid request: {first}", _request_id(request), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), _request_id(request),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
        return error_response(500, "internal_error", "internal error; quote the request id when reporting it",
                              _request_id(request))


# --------------------------------------------------------------------------------- middleware
class RequestContextMiddleware:
    """Request id, body size limit, one structured log line and metrics per request.

    Plain ASGI (not BaseHTTPMiddleware) so streaming responses pass through untouched and the
    per-request cost stays in microseconds.
    """

    def __init__(self, app: Any, metrics: Metrics, max_body_bytes: int):
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID_OK.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_holder = {"status": 500, "started": False}

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        try:
            length = headers.get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await self._reject(scope, receive, send_wrapper, request_id)
                return
            received = 0

            async def receive_limited() -> dict:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        raise _BodyTooLarge()
                return message

            try:
                await self.app(scope, receive_limited, send_wrapper)
            except _BodyTooLarge:
                if not status_holder["started"]:
                    await self._reject(scope, receive, send_wrapper, request_id)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or ("/console" if scope["path"].startswith("/console") else "unmatched")
            self.metrics.observe_request(template, scope["method"], status_holder["status"], elapsed)
            principal = scope["state"].get("principal")
            log.info(
                "request", method=scope["method"], route=template, status=status_holder["status"],
                ms=round(elapsed * 1000, 2), key=principal.name if principal else None,
            )
            structlog.contextvars.unbind_contextvars("request_id")

    async def _reject(self, scope: dict, receive: Callable, send: Callable, request_id: str) -> None:
        response = error_response(
            413, "payload_too_large", f"request body larger than {self.max_body_bytes} bytes", request_id
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


# --------------------------------------------------------------------------------------- auth
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (or use Authorization: Bearer)")
_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")


def require(role: Role) -> Callable[..., Principal]:
    """Dependency: the caller's key must exist, have at least `role`, and be within its rate."""

    async def dependency(
        request: Request,
        x_api_key: str | None = Depends(_api_key_header),
        bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Principal:
        state = request.app.state
        key = x_api_key.strip() if x_api_key else (bearer.credentials.strip() if bearer else None)
        if not key:
            state.metrics.auth_failures.labels("401").inc()
            raise ApiError(401, "unauthorized",
                           "API key required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                           headers={"WWW-Authenticate": "Bearer"})
        principal = state.keyring.lookup(key)
        if principal is None:
            state.metrics.auth_failures.labels("401").inc()
            raise ApiError(401, "unauthorized", "API key not recognised", headers={"WWW-Authenticate": "Bearer"})
        request.scope["state"]["principal"] = principal
        if not principal.allows(role):
            state.metrics.auth_failures.labels("403").inc()
            raise ApiError(403, "forbidden",
                           f"the key '{principal.name}' has role '{principal.role.value}'; "
                           f"this endpoint needs role '{role.value}' or higher")
        decision = state.limiter.check(principal.name, principal.rate_limit_per_minute)
        if not decision.allowed:
            state.metrics.rate_limited.inc()
            raise ApiError(
                429, "rate_limited",
                f"rate limit of {decision.limit} requests per minute exceeded for key '{principal.name}'",
                headers={"Retry-After": RateLimiter.retry_after_header(decision),
                         "X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": "0"},
            )
        return principal

    return dependency


def services_of(request: Request) -> Services:
    return request.app.state.services


# -------------------------------------------------------------------------------- the factory
API_DESCRIPTION = """
Grounded answers about a store's products, brands and policies, with citations.

**Keys and roles.** Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Roles: `chat` (chat, OpenAI facade, sessions), `merchandiser` (plus policies),
`admin` (plus catalog sync). Errors are JSON: `{"error": {"code", "message", "request_id", "details"}}`.
Every response carries `X-Request-ID`.
"""


def create_app(services: Services, settings: ServerSettings, keyring: KeyRing | None = None) -> FastAPI:
    from serve.routers import catalog, chat, openai_compat, ops, policies, sessions

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        services.close()

    app = FastAPI(
        lifespan=lifespan,
        title="shopgraph",
        version="0.1.0",
        description=API_DESCRIPTION,
        openapi_tags=[
            {"name": "chat", "description": "Answers for chatbot backends"},
            {"name": "openai", "description": "OpenAI-compatible facade"},
            {"name": "sessions", "description": "Conversation history"},
            {"name": "policies", "description": "Policy documents, versions, rollback (merchandiser)"},
            {"name": "catalog", "description": "Catalog bulk upsert (admin)"},
            {"name": "ops", "description": "Health, readiness, metrics"},
        ],
    )
    app.state.services = services
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.keyring = keyring or KeyRing.from_config(settings.api_keys.get_secret_value(), settings.keys_file)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)

    _install_error_handlers(app)
    for module in (chat, openai_compat, sessions, policies, catalog, ops):
        app.include_router(module.router)

    if CONSOLE_DIR.is_dir():
        app.mount("/console", StaticFiles(directory=CONSOLE_DIR, html=True), name="console")

        @app.get("/", include_in_schema=False)
        async def _root() -> RedirectResponse:
            return RedirectResponse("/console/")

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, max_body_bytes=settings.max_body_bytes)

    return app
