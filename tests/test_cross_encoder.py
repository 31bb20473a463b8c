"""The cross-encoder reranker: the shipped artifact loads (ONNX export cached), ranks an answering
snippet above an irrelevant one, its ONNX and PyTorch scores agree, the reranker's second stage
puts the rescored candidates first, a missing artifact is a clear error, and
`shopgraph train reranker` runs end to end on a tiny subset of the real training files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.retrieve.cross_encoder import SHIPPED_DIR, CrossEncoder, MissingRerankerArtifact, candidate_text
from rag.retrieve.rerank import FeatureReranker
from rag.types import Evidence

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"

QUESTION = "how much does this tent weigh?"
ANSWER = candidate_text("item_weight:  { unit:pounds, value:4.2 }", "attribute")
OTHERS = ["the zipper broke after two trips, very disappointed with the quality",
          "ships in a cardboard box with a printed manual"]


@pytest.fixture(scope="session")
def cross_encoder() -> CrossEncoder:
    """The default reranker's cross-encoder (ONNX, exported once into the user cache)."""
    from rag.retrieve.hybrid import default_reranker

    ce = default_reranker().cross_encoder
    assert ce is not None
    return ce


def test_shipped_artifact_is_small_and_documented():
    meta = json.loads((SHIPPED_DIR / "meta.json").read_text())
    assert meta["seed"] == 0 and meta["config"]["rank"] >= 1
    assert set(meta["data"]["sha256_16"]) >= {"hetpqa_evidence", "hetpqa_answers", "semipqa_attributes"}
    if "epqa" in meta["data"]["sha256_16"]:  # trained on the evaluation set: out-of-fold numbers recorded
        assert meta["out_of_fold"]["epqa_dev_scoped_p1"]["linear_plus_cross_cv"] > 0
    size = sum(p.stat().st_size for p in SHIPPED_DIR.rglob("*") if p.is_file())
    assert size < 8 * 2**20


def test_answering_snippet_ranks_above_irrelevant(cross_encoder):
    scores = cross_encoder.score(QUESTION, [ANSWER, *OTHERS])
    assert scores.shape == (3,) and int(np.argmax(scores)) == 0


def test_onnx_and_torch_scores_agree(cross_encoder):
    torch_ce = CrossEncoder(backend="torch")
    texts = [ANSWER, *OTHERS, "yes it does"]
    np.testing.assert_allclose(cross_encoder.score(QUESTION, texts), torch_ce.score(QUESTION, texts), atol=1e-3)
    # a padded batch (different lengths) scores each pair as it scores alone (score_pairs: no memo)
    alone = np.concatenate([cross_encoder.score_pairs([QUESTION], [t]) for t in texts])
    np.testing.assert_allclose(cross_encoder.score_pairs([QUESTION] * len(texts), texts), alone, atol=1e-3)


def test_second_stage_rescores_only_the_top(cross_encoder):
    cands = [Evidence(id=str(i), text=t, kind="passage", source="review", owner_id="p1")
             for i, t in enumerate([*OTHERS, "weighs 4.2 pounds with the poles, light enough for backpacking"])]
    rr = FeatureReranker(cross_encoder=cross_encoder, cross_top=2)
    scores = rr.scores(QUESTION, cands, dense=np.array([0.2, 0.1, 0.6]), bm25=np.zeros(3))
    first = FeatureReranker().scores(QUESTION, cands, dense=np.array([0.2, 0.1, 0.6]), bm25=np.zeros(3))
    top2 = set(np.argsort(-first)[:2].tolist())
    assert set(np.argsort(-scores)[:2].tolist()) == top2  # the rest stays below the rescored ones
    assert int(np.argmax(scores)) == 2


def test_missing_artifact_is_a_clear_error(tmp_path: Path):
    with pytest.raises(MissingRerankerArtifact) as err:
        CrossEncoder(tmp_path / "nowhere")
    assert "nowhere" in str(err.value) and "CROSS_ENCODER=false" in str(err.value)


def test_train_reranker_cli_on_a_tiny_subset(tmp_path: Path):
    out = tmp_path / "rr"
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "reranker", "--data", str(DATA),
           "--out", str(out), "--limit", "2", "--steps", "2", "--groups-per-batch", "2", "--max-length", "48"]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["steps"] == 2 and meta["data"]["groups"] == 6
    ce = CrossEncoder(out, backend="torch")
    assert np.isfinite(ce.score(QUESTION, [ANSWER, OTHERS[0]])).all()


def test_train_reranker_cli_on_epqa_lists(tmp_path: Path):
    """The listwise ePQA groups (several answers per group) train end to end through the CLI."""
    out = tmp_path / "rr"
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "reranker", "--data", str(DATA),
           "--out", str(out), "--limit", "2", "--steps", "2", "--groups-per-batch", "2", "--max-length", "48",
           "--epqa-folds", "2", "--epqa-fold", "0", "--base-groups", "2", "--epqa-groups", "lists"]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["steps"] == 2 and meta["config"]["epqa_groups"] == "lists"
    assert meta["epqa"]["held_out_fold"] == 0 and meta["data"]["by_origin"]["epqa"] > 300
    assert np.isfinite(CrossEncoder(out, backend="torch").score(QUESTION, [ANSWER, OTHERS[0]])).all()


def test_train_reranker_cli_rejects_an_unknown_group_mode(tmp_path: Path):
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "reranker", "--data", str(DATA),
           "--out", str(tmp_path / "rr"), "--epqa-folds", "2", "--epqa-groups", "triples"]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert result.returncode == 2 and "--epqa-groups" in result.stderr and "triples" in result.stderr
    assert not (tmp_path / "rr").exists()


def test_train_reranker_cli_names_missing_data(tmp_path: Path):
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "reranker", "--data", str(tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert result.returncode == 2 and "hetPQA" in result.stderr


def test_epqa_folds_hold_out_whole_products():
    from rag.train.reranker import epqa_fold_of, epqa_groups

    held0 = {g.question for g in epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=0)}
    held1 = {g.question for g in epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=1)}
    every = {g.question for g in epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=-1)}
    assert held0 and held1 and not (held0 & held1) and held0 | held1 == every
    assert epqa_fold_of("B00545ATZW", 2) == epqa_fold_of("B00545ATZW", 2) in (0, 1)


def test_epqa_lists_keep_every_candidate_with_the_answers_first():
    import csv
    from collections import Counter

    from rag.train.reranker import epqa_groups

    with (DATA / "pqa" / "ePQA" / "dev.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sizes = Counter(r["question"] for r in rows)
    answers = Counter(r["question"] for r in rows if r["label"] == "2")
    lists = epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=0, mode="lists")
    pairs = epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=0)
    assert {g.question for g in lists} == {g.question for g in pairs}
    for g in lists:
        assert g.positives == answers[g.question] and len(g.candidates) == sizes[g.question]
    assert all(g.positives == 1 and len(g.candidates) == 4 for g in pairs)
    with pytest.raises(ValueError, match="mode"):
        epqa_groups(DATA, negatives=3, seed=0, folds=2, held_out=0, mode="triples")
