"""semiPQA: semi-structured attributes.

- attribute_ranking (``semiPQA/attribute_ranking/<split>.csv``, tab-separated: qid, qa_pair_id,
  question, candidate, label): each question's candidate attributes become the graph facts of
  one product; the system ranks them for the question; P@1 and MRR over label-1 attributes
  (questions without a relevant attribute are counted and left out).
- data_to_text (``semiPQA/data-to-text/<split>.csv``: data, text): the attribute is the only
  evidence and the generator describes it; ROUGE-L against the human sentence.

`--split NAME` runs each task that has a file for NAME; the others are reported under
``not_run``. No file for NAME in either task is an error.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from rag.eval import metrics as m
from rag.eval.answering import Answerer, Judge, aggregate, failure_record, record_stages
from rag.eval.report import EvalResult
from rag.eval.suites.data import EvalDataError, parse_int, read_rows, require_data_dir, split_file
from rag.retrieve.fields import readable
from rag.types import Evidence

RANKING_DIR = Path("pqa/semiPQA/attribute_ranking")
D2T_DIR = Path("pqa/semiPQA/data-to-text")
# The question the generator answers for data-to-text (the data set has none): the attribute's
# key in words. Training code that builds data-to-text examples should use the same function.
DATA_TO_TEXT_QUESTION = "What is the {key} of this product?"


def data_to_text_question(data: str) -> str:
    """"component_type: { value:"Memory" }" -> "What is the component type of this product?"."""
    from rag.retrieve.fields import fields

    key = fields(data, "attribute").key or "main feature"
    return DATA_TO_TEXT_QUESTION.format(key=key)

# ranker(question, candidate Evidence list) -> indices best first
Ranker = Callable[[str, list[Evidence]], list[int]]


def load_ranking(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for line, row in read_rows(path, ("qid", "qa_pair_id", "question", "candidate", "label")):
        label = parse_int(path, line, "label", row["label"])
        group = groups.setdefault(row["qid"], {"qid": row["qid"], "question": row["question"], "candidates": []})
        text = row["candidate"].strip()
        if not text:
            raise EvalDataError(f"{path}, line {line}, field 'candidate': empty")
        group["candidates"].append(
            {"id": f"semipqa:{row['qa_pair_id']}", "text": text, "label": label}
        )
        if limit is not None and len(groups) > limit:
            groups.popitem()
            break
    return list(groups.values())


def load_d2t(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    items = []
    for line, row in read_rows(path, ("data", "text")):
        if not row["data"].strip():
            raise EvalDataError(f"{path}, line {line}, field 'data': empty")
        items.append({"id": f"d2t:{line}", "data": row["data"].strip(), "text": row["text"].strip()})
        if limit is not None and len(items) >= limit:
            break
    return items


def ranking_corpus(data_dir: Path, split: str, limit: int | None = None) -> tuple[list[str], list[str], list[str]]:
    """(candidate texts, questions, candidate sources) of the split's ranking file (the baselines' BM25 statistics and
    embedding cache); empty when the split has no ranking file."""
    path = split_file(Path(data_dir) / RANKING_DIR, split)
    if path is None:
        return [], [], []
    groups = load_ranking(path, limit)
    texts = [c["text"] for g in groups for c in g["candidates"]]
    return texts, [g["question"] for g in groups], ["attribute"] * len(texts)


def candidate_evidence(group: dict[str, Any]) -> list[Evidence]:
    owner = f"semipqa:q{group['qid']}"
    return [
        Evidence(id=c["id"], text=c["text"], kind="graph_fact", owner_id=owner, owner_kind="product",
                 source="attribute")
        for c in group["candidates"]
    ]


def run(
    data_dir: Path,
    split: str,
    rankers: Mapping[str, Ranker],
    answerers: Mapping[str, Answerer],
    limit: int | None = None,
    progress: bool = True,
    config: dict[str, Any] | None = None,
    seed: int = 0,
    judge: Judge | None = None,
) -> EvalResult:
    """`rankers` and `answerers` map system names to callables; "ours" must be in each, the
    other names are baselines (e.g. bm25, dense; extractive)."""
    data_dir = require_data_dir(data_dir)
    judge = judge or Judge()
    ranking_path = split_file(data_dir / RANKING_DIR, split)
    d2t_path = split_file(data_dir / D2T_DIR, split)
    if ranking_path is None and d2t_path is None:
        raise EvalDataError(
            f"semipqa: no file for split '{split}': looked for {data_dir / RANKING_DIR / (split + '.csv')} "
            f"and {data_dir / D2T_DIR / (split + '.csv')}"
        )
    result = EvalResult(suite="semipqa", metrics={}, seed=seed,
                        config={"split": split, "limit": limit, **(config or {})})
    retrieval: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    baselines: dict[str, dict[str, Any]] = {}
    not_run: dict[str, str] = {}

    if ranking_path is not None:
        result.data_files.append(ranking_path)
        groups = load_ranking(ranking_path, limit)
        scored = [g for g in groups if any(c["label"] >= 1 for c in g["candidates"])]
        per_system: dict[str, list[tuple[float, float]]] = {name: [] for name in rankers}
        for group in tqdm(scored, desc="semipqa attribute ranking", disable=not progress):
            evidence = candidate_evidence(group)
            relevant = {c["id"] for c in group["candidates"] if c["label"] >= 1}
            for name, ranker in rankers.items():
                with result.timer.stage(f"rank:{name}"):
                    order = ranker(group["question"], evidence)
                ranked = [evidence[i].id for i in order]
                per_system[name].append((m.precision_at_1(ranked, relevant), m.reciprocal_rank(ranked, relevant)))
                if name == "ours" and ranked and ranked[0] not in relevant:
                    result.failures.append({
                        "task": "attribute_ranking", "qid": group["qid"], "question": group["question"],
                        "top": evidence[order[0]].text,
                        "relevant": [c["text"] for c in group["candidates"] if c["label"] >= 1],
                    })
        for name, values in per_system.items():
            block = {
                "p_at_1": m.mean(v[0] for v in values),
                "mrr": m.mean(v[1] for v in values),
                "n": len(values),
            }
            if name == "ours":
                retrieval["attribute_ranking"] = {**block, "questions_without_relevant": len(groups) - len(scored)}
            else:
                baselines.setdefault(name, {}).setdefault("retrieval", {})["attribute_ranking"] = block
    else:
        not_run["attribute_ranking"] = f"no {split}.csv in {data_dir / RANKING_DIR}"

    if d2t_path is not None:
        result.data_files.append(d2t_path)
        items = load_d2t(d2t_path, limit)
        scores: dict[str, list] = {name: [] for name in answerers}
        for item in tqdm(items, desc="semipqa data-to-text", disable=not progress):
            ev = Evidence(id=item["id"], text=readable(item["data"], "attribute"), kind="graph_fact",
                          source="attribute", owner_kind="product")
            for name, answerer in answerers.items():
                with result.timer.stage(f"answer:{name}"):
                    answer = answerer(data_to_text_question(item["data"]), [ev])
                if name == "ours":
                    record_stages(result.timer, answer)
                scored_answer = judge.score(answer, [item["text"]])
                scores[name].append(scored_answer)
                if name == "ours" and (scored_answer.verdict != "correct"):
                    result.failures.append({"task": "data_to_text", **failure_record(
                        item["id"], item["data"], answer, scored_answer, [item["text"]])})
        for name, values in scores.items():
            agg = aggregate(values)
            block = {k: agg[k] for k in ("rouge_l", "token_f1", "faithfulness", "generator_faithfulness",
                                          "abstention_rate", "n")}
            if name == "ours":
                answers["data_to_text"] = block
            else:
                baselines.setdefault(name, {}).setdefault("answers", {})["data_to_text"] = block
    else:
        not_run["data_to_text"] = f"no {split}.csv in {data_dir / D2T_DIR}"

    result.metrics = {"retrieval": retrieval, "answers": answers, "baselines": baselines}
    if not_run:
        result.metrics["not_run"] = not_run
    return result
