"""Neo4jGraphStore. No Neo4j server can run here (no JVM, no network), so this tests what runs
without one: construction and URI checks, the DDL it sends, the statement text it shares with
FalkorDB (linted by tests/test_cypher_lint.py), and that an unreachable server fails fast with
the driver's ServiceUnavailable. NOT exercised: transactions, commit/rollback and reads against
a live Neo4j."""

from __future__ import annotations

import socket

import pytest
from neo4j.exceptions import ServiceUnavailable

from kg import dialect
from kg.neo4j_store import Neo4jGraphStore
from kg.store import GraphStore


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_construction_is_lazy_and_typed():
    store = Neo4jGraphStore("neo4j://db.example:7687", "neo4j", "secret", "shop")
    try:
        assert isinstance(store, GraphStore)
        assert store.dialect == "neo4j" and store.graph_ref == "shop"
        store.use("other")
        assert store.graph_ref == "other"
        store.drop("old")  # no versions to drop on Neo4j: a no-op
    finally:
        store.close()
    Neo4jGraphStore("bolt://localhost:7687").close()


def test_rejects_other_uri_schemes():
    with pytest.raises(ValueError, match="neo4j:// or bolt://"):
        Neo4jGraphStore("http://localhost:7474")
    with pytest.raises(ValueError):
        Neo4jGraphStore("redis://localhost:6379")


def test_neo4j_ddl_is_idempotent_constraints_and_indexes():
    ddl = dialect.schema_statements("neo4j")
    for label in dialect.KEYED_LABELS:
        assert (
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            in ddl
        )
    assert "CREATE INDEX passage_vid IF NOT EXISTS FOR (n:Passage) ON (n.vid)" in ddl
    assert all("IF NOT EXISTS" in s for s in ddl)
    assert "CREATE INDEX FOR (n:Product) ON (n.id)" in dialect.schema_statements("falkordb")
    with pytest.raises(ValueError, match="unknown graph dialect"):
        dialect.schema_statements("sqlite")  # type: ignore[arg-type]


def test_unreachable_server_fails_fast():
    store = Neo4jGraphStore(
        f"bolt://127.0.0.1:{_closed_port()}", "neo4j", "x", connection_timeout_s=2, max_retry_time_s=0
    )
    try:
        with pytest.raises(ServiceUnavailable):
            store.query("RETURN 1 AS one")
        with pytest.raises(ServiceUnavailable):
            store.begin()
    finally:
        store.close()
