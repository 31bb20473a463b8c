"""Retrieval: graph facts by plan, dense and BM25 passages, fusion and reranking.

    from rag.retrieve import HybridRetriever, RetrievalQuery
    result = hybrid.retrieve(RetrievalQuery.from_understanding(u))
    result.evidence      # fused + reranked, best first (graph facts the plan asked for first)
    result.overridden    # policies overridden by the applicable one (for explanations)
"""

from rag.retrieve.base import RetrievalQuery, Retriever
from rag.retrieve.dense import DenseRetriever
from rag.retrieve.fusion import FusionConfig, rrf
from rag.retrieve.graph import GraphResult, GraphRetriever, OverriddenPolicy
from rag.retrieve.hybrid import HybridRetriever, RetrievalResult
from rag.retrieve.lexical import BM25Index, LexDoc, build_lexical_index
from rag.retrieve.rerank import FeatureReranker, RerankWeights

__all__ = [
    "BM25Index", "DenseRetriever", "FeatureReranker", "FusionConfig", "GraphResult", "GraphRetriever",
    "HybridRetriever", "LexDoc", "OverriddenPolicy", "RerankWeights", "RetrievalQuery", "RetrievalResult",
    "Retriever", "build_lexical_index", "rrf",
]
