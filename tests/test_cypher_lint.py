"""Every Cypher statement shopgraph sends passes Neo4j's own linter.

Runs each string constant of kg/cypher.py, plus the Neo4j schema DDL of kg/dialect.py,
through `lintCypherQuery` of npm `@neo4j-cypher/language-support@2.0.0-next.38` (Neo4j's
parser and semantic analysis; tools/cypher-lint/lint.mjs) under both Cypher versions Neo4j
speaks (5 and 25), and fails on any error-severity diagnostic, naming the constant. Warnings
(e.g. a deliberate cartesian product) are printed, not failed. The linter knows the graph
model's labels and relationship types, so a misspelt one shows as a warning.

(That the same statements also run on FalkorDB is tests/test_kg_statements.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kg import cypher, dialect

LINT_DIR = Path(__file__).resolve().parents[1] / "tools" / "cypher-lint"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"

LABELS = ["Product", "Brand", "Category", "Attribute", "Policy", "FAQ", "Passage", "Store"]
RELATIONSHIP_TYPES = [
    "SUBCATEGORY_OF", "MADE_BY", "IN_CATEGORY", "HAS_ATTRIBUTE", "COMPATIBLE_WITH",
    "ACCESSORY_FOR", "VARIANT_OF", "APPLIES_TO", "OVERRIDES", "ABOUT", "PASSAGE_OF",
]  # fmt: skip


def _all_statements() -> dict[str, str]:
    statements = dict(cypher.statements())
    for i, ddl in enumerate(dialect.neo4j_schema()):
        statements[f"dialect.neo4j_schema()[{i}]"] = ddl
    return statements


def lint(statements: dict[str, str]) -> list[dict]:
    """Diagnostics for each (statement, Cypher version) from Neo4j's linter."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Cypher lint needs Node.js (see `make install-dev`)")
    if not PACKAGE.exists():
        pytest.fail(f"{PACKAGE.parent} is missing: run `cd {LINT_DIR} && npm install` (or `make install-dev`)")
    # Neo4j's analyser takes ~0.5 s a statement: split the work over one node per core.
    items = [{"name": n, "query": q} for n, q in statements.items()]
    workers = max(1, min(os.cpu_count() or 1, 4, len(items)))

    def run(chunk: list[dict]) -> subprocess.CompletedProcess:
        payload = {
            "statements": chunk,
            "schema": {"labels": LABELS, "relationshipTypes": RELATIONSHIP_TYPES},
            "versions": ["CYPHER 5", "CYPHER 25"],
        }
        return subprocess.run(
            [node, "lint.mjs"], cwd=LINT_DIR, input=json.dumps(payload),
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip

    with ThreadPoolExecutor(workers) as pool:
        procs = list(pool.map(run, [items[w::workers] for w in range(workers)]))
    results: list[dict] = []
    for proc in procs:
        assert proc.returncode == 0, f"lint.mjs failed:\n{proc.stderr[-3000:]}"
        results.extend(json.loads(proc.stdout))
    return results


# Probes of the harness itself, linted in the same node run as the statements.
PROBES = {"probe:typo": "MATC (n) RETURN n", "probe:undefined": "MATCH (n) RETURN m", "probe:param": "RETURN $x AS x"}


@pytest.fixture(scope="module")
def lint_results() -> list[dict]:
    return lint({**_all_statements(), **PROBES})


def test_linter_is_the_pinned_version():
    if not PACKAGE.exists():
        pytest.fail(f"{PACKAGE.parent} is missing: run `cd {LINT_DIR} && npm install`")
    assert json.loads(PACKAGE.read_text())["version"] == "2.0.0-next.38"


def test_linter_catches_errors(lint_results):
    """The harness itself: a broken statement and an undefined variable are errors, an
    undefined parameter is not (parameters are bound at run time)."""
    errors = {
        r["name"]
        for r in lint_results
        if r["name"] in PROBES and any(d["severity"] == "error" for d in r["diagnostics"])
    }
    assert errors == {"probe:typo", "probe:undefined"}


def test_every_statement_passes_neo4j_lint(lint_results):
    statements = _all_statements()
    assert len(statements) > 40
    results = [r for r in lint_results if r["name"] not in PROBES]
    assert {r["name"] for r in results} == set(statements)
    errors, warnings = [], []
    for r in results:
        for d in r["diagnostics"]:
            line = f"{r['name']} [{r['version']}] line {d['line']}:{d['character']}: {d['message']}"
            (errors if d["severity"] == "error" else warnings).append(line)
    for w in warnings:
        print("warning:", w)
    assert not errors, "Neo4j's linter rejects:\n" + "\n".join(errors)
