"""Ours and the baselines as whole systems over one ingested store, built from the parts of
the product's answer pipeline (rag/pipeline.py), so every system shares the same understanding,
context builder, grounding check and store, and differs only where its name says:

| system          | retrieval                                   | generator          |
|-----------------|---------------------------------------------|--------------------|
| ours            | graph facts + dense + BM25, fused, reranked | the configured one |
| extractive      | as ours                                     | extractive         |
| passages_only   | dense + BM25, fused, reranked (no graph)    | baseline generator |
| bm25_only       | BM25 passages                               | baseline generator |
| dense_only      | dense (FAISS) passages                      | baseline generator |

The baseline generator is the extractive one unless told otherwise: a model generator answers
only for ours, which keeps a full run on a 2-core CPU within its time budget, and makes
`extractive` vs the three retrieval baselines a same-generator comparison of retrieval, while
ours vs `extractive` isolates the generator (docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.pipeline import AnswerPipeline
from rag.retrieve.hybrid import HybridRetriever
from rag.types import Answer

BASELINES = ("extractive", "passages_only", "bm25_only", "dense_only")


@dataclass
class Systems:
    pipelines: dict[str, AnswerPipeline]
    retrievers: dict[str, HybridRetriever]

    def ask(self, name: str) -> Callable[[str, str | None, str | None], Answer]:
        pipe = self.pipelines[name]

        def ask(message: str, session_id: str | None, product_id: str | None) -> Answer:
            return pipe.answer(message, session_id=session_id, product_id=product_id)

        return ask


def store_retriever(graph_store, index, encoder) -> HybridRetriever:
    """The product's hybrid retriever over one store (as serve/container.py builds it): graph,
    dense over the published FAISS index, BM25 over its passages and the graph's attributes."""
    from rag.retrieve.dense import DenseRetriever
    from rag.retrieve.graph import GraphRetriever
    from rag.retrieve.hybrid import default_reranker
    from rag.retrieve.lexical import build_lexical_index, graph_attribute_rows

    lexical = build_lexical_index(index.iter_passages(), graph_attribute_rows(graph_store))
    return HybridRetriever(GraphRetriever(graph_store), DenseRetriever(index, encoder.encode_one), lexical,
                           encode_many=encoder.encode, reranker=default_reranker())


def build_systems(ours: AnswerPipeline | None, extractive_generator, baseline_generator=None,
                  retriever: HybridRetriever | None = None) -> Systems:
    """Ours plus the four baselines from `ours`'s parts (see the module docstring). Without a
    pipeline (`ours` None) only the retrievers are built, from `retriever`."""
    base_gen = baseline_generator or extractive_generator
    r = ours.retriever if ours is not None else retriever
    assert r is not None
    lexical = r._lexical  # the index or the callable returning the current one
    retrievers = {
        "ours": r,
        "extractive": r,
        "passages_only": HybridRetriever(None, r.dense, lexical, encode_many=r.keys._encode if r.keys else None,
                                         reranker=r.reranker, fusion=r.fusion, pool=r.pool),
        "bm25_only": HybridRetriever(None, None, lexical, reranker=None, pool=r.pool),
        "dense_only": HybridRetriever(None, r.dense, None, reranker=None, pool=r.pool),
    }

    def variant(retriever: HybridRetriever, generator) -> AnswerPipeline:
        return AnswerPipeline(ours.understander, retriever, generator, checker=ours.checker,
                              extractive=ours.extractive, sessions=ours.sessions,
                              context_tokens=ours.context_tokens, max_context_items=ours.max_context_items)

    if ours is None:
        return Systems({}, retrievers)
    pipelines = {"ours": ours, "extractive": variant(r, extractive_generator)}
    for name in ("passages_only", "bm25_only", "dense_only"):
        pipelines[name] = variant(retrievers[name], base_gen)
    return Systems(pipelines, retrievers)
