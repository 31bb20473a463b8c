"""`shopgraph ask` through the real CLI (a subprocess) on a small demo store: the answer, its
citations with their text, intent, sentiment and per-stage timings, as JSON and for a person.
The CLI starts its own embedded FalkorDB server for the data dir; the test stops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOPGRAPH = Path(sys.executable).parent / "shopgraph"


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "SHOPGRAPH_GENERATOR__KIND": "extractive", "SHOPGRAPH_LOG_LEVEL": "WARNING"}
    return subprocess.run([str(SHOPGRAPH), "--data-dir", str(data_dir), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from kg.falkordb_server import FalkorDBServer

    data_dir = tmp_path_factory.mktemp("ask") / "store"
    res = _cli(data_dir, "demo", "--products", "30", "--seed", "3")
    assert res.returncode == 0, res.stderr[-3000:]
    yield data_dir
    FalkorDBServer(data_dir).stop()


def test_ask_json_has_answer_citations_and_timings(store):
    res = _cli(store, "ask", "What is the warranty on this product?", "--product", "p000000", "--json")
    assert res.returncode == 0, res.stderr[-3000:]
    view = json.loads(res.stdout)
    assert view["grounded"] and "4-year" in view["answer"]
    assert view["citations"][0]["doc_id"] == "warranty-p000000" and view["citations"][0]["text"]
    assert view["intent"]["label"] == "warranty" and view["sentiment"]["label"]
    assert {"understand", "retrieve", "fuse", "generate", "ground", "total"} <= set(view["timings_ms"])
    assert {o["id"] for o in view["overridden_policies"]} >= {"warranty-global"}


def test_ask_for_a_person(store):
    res = _cli(store, "ask", "Can I return this?", "--product", "p000001")
    assert res.returncode == 0, res.stderr[-3000:]
    text = " ".join(res.stdout.split())
    assert "final sale" in text.lower() and "[1] policy:returns-p000001" in text
    assert "intent return_policy" in text and "stages understand" in text
