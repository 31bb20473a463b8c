"""Dense passages from the FAISS index: cosine of the message embedding with passage embeddings,
over the whole catalog or exactly over the passages of the linked owners (products, policies,
FAQs) when the plan scopes the search."""

from __future__ import annotations

from typing import Callable

import numpy as np

from rag.retrieve.base import RetrievalQuery
from rag.types import Evidence
from rag.vector_index import PassageRecord, VectorIndex


def passage_evidence(rec: PassageRecord, score: float, retriever: str) -> Evidence:
    """A stored passage as citable evidence (aliases keep other snippet ids of the same text)."""
    return Evidence(
        id=rec.key, text=rec.text, kind="passage", owner_id=rec.owner_id, owner_kind=rec.owner_kind,
        source=rec.source, doc_id=rec.doc_id, doc_version=rec.doc_version, score=score,
        retriever=retriever, aliases=list(rec.aliases),
    )


class DenseRetriever:
    name = "dense"

    def __init__(self, index: VectorIndex | Callable[[], VectorIndex], encode: Callable[[str], np.ndarray]):
        """`index` may be a callable returning the current published index (hot swaps);
        `encode` embeds one text (only used when the query carries no vector)."""
        self._index = index
        self._encode = encode

    @property
    def index(self) -> VectorIndex:
        return self._index() if callable(self._index) else self._index

    def vector(self, query: RetrievalQuery) -> np.ndarray:
        if query.vector is None:
            query.vector = np.asarray(self._encode(query.text), dtype=np.float32)
        return query.vector

    def retrieve(self, query: RetrievalQuery, k: int | None = None) -> list[Evidence]:
        k = k or query.k
        index = self.index
        # a source filter is applied after the search: fetch more so k survive it
        fetch = k * 4 if query.sources else k
        hits = index.search(self.vector(query), k=fetch, owner_ids=query.owner_ids)[0]
        recs = {r.vid: r for r in index.get([h.vid for h in hits])}
        out = [passage_evidence(recs[h.vid], h.score, self.name) for h in hits if h.vid in recs]
        if query.sources:
            out = [e for e in out if e.source in query.sources]
        return out[:k]
