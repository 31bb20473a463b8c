"""The report writer: one JSON shape, tables with deltas, real PNG plots, failures.jsonl."""

from __future__ import annotations

import json

from rag.eval.report import EvalResult, comparison_rows, flatten, write_report


def _result() -> EvalResult:
    result = EvalResult(
        suite="toy",
        metrics={
            "retrieval": {"p_at_1": 0.8, "mrr": 0.9},
            "answers": {"rouge_l": 0.5, "truthfulness": -0.25},
            "baselines": {"bm25": {"retrieval": {"p_at_1": 0.6, "mrr": 0.7}},
                          "extractive": {"answers": {"rouge_l": 0.4, "truthfulness": 0.1}}},
        },
        config={"split": "dev"},
        failures=[{"id": "q1", "verdict": "wrong"}],
        confusion=(["a", "b"], [[3, 1], [0, 2]]),
    )
    for ms in (10.0, 20.0, 30.0):
        result.timer.add("retrieve", ms)
    return result


def test_flatten_and_rows():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}
    systems, rows = comparison_rows(_result().metrics)
    assert systems == ["ours", "bm25", "extractive"]
    assert rows["retrieval.p_at_1"] == {"ours": 0.8, "bm25": 0.6}
    assert rows["answers.truthfulness"] == {"ours": -0.25, "extractive": 0.1}


def test_write_report(tmp_path, tmp_path_factory):
    payload = write_report(_result(), tmp_path)
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert on_disk == json.loads(json.dumps(payload, default=str))
    assert on_disk["retrieval"]["p_at_1"] == 0.8
    assert on_disk["baselines"]["bm25"]["retrieval"]["mrr"] == 0.7
    assert on_disk["timings"]["retrieve"]["p50_ms"] == 20.0
    assert on_disk["timings"]["retrieve"]["p95_ms"] == 29.0
    for key in ("config", "data_files", "versions", "git_commit", "seed", "models"):
        assert key in on_disk
    report = (tmp_path / "report.md").read_text()
    assert "| retrieval.p_at_1 | 0.8000 | 0.6000 (+0.2000) |" in report
    assert "(-0.3500)" in report  # truthfulness: ours -0.25 vs extractive 0.1
    for png in ("metrics.png", "latency.png", "confusion.png"):
        data = (tmp_path / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
        assert png in on_disk["plots"]
    lines = (tmp_path / "failures.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["q1"]
