"""`shopgraph eval ...` end to end on small files: real encoder, real classifier head, real
rankers and the extractive generator; --json prints results.json, errors exit 2 with the path."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from serve.cli import app

from tests.test_eval_suites import D2T, RANKING

runner = CliRunner()


def _invoke(args: list[str]):
    return runner.invoke(app, args, catch_exceptions=False)


def test_missing_data_folder_exits_2_with_the_path(tmp_path):
    result = _invoke(["eval", "semipqa", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "nowhere" in result.output and "not found" in result.output


def test_semipqa_split_json(tmp_path):
    data = tmp_path / "data"
    for rel, text in (("pqa/semiPQA/attribute_ranking/testseen.csv", RANKING),
                      ("pqa/semiPQA/data-to-text/test_seen.csv", D2T)):
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(text)
    out = tmp_path / "out"
    result = _invoke(["eval", "semipqa", "--data", str(data), "--split", "testseen", "--generator", "extractive",
                      "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # stdout holds results.json and nothing else
    assert payload["suite"] == "semipqa"
    assert set(payload["retrieval"]["attribute_ranking"]) >= {"p_at_1", "mrr"}
    assert set(payload["baselines"]) == {"bm25", "dense"}
    assert "data_to_text" in payload["not_run"]
    assert json.loads((out / "results.json").read_text())["retrieval"] == payload["retrieval"]
    assert (out / "report.md").read_text().startswith("# Evaluation: semipqa")
    assert (out / "metrics.png").stat().st_size > 2000


def test_sentiment_on_files(tmp_path):
    positive = ["great food", "loved the staff", "wonderful place", "tasty and fresh", "excellent service",
                "very friendly", "amazing dessert", "best pizza ever"]
    negative = ["awful food", "rude staff", "terrible place", "stale and cold", "horrible service",
                "very slow", "disgusting dessert", "worst pizza ever"]
    rows = [f"{t}\t1" for t in positive] + [f"{t}\t0" for t in negative]
    train = tmp_path / "train.txt"
    train.write_text("\n".join(rows) + "\n")
    test = tmp_path / "test.csv"
    test.write_text("sentence,polarity\nreally great food,1\nreally awful service,0\n")
    result = _invoke(["eval", "sentiment", "--train", str(train), "--test", str(test), "--text-column", "sentence",
                      "--label-column", "polarity", "--out", str(tmp_path / "o"), "--json"])
    # headerless sentence<TAB>label for training, a CSV with named columns for testing
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{"):])
    assert payload["n"] == 2 and 0.0 <= payload["accuracy"] <= 1.0 and "macro_f1" in payload
    assert Path(tmp_path / "o" / "confusion.png").stat().st_size > 2000
    result = _invoke(["eval", "sentiment", "--train", str(train), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--train and --test go together" in result.output
