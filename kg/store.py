"""The one interface to the knowledge graph, whatever server holds it.

Two backends implement it on the same openCypher (the statements live in `kg/cypher.py`):
`kg/falkordb_store.py` (embedded default, its server supervised by `kg/falkordb_server.py`)
and `kg/neo4j_store.py` (production). Only DDL differs per dialect (`kg/dialect.py`).

Graph model (labels and keys; every node has a unique `id`):
  (:Product {id, title, description, sku, price, currency, availability, hash})
  (:Brand {id, name, description, hash})
  (:Category {id, name, hash})-[:SUBCATEGORY_OF]->(:Category)
  (:Product)-[:MADE_BY]->(:Brand)
  (:Product)-[:IN_CATEGORY]->(:Category)
  (:Product)-[:HAS_ATTRIBUTE]->(:Attribute {id: "<product>#attr:<key>", key, value, unit, text})
                                 (value: the values joined with ", ", a string; the sync may add
                                  `values` (list) and `source_ids` (snippet ids))
  (:Product)-[:COMPATIBLE_WITH|ACCESSORY_FOR|VARIANT_OF]->(:Product)
  (:Policy {id, kind, scope, target, title, body, version, effective_date, hash})
      -[:APPLIES_TO]->(:Brand|:Category|:Product)          (no edge for scope 'global')
  (:Policy)-[:OVERRIDES]->(:Policy)                        (narrower scope, same kind)
  (:FAQ {id, question, answer, scope, target, hash})-[:ABOUT]->(:Brand|:Category|:Product)
  (:Passage {id: "<stable key>", vid: <int64 vector id>, text, source, owner_id, owner_kind,
             doc_id, doc_version, hash, aliases})-[:PASSAGE_OF]->(owner node)
  (:Store {id: "store", version, updated_at})               (one node: the published version)

Property values are strings, numbers, booleans or lists of them (dates as ISO strings): what
both servers store natively. The row shape each write statement takes is given above it in
`kg/cypher.py`.

Atomic publication: writes go through a `GraphTransaction` from `begin()`; nothing is visible
to readers until the caller publishes the committed `graph_ref` together with the vector
index of the same version (see `ingest/publish.py`), then points readers at it with `use()`.
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable

Row = dict[str, Any]


@runtime_checkable
class GraphTransaction(Protocol):
    """A private, writable view of the graph. FalkorDB: a copy of the published graph under a
    staging name. Neo4j: one explicit transaction."""

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    def write_rows(self, cypher: str, rows: Iterable[Row], batch_size: int = 2000) -> int:
        """Run an `UNWIND $rows AS row ...` statement over `rows` in batches; returns rows sent."""
        ...

    def commit(self) -> str:
        """Make the writes durable; returns the graph_ref to publish (not yet served)."""
        ...

    def rollback(self) -> None: ...


@runtime_checkable
class GraphStore(Protocol):
    dialect: str  # "falkordb" | "neo4j"

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Read from the graph that readers currently use."""
        ...

    def ensure_schema(self, graph_ref: str | None = None) -> None:
        """Create indexes/constraints on the keys (idempotent)."""
        ...

    def begin(self) -> GraphTransaction: ...

    def use(self, graph_ref: str) -> None:
        """Point reads at a committed, published graph."""
        ...

    @property
    def graph_ref(self) -> str: ...

    def drop(self, graph_ref: str) -> None:
        """Delete a graph version that is no longer published (no-op where versions are shared)."""
        ...

    def close(self) -> None: ...
