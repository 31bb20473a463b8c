"""FalkorDBGraphStore on the session's real FalkorDB server: staging isolation, commit/use,
rollback, drop, batching, schema, errors."""

from __future__ import annotations

import pytest

from kg import cypher as C
from kg.falkordb_store import FalkorDBGraphStore, FalkorDBTransaction, GraphStoreError
from kg.store import GraphStore, GraphTransaction

BRANDS = [{"id": f"b{i}", "name": f"Brand {i}", "description": "", "hash": "h"} for i in range(5)]


def _brands(store) -> list[str]:
    return [r["id"] for r in store.query(C.BRAND_NAMES)]


def test_implements_the_protocols(falkordb_store):
    assert isinstance(falkordb_store, GraphStore)
    tx = falkordb_store.begin()
    assert isinstance(tx, GraphTransaction) and isinstance(tx, FalkorDBTransaction)
    tx.rollback()
    assert falkordb_store.dialect == "falkordb"


def test_empty_store_reads_nothing(falkordb_store):
    assert falkordb_store.graph_ref == ""
    assert falkordb_store.query(C.BRAND_NAMES) == []


def test_readers_see_writes_only_after_use(falkordb_store_factory):
    writer = falkordb_store_factory()
    tx = writer.begin()
    tx.write_rows(C.UPSERT_BRANDS, BRANDS[:2])
    ref1 = tx.commit()
    assert writer.graph_ref == ""  # committed, not yet published
    writer.use(ref1)
    reader = falkordb_store_factory(name=writer.name, graph_ref=ref1)  # another process's view

    tx = writer.begin()  # a copy of ref1
    tx.write_rows(C.UPSERT_BRANDS, BRANDS[2:])
    assert sorted(r["id"] for r in tx.run(C.BRAND_NAMES)) == [b["id"] for b in BRANDS]
    assert _brands(writer) == _brands(reader) == ["b0", "b1"]  # staging is invisible
    ref2 = tx.commit()
    assert ref2 != ref1 and _brands(reader) == ["b0", "b1"]
    reader.use(ref2)
    assert _brands(reader) == [b["id"] for b in BRANDS]
    writer.use(ref2)
    writer.drop(ref1)
    assert writer.graphs() == [ref2]


def test_rollback_leaves_nothing_behind(falkordb_store):
    tx = falkordb_store.begin()
    tx.write_rows(C.UPSERT_BRANDS, BRANDS[:1])
    falkordb_store.use(tx.commit())
    before = falkordb_store.graphs()

    tx = falkordb_store.begin()
    tx.write_rows(C.UPSERT_BRANDS, BRANDS)
    staging = tx.graph_name
    assert staging in falkordb_store.graphs()
    tx.rollback()
    assert falkordb_store.graphs() == before
    assert _brands(falkordb_store) == ["b0"]
    with pytest.raises(GraphStoreError, match="already finished"):
        tx.run(C.BRAND_NAMES)
    tx.rollback()  # idempotent

    # a failing statement inside `with` rolls back as well
    with pytest.raises(GraphStoreError, match="graph '.*@"):
        with falkordb_store.begin() as tx:
            tx.write_rows(C.UPSERT_BRANDS, BRANDS)
            tx.run("MATCH (n) RETURN n.id AS id ORDER BY nosuchvariable")
    assert falkordb_store.graphs() == before


def test_write_rows_batches(falkordb_store):
    rows = [{"id": f"b{i}", "name": f"n{i}", "description": "", "hash": "h"} for i in range(25)]
    tx = falkordb_store.begin()
    assert tx.write_rows(C.UPSERT_BRANDS, iter(rows), batch_size=4) == 25
    assert tx.write_rows(C.UPSERT_BRANDS, [], batch_size=4) == 0
    with pytest.raises(ValueError):
        tx.write_rows(C.UPSERT_BRANDS, rows, batch_size=0)
    falkordb_store.use(tx.commit())
    assert len(_brands(falkordb_store)) == 25


def test_commit_of_an_empty_transaction_is_usable(falkordb_store):
    ref = falkordb_store.begin().commit()
    falkordb_store.use(ref)
    assert falkordb_store.query(C.COUNT_NODES_BY_LABEL) == []


def test_schema_is_idempotent(falkordb_store, falkordb_client):
    tx = falkordb_store.begin()
    tx.write_rows(C.UPSERT_BRANDS, BRANDS)
    ref = tx.commit()
    falkordb_store.ensure_schema(ref)
    falkordb_store.ensure_schema(ref)
    indexed = falkordb_client.select_graph(ref).list_indices().result_set
    labels = {row[0] for row in indexed}
    assert {"Product", "Brand", "Category", "Policy", "FAQ", "Passage", "Attribute", "Store"} <= labels


def test_reads_are_read_only_and_errors_name_the_graph(falkordb_store):
    falkordb_store.use(falkordb_store.begin().commit())
    with pytest.raises(GraphStoreError, match=falkordb_store.graph_ref):
        falkordb_store.query("CREATE (:Brand {id: 'x'})")
    with pytest.raises(GraphStoreError, match="does not exist"):
        falkordb_store.use("nope@nothing")
    with pytest.raises(GraphStoreError, match="in use"):
        falkordb_store.drop(falkordb_store.graph_ref)


def test_stores_with_different_names_do_not_mix(falkordb_store_factory):
    a, b = falkordb_store_factory(), falkordb_store_factory()
    tx = a.begin()
    tx.write_rows(C.UPSERT_BRANDS, BRANDS)
    a.use(tx.commit())
    assert b.graphs() == [] and len(a.graphs()) == 1
    with pytest.raises(ValueError):
        FalkorDBGraphStore(a.db, name="bad@name")


def test_unsendable_values_are_named_before_anything_is_sent(falkordb_store):
    import datetime

    tx = falkordb_store.begin()
    good = {"id": "b1", "name": "ok", "description": "", "hash": "h"}
    with pytest.raises(ValueError, match=r"row 3\.name: nan is not a finite number"):
        tx.write_rows(C.UPSERT_BRANDS, [good, good, good, dict(good, name=float("nan"))], batch_size=2)
    with pytest.raises(ValueError, match=r"\$ids\[1\]: date"):
        tx.run(C.DELETE_BRANDS, {"ids": ["a", datetime.date(2026, 1, 1)]})
    # text that needs escaping goes through intact
    text = 'quote " backslash \\ newline \n tab \t unicode ü ✓ braces {x} $notaparam'
    tx.write_rows(C.UPSERT_BRANDS, [dict(good, name=text)])
    assert tx.run(C.BRAND_NAMES) == [{"id": "b1", "name": text}]
    tx.rollback()


def test_a_graph_dropped_under_a_reader_is_an_error_not_an_empty_answer(falkordb_store_factory):
    writer = falkordb_store_factory()
    ref = writer.begin().commit()
    reader = falkordb_store_factory(name=writer.name, graph_ref=ref)
    writer.drop(ref)
    with pytest.raises(GraphStoreError, match="does not exist"):
        reader.query(C.BRAND_NAMES)
