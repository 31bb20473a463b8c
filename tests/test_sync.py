"""ingest/sync.py end to end: real FalkorDB (session server), real FAISS, real all-MiniLM-L6-v2.

The demo store (150 products) is ingested once per session (`ingested_demo`); tests that change
the store work on `demo_clone`, a private copy of it (see tests/conftest.py)."""

from __future__ import annotations

import errno
import json

import faiss
import pytest

from ingest import publish
from ingest.publish import IngestLocked, WriterLock
from ingest.stats import store_stats
from ingest.sync import InjectedFailure, STAGES, _policy_overrides, sync
from kg import cypher as Q
from rag.vector_index import VectorIndex


class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.model_name, self.dim, self.texts = inner, inner.model_name, inner.dim, 0

    def encode(self, texts, progress=False):
        self.texts += len(texts)
        return self.inner.encode(texts, progress)


class CountingStore:
    """The real graph store, counting write transactions (every graph write goes through one)."""

    def __init__(self, inner):
        self._inner, self.transactions = inner, 0

    def begin(self, *args, **kwargs):
        self.transactions += 1
        return self._inner.begin(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _index(data_dir) -> VectorIndex:
    return VectorIndex.open(publish.read_current(data_dir).index_path(data_dir))


def _product_ids(store) -> set[str]:
    return {r["id"] for r in store.query(Q.PRODUCT_HASHES)}


# -- content ------------------------------------------------------------------------------------
def test_demo_store_is_consistent_and_complete(ingested_demo, demo_catalog):
    data_dir, store, report = ingested_demo
    stats = store_stats(store, data_dir)
    assert stats["consistent"], stats["problems"]
    counts = demo_catalog.counts()
    for key in ("products", "brands", "categories", "policies", "faqs", "attribute_facts"):
        assert stats[key] == counts[key], key
    assert stats["passages"] == stats["vectors"] == report.vectors > counts["products"]
    rels = stats["relationships"]
    assert rels["MADE_BY"] == rels["IN_CATEGORY"] == counts["products"]
    assert rels["PASSAGE_OF"] == stats["passages"]
    assert rels["OVERRIDES"] == len(_policy_overrides(demo_catalog)) > 0
    assert report.embedded <= report.vectors  # identical texts are embedded once


def test_product_reaches_brand_and_category_policies_with_overrides(ingested_demo, demo_catalog):
    _, store, _ = ingested_demo
    brand_pol = next(p for p in demo_catalog.policies if p.scope.value == "brand")
    cat_pol = next(p for p in demo_catalog.policies if p.scope.value == "category")
    parents = {c.id: c.parent for c in demo_catalog.categories}

    def in_subtree(cat, root):
        while cat:
            if cat == root:
                return True
            cat = parents.get(cat)
        return False

    for pol, pick in (
        (brand_pol, lambda p: p.brand == brand_pol.target),
        (cat_pol, lambda p: in_subtree(p.category, cat_pol.target) and not any(
            q.scope.value in ("brand", "product") and q.kind == cat_pol.kind and q.target in (p.brand, p.id)
            for q in demo_catalog.policies)),
    ):
        product = next(p for p in demo_catalog.products if pick(p))
        rows = store.query(Q.APPLICABLE_POLICIES, {"product_id": product.id, "brand_id": None,
                                                   "category_id": None, "kind": pol.kind.value})
        winner = rows[0]["policy"]
        if winner["scope"] != "product":
            assert winner["id"] == pol.id, (product.id, winner)
        overridden = {p["id"] for p in rows[0]["overridden"]}
        glob = next(p.id for p in demo_catalog.policies if p.kind == pol.kind and p.scope.value == "global")
        assert glob in overridden
        assert glob in winner["overrides"]  # the OVERRIDES edge is recorded in the graph


def test_overrides_match_the_graph_derived_rules(demo_clone, demo_catalog):
    """Our catalog-derived OVERRIDES edges equal what kg's graph-side rebuild derives."""
    data_dir, store = demo_clone
    ours = {(r["id"], o) for r in store.query(Q.POLICIES, {"kind": None}) for o in r["overrides"]}
    txn = store.begin()
    for statement in Q.POLICY_OVERRIDES_REBUILD:
        txn.run(statement)
    store.use(txn.commit())
    theirs = {(r["id"], o) for r in store.query(Q.POLICIES, {"kind": None}) for o in r["overrides"]}
    assert ours == theirs == _policy_overrides(demo_catalog)


def test_faiss_lookup_finds_a_known_passage(ingested_demo, sync_encoder, demo_catalog):
    data_dir, _, _ = ingested_demo
    index = _index(data_dir)
    policy = next(p for p in demo_catalog.policies if p.kind.value == "returns" and p.scope.value == "global")
    rec = index.get_by_key([f"policy:{policy.id}@v{policy.version}#0"])[0]
    hit = index.search(sync_encoder.encode([rec.text]), k=3)[0][0]
    assert (hit.key, hit.vid) == (rec.key, rec.vid) and hit.score > 0.99
    top = index.get([h.vid for h in index.search(sync_encoder.encode(["how many days do I have to return an item for a refund"]), k=5)[0]])
    assert any(r.source == "policy" and "return" in r.text.lower() for r in top)
    product = demo_catalog.products[0]
    only = index.search(sync_encoder.encode([product.title]), k=10, owner_ids=[product.id])[0]
    assert only and {index.get([h.vid])[0].owner_id for h in only} == {product.id}


# -- incremental --------------------------------------------------------------------------------
def test_reingest_of_an_unchanged_catalog_writes_and_embeds_nothing(ingested_demo, sync_encoder, demo_catalog):
    data_dir, store, first = ingested_demo
    encoder, counting = CountingEncoder(sync_encoder), CountingStore(store)
    before = (data_dir / "current.json").read_bytes()
    report = sync(demo_catalog.model_copy(deep=True), counting, encoder, data_dir)
    assert (report.published, report.graph_rows_written, report.embedded) == (False, 0, 0)
    assert (encoder.texts, counting.transactions) == (0, 0)
    assert report.version == first.version and report.unchanged > 0
    assert (data_dir / "current.json").read_bytes() == before
    assert report.elapsed_s < 10


def test_a_changed_product_touches_only_its_own_nodes_and_passages(demo_clone, sync_encoder, demo_catalog):
    data_dir, store = demo_clone
    old = _index(data_dir)
    old_records = {r.key: r for r in old.iter_passages()}
    catalog = demo_catalog.model_copy(deep=True)
    product = catalog.products[5]
    product.description += " Now also available in forest green."
    product.price = 1.99
    encoder = CountingEncoder(sync_encoder)
    report = sync(catalog, store, encoder, data_dir)
    assert report.published and report.changed == {"product": 1} and not report.added and not report.removed
    assert report.passages_upserted == 1 and report.passages_removed == 0
    assert encoder.texts == report.embedded == 1
    # product node + its 2 edges, attributes, relations, one passage + link, the store node
    assert report.graph_rows_written <= 3 + 2 * len(product.attributes) + len(product.relations) + 4
    new = _index(data_dir)
    new_records = {r.key: r for r in new.iter_passages()}
    key = f"product:{product.id}#0"
    assert new_records.keys() == old_records.keys()
    assert new_records[key].text.endswith("forest green.") and new_records[key].vid == old_records[key].vid
    assert all(new_records[k] == r for k, r in old_records.items() if k != key)
    assert store.query(Q.PRODUCT_FACTS, {"ids": [product.id]})[0]["price"] == 1.99
    assert store_stats(store, data_dir)["consistent"]


def test_prune_removes_from_graph_and_index(demo_clone, sync_encoder, demo_catalog):
    data_dir, store = demo_clone
    catalog = demo_catalog.model_copy(deep=True)
    targets = {p.target for p in catalog.policies + catalog.faqs}
    gone = [p for p in catalog.products if p.id not in targets][-3:]
    gone_ids = {p.id for p in gone}
    catalog.products = [p for p in catalog.products if p.id not in gone_ids]
    for p in catalog.products:
        p.relations = [r for r in p.relations if r.target not in gone_ids]

    without = sync(catalog, store, sync_encoder, data_dir, prune=False)
    assert not without.removed and gone_ids <= _product_ids(store)

    report = sync(catalog, store, sync_encoder, data_dir, prune=True)
    assert report.removed["product"] == 3 and report.passages_removed >= 3 and report.embedded == 0
    assert not gone_ids & _product_ids(store)
    index = _index(data_dir)
    assert index.get_by_key([f"product:{pid}#0" for pid in gone_ids]) == []
    assert not any(r.owner_id in gone_ids for r in index.iter_passages())
    stats = store_stats(store, data_dir)
    assert stats["consistent"], stats["problems"]
    assert stats["products"] == len(catalog.products)
    assert stats["attribute_facts"] == sum(len(p.attributes) for p in catalog.products)


# -- atomicity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("stage", [s for s in STAGES])
def test_a_failure_mid_ingest_leaves_the_published_state(demo_clone, sync_encoder, demo_catalog, stage):
    data_dir, store = demo_clone
    before = publish.read_current(data_dir)
    catalog = demo_catalog.model_copy(deep=True)
    for p in catalog.products[:20]:
        p.title += " (2nd edition)"
    catalog.products = catalog.products[:-1]
    with pytest.raises(InjectedFailure):
        sync(catalog, store, sync_encoder, data_dir, prune=True, fail_at=stage)
    assert publish.read_current(data_dir) == before
    assert store.graph_ref == before.graph_ref and store.graphs() == [before.graph_ref]
    assert sorted(p.name for p in (data_dir / "index").iterdir()) == ["v000001"]
    stats = store_stats(store, data_dir)
    assert stats["consistent"] and stats["version"] == 1 and stats["products"] == len(demo_catalog.products)
    assert all("2nd edition" not in r["title"] for r in store.query(Q.PRODUCT_FACTS, {"ids": [catalog.products[0].id]}))
    # and the same sync then goes through
    assert sync(catalog, store, sync_encoder, data_dir, prune=True).version == 2


def test_a_full_disk_while_writing_the_index_leaves_the_published_state(demo_clone, sync_encoder, demo_catalog, monkeypatch):
    # A full disk cannot be produced safely here: FAISS's writer is replaced by one failing
    # with ENOSPC, the error a full disk gives.
    data_dir, store = demo_clone
    before = publish.read_current(data_dir)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(faiss, "write_index", full_disk)
    catalog = demo_catalog.model_copy(deep=True)
    catalog.products[0].description = "Replaced description."
    with pytest.raises(OSError, match="No space left"):
        sync(catalog, store, sync_encoder, data_dir)
    assert publish.read_current(data_dir) == before and store.graphs() == [before.graph_ref]
    assert store_stats(store, data_dir)["consistent"]


def test_one_ingest_at_a_time(demo_clone, sync_encoder, demo_catalog):
    data_dir, store = demo_clone
    with WriterLock(data_dir):
        with pytest.raises(IngestLocked, match="another ingest is running"):
            sync(demo_catalog, store, sync_encoder, data_dir)


def test_published_state_and_watcher(demo_clone, sync_encoder, demo_catalog):
    data_dir, store = demo_clone
    watcher = publish.CurrentWatcher(data_dir)
    assert watcher.changed() and not watcher.changed()
    catalog = demo_catalog.model_copy(deep=True)
    catalog.faqs[0].answer += " Thanks!"
    report = sync(catalog, store, sync_encoder, data_dir)
    assert watcher.changed() and not watcher.changed()
    current = json.loads((data_dir / "current.json").read_text())
    assert current["version"] == report.version == 2 and current["previous"]["version"] == 1
    assert current["index_dir"] == "index/v000002" and current["counts"]["vectors"] == report.vectors


def test_an_upsert_of_one_policy_rederives_overrides_from_the_graph(demo_clone, sync_encoder, demo_catalog):
    """A partial catalog (one new brand policy, nothing else) without prune: the new policy
    overrides the global one and the category ones where the brand sells; other edges stay."""
    from ingest.models import Catalog, Policy

    data_dir, store = demo_clone
    before = {(r["id"], o) for r in store.query(Q.POLICIES, {"kind": None}) for o in r["overrides"]}
    brand = next(b.id for b in demo_catalog.brands
                 if not any(p.scope.value == "brand" and p.target == b.id and p.kind.value == "warranty"
                            for p in demo_catalog.policies)
                 and any(p.brand == b.id for p in demo_catalog.products))
    policy = Policy(id=f"warranty-{brand}", kind="warranty", scope="brand", target=brand,
                    title="Extended warranty", body="Three years of warranty on every product.")
    report = sync(Catalog(policies=[policy]), store, sync_encoder, data_dir)
    assert report.published and report.added.get("policy") == 1 and not report.removed
    after = {(r["id"], o) for r in store.query(Q.POLICIES, {"kind": None}) for o in r["overrides"]}
    full = demo_catalog.model_copy(deep=True)
    full.policies.append(policy)
    assert after == _policy_overrides(full) and before < after
    glob = next(p.id for p in demo_catalog.policies if p.kind.value == "warranty" and p.scope.value == "global")
    assert (policy.id, glob) in after
    assert store_stats(store, data_dir)["consistent"]
    # and the same upsert again writes nothing
    assert sync(Catalog(policies=[policy]), store, sync_encoder, data_dir).graph_rows_written == 0
