"""The only Cypher that differs between the two graph servers: schema DDL.

Every node label of the graph model (see `kg/store.py`) is keyed by a unique `id`. Neo4j gets
uniqueness constraints (which also index the key); FalkorDB gets range indexes (its MERGE on
an indexed key is what keeps ids unique there). A few non-key lookups get plain indexes on
both. Everything here is idempotent: Neo4j through `IF NOT EXISTS`, FalkorDB by ignoring its
"already indexed" answer (see `FalkorDBGraphStore.ensure_schema`).
"""

from __future__ import annotations

from typing import Literal

Dialect = Literal["falkordb", "neo4j"]

#: Labels whose nodes carry a unique `id`.
KEYED_LABELS: tuple[str, ...] = (
    "Product",
    "Brand",
    "Category",
    "Attribute",
    "Policy",
    "FAQ",
    "Passage",
    "Store",
)

#: Extra (label, property) lookups that need an index: passages by vector id and by owner.
LOOKUP_INDEXES: tuple[tuple[str, str], ...] = (
    ("Passage", "vid"),
    ("Passage", "owner_id"),
    ("Product", "sku"),
)


def _snake(label: str) -> str:
    return label.lower()


def falkordb_schema() -> list[str]:
    """FalkorDB range indexes, one statement per (label, property)."""
    pairs = [(label, "id") for label in KEYED_LABELS] + list(LOOKUP_INDEXES)
    return [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in pairs]


def neo4j_schema() -> list[str]:
    """Neo4j 5 uniqueness constraints on the keys plus range indexes on the lookups."""
    statements = [
        f"CREATE CONSTRAINT {_snake(label)}_id IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in KEYED_LABELS
    ]
    statements += [
        f"CREATE INDEX {_snake(label)}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for label, prop in LOOKUP_INDEXES
    ]
    return statements


def schema_statements(dialect: Dialect) -> list[str]:
    if dialect == "falkordb":
        return falkordb_schema()
    if dialect == "neo4j":
        return neo4j_schema()
    raise ValueError(f"unknown graph dialect {dialect!r} (expected 'falkordb' or 'neo4j')")
