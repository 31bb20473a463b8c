"""Adapters that turn the product's parts into what the suites call: an `Answerer` callable
(question, evidence) -> grounded Answer, and candidate rankers (question, evidence) -> order.

Library code with plain arguments; `serve/commands/evaluate.py` passes the configured
generator and encoder.
"""

from __future__ import annotations

from collections.abc import Sequence

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
