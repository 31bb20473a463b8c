"""What the HTTP layer needs from the rest of the system, as small typed protocols.

The routers depend only on these; `serve/app.py` receives a `Services` bundle. The adapters that
fit the real parts (answer pipeline, session store, sync path) into these protocols live in
`serve/wiring.py`, so a change in a library's signature touches one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from ingest.models import Catalog
from serve.policies import PolicyService
from serve.routers.schemas import ChatResponse, SessionOut


class ChatEngine(Protocol):
    def answer(self, message: str, session_id: str | None, product_id: str | None) -> ChatResponse:
        """Answer one message of a conversation (a new session when session_id is None)."""
        ...

    def stream(self, message: str, session_id: str | None, product_id: str | None) -> Iterator[str | ChatResponse]:
        """Yield answer text deltas, then the complete response as the last item."""
        ...


class SessionBackend(Protocol):
    def get(self, session_id: str) -> SessionOut | None: ...

    def delete(self, session_id: str) -> bool: ...


class CatalogSink(Protocol):
    def upsert(self, catalog: Catalog) -> tuple[str | None, dict]:
        """Upsert the records through the sync path; returns (published store version, stats)."""
        ...


#: A readiness check: returns (ok, detail) and must not raise for an unhealthy component.
Check = Callable[[], tuple[bool, str]]


@dataclass
class Services:
    engine: ChatEngine
    sessions: SessionBackend
    policies: PolicyService
    catalog: CatalogSink
    checks: dict[str, Check] = field(default_factory=dict)
    #: Checks reported by /readyz that do not make the instance unready (the generator: when
    #: it is down, the extractive fallback still answers).
    advisory_checks: frozenset[str] = frozenset({"generator"})
    #: Called once when the app shuts down (closes stores, stops watchers).
    close: Callable[[], None] = lambda: None
