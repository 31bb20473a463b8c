"""`shopgraph train intent|sentiment` and `shopgraph ask --explain` through the real CLI (Typer
runner in-process, real encoder, shipped artifacts). `ask` runs on an empty data dir here, so
entity linking is off (the linker on a real graph is tested in test_understand.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from serve.cli import app

runner = CliRunner()


def _env(tmp_path):
    return {"SHOPGRAPH_DATA_DIR": str(tmp_path / "var"), "HF_HUB_OFFLINE": "1",
            "SHOPGRAPH_LOG_LEVEL": "WARNING"}


def test_train_intent_from_a_file_writes_a_versioned_artifact(tmp_path):
    from serve.settings import get_settings

    get_settings.cache_clear()
    rows = []
    for i in range(12):
        rows += [{"text": f"where is my order {1000 + i}", "label": "order_status"},
                 {"text": f"do you ship to country {i}", "label": "shipping"},
                 {"text": f"tell me a joke number {i}", "label": "out_of_scope"}]
    data = tmp_path / "mini.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "artifacts"
    r = runner.invoke(app, ["train", "intent", "--data", str(data), "--out", str(out), "--json"], env=_env(tmp_path))
    assert r.exit_code == 0, r.output
    folder = out / "intent" / "v1"
    for name in ("model.joblib", "labels.json", "meta.json", "metrics.json"):
        assert (folder / name).is_file()
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["encoder"] == "all-MiniLM-L6-v2" and meta["labels"] == ["order_status", "out_of_scope", "shipping"]
    r2 = runner.invoke(app, ["train", "intent", "--data", str(data), "--out", str(out)], env=_env(tmp_path))
    assert r2.exit_code == 0 and (out / "intent" / "v2").is_dir()


def test_train_names_the_bad_line(tmp_path):
    from serve.settings import get_settings

    get_settings.cache_clear()
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "hi", "label": "greeting_thanks"}\n{"text": "", "label": "x"}\n')
    r = runner.invoke(app, ["train", "intent", "--data", str(data), "--out", str(tmp_path / "a")], env=_env(tmp_path))
    assert r.exit_code == 2
    assert "line 2" in r.output and "text" in r.output


def test_ask_explain_shows_intent_sentiment_and_plan(tmp_path):
    from serve.settings import get_settings

    get_settings.cache_clear()
    r = runner.invoke(app, ["ask", "what is your return policy for laptops?", "--explain"], env=_env(tmp_path))
    assert r.exit_code == 0, r.output
    assert "intent     return_policy" in r.output
    assert "sentiment" in r.output and "graph    policy" in r.output and "policy=returns" in r.output
    r = runner.invoke(app, ["ask", "where is my order 48213", "--json", "--session", "s1"], env=_env(tmp_path))
    assert r.exit_code == 0, r.output
    u = json.loads(r.output[r.output.index("{"):])
    assert u["intent"]["label"] == "order_status" and u["plan"]["handoff"] is True
    assert (tmp_path / "var" / "sessions.sqlite").is_file()
