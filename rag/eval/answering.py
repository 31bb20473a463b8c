"""Scoring one answer against its evidence and human references, the same way in every suite.

An `Answerer` turns (question, evidence) into a grounded `Answer`; suites build one per system
(ours = the configured generator, `extractive` = the extractive generator alone), run it over
the same items and score it here, so ours and the baselines are judged by identical rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.eval import metrics as m
from rag.textutil import split_sentences, strip_citations
from rag.types import Answer, Evidence

Answerer = Callable[[str, list[Evidence]], Answer]


@dataclass
class ScoredAnswer:
    rouge_l: float | None
    token_f1: float | None
    faithfulness: float | None
    raw_faithfulness: float | None
    abstained: bool
    verdict: str  # correct | abstained | wrong


def answer_body(answer: Answer) -> str:
    """The answer text without citation markers, as a reader sees the claim."""
    return " ".join(strip_citations(answer.text).split())


def sentence_support(answer: Answer) -> tuple[list[bool], list[bool]]:
    """(final, raw): per sentence, is it supported by the evidence it cites?

    `final` judges the answer as delivered: its kept sentences passed the grounding check
    (rag/grounding.py), so each counts as supported only when the answer is `grounded`.
    `raw` adds the sentences grounding dropped (unsupported) to measure the generator itself.
    """
    if answer.abstained:
        return [], [False] * len(answer.dropped)
    kept = split_sentences(strip_citations(answer.text))
    final = [bool(answer.grounded)] * len(kept)
    raw = final + [False] * len(answer.dropped)
    return final, raw


def score_answer(
    answer: Answer,
    references: Sequence[str],
    correct_threshold: float = 0.5,
    supported_ids: set[str] | None = None,
) -> ScoredAnswer:
    """Overlap with the references plus the CRAG-style verdict (rule in docs/evaluation.md):

    - ``abstained``: the answer is the abstention (score 0);
    - ``correct``: grounded (every delivered sentence supported by its cited evidence) AND
      either ROUGE-L with the best reference >= `correct_threshold`, or it cites an evidence id
      in `supported_ids` (evidence humans labelled as fully answering the question);
    - ``wrong``: anything else, including fluent answers that are unsupported (score -1).
    """
    final, raw = sentence_support(answer)
    if answer.abstained:
        return ScoredAnswer(0.0 if references else None, 0.0 if references else None,
                            None, m.faithfulness(raw), True, "abstained")
    body = answer_body(answer)
    rouge = m.best_over_references(m.rouge_l, body, references) if references else None
    f1 = m.best_over_references(m.token_f1, body, references) if references else None
    cited = {c.evidence_id for c in answer.citations}
    for ev in answer.evidence:
        cited.update(ev.aliases)
    cites_gold = bool(supported_ids) and bool(cited & supported_ids)
    correct = answer.grounded and ((rouge is not None and rouge >= correct_threshold) or cites_gold)
    return ScoredAnswer(rouge, f1, m.faithfulness(final), m.faithfulness(raw), False,
                        "correct" if correct else "wrong")


def aggregate(scored: Sequence[ScoredAnswer], unanswerable: Sequence[bool] | None = None) -> dict[str, Any]:
    """Mean scores over a system's answers; abstention precision/recall when `unanswerable`
    marks the items whose evidence holds no answer."""
    out: dict[str, Any] = {
        "n": len(scored),
        "rouge_l": m.mean(s.rouge_l for s in scored),
        "token_f1": m.mean(s.token_f1 for s in scored),
        "faithfulness": m.mean(s.faithfulness for s in scored),
        "raw_faithfulness": m.mean(s.raw_faithfulness for s in scored),
        "truthfulness": m.truthfulness(s.verdict for s in scored),
        "abstention_rate": m.mean(1.0 if s.abstained else 0.0 for s in scored),
    }
    if unanswerable is not None:
        out.update(m.abstention_scores([s.abstained for s in scored], list(unanswerable)))
    return out


def failure_record(item_id: str, question: str, answer: Answer, scored: ScoredAnswer,
                   references: Sequence[str], system: str = "ours") -> dict[str, Any]:
    return {
        "id": item_id,
        "system": system,
        "question": question,
        "answer": answer.text,
        "verdict": scored.verdict,
        "grounded": answer.grounded,
        "abstained": answer.abstained,
        "rouge_l": scored.rouge_l,
        "references": list(references),
        "citations": [c.model_dump() for c in answer.citations],
        "dropped": [d.model_dump() for d in answer.dropped],
        "evidence": [{"id": e.id, "text": e.text, "source": e.source} for e in answer.evidence],
        "generator": answer.generator,
        "fallback_reason": answer.fallback_reason,
    }
