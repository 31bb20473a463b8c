"""One reply to a message that asked several questions (rag.understand.compound): each part's
answer in order, with its citation numbers moved past the earlier parts' evidence, so that [n]
still points at the n-th id of the joined `context_evidence_ids`.

A part that declines says which question it declines ('As for "can I return it?": I don't
know ...'), since a bare "I don't know" after an answer would read as if it took back the
answer. A sentence an earlier part said is not said again ("We ship to the United States and
Canada only" for both "do you ship to Canada?" and "how long does it take?"), and a part left
with nothing new ("Which one do you mean? ..." twice) adds nothing. Each part renders from itself and the parts before it only, so the
streamed pieces and the final text agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.textutil import citation_numbers, split_sentences, strip_citations
from rag.types import Answer, StageTimings

#: Between two parts' answers
SEPARATOR = "\n\n"
_CITATION = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")


def shift_citations(text: str, offset: int) -> str:
    """`[2]` -> `[2 + offset]`, `[1, 3]` -> `[1 + offset, 3 + offset]`."""
    if not offset:
        return text
    def shift(m: re.Match[str]) -> str:
        numbers = re.findall(r"\d+", m.group(1))
        return "[" + ", ".join(str(int(n) + offset) for n in numbers) + "]"
    return _CITATION.sub(shift, text)


def _plain(sentence: str) -> str:
    return " ".join(strip_citations(sentence).lower().split())


def _new_sentences(text: str, said: set[str]) -> str:
    """`text` less the sentences already said (compared without citations and case)."""
    sentences = split_sentences(text)
    fresh = [s for s in sentences if _plain(s) not in said]
    return text if len(fresh) == len(sentences) else " ".join(fresh)


def render_parts(questions: Sequence[str], answers: Sequence[Answer]) -> list[str]:
    """What each part adds to the joined text, in order: "" for a part that repeats an earlier
    one, else its answer (citations shifted) after the separator when a part was said before
    it. Part i depends on parts 0..i only: `render_parts(q[:i + 1], a[:i + 1])[-1]` is what a
    stream sends once part i is answered."""
    rendered: list[str] = []
    said: set[str] = set()
    offset = 0
    for question, answer in zip(questions, answers, strict=True):
        if answer.abstained:
            text = f'As for "{question.strip()}": {answer.text}'
        else:
            text = _new_sentences(answer.text, said)
            said.update(_plain(s) for s in split_sentences(text))
        if not text.strip():
            rendered.append("")
            continue
        rendered.append((SEPARATOR if any(rendered) else "") + shift_citations(text, offset))
        offset += len(answer.context_evidence_ids)
    return rendered


def lead_part(answers: Sequence[Answer]) -> int:
    """The part that speaks for the whole message (its intent, sentiment, understanding): the
    first one answered, else the first ("what's the weather like, and do you sell tents?" is a
    question about tents)."""
    return next((i for i, a in enumerate(answers) if not a.abstained), 0)


def join_answers(questions: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """The one `Answer` for all parts: their texts, citations and evidence in order; grounded
    when every part is, abstained when every part declines; intent and sentiment of the
    `lead_part`."""
    if len(answers) == 1:
        return answers[0]
    citations, evidence, ids, dropped, removed = [], [], [], [], []
    stages: dict[str, float] = {}
    offset = 0
    rendered = render_parts(questions, answers)
    for answer, text in zip(answers, rendered, strict=True):
        for stage, ms in answer.timings.stages_ms.items():
            stages[stage] = round(stages.get(stage, 0.0) + ms, 3)
        if not text:
            continue
        citations += [c.model_copy(update={"number": c.number + offset}) for c in answer.citations]
        evidence += [e for e in answer.evidence if e.id not in {x.id for x in evidence}]
        ids += answer.context_evidence_ids
        dropped += answer.dropped
        removed += [n + offset for n in answer.removed_citations]
        offset += len(answer.context_evidence_ids)
    text = "".join(rendered)
    cited = set(citation_numbers(text))
    lead = answers[lead_part(answers)]
    return Answer(
        text=text,
        citations=[c for c in citations if c.number in cited],
        grounded=all(a.grounded for a in answers),
        abstained=all(a.abstained for a in answers),
        evidence=evidence,
        context_evidence_ids=ids,
        dropped=dropped,
        removed_citations=removed,
        generator=lead.generator,
        fallback_reason=next((a.fallback_reason for a in answers if a.fallback_reason), None),
        intent=lead.intent,
        sentiment=lead.sentiment,
        escalate=any(a.escalate for a in answers),
        handoff_message=next((a.handoff_message for a in answers if a.handoff_message), None),
        clarification_options=next((a.clarification_options for a in answers if a.clarification_options), []),
        timings=StageTimings(stages_ms=stages, total_ms=round(sum(a.timings.total_ms for a in answers), 3)),
    )
