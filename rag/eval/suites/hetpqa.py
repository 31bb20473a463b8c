"""hetPQA: heterogeneous evidence.

- answer generation (``hetPQA/answer_generation/<split>.csv``, tab-separated: ASIN, question,
  candidate, answer, source): the snippet is the only evidence; the generator answers the
  question from it; ROUGE-L / token F1 against the human answer, faithfulness of the answer to
  its cited evidence, and the CRAG-style truthfulness of docs/evaluation.md.
- evidence ranking (``hetPQA/evidence_ranking/<split>.csv``: qid, qa_pair_id, question,
  candidate, label, source), scored when that file exists: P@1 and MRR of ranking each
  question's candidates (binary relevance).

`--split NAME` reads ``NAME.csv`` beside ``dev.csv``; answer generation must have it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from rag.eval import metrics as m
from rag.eval.answering import Answerer, Judge, aggregate, failure_record, record_stages
from rag.eval.report import EvalResult
from rag.eval.suites.data import EvalDataError, parse_int, read_rows, require_data_dir, require_split_file, split_file
from rag.eval.suites.semipqa import Ranker
from rag.types import Evidence

GENERATION_DIR = Path("pqa/hetPQA/answer_generation")
RANKING_DIR = Path("pqa/hetPQA/evidence_ranking")

_SOURCE = {"cqa": "cqa", "review": "review", "bullet": "bullet", "description": "description",
           "attribute": "attribute", "overview": "description", "ocr": "other"}


def _source(raw: str) -> str:
    return _SOURCE.get(raw.strip().lower(), "other")


def load_generation(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    items = []
    for line, row in read_rows(path, ("question", "candidate", "answer")):
        if not row["question"].strip() or not row["candidate"].strip():
            raise EvalDataError(f"{path}, line {line}: empty question or candidate")
        items.append({
            "id": f"hetpqa:{path.stem}:{line}",
            "asin": (row.get("ASIN") or "").strip(),
            "question": row["question"].strip(),
            "candidate": row["candidate"].strip(),
            "answer": row["answer"].strip(),
            "source": _source(row.get("source") or ""),
        })
        if limit is not None and len(items) >= limit:
            break
    return items


def load_ranking(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for line, row in read_rows(path, ("qid", "qa_pair_id", "question", "candidate", "label")):
        label = parse_int(path, line, "label", row["label"])
        group = groups.setdefault(row["qid"], {"qid": row["qid"], "question": row["question"].strip(),
                                               "asin": (row.get("ASIN") or "").strip(), "candidates": []})
        group["candidates"].append({"id": f"hetpqa:{row['qa_pair_id']}", "text": row["candidate"].strip(),
                                    "label": label, "source": _source(row.get("source") or "")})
        if limit is not None and len(groups) > limit:
            groups.popitem()
            break
    return list(groups.values())


def ranking_corpus(data_dir: Path, split: str, limit: int | None = None) -> tuple[list[str], list[str], list[str]]:
    """(candidate texts, questions, candidate sources) of the split's evidence-ranking file; empty when there is none."""
    path = split_file(Path(data_dir) / RANKING_DIR, split)
    if path is None:
        return [], [], []
    groups = load_ranking(path, limit)
    cands = [c for g in groups for c in g["candidates"]]
    return [c["text"] for c in cands], [g["question"] for g in groups], [c["source"] for c in cands]


def run(
    data_dir: Path,
    split: str,
    answerers: Mapping[str, Answerer],
    rankers: Mapping[str, Ranker] | None = None,
    limit: int | None = None,
    progress: bool = True,
    config: dict[str, Any] | None = None,
    seed: int = 0,
    judge: Judge | None = None,
) -> EvalResult:
    data_dir = require_data_dir(data_dir)
    judge = judge or Judge()
    gen_path = require_split_file(data_dir / GENERATION_DIR, split)
    rank_path = split_file(data_dir / RANKING_DIR, split)
    result = EvalResult(suite="hetpqa", metrics={}, seed=seed, data_files=[gen_path],
                        config={"split": split, "limit": limit, **(config or {})})
    retrieval: dict[str, Any] = {}
    baselines: dict[str, dict[str, Any]] = {}

    items = load_generation(gen_path, limit)
    scores: dict[str, list] = {name: [] for name in answerers}
    for item in tqdm(items, desc="hetpqa answers", disable=not progress):
        ev = Evidence(id=item["id"], text=item["candidate"], kind="passage", source=item["source"],
                      owner_id=item["asin"] or None, owner_kind="product")
        for name, answerer in answerers.items():
            with result.timer.stage(f"answer:{name}"):
                answer = answerer(item["question"], [ev])
            if name == "ours":
                record_stages(result.timer, answer)
            scored = judge.score(answer, [item["answer"]])
            scores[name].append(scored)
            if name == "ours" and scored.verdict != "correct":
                record = failure_record(item["id"], item["question"], answer, scored, [item["answer"]])
                record["given_evidence"] = item["candidate"]
                result.failures.append(record)
    answers: dict[str, Any] = {}
    for name, values in scores.items():
        agg = aggregate(values)
        if name == "ours":
            answers = agg
        else:
            baselines.setdefault(name, {})["answers"] = agg

    if rank_path is not None and rankers:
        result.data_files.append(rank_path)
        groups = [g for g in load_ranking(rank_path, limit) if any(c["label"] >= 1 for c in g["candidates"])]
        per_system: dict[str, list[tuple[float, float]]] = {name: [] for name in rankers}
        for group in tqdm(groups, desc="hetpqa evidence ranking", disable=not progress):
            evidence = [Evidence(id=c["id"], text=c["text"], kind="passage", source=c["source"],
                                 owner_id=group["asin"] or None, owner_kind="product") for c in group["candidates"]]
            relevant = {c["id"] for c in group["candidates"] if c["label"] >= 1}
            for name, ranker in rankers.items():
                with result.timer.stage(f"rank:{name}"):
                    order = ranker(group["question"], evidence)
                ranked = [evidence[i].id for i in order]
                per_system[name].append((m.precision_at_1(ranked, relevant), m.reciprocal_rank(ranked, relevant)))
        for name, values in per_system.items():
            block = {"p_at_1": m.mean(v[0] for v in values), "mrr": m.mean(v[1] for v in values), "n": len(values)}
            if name == "ours":
                retrieval["evidence_ranking"] = block
            else:
                baselines.setdefault(name, {}).setdefault("retrieval", {})["evidence_ranking"] = block

    result.metrics = {"retrieval": retrieval, "answers": answers, "baselines": baselines}
    return result
