"""The data commands through the real CLI (subprocesses): `demo`, `stats --json`, a rejected bad
file, and a process killed mid-ingest. The CLI starts its own embedded FalkorDB server for the
data dir (as a user's would); the test stops it at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOPGRAPH = Path(sys.executable).parent / "shopgraph"  # the installed console script


def _cli(data_dir: Path, *args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    cmd = [str(SHOPGRAPH), "--data-dir", str(data_dir), *args]
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    res = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    res.stderr = " ".join(res.stderr.split())  # rich may wrap lines
    return res


def _stats(data_dir: Path) -> dict:
    res = _cli(data_dir, "stats", "--json")
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    from kg.falkordb_server import FalkorDBServer

    data_dir = tmp_path_factory.mktemp("cli") / "store"
    yield data_dir
    FalkorDBServer(data_dir).stop()


def test_demo_then_stats_json(cli_store):
    res = _cli(cli_store, "demo", "--products", "30", "--seed", "3")
    assert res.returncode == 0, res.stderr[-3000:]
    assert "published version 1" in res.stderr and "texts embedded" in res.stderr
    stats = _stats(cli_store)
    assert stats["consistent"] is True and stats["version"] == 1
    assert stats["products"] == 30 and stats["passages"] == stats["vectors"] > 30
    assert {"brands", "categories", "policies", "faqs", "attribute_facts", "relationships"} <= stats.keys()
    assert stats["relationships"]["MADE_BY"] == 30


def test_a_second_identical_demo_writes_nothing(cli_store):
    res = _cli(cli_store, "demo", "--products", "30", "--seed", "3")
    assert res.returncode == 0, res.stderr[-3000:]
    assert "unchanged, still version 1" in res.stderr and "graph rows written 0" in res.stderr


def test_a_bad_file_is_rejected_precisely_and_the_old_data_still_serves(cli_store, tmp_path):
    bad = tmp_path / "catalog.jsonl"
    bad.write_text(
        '{"type": "brand", "id": "acme", "name": "Acme"}\n'
        '{"type": "product", "id": "p-1", "title": "Anvil", "brand": "acme", "price": 10}\n',
        encoding="utf-8",
    )
    res = _cli(cli_store, "ingest", str(bad), "--report", str(tmp_path / "errors.jsonl"))
    assert res.returncode == 2, res.stdout + res.stderr
    err = res.stderr
    assert f"{bad}:2" in err and "currency" in err and "nothing was written" in err
    assert (tmp_path / "errors.jsonl").exists()
    stats = _stats(cli_store)
    assert stats["consistent"] is True and stats["version"] == 1 and stats["products"] == 30


def test_a_crash_mid_ingest_leaves_the_old_state(cli_store):
    for stage in ("graph_partial", "graph_committed"):
        res = _cli(cli_store, "demo", "--products", "31", "--seed", "3", env={"SHOPGRAPH_TEST_CRASH_AT": stage})
        assert res.returncode == 70, res.stderr[-3000:]  # the injected hard exit
        stats = _stats(cli_store)
        assert stats["consistent"] is True and stats["version"] == 1 and stats["products"] == 30
    res = _cli(cli_store, "demo", "--products", "31", "--seed", "3")
    assert res.returncode == 0 and "published version 2" in res.stderr, res.stderr[-3000:]
    stats = _stats(cli_store)
    assert stats["consistent"] is True and stats["version"] == 2 and stats["products"] == 31
