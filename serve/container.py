"""The one wiring place: builds the parts from `Settings` (graph store, encoder, published index,
session store, understanding, retrieval, generator, the answer pipeline) so library code only
ever takes plain constructor arguments. The CLI, the HTTP service and evaluation all get their
pipeline here, so they answer the same way.

Everything is built lazily, on first use, and reused: the CLI's `stats` never loads the model,
`ingest` never opens an index it does not need.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cached_property
from pathlib import Path

from ingest import publish as pub
from ingest.chunking import ChunkConfig
from kg.store import GraphStore
from rag.encoder import Encoder, default_model_path, shared_encoder
from rag.vector_index import IndexConfig, VectorIndex
from serve.settings import Settings


class NothingPublished(RuntimeError):
    """The data dir holds no ingested store yet."""


class LazyEncoder:
    """`Encoder`'s ingestion interface (model_name, dim, encode) without loading the model
    until `dim` or `encode` is needed."""

    def __init__(self, settings: Settings):
        self._m = settings.models
        path = Path(self._m.embedding_model) if self._m.embedding_model else default_model_path()
        self.model_name = path.name if path.name != "model" else "all-MiniLM-L6-v2"  # as Encoder names it

    def _load(self) -> Encoder:
        return shared_encoder(self._m.embedding_model, self._m.embedding_batch_size, self._m.device)

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
        return shared_encoder(m.embedding_model, m.embedding_batch_size, m.device)

    def lazy_encoder(self) -> "LazyEncoder":
        """The same encoder, loaded only when something is embedded (an unchanged re-ingest
        then never pays for loading torch and the model)."""
        return LazyEncoder(self.settings)

    # -- the published index ------------------------------------------------------------------------
    def index(self) -> VectorIndex:
        """The published index, reopened (and the graph re-pointed) when a new version was
        published since the last call: one stat() per call otherwise."""
        with self._lock:
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
        from rag.retrieve.graph import GraphRetriever
        from rag.retrieve.hybrid import HybridRetriever

        encoder = self.encoder
        return HybridRetriever(GraphRetriever(self.graph_store), DenseRetriever(self.index, encoder.encode_one),
                               LexicalPerVersion(self), encode_many=encoder.encode)

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
    """The BM25 index of the published store version, rebuilt once when a new one is published
    (the first answer after a swap builds it; concurrent ones wait for it)."""

    def __init__(self, container: Container):
        self.container = container
        self._lock = threading.Lock()
        self._version: int | None = None
        self._lexical = None

    def __call__(self):
        from rag.retrieve.lexical import build_lexical_index, graph_attribute_rows

        index = self.container.index()
        with self._lock:
            if self._version != index.manifest.version:
                self._lexical = build_lexical_index(index.iter_passages(),
                                                    graph_attribute_rows(self.container.graph_store))
                self._version = index.manifest.version
            return self._lexical
