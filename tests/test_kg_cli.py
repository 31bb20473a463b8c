"""`shopgraph graph start|stop|status` on a real embedded FalkorDB, run as the installed
command (a subprocess: the server must outlive the command that started it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SHOPGRAPH = Path(sys.executable).with_name("shopgraph")


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("SHOPGRAPH_GRAPH__FALKORDB_URL", None)
    env.pop("SHOPGRAPH_GRAPH__BACKEND", None)
    return subprocess.run([str(SHOPGRAPH), "graph", *args], capture_output=True, text=True, env=env, timeout=120)


def test_graph_start_status_stop(tmp_path):
    data = str(tmp_path / "store")
    try:
        r = _run("status", "--data-dir", data, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["running"] is False  # stdout is pure JSON (logs go to stderr)

        r = _run("start", "--data-dir", data)
        assert r.returncode == 0 and "started" in r.stderr, r.stderr
        r = _run("start", "--data-dir", data)
        assert r.returncode == 0 and "already running" in r.stderr, r.stderr

        status = json.loads(_run("status", "--data-dir", data, "--json").stdout)
        assert status["running"] and status["pid"] and status["url"].startswith("unix://")
        assert status["graph_dir"].endswith("store/graph") and status["graphs"] == []

        r = _run("stop", "--data-dir", data)
        assert r.returncode == 0 and "stopped" in r.stderr, r.stderr
        r = _run("stop", "--data-dir", data)
        assert r.returncode == 0 and "not running" in r.stderr
    finally:
        _run("stop", "--data-dir", data)
