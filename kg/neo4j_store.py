"""GraphStore on Neo4j (production), with the official `neo4j` driver.

Neo4j has real transactions, so a `GraphTransaction` is one explicit transaction: readers see
nothing of it until it commits, and a rollback (or a dropped connection) discards it. There
is one graph per database, so the graph_ref is the database name and `drop()` is a no-op:
the graph and the vector index are still published together by the caller (see
`ingest/publish.py`), but the graph itself changes in place at commit.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import structlog
from neo4j import Driver, GraphDatabase, ManagedTransaction, RoutingControl, Session, Transaction
from neo4j.exceptions import Neo4jError

from kg.dialect import schema_statements
from kg.store import Row

log = structlog.get_logger(__name__)

__all__ = ["Neo4jGraphStore", "Neo4jTransaction"]


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Neo4jTransaction:
    """One explicit Neo4j transaction on the store's database."""

    def __init__(self, session: Session, database: str) -> None:
        self._session = session
        try:
            self._tx: Transaction | None = session.begin_transaction()
        except BaseException:
            session.close()
            raise
        self.database = database

    def _live(self) -> Transaction:
        if self._tx is None:
            raise RuntimeError(f"transaction on database {self.database!r} is already finished")
        return self._tx

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self._live().run(cypher, params or {}).data()

    def write_rows(
        self,
        cypher: str,
        rows: Iterable[Row],
        batch_size: int = 2000,
        params: dict[str, Any] | None = None,
    ) -> int:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        tx, sent = self._live(), 0
        for batch in _batches(rows, batch_size):
            tx.run(cypher, {**(params or {}), "rows": batch}).consume()
            sent += len(batch)
        return sent

    def commit(self) -> str:
        tx = self._live()
        try:
            tx.commit()
        finally:
            self._tx = None
            self._session.close()
        return self.database

    def rollback(self) -> None:
        if self._tx is None:
            return
        try:
            self._tx.rollback()
        finally:
            self._tx = None
            self._session.close()

    def __enter__(self) -> "Neo4jTransaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.rollback()


class Neo4jGraphStore:
    """GraphStore on a Neo4j 5+ server or cluster.

    Args:
        uri: `neo4j://host:7687` (routing; clusters and Aura) or `bolt://host:7687` (one server).
        user, password: basic auth.
        database: the database holding the graph (also the graph_ref).
        driver: an existing driver to use instead (its owner closes it).
        connection_timeout_s, max_retry_time_s: how long to wait for a server / keep retrying
            transient failures (e.g. a cluster leader switch) before raising.
    """

    dialect = "neo4j"

    def __init__(
        self,
        uri: str = "neo4j://localhost:7687",
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        *,
        driver: Driver | None = None,
        connection_timeout_s: float = 10.0,
        max_retry_time_s: float = 30.0,
    ) -> None:
        if driver is None and not uri.startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://",
                                                   "bolt://", "bolt+s://", "bolt+ssc://")):
            raise ValueError(f"Neo4j URI must start with neo4j:// or bolt://, got {uri!r}")
        self.uri = uri
        self.database = database
        self._owns_driver = driver is None
        self.driver: Driver = driver or GraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connection_timeout_s,
            max_transaction_retry_time=max_retry_time_s,
        )

    @property
    def graph_ref(self) -> str:
        return self.database

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]:
        records, _, _ = self.driver.execute_query(
            cypher, params or {}, database_=self.database, routing_=RoutingControl.READ
        )
        return [record.data() for record in records]

    def ensure_schema(self, graph_ref: str | None = None) -> None:
        database = graph_ref or self.database
        with self._session(database) as session:
            for statement in schema_statements("neo4j"):
                session.execute_write(_run_ddl, statement)

    def _session(self, database: str) -> Session:
        # Sharing execute_query's bookmark manager makes reads after a commit see it, even
        # when a cluster routes them to another member (causal consistency).
        return self.driver.session(
            database=database, bookmark_manager=self.driver.execute_query_bookmark_manager
        )

    def begin(self) -> Neo4jTransaction:
        return Neo4jTransaction(self._session(self.database), self.database)

    def use(self, graph_ref: str) -> None:
        """Read (and write) the database `graph_ref` from now on."""
        self.database = graph_ref

    def drop(self, graph_ref: str) -> None:
        """No-op: a Neo4j database is changed in place, there are no old versions to drop."""

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()


def _run_ddl(tx: ManagedTransaction, statement: str) -> None:
    try:
        tx.run(statement).consume()
    except Neo4jError as exc:  # name the statement; the driver's message alone does not
        raise RuntimeError(f"Neo4j schema statement failed: {statement}: {exc}") from exc
