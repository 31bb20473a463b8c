"""The one wiring place: builds the parts from `Settings` (graph store, encoder, published index)
so library code only ever takes plain constructor arguments. Other areas add their parts here
as further cached properties.

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

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if "graph_store" in self.__dict__:
            self.graph_store.close()
            del self.__dict__["graph_store"]
