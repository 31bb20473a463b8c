"""GraphStore on FalkorDB (the embedded default), spoken to over RESP with the `falkordb`
client.

Versions are whole graphs. A transaction writes into a staging graph: a `GRAPH.COPY` of the
graph readers use (or an empty graph when there is none yet). Readers keep reading their own
graph until the caller publishes the staging graph's name and calls `use()` on it, so no
reader ever sees a half-written ingest, and a rollback (or a crash) only leaves a staging
graph behind, which `rollback()` or `drop()` deletes. Each single query is atomic on
FalkorDB, and `commit()` has the server write a snapshot (BGSAVE) and waits for it, so a
committed version survives a server crash (see `kg/falkordb_server.py`).

Graph names: `<name>` is the base, versions are `<name>@<utc timestamp>-<random>`.
"""

from __future__ import annotations

import math
import secrets
import time
from typing import Any, Iterable, Iterator

import structlog
from falkordb import FalkorDB, Graph
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FalkorPath
from redis.exceptions import ResponseError

from kg.dialect import schema_statements
from kg.store import Row

log = structlog.get_logger(__name__)


class GraphStoreError(RuntimeError):
    """A graph operation failed; the message names the graph and the statement."""


def _value(v: Any) -> Any:
    """Plain Python values for results: nodes/edges become their property maps."""
    if isinstance(v, (Node, Edge)):
        return dict(v.properties)
    if isinstance(v, FalkorPath):
        return [dict(n.properties) for n in v.nodes()]
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return v


def _rows(result: Any) -> list[Row]:
    header = [col[1] if isinstance(col, (list, tuple)) else col for col in (result.header or [])]
    return [dict(zip(header, (_value(v) for v in record))) for record in result.result_set]


def _check_param(value: Any, where: str) -> None:
    """FalkorDB's client inlines parameters as Cypher literals, so a value it cannot spell
    (a date, NaN, an object) would fail deep in the server with a parse error that names no
    row. Check here and name the parameter, row and field instead."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a finite number")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_param(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_param(item, f"{where}.{key}")
        return
    raise ValueError(
        f"{where}: {type(value).__name__} {value!r} cannot be a graph parameter "
        "(use str, int, float, bool, None, lists and maps of them; dates as ISO strings)"
    )


_PLAIN = frozenset({str, int, bool, type(None)})


def _check_row(row: Any, index: int) -> None:
    """`_check_param` for one row, with a fast path for flat maps of plain values."""
    if type(row) is not dict:
        _check_param(row, f"row {index}")
        return
    for key, value in row.items():
        if type(value) not in _PLAIN:
            _check_param(value, f"row {index}.{key}")


def _check_params(params: dict[str, Any] | None) -> None:
    for name, value in (params or {}).items():
        _check_param(value, f"${name}")


def _short(cypher: str) -> str:
    return " ".join(cypher.split())[:160]


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(
    graph: Graph,
    cypher: str,
    params: dict[str, Any] | None,
    *,
    read_only: bool,
    timeout_ms: int | None = None,
) -> list[Row]:
    try:
        if read_only:
            result = graph.ro_query(cypher, params, timeout=timeout_ms)
        else:
            result = graph.query(cypher, params, timeout=timeout_ms)
    except ResponseError as exc:
        if "empty key" in str(exc):  # FalkorDB's words for a graph that does not exist
            raise GraphStoreError(f"graph {graph.name!r} does not exist (was it dropped?)") from exc
        raise GraphStoreError(f"graph {graph.name!r}: {exc} in: {_short(cypher)}") from exc
    return _rows(result)


class FalkorDBTransaction:
    """Writes into one staging graph; see the module docstring."""

    def __init__(self, store: "FalkorDBGraphStore", staging: str) -> None:
        self._store = store
        self.graph_name = staging
        self._graph = store.db.select_graph(staging)
        self._open = True

    def _check_open(self) -> None:
        if not self._open:
            raise GraphStoreError(f"transaction on {self.graph_name!r} is already finished")

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]:
        self._check_open()
        _check_params(params)
        return _run(self._graph, cypher, params, read_only=False)

    def write_rows(
        self,
        cypher: str,
        rows: Iterable[Row],
        batch_size: int = 2000,
        params: dict[str, Any] | None = None,
    ) -> int:
        """Send `rows` as `$rows` in batches (plus any extra `params`); returns rows sent."""
        self._check_open()
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        _check_params(params)
        sent = 0
        for batch in _batches(rows, batch_size):
            for i, row in enumerate(batch, start=sent):
                _check_row(row, i)
            _run(self._graph, cypher, {**(params or {}), "rows": batch}, read_only=False)
            sent += len(batch)
        return sent

    def commit(self) -> str:
        """Finish writing and make it durable; returns the staging graph's name (the
        graph_ref to publish). Nothing is served until the caller `use()`s it."""
        self._check_open()
        if not self._store.exists(self.graph_name):
            # Nothing was written on an empty store: create the (empty, indexed) graph so the
            # ref can be used like any other.
            self._store.ensure_schema(self.graph_name)
        if self._store.persist_on_commit:
            self._store.persist()
        self._open = False
        return self.graph_name

    def rollback(self) -> None:
        """Delete the staging graph (no-op after commit or a previous rollback)."""
        if not self._open:
            return
        self._open = False
        self._store._delete_graph(self.graph_name)

    def __enter__(self) -> "FalkorDBTransaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.rollback()


class FalkorDBGraphStore:
    """GraphStore on a FalkorDB server.

    Args:
        db: a `falkordb.FalkorDB` client (e.g. `FalkorDBServer(data_dir).connect()` or
            `FalkorDB.from_url(url)`).
        name: base name of this store's graphs (one server can hold several stores).
        graph_ref: the published graph to read, if any (from the publication manifest).
        query_timeout_ms: per-query limit for reads (None = server default).
        persist_on_commit: snapshot the server's data (BGSAVE) at every commit and wait for
            it. Servers that forbid BGSAVE (some managed services) are skipped with a warning.
    """

    dialect = "falkordb"

    def __init__(
        self,
        db: FalkorDB,
        *,
        name: str = "shopgraph",
        graph_ref: str | None = None,
        query_timeout_ms: int | None = None,
        persist_on_commit: bool = True,
        persist_timeout_s: float = 1800.0,
    ) -> None:
        if not name or "@" in name:
            raise ValueError(f"graph name must be non-empty and contain no '@': {name!r}")
        self.db = db
        self.name = name
        self.query_timeout_ms = query_timeout_ms
        self.persist_on_commit = persist_on_commit
        self.persist_timeout_s = persist_timeout_s
        self._ref: str | None = None
        if graph_ref is not None:
            self.use(graph_ref)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "FalkorDBGraphStore":
        """`redis://host:port`, `unix:///path/to.sock` or `falkor://host:port`."""
        return cls(FalkorDB.from_url(url), **kwargs)

    # -- versions --------------------------------------------------------------------------
    @property
    def graph_ref(self) -> str:
        """The graph readers use ('' when nothing has been published yet)."""
        return self._ref or ""

    def graphs(self) -> list[str]:
        """Every graph version of this store on the server (published, old and staging)."""
        prefix = f"{self.name}@"
        return sorted(g for g in self.db.list_graphs() if g == self.name or g.startswith(prefix))

    def exists(self, graph_ref: str) -> bool:
        return graph_ref in self.db.list_graphs()

    def new_ref(self) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        return f"{self.name}@{stamp}-{secrets.token_hex(4)}"

    def begin(self, base: str | None = None) -> FalkorDBTransaction:
        """A transaction on a copy of `base` (default: the graph readers use), or on an empty
        graph when there is none yet."""
        base = base if base is not None else self._ref
        staging = self.new_ref()
        if base and self.exists(base):
            self.db.select_graph(base).copy(staging)
            log.debug("graph.staging", base=base, staging=staging)
        return FalkorDBTransaction(self, staging)

    def use(self, graph_ref: str) -> None:
        if not self.exists(graph_ref):
            raise GraphStoreError(f"graph {graph_ref!r} does not exist on the server")
        self._ref = graph_ref

    def drop(self, graph_ref: str) -> None:
        """Delete an old version; refuses the one readers use."""
        if graph_ref == self._ref:
            raise GraphStoreError(f"refusing to drop {graph_ref!r}: it is the graph in use")
        self._delete_graph(graph_ref)

    def _delete_graph(self, graph_ref: str) -> None:
        if self.exists(graph_ref):
            self.db.select_graph(graph_ref).delete()

    def persist(self) -> None:
        """Write a snapshot of the server's data to disk and wait until it is done.

        A snapshot already running may predate our writes, so we wait for it and start our
        own. If forking for BGSAVE fails, a blocking SAVE is the fallback."""
        conn = self.db.connection
        deadline = time.monotonic() + self.persist_timeout_s

        def wait_idle() -> dict[str, Any]:
            while True:
                info = conn.info("persistence")
                if not int(info.get("rdb_bgsave_in_progress", 0)):
                    return info
                if time.monotonic() > deadline:
                    raise GraphStoreError(f"snapshot still running after {self.persist_timeout_s:.0f}s")
                time.sleep(0.02)

        while True:
            try:
                conn.bgsave()
                break
            except ResponseError as exc:
                msg = str(exc)
                if "in progress" in msg:
                    wait_idle()
                    continue
                if "unknown command" in msg.lower() or "NOPERM" in msg or "no permissions" in msg:
                    log.warning("graph.persist_unavailable", reason=msg)
                    return
                log.warning("graph.bgsave_failed", reason=msg)
                try:
                    conn.save()
                except ResponseError as save_exc:
                    raise GraphStoreError(f"the server could not write a snapshot: {save_exc}") from save_exc
                return
        info = wait_idle()
        if info.get("rdb_last_bgsave_status") != "ok":
            raise GraphStoreError(
                "the server could not write its snapshot (rdb_last_bgsave_status="
                f"{info.get('rdb_last_bgsave_status')}); see its log"
            )

    # -- reads and schema ------------------------------------------------------------------
    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Read-only query on the graph in use (GRAPH.RO_QUERY: a write here is an error).
        Before anything is published there is nothing to read: no rows."""
        if not self._ref:
            return []
        _check_params(params)
        graph = self.db.select_graph(self._ref)
        return _run(graph, cypher, params, read_only=True, timeout_ms=self.query_timeout_ms)

    def ensure_schema(self, graph_ref: str | None = None) -> None:
        """Create the key indexes on `graph_ref` (default: the graph in use); idempotent."""
        target = graph_ref or self._ref
        if not target:
            raise GraphStoreError("ensure_schema needs a graph_ref: nothing is in use yet")
        graph = self.db.select_graph(target)
        for statement in schema_statements("falkordb"):
            try:
                graph.query(statement)
            except ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise GraphStoreError(f"graph {target!r}: {exc} in: {statement}") from exc

    def close(self) -> None:
        self.db.close()
