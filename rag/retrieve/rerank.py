"""The reranker stage: one linear score per candidate from a few cheap, documented features.

No cross-encoder weights are available offline, so instead of a second neural model the final
order comes from features that each capture one thing product questions need:

  dense     cosine of question and candidate embeddings (all-MiniLM-L6-v2; the stored index
            vector for passages, so nothing is re-embedded at query time)
  overlap   share of the question's content words (stemmed, stop words out) that the answering
            part of the snippet contains (for a community answer: the answer, not its question)
  question  for community answers (cqa): share of the question's words in the *question that
            answer replied to*. Its weight is negative: the full-text embedding already credits
            a repeated question, and an answer to a merely similar question often misses
  key       for attributes: share of the attribute key's words the question uses
            ("how much does it weigh" -> item_weight). Its fitted weight is slightly negative:
            an attribute fact's `dense` is already the cosine with its key
  yes/no    the question is a yes/no question and the snippet answers with yes/no
  length    log(1 + words): a bare fragment rarely answers
  lexical   BM25 squashed to [0, 1): exact tokens, model numbers
  prior     a per-source constant (a community answer answers more often than a description)

score = sum of weight * feature + prior[source]

The weights are a *pairwise* logistic regression on ePQA dev's graded labels: within a
question, every candidate that "fully answers" (label 2) should outscore a "helpful" (1) or
irrelevant (0) one, and a helpful one an irrelevant one. Fitting the order, not "label 2 or not"
per candidate, raised grouped 5-fold CV P@1 from 0.693 to 0.709 with the same features.
Checked by 5-fold cross-validation grouped by question, rounded; benchmarks/epqa_retrieval.py
refits them (`--fit`) and prints the cross-validated P@1 next to the shipped weights'. Twelve
numbers; nothing is keyed to individual questions or products. `lexical` earns a weight
(1.85) in the pairwise fit, where the pointwise one left it at ~0.

Second stage (the default, see `default_reranker`): a cross-encoder (rag/retrieve/cross_encoder.py,
fine-tuned on hetPQA/semiPQA, then continued on ePQA dev; honest ePQA numbers come from fold
models that hold products out) reads question and snippet together and its logit
becomes one more feature, `cross`. It costs a transformer pass per candidate, so only the
`cross_top` best candidates of the first stage are rescored, with a second weight set
(`CROSS_WEIGHTS`, fitted the same way with `cross` among the features); the rest keep their
first-stage order below them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rag.retrieve.fields import content_terms, fields
from rag.textutil import is_yes_no_question
from rag.types import Evidence

if TYPE_CHECKING:
    from rag.retrieve.cross_encoder import CrossEncoder


@dataclass(frozen=True)
class RerankWeights:
    dense: float = 7.12
    overlap: float = 1.52
    question: float = -2.86
    key: float = -0.29
    yes_no: float = 0.89
    length: float = 0.45
    lexical: float = 1.85
    cross: float = 0.0
    bm25_half: float = 8.0
    #: catalog-wide searches only: see `with_owner_support`
    owner_support: float = 1.0
    priors: Mapping[str, float] = field(default_factory=lambda: {
        # fitted on ePQA (pairwise, so only their differences matter)
        "cqa": 0.63, "review": -0.35, "attribute": 0.46, "description": -0.69, "bullet": -0.05,
        # our own catalog's sources (not in ePQA): store documents written to answer questions,
        # ranked like the best ePQA source
        "policy": 0.63, "faq": 0.63,
    })
    default_prior: float = 0.0


#: Second-stage weights, with the cross-encoder logit: the same pairwise fit with `cross` among
#: the features, on *out-of-fold* cross-encoder logits (each ePQA question scored by a fold model
#: that never saw its product: benchmarks/epqa_retrieval.py --cross-artifacts FOLD0,FOLD1 --fit),
#: rounded. Grouped 5-fold CV P@1 0.718 (linear stage alone: 0.709; pointwise fit: 0.712).
CROSS_WEIGHTS = RerankWeights(
    dense=4.68, overlap=0.74, question=-2.76, key=-0.55, yes_no=0.85, length=0.36, lexical=1.12, cross=0.31,
    priors={"cqa": 0.44, "review": -0.28, "attribute": 0.48, "description": -0.58, "bullet": -0.05,
            "policy": 0.48, "faq": 0.48},
)


_YES_NO_ANSWER = re.compile(r"^\W*(yes|no|nope|yep|yeah|not|it does|it is|they do|they are)\b", re.IGNORECASE)


@dataclass
class Features:
    """Per-candidate feature columns (same order as the candidates)."""

    dense: np.ndarray
    overlap: np.ndarray
    question: np.ndarray
    key: np.ndarray
    yes_no: np.ndarray
    length: np.ndarray
    lexical: np.ndarray
    sources: list[str]
    #: cross-encoder logits (0 where not scored)
    cross: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    NAMES = ("dense", "overlap", "question", "key", "yes_no", "length", "lexical", "cross")

    def __post_init__(self) -> None:
        if len(self.cross) != len(self.dense):
            self.cross = np.zeros(len(self.dense), np.float32)

    def matrix(self) -> np.ndarray:
        return np.stack([getattr(self, n) for n in self.NAMES], axis=1)


def _share(needles: set[str], hay: set[str]) -> float:
    return len(needles & hay) / len(needles) if needles else 0.0


class FeatureReranker:
    """Scores candidates for one question; see the module docstring for the features.
    With a `cross_encoder`, the `cross_top` best first-stage candidates are rescored with the
    cross-encoder logit as a feature and `cross_weights`."""

    name = "rerank"

    def __init__(self, weights: RerankWeights | None = None, cross_encoder: CrossEncoder | None = None,
                 cross_weights: RerankWeights | None = None, cross_top: int = 12):
        self.weights = weights or RerankWeights()
        self.cross_encoder = cross_encoder
        self.cross_weights = cross_weights or CROSS_WEIGHTS
        self.cross_top = cross_top

    def features(
        self,
        question: str,
        candidates: Sequence[Evidence],
        dense: np.ndarray,
        bm25: np.ndarray,
    ) -> Features:
        """`dense` and `bm25` are the raw per-candidate cosines and BM25 scores (NaN = unknown,
        counted as 0). `cross` stays 0 here: `scores` fills it for the candidates it rescores."""
        n = len(candidates)
        q_terms = content_terms(question)
        yn_question = is_yes_no_question(question)
        cols = {k: np.zeros(n, dtype=np.float32) for k in ("overlap", "question", "key", "yes_no", "length")}
        for i, ev in enumerate(candidates):
            f = fields(ev.text, ev.source)
            body = f"{f.key} {f.body}" if f.key else f.body
            cols["overlap"][i] = _share(q_terms, content_terms(body))
            if f.question:
                cols["question"][i] = _share(q_terms, content_terms(f.question))
            if f.key:
                cols["key"][i] = _share(content_terms(f.key), q_terms)
            cols["yes_no"][i] = float(yn_question and bool(_YES_NO_ANSWER.match(f.body)))
            cols["length"][i] = np.log1p(len(f.body.split()))
        b = np.nan_to_num(np.asarray(bm25, dtype=np.float32), nan=0.0)
        b = np.maximum(b, 0.0)
        return Features(
            dense=np.nan_to_num(np.asarray(dense, dtype=np.float32), nan=0.0),
            lexical=b / (b + self.weights.bm25_half),
            sources=[(ev.source or "") for ev in candidates],
            **cols,
        )

    def score_features(self, f: Features, weights: RerankWeights | None = None) -> np.ndarray:
        w = weights or self.weights
        prior = np.array([w.priors.get(s, w.default_prior) for s in f.sources], dtype=np.float32)
        vec = np.array([getattr(w, n) for n in Features.NAMES], dtype=np.float32)
        return f.matrix() @ vec + prior

    def scores(
        self,
        question: str,
        candidates: Sequence[Evidence],
        dense: np.ndarray,
        bm25: np.ndarray,
        owner_support: bool = False,
    ) -> np.ndarray:
        """One score per candidate (higher = better). Without a cross-encoder: the linear
        score. With one: the `cross_top` best by the linear score are rescored with the
        cross-encoder feature and placed above the rest, whose order is kept."""
        f = self.features(question, candidates, dense, bm25)
        owners = [c.owner_id for c in candidates]
        first = self.score_features(f)
        if owner_support:
            first = with_owner_support(first, owners, self.weights.owner_support)
        if self.cross_encoder is None or not len(candidates):
            return first
        from rag.retrieve.cross_encoder import candidate_text

        top = np.argsort(-first, kind="stable")[: self.cross_top]
        f.cross[top] = self.cross_encoder.score(question, [candidate_text(candidates[i].text, candidates[i].source)
                                                           for i in top])
        second = self.score_features(f, self.cross_weights)[top]
        if owner_support:
            second = with_owner_support(second, [owners[i] for i in top], self.cross_weights.owner_support)
        out = first - first.max() + second.min() - 1.0  # the rest: below every rescored one
        out[top] = second
        return out.astype(np.float32)

    def rerank(
        self,
        question: str,
        candidates: Sequence[Evidence],
        dense: np.ndarray,
        bm25: np.ndarray,
        limit: int | None = None,
        owner_support: bool = False,
    ) -> list[Evidence]:
        """Candidates best first, each with `score` set to the reranker's score.
        `owner_support`: a catalog-wide search (see `with_owner_support`)."""
        if not candidates:
            return []
        scores = self.scores(question, candidates, dense, bm25, owner_support=owner_support)
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
    scores = reranker.scores(question, candidates, dense, bm25_scores(question, candidates))
    return [int(i) for i in np.argsort(-scores, kind="stable")]


def with_owner_support(scores: np.ndarray, owners: Sequence[str | None], weight: float = 1.0) -> np.ndarray:
    """Catalog-wide search: add `weight` x the *second-best* score among the other candidates of
    the same owner (product), relative to the pool's minimum. A question is about one product;
    when several of a product's snippets match it, that product is likely the one meant, and its
    best snippet likely the answer (passage-to-document evidence aggregation). Owners with a
    single candidate get no bonus. Not used when the search is scoped to known owners.
    On ePQA dev unscoped: Hit@5 0.750 -> 0.788 (benchmarks/epqa_retrieval.py)."""
    s = np.asarray(scores, dtype=np.float32)
    if len(s) == 0 or weight == 0:
        return s
    floor = float(s.min())
    by_owner: dict[str | None, list[float]] = {}
    for o, v in zip(owners, s):
        by_owner.setdefault(o, []).append(float(v))
    second = {o: sorted(v, reverse=True)[1] if len(v) > 1 and o is not None else floor for o, v in by_owner.items()}
    return s + weight * (np.array([second[o] for o in owners], dtype=np.float32) - floor)
