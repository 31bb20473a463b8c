"""Evaluation suites on small files in the shared-data layout: split discovery, clear errors,
the judging rules, and the suites end to end with real parts (BM25, the MiniLM encoder, the
extractive generator and the grounding check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.epqa import EpqaCandidate, EpqaQuestion
from rag.eval.answering import Judge
from rag.eval.suites import classify, demo, epqa, hetpqa, semipqa
from rag.eval.suites.data import EvalDataError
from rag.prompt import ABSTENTION
from rag.types import Answer, Citation

RANKING = (
    "qid\tqa_pair_id\tquestion\tcandidate\tlabel\n"
    '1\t11\twhat is the battery life?\t"battery_life:  { value:""10 hours"" }"\t1\n'
    '1\t12\twhat is the battery life?\t"color:  { value:""red"" }"\t0\n'
    '1\t13\twhat is the battery life?\t"brand:  { value:""acme"" }"\t0\n'
    '2\t21\twhat color is it?\t"color:  { value:""blue"" }"\t1\n'
    '2\t22\twhat color is it?\t"weight:  { value:3, unit:pounds }"\t0\n'
    '3\t31\tis it waterproof?\t"weight:  { value:3, unit:pounds }"\t0\n'
)
D2T = 'data\ttext\n"color: { value:""Blue"" }"\tThe product is blue.\n"weight: { value:3, unit:pounds }"\tIt weighs 3 pounds.\n'
GENERATION = (
    "ASIN\tquestion\tcandidate\tanswer\tsource\n"
    "B1\thow long is the cable?\tThe cable is 6 feet long and very sturdy.\tthe cable is 6 feet long.\tCQA\n"
    "B2\tis it dishwasher safe?\tYes, I put it in the dishwasher every day.\tyes, it is dishwasher safe.\treview\n"
)


@pytest.fixture(scope="module")
def encoder():
    from rag.encoder import shared_encoder

    return shared_encoder()


@pytest.fixture(scope="module")
def judge(encoder):
    from rag.grounding import GroundingChecker

    return Judge(GroundingChecker(encoder), encoder)


@pytest.fixture(scope="module")
def extractive_answerer(encoder):
    from rag.eval.wiring import evidence_answerer
    from rag.generate import make_generator

    return evidence_answerer(make_generator("extractive", encoder=encoder), encoder)


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- data errors


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(EvalDataError, match="evaluation data folder not found"):
        semipqa.run(tmp_path / "absent", "dev", rankers={}, answerers={})


def test_missing_column_names_file_and_columns(tmp_path):
    path = _write(tmp_path, "pqa/semiPQA/attribute_ranking/dev.csv", "qid\tquestion\n1\tx\n")
    with pytest.raises(EvalDataError, match=r"attribute_ranking/dev.csv: missing column\(s\) qa_pair_id, candidate, label"):
        semipqa.load_ranking(path)


def test_bad_label_names_line_and_field(tmp_path):
    bad = RANKING.replace("\t1\n", "\tyes\n", 1)
    path = _write(tmp_path, "pqa/semiPQA/attribute_ranking/dev.csv", bad)
    with pytest.raises(EvalDataError, match=r"dev.csv, line 2, field 'label': expected an integer, got 'yes'"):
        semipqa.load_ranking(path)


def test_semipqa_split_runs_tasks_that_have_the_file(tmp_path, encoder, judge, extractive_answerer):
    from rag.eval.wiring import candidate_rankers

    _write(tmp_path, "pqa/semiPQA/attribute_ranking/testseen.csv", RANKING)
    _write(tmp_path, "pqa/semiPQA/data-to-text/test_seen.csv", D2T)
    rankers = candidate_rankers(encoder, semipqa.ranking_corpus(tmp_path, "testseen"))
    result = semipqa.run(tmp_path, "testseen", rankers=rankers, answerers={"ours": extractive_answerer},
                         progress=False, judge=judge)
    ranking = result.metrics["retrieval"]["attribute_ranking"]
    assert ranking["n"] == 2 and ranking["questions_without_relevant"] == 1
    assert ranking["p_at_1"] == 1.0 and ranking["mrr"] == 1.0
    assert set(result.metrics["baselines"]) == {"bm25", "dense"}
    assert "data_to_text" in result.metrics["not_run"] and result.metrics["answers"] == {}

    result = semipqa.run(tmp_path, "test_seen", rankers=rankers, answerers={"ours": extractive_answerer},
                         progress=False, judge=judge)
    d2t = result.metrics["answers"]["data_to_text"]
    assert d2t["n"] == 2 and 0.0 <= d2t["rouge_l"] <= 1.0
    assert "attribute_ranking" in result.metrics["not_run"]

    with pytest.raises(EvalDataError, match="no file for split 'nope'"):
        semipqa.run(tmp_path, "nope", rankers=rankers, answerers={}, progress=False)


def test_hetpqa_answers_are_scored_against_the_human_answer(tmp_path, judge, extractive_answerer):
    _write(tmp_path, "pqa/hetPQA/answer_generation/dev.csv", GENERATION)
    result = hetpqa.run(tmp_path, "dev", answerers={"ours": extractive_answerer, "extractive": extractive_answerer},
                        progress=False, judge=judge)
    answers = result.metrics["answers"]
    assert answers["n"] == 2
    assert answers["rouge_l"] > 0.3
    assert answers["faithfulness"] == 1.0  # extractive quotes its evidence
    assert result.metrics["baselines"]["extractive"]["answers"]["rouge_l"] == answers["rouge_l"]
    with pytest.raises(EvalDataError, match="no file for split 'test'.*available splits: dev"):
        hetpqa.run(tmp_path, "test", answerers={}, progress=False)


# ---------------------------------------------------------------- judging


def _answer(text: str, cited: list[tuple[int, str, str]] = (), abstained: bool = False) -> Answer:
    return Answer(text=text, abstained=abstained, grounded=not abstained,
                  citations=[Citation(number=n, evidence_id=i, kind="passage", text=t) for n, i, t in cited])


def test_judge_verdicts(judge):
    evidence = [(1, "e1", "The cable is 6 feet long and very sturdy.")]
    good = _answer("The cable is 6 feet long [1].", evidence)
    assert judge.score(good, ["the cable is 6 feet long."]).verdict == "correct"
    # a paraphrase below the ROUGE bar but supported and close in meaning
    para = _answer("The cable measures 6 feet [1].", evidence)
    scored = judge.score(para, ["the cord is six feet long."])
    assert scored.rouge_l < 0.5 and scored.verdict == "correct"
    # supported but answering something else
    off = _answer("The cable is very sturdy [1].", evidence)
    assert judge.score(off, ["it is 6 feet."]).verdict == "wrong"
    # matches the reference but is not supported by what it cites
    unsupported = _answer("The cable is 9 feet long [1].", evidence)
    scored = judge.score(unsupported, ["the cable is 9 feet long."])
    assert scored.verdict == "wrong" and scored.faithfulness == 0.0
    # citing a snippet labelled as fully answering counts as matching
    assert judge.score(off, ["it is 6 feet."], supported_ids={"e1"}).verdict == "correct"
    abstained = _answer(ABSTENTION, abstained=True)
    assert judge.score(abstained, ["x"]).verdict == "abstained"
    assert judge.score(abstained, [], answerable=False).verdict == "correct"
    assert judge.score(good, [], answerable=False).verdict == "wrong"


def test_epqa_scoped_order_and_sample():
    cands = (EpqaCandidate("epqa:1", "review", "a", 0, None), EpqaCandidate("epqa:2", "cqa", "b", 2, "yes"),
             EpqaCandidate("epqa:3", "attribute", "c", 1, "maybe"))
    q = EpqaQuestion("q", "question?", "B1", "title", cands)
    # an item standing for two snippets counts once; unreturned candidates follow in file order
    assert epqa.scoped_order(q, [["B1#price"], ["epqa:3"], ["x", "epqa:1"]]) == [False, False, True]
    assert epqa.scoped_order(q, [["epqa:2", "epqa:1"]]) == [True, False]
    unanswerable = EpqaQuestion("u", "q?", "B2", "t", (EpqaCandidate("epqa:9", "review", "z", 0, None),))
    questions = [q] * 8 + [unanswerable] * 2
    sample = epqa.answer_sample(questions, 5, seed=1)
    assert len(sample) == 5 and sum(not s.answerable for s in sample) == 1
    assert epqa.answer_sample(questions, None, 0) == questions


def test_demo_questions_and_judge():
    from ingest.demo import generate_demo_store

    catalog = generate_demo_store(120, seed=0)
    questions = demo.build_questions(catalog, per_type=6, seed=0)
    types = {q.type for q in questions}
    assert types == {"attribute", "price", "availability", "policy", "compatibility", "comparison",
                     "follow_up", "unanswerable"}
    # precedence traps: p000000 has a product-scoped 4-year warranty over the 2-year electronics one
    trap = next(q for q in questions if q.type == "policy" and q.gold.startswith("warranty-p000000"))
    assert trap.must_numbers == ["4"] and "2" in trap.must_not_numbers
    assert demo.judge(trap, _answer("It has a 4-year warranty [1].")) == "correct"
    assert demo.judge(trap, _answer("It has a 2-year warranty [1] and a 4-year one [2].")) == "wrong"
    assert demo.judge(trap, _answer(ABSTENTION, abstained=True)) == "abstained"
    unanswerable = next(q for q in questions if q.type == "unanswerable")
    assert demo.judge(unanswerable, _answer(ABSTENTION, abstained=True)) == "correct"
    assert demo.judge(unanswerable, _answer("It is made in Germany [1].")) == "wrong"
    follow = next(q for q in questions if q.type == "follow_up")
    assert len(follow.turns) == 2 and "the" not in follow.turns[1].lower().split()[:1]


def test_applicable_policy_walks_up_the_category_tree():
    from ingest.demo import generate_demo_store

    catalog = generate_demo_store(40, seed=0)
    by_id = {p.id: p for p in catalog.products}
    win, lost = demo.applicable_policy(catalog, by_id["p000002"], "warranty")  # a phone: electronics
    assert win.id == "warranty-electronics" and [p.id for p in lost] == ["warranty-global"]
    win, _ = demo.applicable_policy(catalog, by_id["p000001"], "returns")  # product-scoped final sale
    assert win.id == "returns-p000001"


# ---------------------------------------------------------------- classifier files


def test_read_labelled_formats(tmp_path):
    tsv = _write(tmp_path, "s.txt", "Great food.\t1\nAwful\tservice.\t0\n")
    data = classify.read_labelled(tsv)
    assert data.texts == ["Great food.", "Awful\tservice."] and data.labels == ["1", "0"]
    csv_path = _write(tmp_path, "i.csv", "utterance,intent\nwhere is my order,order_status\n")
    data = classify.read_labelled(csv_path, text_column="utterance", label_column="intent")
    assert data.labels == ["order_status"]
    with pytest.raises(EvalDataError, match="expected columns 'text' and 'label'"):
        classify.read_labelled(csv_path)
    bad = _write(tmp_path, "bad.tsv", "fine\t1\nno label here\n")
    with pytest.raises(EvalDataError, match=r"bad.tsv, line 2: expected 'sentence<TAB>label'"):
        classify.read_labelled(bad)


def test_clinc150_loader(tmp_path):
    raw = {s: [["hello there", "greeting"]] for s in ("train", "val", "test")}
    raw.update({s: [["what is the weather on mars", "oos"]] for s in ("oos_train", "oos_val", "oos_test")})
    _write(tmp_path, "clinc150/data_full.json", json.dumps(raw))
    sets = classify.load_clinc150(tmp_path)
    assert sets["test"].labels == ["greeting"] and sets["oos_test"].labels == ["oos"]
    del raw["oos_test"]
    _write(tmp_path, "clinc150/data_full.json", json.dumps(raw))
    with pytest.raises(EvalDataError, match="missing split 'oos_test'"):
        classify.load_clinc150(tmp_path)
