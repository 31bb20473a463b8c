"""The reranker stage: one linear score per candidate from a few cheap, documented features.

No cross-encoder weights are available offline, so instead of a second neural model the final
order comes from features that each capture one thing product questions need:

  dense     cosine of question and candidate embeddings (all-MiniLM-L6-v2; the stored index
            vector for passages, so nothing is re-embedded at query time)
  lexical   BM25 of the question against the candidate's field-aware text (`fields.readable`),
            squashed to [0, 1) by s / (s + bm25_half) so it is comparable across questions
  question  for community answers (cqa) only: how many of the question's content words the
            *question that answer replied to* contains (a near-duplicate question is the
            strongest single signal; its answer is then very likely the answer)
  key       for attributes only: share of the attribute key's words that the question uses
            ("how much does it weigh" -> item_weight)
  prior     a per-source constant (a community answer or an applicable policy answers more
            often than a review sentence that shares words)

score = w_dense*dense + w_lexical*lexical + w_question*question + w_key*key + prior[source]

The weights were fitted once as a logistic regression of "fully answers" (ePQA dev label 2)
on these features, checked by 5-fold cross-validation grouped by question, and rounded; see
benchmarks/epqa_retrieval.py, which refits and prints them. Seven numbers; nothing is keyed to
individual questions or products.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from rag.retrieve.fields import content_terms, fields
from rag.types import Evidence


@dataclass(frozen=True)
class RerankWeights:
    dense: float = 6.0
    lexical: float = 1.5
    question: float = 1.5
    key: float = 1.0
    bm25_half: float = 8.0
    priors: Mapping[str, float] = field(default_factory=lambda: {
        "cqa": 0.9, "review": 0.0, "attribute": -0.2, "description": -0.3, "bullet": 0.1,
        "policy": 1.0, "faq": 0.6, "price": 1.0, "availability": 1.0, "comparison": 1.0,
        "compatibility": 1.0, "accessory": 0.8, "variant": 0.4, "similar": 0.8, "product": 0.3,
        "brand": 0.3,
    })
    default_prior: float = 0.0


@dataclass
class Features:
    """Per-candidate feature columns (same order as the candidates)."""

    dense: np.ndarray
    lexical: np.ndarray
    question: np.ndarray
    key: np.ndarray
    sources: list[str]

    def matrix(self) -> np.ndarray:
        return np.stack([self.dense, self.lexical, self.question, self.key], axis=1)


def _share(needles: set[str], hay: set[str]) -> float:
    return len(needles & hay) / len(needles) if needles else 0.0


class FeatureReranker:
    """Scores candidates for one question; see the module docstring for the features."""

    name = "rerank"

    def __init__(self, weights: RerankWeights | None = None):
        self.weights = weights or RerankWeights()

    def features(
        self,
        question: str,
        candidates: Sequence[Evidence],
        dense: np.ndarray,
        bm25: np.ndarray,
    ) -> Features:
        """`dense` and `bm25` are the raw per-candidate cosines and BM25 scores (NaN = unknown,
        counted as 0)."""
        q_terms = content_terms(question)
        quest = np.zeros(len(candidates), dtype=np.float32)
        key = np.zeros(len(candidates), dtype=np.float32)
        for i, ev in enumerate(candidates):
            f = fields(ev.text, ev.source)
            if f.question:
                quest[i] = _share(q_terms, content_terms(f.question))
            if f.key:
                key[i] = _share(content_terms(f.key), q_terms)
        b = np.nan_to_num(np.asarray(bm25, dtype=np.float32), nan=0.0)
        half = self.weights.bm25_half
        return Features(
            dense=np.nan_to_num(np.asarray(dense, dtype=np.float32), nan=0.0),
            lexical=b / (b + half),
            question=quest,
            key=key,
            sources=[(ev.source or "") for ev in candidates],
        )

    def score_features(self, f: Features) -> np.ndarray:
        w = self.weights
        prior = np.array([w.priors.get(s, w.default_prior) for s in f.sources], dtype=np.float32)
        return w.dense * f.dense + w.lexical * f.lexical + w.question * f.question + w.key * f.key + prior

    def rerank(
        self,
        question: str,
        candidates: Sequence[Evidence],
        dense: np.ndarray,
        bm25: np.ndarray,
        limit: int | None = None,
    ) -> list[Evidence]:
        """Candidates best first, each with `score` set to the reranker's score."""
        if not candidates:
            return []
        scores = self.score_features(self.features(question, candidates, dense, bm25))
        order = np.argsort(-scores, kind="stable")
        if limit:
            order = order[:limit]
        return [candidates[i].model_copy(update={"score": float(scores[i])}) for i in order]


def rank_candidates(
    reranker: FeatureReranker,
    question: str,
    candidates: Sequence[Evidence],
    encode: Callable[[list[str]], np.ndarray],
    bm25_scores: Callable[[str, Sequence[Evidence]], np.ndarray],
    question_vector: np.ndarray | None = None,
) -> list[int]:
    """Order (indices, best first) of arbitrary candidates for `question`: embeds what it must.
    The evaluation's "rank this product's labelled candidates" entry point."""
    if not candidates:
        return []
    from rag.retrieve.fields import readable

    q = question_vector if question_vector is not None else encode([question])[0]
    vecs = encode([readable(e.text, e.source) for e in candidates])
    dense = vecs @ np.asarray(q, dtype=np.float32)
    scores = reranker.score_features(reranker.features(question, candidates, dense, bm25_scores(question, candidates)))
    return [int(i) for i in np.argsort(-scores, kind="stable")]
