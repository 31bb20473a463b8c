"""Scoring one answer against its evidence and human references, the same way in every suite.

An `Answerer` turns (question, evidence) into a grounded `Answer`; suites build one per system
(ours = the configured generator, `extractive` = the extractive generator alone), run it over
the same items and score it here, so ours and the baselines are judged by identical rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.context import ContextItem
from rag.eval import metrics as m
from rag.grounding import GroundingChecker, is_abstention
from rag.textutil import citation_numbers, split_sentences, strip_citations
from rag.types import Answer, Evidence

Answerer = Callable[[str, list[Evidence]], Answer]


@dataclass
class ScoredAnswer:
    rouge_l: float | None
    token_f1: float | None
    faithfulness: float | None
    generator_faithfulness: float | None
    abstained: bool
    verdict: str  # correct | abstained | wrong


def answer_body(answer: Answer) -> str:
    """The answer text without citation markers, as a reader sees the claim."""
    return " ".join(strip_citations(answer.text).split())


def sentence_support(answer: Answer, checker: GroundingChecker | None = None) -> tuple[list[bool], list[bool]]:
    """(delivered, generated): per sentence, is it supported by the evidence it cites?

    `delivered` re-checks every sentence of the answer as the shopper sees it against the
    evidence it cites ([n] -> that citation's text) with the grounding check of
    rag/grounding.py; a sentence without a citation counts as unsupported. Without a checker
    the answer's own `grounded` flag stands for each sentence.
    `generated` measures the generator itself: the sentences it wrote that grounding kept
    (supported) plus those grounding dropped (unsupported); when the extractive fallback
    answered instead, none of the generator's sentences survived.
    """
    if answer.abstained:
        delivered: list[bool] = []
    else:
        by_number = {c.number: c for c in answer.citations}
        delivered = []
        for sentence in split_sentences(answer.text):
            plain = strip_citations(sentence).strip()
            if not plain or is_abstention(plain):
                continue
            if checker is None:
                delivered.append(bool(answer.grounded))
                continue
            cited = [by_number[n] for n in dict.fromkeys(citation_numbers(sentence)) if n in by_number]
            items = [ContextItem(number=c.number, text=c.text,
                                 evidence=Evidence(id=c.evidence_id, text=c.text, kind=c.kind)) for c in cited]
            delivered.append(bool(items) and checker.supports(plain, items)[0])
    dropped = [False for d in answer.dropped if d.reason != "abstention"]
    generator_kept = [] if (answer.abstained or answer.fallback_reason) else [True] * len(delivered)
    return delivered, generator_kept + dropped


#: Judging thresholds (docs/evaluation.md). An answer matches a human reference when their
#: ROUGE-L F1 is >= ROUGE_MATCH or their all-MiniLM-L6-v2 cosine is >= COSINE_MATCH (the
#: latter accepts paraphrases such as "the dolls are about 2 - 3 inches" for "the two dolls
#: are approximately two to three inches each").
ROUGE_MATCH = 0.5
COSINE_MATCH = 0.7


class Judge:
    """Scores answers by one documented rule for every suite and system (docs/evaluation.md).

    Verdicts (CRAG-style truthfulness: correct +1, abstained 0, wrong -1):
    - on a question whose evidence holds an answer:
      ``abstained`` when the answer is the abstention; ``correct`` when every delivered sentence
      is supported by the evidence it cites AND (the answer matches a human reference, or it
      cites evidence humans labelled as fully answering); ``wrong`` otherwise, including fluent
      but unsupported answers;
    - on a question whose evidence holds no answer (`answerable=False`): abstaining is the
      correct behaviour (+1) and any answer is wrong (-1).
    """

    def __init__(self, checker: GroundingChecker | None = None, encoder=None,
                 rouge_match: float = ROUGE_MATCH, cosine_match: float = COSINE_MATCH):
        self.checker = checker
        self.encoder = encoder
        self.rouge_match = rouge_match
        self.cosine_match = cosine_match

    def similarity(self, text: str, references: Sequence[str]) -> float | None:
        refs = [r for r in references if r.strip()]
        if self.encoder is None or not refs or not text.strip():
            return None
        vectors = self.encoder.encode([text, *refs])
        return float(max(vectors[1:] @ vectors[0]))

    def score(self, answer: Answer, references: Sequence[str], supported_ids: set[str] | None = None,
              answerable: bool = True) -> ScoredAnswer:
        final, raw = sentence_support(answer, self.checker)
        if answer.abstained:
            empty = 0.0 if references else None
            return ScoredAnswer(empty, empty, None, m.faithfulness(raw), True,
                                "abstained" if answerable else "correct")
        body = answer_body(answer)
        rouge = m.best_over_references(m.rouge_l, body, references) if references else None
        f1 = m.best_over_references(m.token_f1, body, references) if references else None
        if not answerable:
            return ScoredAnswer(rouge, f1, m.faithfulness(final), m.faithfulness(raw), False, "wrong")
        cited = {c.evidence_id for c in answer.citations}
        for ev in answer.evidence:
            cited.update(ev.aliases)
        cites_gold = bool(supported_ids) and bool(cited & supported_ids)
        supported = bool(final) and all(final)
        matches = rouge is not None and rouge >= self.rouge_match
        if supported and not matches and not cites_gold and references:
            sim = self.similarity(body, references)
            matches = sim is not None and sim >= self.cosine_match
        correct = supported and (matches or cites_gold)
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
        "generator_faithfulness": m.mean(s.generator_faithfulness for s in scored),
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


def record_stages(timer, answer: Answer) -> None:
    """Add the answer's own per-stage timings (context, generate, ground, retrieve...) to `timer`."""
    for stage, ms in answer.timings.stages_ms.items():
        timer.add(stage, ms)
