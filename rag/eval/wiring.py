"""Adapters that turn the product's parts into what the suites call: an `Answerer` callable
(question, evidence) -> grounded Answer, and candidate rankers (question, evidence) -> order.

Library code with plain arguments; `serve/commands/evaluate.py` passes the configured
generator and encoder.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.eval.answering import Answerer as AnswerFn
from rag.eval.rankers import BM25CandidateRanker, DenseCandidateRanker
from rag.generate.answerer import Answerer
from rag.grounding import GroundingChecker
from rag.types import Answer, Evidence


def evidence_answerer(generator, encoder, context_tokens: int = 1500) -> AnswerFn:
    """The product's generation half (context -> prompt -> generator with fallback ->
    grounding) over evidence the suite supplies."""
    answerer = Answerer(generator, GroundingChecker(encoder), context_tokens=context_tokens)

    def answer(question: str, evidence: list[Evidence]) -> Answer:
        return answerer.answer(question, evidence)

    return answer


def baseline_rankers(encoder, corpus: Sequence[str], queries: Sequence[str] = ()) -> dict:
    """The off-the-shelf anchors: BM25 and plain MiniLM cosine over the candidate texts."""
    bm25 = BM25CandidateRanker(corpus) if corpus else None
    dense = DenseCandidateRanker(encoder, corpus, queries) if corpus else None
    out = {}
    if bm25 is not None:
        out["bm25"] = lambda question, evidence: bm25.rank(question, [e.text for e in evidence])
    if dense is not None:
        out["dense"] = lambda question, evidence: dense.rank(question, [e.text for e in evidence])
    return out


class CachedEncoder:
    """Memoizes embeddings by text so candidates shared across systems are embedded once;
    with `path`, the memo persists (an .npz of texts and vectors, one file per model), so a
    re-run of a suite embeds nothing it embedded before."""

    def __init__(self, encoder, path: str | Path | None = None):
        self.encoder = encoder
        self.dim = encoder.dim
        self.path = Path(path) if path else None
        self._cache: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path is not None and self.path.is_file():
            with np.load(self.path, allow_pickle=False) as z:
                if z["vectors"].ndim == 2 and z["vectors"].shape[1] == self.dim:
                    self._cache = dict(zip(z["texts"].tolist(), z["vectors"]))

    def warm(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._dirty = True
        for start in range(0, len(missing), 512):
            chunk = missing[start:start + 512]
            for t, v in zip(chunk, self.encoder.encode(chunk)):
                self._cache[t] = v
        if missing and self.path is not None and len(missing) >= 64:
            self.save()

    def save(self) -> None:
        """Write the memo atomically (no-op without a path or without new texts)."""
        if self.path is None or not self._dirty or not self._cache:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._cache)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self._cache[t] for t in texts]))
        os.replace(tmp, self.path)
        self._dirty = False

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.warm(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._cache[t] for t in texts])

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def ours_candidate_ranker(encoder, corpus: Sequence[str], sources: Sequence[str | None] | None = None,
                          queries: Sequence[str] = ()):
    """The product's own ranking of a given candidate list, with the features the retrieval
    stage computes for them (rag/retrieve/hybrid.py + rerank.py): dense = cosine with the
    field-aware passage text, or for an attribute fact with its key in words ("item weight");
    BM25 with IDF from `corpus`; cqa-question and attribute-key matches; source priors; scored
    by the shipped reranker (rag.retrieve.hybrid.default_reranker: the linear features, then the
    cross-encoder on the best candidates). Returns ranker(question, evidence) -> order."""
    from rag.retrieve.fields import fields, readable
    from rag.retrieve.hybrid import default_reranker
    from rag.retrieve.lexical import BM25Index, LexDoc

    srcs = list(sources) if sources is not None else [None] * len(corpus)

    def dense_text(text: str, source: str | None) -> str:
        if source == "attribute":
            return fields(text, "attribute").key or readable(text, source)
        return readable(text, source)

    docs = [LexDoc(f"c{i}", t, s or "other", "pool", "graph_fact" if s == "attribute" else "passage")
            for i, (t, s) in enumerate(zip(corpus, srcs))]
    lex = BM25Index(docs) if docs else None
    cached = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder)
    cached.warm([*queries, *(dense_text(t, s) for t, s in zip(corpus, srcs))])
    reranker = default_reranker()

    def rank(question: str, evidence: list[Evidence]) -> list[int]:
        if not evidence:
            return []
        q = cached.encode_one(question)
        dense = cached.encode([dense_text(e.text, e.source) for e in evidence]) @ q
        bm25 = (lex.score_texts(question, [e.text for e in evidence], [e.source for e in evidence])
                if lex is not None else np.zeros(len(evidence), np.float32))
        scores = reranker.scores(question, evidence, dense, bm25)
        return [int(i) for i in np.argsort(-scores, kind="stable")]

    return rank


def candidate_rankers(encoder, corpus: tuple[Sequence[str], Sequence[str], Sequence[str]],
                      cache_path: str | Path | None = None) -> dict:
    """ours (the product's reranker) + the bm25 and dense baselines over the same candidates.
    `corpus` = (candidate texts, questions, candidate sources), as the suites' ranking_corpus()."""
    corpus, queries, sources = corpus
    cached = CachedEncoder(encoder, cache_path)
    rankers = {"ours": ours_candidate_ranker(cached, corpus, sources, queries)}
    rankers.update(baseline_rankers(cached, corpus, queries))
    cached.save()
    return rankers
