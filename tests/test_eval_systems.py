"""Ours and the retrieval baselines built over a real ingested store (FalkorDB, FAISS, BM25,
MiniLM): each baseline retrieves only what its name says."""

from __future__ import annotations

from ingest import publish
from rag.eval.systems import build_systems, store_retriever
from rag.generate import make_generator
from rag.retrieve.base import RetrievalQuery
from rag.understand.types import GraphQuery
from rag.vector_index import VectorIndex


def test_retrieval_baselines_over_the_demo_store(ingested_demo, sync_encoder):
    data_dir, store, _ = ingested_demo
    current = publish.read_current(data_dir)
    store.use(current.graph_ref)
    index = VectorIndex.open(current.index_path(data_dir))
    try:
        systems = build_systems(None, make_generator("extractive"),
                                retriever=store_retriever(store, index, sync_encoder))
        assert systems.pipelines == {}
        query = lambda: RetrievalQuery(  # noqa: E731 - a fresh query per system (vectors are cached on it)
            text="what is the return policy for laptops?", k=5,
            graph_queries=[GraphQuery(kind="policy", category_ids=["laptops"], policy_kind="returns")],
            category_ids=["laptops"], policy_kind="returns")
        ours = systems.retrievers["ours"].retrieve(query(), limit=5).evidence
        assert any(e.kind == "graph_fact" and e.doc_id == "returns-laptops" for e in ours)
        passages = systems.retrievers["passages_only"].retrieve(query(), limit=5).evidence
        assert passages and all(e.kind == "passage" for e in passages)
        for name, retriever_name in (("bm25_only", "bm25"), ("dense_only", "dense")):
            found = systems.retrievers[name].retrieve(query(), limit=5).evidence
            assert found and all(e.kind == "passage" and retriever_name in (e.retriever or "") for e in found), name
    finally:
        index.close()
