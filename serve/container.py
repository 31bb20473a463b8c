"""The one wiring place: builds the parts from `Settings` (graph store, encoder, published index,
session store, understanding, retrieval, generator, the answer pipeline) so library code only
ever takes plain constructor arguments. The CLI, the HTTP service and evaluation all get their
pipeline here, so they answer the same way.

Everything is built lazily, on first use, and reused: the CLI's `stats` never loads the model,
`ingest` never opens an index it does not need.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from functools import cached_property
from pathlib import Path

from ingest import publish as pub
from ingest.chunking import ChunkConfig
from kg.store import GraphStore
from rag.encoder import Encoder, model_name_for, shared_encoder
from rag.vector_index import IndexConfig, VectorIndex
from serve.settings import Settings


class NothingPublished(RuntimeError):
    """The data dir holds no ingested store yet."""


class LazyEncoder:
    """`Encoder`'s ingestion interface (model_name, dim, encode) without loading the model
    until `dim` or `encode` is needed."""

    def __init__(self, settings: Settings):
        self._m = settings.models
        self.model_name = model_name_for(self._m.embedding_model, self._m.embedding_backend)  # as Encoder does

    def _load(self) -> Encoder:
        return shared_encoder(**self._m.encoder_options())

    @property
    def dim(self) -> int:
        return self._load().dim

    def encode(self, texts: list[str], progress: bool = False):
        return self._load().encode(texts, progress)


class Container:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.data_dir: Path = Path(settings.data_dir)
        self._lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._watcher = pub.CurrentWatcher(self.data_dir)
        self._pipelines: dict[str, object] = {}
        self._checked_at = 0.0

    # -- configuration for library code -------------------------------------------------------
    @property
    def chunk_config(self) -> ChunkConfig:
        s = self.settings.index
        return ChunkConfig(chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap)

    @property
    def index_config(self) -> IndexConfig:
        s = self.settings.index
        return IndexConfig(kind=s.kind, exact_max_vectors=s.exact_max_vectors)

    # -- graph ------------------------------------------------------------------------------------
    @cached_property
    def graph_store(self) -> GraphStore:
        """FalkorDB (embedded server for this data dir, started or reused; or the configured
        URL) or Neo4j, pointed at the published graph when there is one."""
        g = self.settings.graph
        current = pub.read_current(self.data_dir)
        if g.backend == "neo4j":
            from kg.neo4j_store import Neo4jGraphStore

            store: GraphStore = Neo4jGraphStore(
                g.neo4j_uri, user=g.neo4j_user, password=g.neo4j_password.get_secret_value(),
                database=g.neo4j_database,
            )
        else:
            from kg.falkordb_store import FalkorDBGraphStore

            if g.falkordb_url:
                # A shared server: one graph name per data dir keeps two stores apart.
                tag = hashlib.blake2b(str(self.data_dir.resolve()).encode(), digest_size=4).hexdigest()
                store = FalkorDBGraphStore.from_url(g.falkordb_url, name=f"shopgraph-{tag}")
            else:
                from kg.falkordb_server import FalkorDBServer

                server = FalkorDBServer(self.data_dir)
                server.start()
                store = FalkorDBGraphStore(server.connect())
        if current is not None and current.graph_ref:
            store.use(current.graph_ref)
        return store

    # -- models -----------------------------------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        m = self.settings.models
        return shared_encoder(**m.encoder_options())

    def lazy_encoder(self) -> "LazyEncoder":
        """The same encoder, loaded only when something is embedded (an unchanged re-ingest
        then never pays for loading torch and the model)."""
        return LazyEncoder(self.settings)

    # -- the published index ------------------------------------------------------------------------
    def index(self) -> VectorIndex:
        """The published index, reopened (and the graph re-pointed) when a new version was
        published since the last call: one stat() per call otherwise."""
        with self._lock:
            self._checked_at = time.monotonic()
            if self._watcher.changed() or self._index is None:
                current = pub.read_current(self.data_dir)
                if current is None:
                    raise NothingPublished(
                        f"nothing ingested in {self.data_dir}; run `shopgraph demo` or `shopgraph ingest`"
                    )
                if self._index is None or self._index.manifest.version != current.version:
                    old, self._index = self._index, VectorIndex.open(current.index_path(self.data_dir))
                    if old is not None:
                        old.close()
                if "graph_store" in self.__dict__ and self.graph_store.graph_ref != current.graph_ref:
                    self.graph_store.use(current.graph_ref)
            return self._index

    #: How often the answer path looks for a version published by another process.
    WATCH_INTERVAL_S = 0.05

    def serving_index(self) -> VectorIndex:
        """`index()` for the answer path, which asks for it several times per answer: looks for
        a version published by another process at most every WATCH_INTERVAL_S (a publish from
        this process re-points at once: StoreSync calls `index()`)."""
        index = self._index
        if index is not None and time.monotonic() - self._checked_at < self.WATCH_INTERVAL_S:
            return index
        return self.index()

    def published(self) -> pub.Published | None:
        return pub.read_current(self.data_dir)

    # -- the query side ---------------------------------------------------------------------------
    @cached_property
    def session_store(self):
        from rag.understand.state import open_session_store

        s = self.settings.server
        return open_session_store(s.session_store_url, self.data_dir, s.session_ttl_s)

    def entity_linker(self):
        """The linker over the published graph's names (None before anything is ingested)."""
        from rag.understand.linker import EntityLinker

        if self.published() is None:
            return None
        self.index()  # point the graph at the published version before reading names
        return EntityLinker.from_graph(self.graph_store, encoder=self.encoder)

    @cached_property
    def understander(self):
        from rag.understand.pipeline import Understander

        return Understander.from_artifacts(self.encoder, linker=self.entity_linker(), sessions=self.session_store)

    def refresh_entity_names(self) -> None:
        """Re-read product/brand/category names after a catalog change."""
        if "understander" in self.__dict__:
            self.understander.linker = self.entity_linker()

    @cached_property
    def retriever(self):
        from rag.retrieve.dense import DenseRetriever
        from rag.retrieve.graph import GraphRetriever, ReadCache
        from rag.retrieve.hybrid import HybridRetriever, default_reranker

        encoder = self.encoder
        # graph reads are cached per published version (a version never changes)
        graph = GraphRetriever(self.graph_store, cache=ReadCache(self.store_version))
        m = self.settings.models
        cross = m.cross_encoder if m.cross_encoder != "auto" else self.settings.generator.kind != "extractive"
        reranker = default_reranker(cross, cache_dir=m.embedding_cache_dir or None,
                                    cross_top=m.cross_encoder_top)
        return HybridRetriever(graph, DenseRetriever(self.serving_index, encoder.encode_one),
                               self.lexical, encode_many=encoder.encode, reranker=reranker)

    @cached_property
    def lexical(self) -> "LexicalPerVersion":
        """The published version's BM25 index (call it; `.warm()` after a publish)."""
        return LexicalPerVersion(self)

    def store_version(self) -> int:
        """The published version readers use now (the graph is re-pointed when it changed)."""
        return self.serving_index().manifest.version

    def generator(self, kind: str | None = None):
        """The configured generator (wrapped in the extractive fallback), or another kind."""
        from rag.generate.factory import generator_from_settings

        g = self.settings.generator
        if kind:
            g = g.model_copy(update={"kind": kind})
        return generator_from_settings(g, data_dir=self.data_dir, encoder=self.encoder)

    def pipeline(self, generator: str | None = None):
        """The answer pipeline (one per generator kind, built once)."""
        from rag.grounding import GroundingChecker
        from rag.pipeline import AnswerPipeline

        kind = generator or self.settings.generator.kind
        with self._lock:
            cached = self._pipelines.get(kind)
        if cached is None:
            understander = self.understander
            cached = AnswerPipeline(
                understander, self.retriever, self.generator(kind), checker=GroundingChecker(self.encoder),
                sessions=understander, context_tokens=self.settings.generator.context_tokens,
            )
            with self._lock:
                cached = self._pipelines.setdefault(kind, cached)
        return cached

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if "graph_store" in self.__dict__:
            self.graph_store.close()
            del self.__dict__["graph_store"]


class LexicalPerVersion:
    """The BM25 index of the published store version: built once per version and saved under
    DATA_DIR/lexical/vNNNNNN, so every server process (and every restart) loads it from disk
    (memory-mapped, seconds at 100k products) instead of rebuilding it (minutes at 100k).

    `warm()` loads (or builds) it in the calling thread: the server at start, the CLI after it
    publishes, StoreSync in the background after a publish through the API. An answer never
    waits for it: when the version changed and the new index is not loaded yet (another process
    published it), the answer ranks without BM25 (graph and dense, all of the new version)
    while a background thread loads it."""

    KEEP = 2  # saved versions kept: the current one and the one before it
    RETRY_AFTER_S = 10.0  # after a failed background load

    def __init__(self, container: Container):
        self.container = container
        self._lock = threading.Lock()  # held while loading or building
        self._current: tuple[int | None, object] = (None, None)  # (version, index), swapped as one
        self._background_lock = threading.Lock()
        self._loading = False
        self._failed_at = float("-inf")

    def __call__(self):
        version = self.container.serving_index().manifest.version
        loaded_version, lexical = self._current
        if loaded_version == version:
            return lexical
        if lexical is None:  # nothing loaded in this process yet: nothing to answer without
            return self.warm()
        self.load_in_background()
        return None

    def warm(self):
        """The published version's index, loaded (or built and saved) now."""
        index = self.container.serving_index()
        with self._lock:
            if self._current[0] != index.manifest.version:
                self._current = (index.manifest.version, self.load_or_build(index))
            return self._current[1]

    def load_in_background(self) -> None:
        """Start loading (or building) the published version's index in a thread, unless one
        is at it already."""
        with self._background_lock:
            if self._loading or time.monotonic() - self._failed_at < self.RETRY_AFTER_S:
                return
            self._loading = True
        threading.Thread(target=self._background, name="lexical-load", daemon=True).start()

    def _background(self) -> None:
        from serve.logging import get_logger

        try:
            self.warm()
        except Exception as exc:  # answers go on without BM25; retried after RETRY_AFTER_S
            self._failed_at = time.monotonic()
            get_logger("shopgraph.lexical").exception("lexical_index_load_failed", error_type=type(exc).__name__)
        finally:
            with self._background_lock:
                self._loading = False

    def ensure_saved(self) -> None:
        """Build and save the published version's index unless it is on disk already."""
        if not (self.directory(self.container.index().manifest.version) / "meta.json").is_file():
            self.warm()

    def directory(self, version: int) -> Path:
        return self.container.data_dir / "lexical" / f"v{version:06d}"

    def load_or_build(self, index: VectorIndex):
        from rag.retrieve.lexical import BM25Index, build_lexical_index, graph_attribute_rows
        from serve.logging import get_logger

        log = get_logger("shopgraph.lexical")
        version = index.manifest.version
        directory = self.directory(version)
        if (directory / "meta.json").is_file():
            try:
                return BM25Index.load(directory)
            except (OSError, ValueError) as exc:  # unreadable: rebuild it (and say so)
                log.warning("lexical_index_unreadable", path=str(directory), error=str(exc))
                shutil.rmtree(directory, ignore_errors=True)
        t0 = time.perf_counter()
        lexical = build_lexical_index(index.iter_passages(), graph_attribute_rows(self.container.graph_store))
        try:
            lexical.save(directory)
            self._prune(version)
        except OSError as exc:  # a read-only data dir still answers, from memory
            log.warning("lexical_index_not_saved", path=str(directory), error=str(exc))
        log.info("lexical_index_built", version=version, docs=len(lexical), s=round(time.perf_counter() - t0, 2))
        return lexical

    def _prune(self, version: int) -> None:
        root = self.container.data_dir / "lexical"
        saved = sorted((p for p in root.glob("v*") if p.name[1:].isdigit()), key=lambda p: int(p.name[1:]))
        for old in saved[: -self.KEEP]:
            if int(old.name[1:]) < version:
                shutil.rmtree(old, ignore_errors=True)
