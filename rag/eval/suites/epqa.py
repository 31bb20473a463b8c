"""ePQA: retrieval and answers on real Amazon product questions (``pqa/ePQA/<split>.csv``).

Three parts, every system scored by the same code:

(a) product-scoped ranking: the product is given; a system ranks that product's evidence for
    the question. Items (an evidence item may stand for several snippets: identical texts and
    one attribute key are stored once) are kept when they hold one of the question's labelled
    candidates, in the system's order, followed by candidates it did not return (file order).
    ``scoped_p_at_1``: the first item holds a label-2 snippet; ``scoped_mrr``: 1 / rank of the
    first such item. Answerable questions (at least one label-2 candidate) only.
(b) unscoped retrieval: no product given, the whole catalog competes: ``unscoped_hit_at_1`` /
    ``unscoped_hit_at_5``: a label-2 snippet of the question is among the first 1 / 5 items.
(c) answers: the full pipeline answers each question of the sample with the product page as
    context; ROUGE-L / token F1 against the human answers of the label-2 snippets, faithfulness,
    CRAG-style truthfulness (Judge in rag/eval/answering.py; citing a label-2 snippet counts as
    matching the reference) and abstention precision/recall, where questions without a label-2
    candidate are the ones that should be abstained on.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tqdm.auto import tqdm

from ingest.epqa import EpqaQuestion
from rag.eval import metrics as m
from rag.eval.answering import Judge, aggregate, failure_record, record_stages
from rag.eval.report import EvalResult
from rag.types import Answer, Evidence

# A ranked list of items, each the snippet ids it stands for (evidence id + aliases).
Ranked = list[list[str]]
ScopedRanker = Callable[[EpqaQuestion], Ranked]
Search = Callable[[EpqaQuestion], Ranked]
AskQuestion = Callable[[EpqaQuestion], Answer]


def evidence_ids(evidence: Sequence[Evidence]) -> Ranked:
    return [[e.id, *e.aliases] for e in evidence]


def scoped_order(q: EpqaQuestion, ranked: Ranked) -> list[bool]:
    """Relevance (holds a label-2 snippet) of the items that hold labelled candidates, in rank
    order; candidates the system never returned follow in file order."""
    label = {c.snippet_id: c.label for c in q.candidates}
    seen: set[str] = set()
    out: list[bool] = []
    for ids in ranked:
        mine = [i for i in ids if i in label and i not in seen]
        if not mine:
            continue
        seen.update(mine)
        out.append(any(label[i] == 2 for i in mine))
    for c in q.candidates:
        if c.snippet_id not in seen:
            seen.add(c.snippet_id)
            out.append(c.label == 2)
    return out


def answer_sample(questions: Sequence[EpqaQuestion], n: int | None, seed: int) -> list[EpqaQuestion]:
    """A deterministic sample of `n` questions keeping the share of unanswerable ones (None or
    n >= len: all), in file order."""
    if n is None or n >= len(questions):
        return list(questions)
    rng = random.Random(seed)
    answerable = [i for i, q in enumerate(questions) if q.answerable]
    other = [i for i, q in enumerate(questions) if not q.answerable]
    k_other = round(n * len(other) / len(questions))
    chosen = set(rng.sample(answerable, min(len(answerable), n - k_other))) | set(rng.sample(other, min(len(other), k_other)))
    return [q for i, q in enumerate(questions) if i in chosen]


def run(
    questions: Sequence[EpqaQuestion],
    scoped: Mapping[str, ScopedRanker],
    unscoped: Mapping[str, Search],
    answerers: Mapping[str, AskQuestion],
    judge: Judge,
    answer_questions: int | None = 200,
    progress: bool = True,
    config: dict[str, Any] | None = None,
    seed: int = 0,
    result: EvalResult | None = None,
) -> EvalResult:
    """Systems are keyed by name; "ours" must be in each mapping, the other names are baselines
    (a baseline may appear in some parts only)."""
    result = result or EvalResult(suite="epqa", metrics={})
    result.suite, result.seed = "epqa", seed
    result.config.update({"questions": len(questions), "answer_questions": answer_questions, **(config or {})})
    answerable = [q for q in questions if q.answerable]
    retrieval: dict[str, dict[str, Any]] = {}

    for name, rank in scoped.items():
        p1, rr = [], []
        for q in tqdm(answerable, desc=f"epqa scoped ranking ({name})", disable=not progress):
            with result.timer.stage(f"scoped:{name}"):
                ranked = rank(q)
            order = scoped_order(q, ranked)
            p1.append(1.0 if order and order[0] else 0.0)
            rr.append(next((1.0 / i for i, rel in enumerate(order, start=1) if rel), 0.0))
        retrieval.setdefault(name, {}).update({"scoped_p_at_1": m.mean(p1), "scoped_mrr": m.mean(rr)})

    for name, search in unscoped.items():
        h1, h5 = [], []
        for q in tqdm(answerable, desc=f"epqa unscoped retrieval ({name})", disable=not progress):
            with result.timer.stage(f"unscoped:{name}"):
                ranked = search(q)
            relevant = set(q.relevant_ids)
            hits = [bool(relevant.intersection(ids)) for ids in ranked]
            h1.append(1.0 if any(hits[:1]) else 0.0)
            h5.append(1.0 if any(hits[:5]) else 0.0)
        retrieval.setdefault(name, {}).update({"unscoped_hit_at_1": m.mean(h1), "unscoped_hit_at_5": m.mean(h5)})
    for block in retrieval.values():
        block["n"] = len(answerable)

    sample = answer_sample(questions, answer_questions, seed)
    answers: dict[str, dict[str, Any]] = {}
    for name, ask in answerers.items():
        scored = []
        for q in tqdm(sample, desc=f"epqa answers ({name})", disable=not progress):
            with result.timer.stage(f"answer:{name}"):
                answer = ask(q)
            if name == "ours":
                record_stages(result.timer, answer)
            s = judge.score(answer, q.answers, supported_ids=set(q.relevant_ids), answerable=q.answerable)
            scored.append(s)
            if name == "ours" and s.verdict != "correct":
                rec = failure_record(q.qid, q.question, answer, s, q.answers)
                rec.update(asin=q.asin, title=q.title, answerable=q.answerable,
                           label2=[c.text for c in q.candidates if c.label == 2])
                result.failures.append(rec)
        answers[name] = aggregate(scored, [not q.answerable for q in sample])

    ours_ret, ours_ans = retrieval.pop("ours", {}), answers.pop("ours", {})
    baselines: dict[str, dict[str, Any]] = {}
    for name in list(dict.fromkeys([*retrieval, *answers])):
        baselines[name] = {k: v for k, v in (("retrieval", retrieval.get(name)), ("answers", answers.get(name))) if v}
    result.metrics = {"retrieval": ours_ret, "answers": ours_ans, "baselines": baselines}
    return result
