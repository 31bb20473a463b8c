"""Fits the real parts into the protocols the HTTP layer uses (`serve/services.py`) and builds
the app from `Settings`: `build_app(settings)` is what `shopgraph serve` and the tests run.

- `StoreSync`: policy changes and catalog upserts through the one atomic sync path
  (`ingest.sync.sync`), then re-points this process's readers at the new version.
- `PipelineEngine`: the answer pipeline's `Answer` -> the API's `ChatResponse`.
- `SessionAdapter`: the session store -> `SessionOut`.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from fastapi import FastAPI

from ingest.models import Catalog, Policy
from kg import cypher as Q
from serve.app import ApiError, create_app
from serve.container import Container
from serve.policies import PolicyService
from serve.routers.schemas import (
    ChatResponse,
    CitationOut,
    Clarification,
    ClarificationOption,
    IntentOut,
    SentimentOut,
    SessionOut,
    Timings,
    TurnOut,
)
from serve.services import Services
from serve.settings import Settings


# ----------------------------------------------------------------------------- version gate
class VersionGate:
    """Each answer runs on one store version from start to end.

    Answers hold the gate shared; a publish from this process takes it exclusive only for the
    pointer swap at the end of the sync (graph re-pointed, current.json replaced), after the new
    graph and index are complete. So an answer never sees the old graph with the new index or
    the reverse, and the swap waits for answers in flight (milliseconds) instead of failing them.
    Writer-preferring, so a stream of answers cannot starve a publish.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def acquire_shared(self) -> None:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_shared(self) -> None:
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    def acquire_exclusive(self) -> None:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True

    def release_exclusive(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()


# ------------------------------------------------------------------------------ the sync path
class StoreSync:
    """Publishes policy changes and catalog upserts as new store versions (graph + index)."""

    def __init__(self, container: Container, gate: VersionGate | None = None, lock_timeout_s: float = 60.0):
        self.container = container
        self.gate = gate or VersionGate()
        self.lock_timeout_s = lock_timeout_s
        self._lock = threading.Lock()
        #: Called after a catalog upsert is live (the pipeline reloads the entity names).
        self.after_catalog_upsert: Callable[[], None] = lambda: None

    def _query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.container.index()  # re-point the graph at the published version first
        return self.container.graph_store.query(cypher, params or {})

    def live_policies(self) -> list[Policy]:
        rows = self._query(Q.POLICIES, {"kind": None})
        keys = ("id", "kind", "scope", "target", "title", "body", "version", "effective_date")
        return [Policy.model_validate({k: r[k] for k in keys if r.get(k) is not None}) for r in rows]

    def _sync(self, catalog: Catalog, remove: list[tuple[str, str]] = ()) -> tuple[str, dict]:
        from ingest.sync import sync

        c, s = self.container, self.container.settings
        swapping = False

        def on_stage(stage: str) -> None:
            nonlocal swapping
            if stage == "commit":  # graph and index complete; next: re-point graph, swap current.json
                self.gate.acquire_exclusive()
                swapping = True

        with self._lock:
            try:
                report = sync(
                    catalog, c.graph_store, c.encoder, c.data_dir, chunk=c.chunk_config, index=c.index_config,
                    write_batch_size=s.graph.write_batch_size, lock_timeout_s=self.lock_timeout_s, remove=remove,
                    on_stage=on_stage,
                )
                c.index()  # this process's readers move to the new version now
            finally:
                if swapping:
                    self.gate.release_exclusive()
        if report.published:
            # the new version's BM25 index, built (and saved for the other workers) now rather
            # than by a shopper's question; answers arriving meanwhile rank without BM25
            c.lexical.load_in_background()
        stats = {"version": report.version, "published": report.published, "added": report.added,
                 "changed": report.changed, "removed": report.removed, "embedded": report.embedded,
                 "elapsed_s": report.elapsed_s}
        return f"v{report.version:06d}", stats

    # PolicySink
    def publish_policies(self, upserts: list[Policy], deletes: list[str]) -> str | None:
        # An upsert sync: what the catalog leaves out stays, OVERRIDES are re-derived in the graph.
        version, _ = self._sync(Catalog(policies=upserts), remove=[("policy", pid) for pid in deletes])
        return version

    # CatalogSink
    def upsert(self, catalog: Catalog) -> tuple[str | None, dict]:
        if catalog.policies:
            raise ApiError(422, "invalid_request",
                           "policies are managed through /v1/policies (versioned, audited); remove them from the body",
                           [{"loc": ["body"], "msg": "policy records not accepted here", "type": "value_error"}])
        self._check_references(catalog)
        version, stats = self._sync(catalog)
        self.after_catalog_upsert()
        return version, stats

    def _check_references(self, catalog: Catalog) -> None:
        """Bulk upserts may name brands, categories and products already in the store."""
        brands = {b.id for b in catalog.brands} | {r["id"] for r in self._query(Q.BRAND_NAMES)}
        categories = {c.id for c in catalog.categories} | {r["id"] for r in self._query(Q.CATEGORY_NAMES)}
        products = {p.id for p in catalog.products}
        after = ""
        while True:
            page = self._query(Q.PRODUCT_NAMES, {"after": after, "limit": 5000})
            products.update(r["id"] for r in page)
            if len(page) < 5000:
                break
            after = page[-1]["id"]
        details = []
        for n, p in enumerate(catalog.products):
            if p.brand and p.brand not in brands:
                details.append({"loc": ["body", f"product {p.id}", "brand"], "msg": f"no brand {p.brand!r}", "type": "reference"})
            if p.category and p.category not in categories:
                details.append({"loc": ["body", f"product {p.id}", "category"], "msg": f"no category {p.category!r}",
                                "type": "reference"})
            for rel in p.relations:
                if rel.target not in products:
                    details.append({"loc": ["body", f"product {p.id}", "relations"],
                                    "msg": f"no product {rel.target!r}", "type": "reference"})
        if details:
            first = details[0]
            raise ApiError(422, "invalid_request", f"{len(details)} unknown reference(s), nothing was written; first: "
                           f"{first['loc'][1]}: {first['msg']}", details)


# --------------------------------------------------------------------------------- adapters
def to_chat_response(answer: Any, session_id: str, understanding: Any = None) -> ChatResponse:
    """The pipeline's `rag.types.Answer` as the API's response body."""
    sources = {e.id: e.source for e in getattr(answer, "evidence", [])}
    citations = [
        CitationOut(number=c.number, id=c.evidence_id, kind=c.kind, source=sources.get(c.evidence_id), text=c.text,
                    doc_id=c.doc_id, doc_version=c.doc_version, applies_to=getattr(c, "applies_to", None))
        for c in answer.citations
    ]
    intent_conf = sentiment_score = None
    if understanding is not None:
        intent_conf = understanding.intent.confidence
        sentiment_score = understanding.sentiment.confidence
    options = [ClarificationOption(id=o.get("id", ""), label=o.get("label", o.get("id", "")))
               for o in (answer.clarification_options or [])]
    return ChatResponse(
        session_id=session_id,
        answer=answer.text,
        citations=citations,
        intent=IntentOut(label=answer.intent or "unknown", confidence=intent_conf),
        sentiment=SentimentOut(label=answer.sentiment or "neutral", score=sentiment_score),
        escalate=bool(answer.escalate),
        handoff_message=answer.handoff_message,
        clarification=Clarification(question=answer.text, options=options) if options else None,
        abstained=bool(answer.abstained),
        grounded=bool(answer.grounded),
        generator=answer.generator or "",
        fallback=bool(answer.fallback_reason),
        timings=Timings(stages_ms=dict(answer.timings.stages_ms), total_ms=answer.timings.total_ms),
    )


class PipelineEngine:
    """`rag.pipeline.AnswerPipeline` behind the `ChatEngine` protocol. A conversation without an
    id gets a fresh one here, so the session store records it under the id the client sees."""

    def __init__(self, pipeline: Any, gate: VersionGate | None = None):
        self.pipeline = pipeline
        self.gate = gate or VersionGate()

    @staticmethod
    def _session(session_id: str | None) -> str:
        return session_id or f"s-{uuid.uuid4().hex[:20]}"

    def answer(self, message: str, session_id: str | None, product_id: str | None) -> ChatResponse:
        sid = self._session(session_id)
        self.gate.acquire_shared()
        try:
            trace = self.pipeline.run(message, session_id=sid, product_id=product_id)
        finally:
            self.gate.release_shared()
        return to_chat_response(trace.answer, sid, trace.understanding)

    def stream(self, message: str, session_id: str | None, product_id: str | None) -> Iterator[str | ChatResponse]:
        sid = self._session(session_id)
        items = self.pipeline.stream(message, session_id=sid, product_id=product_id)
        # The pipeline reads graph and index before its first piece (understand, retrieve,
        # context); generation after that works on the context alone. So the gate is held for
        # the first step only, never across yields to a client that may be slow or gone.
        self.gate.acquire_shared()
        try:
            first = next(items, None)
        finally:
            self.gate.release_shared()
        if first is not None:
            yield first if isinstance(first, str) else to_chat_response(first, sid)
        for item in items:
            yield item if isinstance(item, str) else to_chat_response(item, sid)


class SessionAdapter:
    """The understanding layer's session store (`rag.understand.state.SessionStore`) as the
    API's conversation history: each stored turn becomes a user turn and, when answered, an
    assistant turn."""

    def __init__(self, store: Any):
        self.store = store

    def get(self, session_id: str) -> SessionOut | None:
        state = self.store.get(session_id)
        if state is None:
            return None
        turns: list[TurnOut] = []
        for t in state.turns:
            at = datetime.fromtimestamp(t.at, tz=timezone.utc)
            turns.append(TurnOut(role="user", text=t.text, at=at, intent=t.intent,
                                 entities=[e.id for e in (t.focus or t.entities)], sentiment=t.sentiment,
                                 escalate=t.escalate))
            if t.answer:
                turns.append(TurnOut(role="assistant", text=t.answer, at=at))
        focus = [{"kind": e.kind, "id": e.id, "name": e.name} for e in state.focus]
        return SessionOut(session_id=state.id, turns=turns,
                          state={"focus": focus, "last_intent": state.last_intent,
                                 "negative_turns": state.negative_turns})

    def delete(self, session_id: str) -> bool:
        return bool(self.store.delete(session_id))


# ------------------------------------------------------------------------------------ checks
def _graph_check(container: Container):
    def check() -> tuple[bool, str]:
        current = container.published()
        if current is None:
            return False, f"nothing ingested in {container.data_dir}"
        container.index()
        rows = container.graph_store.query(Q.GET_STORE_VERSION, {})
        return bool(rows), f"graph {container.graph_store.graph_ref}, store version {current.version}"
    return check


def _index_check(container: Container):
    def check() -> tuple[bool, str]:
        index = container.index()
        return index.ntotal > 0, f"{index.ntotal} vectors, version {index.manifest.version}"
    return check


def _generator_check(generator: Any, timeout_s: float = 2.0):
    def check() -> tuple[bool, str]:
        primary = getattr(generator, "primary", generator)
        base_url = getattr(primary, "base_url", None)
        if base_url:  # an OpenAI-compatible server (vLLM): is it answering?
            import httpx

            try:
                r = httpx.get(f"{base_url.rstrip('/')}/models", timeout=timeout_s)
                return r.status_code == 200, f"{primary.name} at {base_url}: HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                return False, f"{primary.name} at {base_url} unreachable ({type(exc).__name__}); extractive fallback answers"
        return True, primary.name
    return check


# ------------------------------------------------------------------------------------ build
def build_services(settings: Settings) -> Services:
    container = Container(settings)
    gate = VersionGate()
    sync_path = StoreSync(container, gate)
    policies = PolicyService(Path(settings.data_dir) / "policies.sqlite", sync_path)
    pipeline = container.pipeline()
    sync_path.after_catalog_upsert = container.refresh_entity_names
    container.index()  # fail at start, clearly, when nothing was ingested
    policies.reconcile()
    container.lexical.warm()  # loaded from disk (or built once), not on the first question

    def close() -> None:
        policies.close()
        container.close()

    return Services(
        engine=PipelineEngine(pipeline, gate),
        sessions=SessionAdapter(container.session_store),
        policies=policies,
        catalog=sync_path,
        checks={"graph": _graph_check(container), "index": _index_check(container),
                "generator": _generator_check(pipeline.generator)},
        close=close,
    )


def build_app(settings: Settings) -> FastAPI:
    return create_app(build_services(settings), settings.server)


def app_from_environment() -> FastAPI:
    """App factory for uvicorn worker processes (`shopgraph serve --workers N`): settings
    from the environment, as in the parent."""
    from serve.logging import configure_logging
    from serve.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return build_app(settings)
