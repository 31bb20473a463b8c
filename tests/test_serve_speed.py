"""The request path's speed-ups keep behaviour: worker processes on SO_REUSEPORT sockets share
the connections, graph reads are cached per store version, the BM25 index saved per version
loads back identical, and cached evidence-sentence vectors equal the encoder's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from serve.workers import reuseport_supported


# --------------------------------------------------------------------------- worker processes
def pid_app():
    """A tiny app for the worker test: says which process answered."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/pid")
    def pid() -> dict:
        return {"pid": os.getpid()}

    return app


def broken_app():
    raise RuntimeError("this app cannot start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_workers(app: str, port: int) -> subprocess.Popen:
    code = ("import sys; from serve.workers import serve_workers; "
            f"serve_workers('127.0.0.1', {port}, 2, {{'log_config': None, 'timeout_graceful_shutdown': 2}}, app={app!r})")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.skipif(not reuseport_supported(), reason="SO_REUSEPORT balancing is Linux-only")
def test_workers_share_connections_and_stop_cleanly():
    port = _free_port()
    proc = _run_workers("tests.test_serve_speed:pid_app", port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/pid", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "workers not serving after 60 s"
            time.sleep(0.2)
        time.sleep(1.0)  # both workers listening
        pids = set()
        for _ in range(24):  # each new connection is hashed onto a worker: 24 all on one is 2^-23
            with httpx.Client() as client:
                pids.add(client.get(f"http://127.0.0.1:{port}/pid").json()["pid"])
        assert len(pids) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


@pytest.mark.skipif(not reuseport_supported(), reason="SO_REUSEPORT balancing is Linux-only")
def test_worker_failing_at_startup_stops_the_server():
    proc = _run_workers("tests.test_serve_speed:broken_app", _free_port())
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert b"exited during startup" in out


# ------------------------------------------------------------------------ graph read cache
class CountingStore:
    """The real graph store, counting the reads that reach it."""

    def __init__(self, store):
        self.store, self.reads = store, 0

    def query(self, statement, params=None):
        self.reads += 1
        return self.store.query(statement, params or {})


def test_graph_reads_cached_per_version(retrieval_parts):
    from rag.retrieve.base import RetrievalQuery
    from rag.retrieve.graph import GraphRetriever, ReadCache
    from rag.understand.types import GraphQuery

    store = CountingStore(retrieval_parts["store"])
    version = [1]
    cached = GraphRetriever(store, cache=ReadCache(lambda: version[0]))
    plain = GraphRetriever(retrieval_parts["store"])
    q = RetrievalQuery(text="return policy", graph_queries=[GraphQuery(kind="policy", policy_kind="returns"),
                                                            GraphQuery(kind="faq")])
    first = cached.run(q).evidence
    reads = store.reads
    assert reads > 0
    assert [e.model_dump() for e in cached.run(q).evidence] == [e.model_dump() for e in first]
    assert store.reads == reads  # same version: no graph round trip
    assert [e.id for e in first] == [e.id for e in plain.run(q).evidence]
    version[0] = 2  # a new published version reads the graph again
    cached.run(q)
    assert store.reads == 2 * reads


# ----------------------------------------------------------------------- BM25 saved per version
def test_bm25_index_saved_and_loaded_scores_the_same(retrieval_parts, tmp_path):
    from rag.retrieve.lexical import BM25Index

    lexical = retrieval_parts["lexical"]
    lexical.save(tmp_path / "v000001")
    lexical.save(tmp_path / "v000001")  # a second process saving the same version is harmless
    loaded = BM25Index.load(tmp_path / "v000001")
    assert len(loaded) == len(lexical)
    owners = list({d.owner_id for d in lexical.docs})[:5]
    for q in ("return policy", "battery life hours", "item weight", "warranty for headphones"):
        assert np.allclose(loaded.scores(q), lexical.scores(q))
        assert loaded.search(q, 10, owner_ids=owners) == lexical.search(q, 10, owner_ids=owners)
        assert np.allclose(loaded.score_texts(q, ["battery: 20 hours"]), lexical.score_texts(q, ["battery: 20 hours"]))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


# -------------------------------------------------------------------- evidence vectors, cached
def test_cached_sentence_vectors_equal_the_encoders(sync_encoder):
    from rag.vector_cache import CachedTextEncoder

    texts = ["Returns are accepted within 30 days.", "Shipping is free over $50.", "Returns are accepted within 30 days."]
    cache = CachedTextEncoder(sync_encoder, size=2)
    got = cache.encode(texts)
    assert got.shape == (3, sync_encoder.dim)
    assert np.allclose(got, sync_encoder.encode(texts), atol=1e-5)
    assert np.allclose(cache.encode(texts[:1]), got[:1])
    cache.encode(["a third sentence", "a fourth one"])
    assert len(cache) == 2  # bounded
