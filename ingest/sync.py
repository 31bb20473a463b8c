"""Sync a validated `Catalog` into the graph and the vector index: incremental, atomic, batched.

Why this shape:
- Incremental: every item (brand, category, product, policy, faq, catalog passage, derived
  OVERRIDES edge) has a content hash stored with the published index version (`items` table).
  Only items whose hash changed are written; an unchanged catalog writes nothing, embeds
  nothing and publishes nothing. A changed product rewrites only its own node, edges,
  attributes and passages. Texts whose embedding already exists (same text hash) reuse the
  stored vector instead of being encoded again.
- Atomic: graph writes go into a `GraphTransaction` (a staging copy on FalkorDB), vectors into a
  new index version dir; both become visible with one `current.json` swap (`ingest/publish.py`).
  A failure anywhere (exception, crash, full disk) leaves the published version serving.
  (Neo4j commits in place, so there the graph commit is the last step before the swap; a crash
  in that gap is reported by `shopgraph stats` as `consistent: false` and healed by the next
  sync, which rewrites from the hashes of the published version.)
- Prune: with `prune=True` what the catalog no longer has is deleted from graph and index.
  Without it the catalog is treated as an upsert of the items it holds.

OVERRIDES (graph model in kg/store.py): for policies of one kind, a narrower one overrides a
wider one whose reach contains it: anything over global; a category policy over one on an
ancestor category; a brand policy over a category policy where that brand sells in that
category; a product policy over the brand / category (incl. ancestors) policies of its product.
With `prune` (the catalog is the whole store) the edges are computed from the catalog and
diffed like any item, so an unchanged store writes none. Without it (an upsert that may hold
only a few items) they are re-derived inside the staging graph by kg's POLICY_OVERRIDES_REBUILD
statements (same rules; a test checks both agree) whenever a policy, a category or a product's
brand/category changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

import numpy as np
import structlog
from pydantic import BaseModel
from tqdm.auto import tqdm

from ingest import publish as pub
from ingest.chunking import ChunkConfig, Chunker
from ingest.models import SCOPE_PRECEDENCE, Catalog, Passage, Policy, Scope
from kg import cypher as Q
from kg.store import GraphStore, GraphTransaction
from rag.vector_index import (
    IndexConfig,
    IndexWriter,
    PassageRecord,
    VectorIndex,
    passage_vid,
    text_hash,
)

log = structlog.get_logger("ingest.sync")

#: Environment variable naming a stage at which the process hard-exits (crash tests only).
CRASH_ENV = "SHOPGRAPH_TEST_CRASH_AT"
STAGES = ("embedded", "graph_partial", "graph_written", "index_written", "graph_committed")


class InjectedFailure(RuntimeError):
    """Raised at a stage named by `fail_at` (tests)."""


class TextEncoder(Protocol):
    model_name: str
    dim: int

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


@dataclass
class SyncReport:
    version: int  # the version serving after this sync
    published: bool  # False when nothing changed (or dry nothing to do)
    graph_ref: str
    index_dir: str
    added: dict[str, int] = field(default_factory=dict)  # by item kind
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    graph_rows_written: int = 0
    passages_upserted: int = 0
    passages_removed: int = 0
    embedded: int = 0  # texts sent to the encoder
    vectors_reused: int = 0
    vectors: int = 0
    index_kind: str = ""
    timings_s: dict[str, float] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- item hashing and diffing -------------------------------------------------------------------
Key = tuple[str, str]  # (kind, id)


def _policy_overrides(catalog: Catalog) -> set[tuple[str, str]]:
    """(narrower policy id, wider policy id) pairs, see the module docstring."""
    parent = {c.id: c.parent for c in catalog.categories}

    def ancestors(cat: str | None) -> list[str]:
        out, seen = [], set()
        while cat and cat not in seen:
            out.append(cat)
            seen.add(cat)
            cat = parent.get(cat)
        return out

    brand_cats: set[tuple[str, str]] = set()
    product_reach: dict[str, set[tuple[str, str]]] = {}
    product_targets = {p.target for p in catalog.policies if p.scope == Scope.product}
    for prod in catalog.products:
        cats = ancestors(prod.category)
        if prod.brand:
            brand_cats.update((prod.brand, c) for c in cats)
        if prod.id in product_targets:
            reach = {("category", c) for c in cats}
            if prod.brand:
                reach.add(("brand", prod.brand))
            product_reach[prod.id] = reach

    def covers(wide: Policy, narrow: Policy) -> bool:
        if SCOPE_PRECEDENCE[narrow.scope] < SCOPE_PRECEDENCE[wide.scope]:
            return False
        if wide.scope == Scope.global_:
            return narrow.scope != Scope.global_
        if narrow.scope == Scope.category and wide.scope == Scope.category:
            return narrow.target != wide.target and wide.target in ancestors(narrow.target)
        if narrow.scope == Scope.brand and wide.scope == Scope.category:
            return (narrow.target, wide.target) in brand_cats
        if narrow.scope == Scope.product and wide.scope in (Scope.brand, Scope.category):
            return (wide.scope.value, wide.target) in product_reach.get(narrow.target or "", set())
        return False

    by_kind: dict[str, list[Policy]] = defaultdict(list)
    for pol in catalog.policies:
        by_kind[pol.kind.value].append(pol)
    pairs = set()
    for group in by_kind.values():
        for narrow in group:
            for wide in group:
                if narrow.id != wide.id and covers(wide, narrow):
                    pairs.add((narrow.id, wide.id))
    return pairs


def item_hash(item: BaseModel) -> str:
    """Content hash of a catalog item. pydantic-core's JSON (fields in declaration order) is
    deterministic and ~10x faster than sorted `json.dumps`, which matters at 100k products."""
    return hashlib.blake2b(item.model_dump_json().encode("utf-8"), digest_size=16).hexdigest()


def catalog_items(catalog: Catalog, chunk: ChunkConfig) -> dict[Key, str]:
    """Content hash of every item; chunked kinds include the chunking signature."""
    sig = chunk.signature
    items: dict[Key, str] = {}
    for c in catalog.categories:
        items[("category", c.id)] = item_hash(c)
    for b in catalog.brands:
        items[("brand", b.id)] = item_hash(b) + sig
    for p in catalog.products:
        items[("product", p.id)] = item_hash(p) + sig
    for pol in catalog.policies:
        items[("policy", pol.id)] = item_hash(pol) + sig
    for f in catalog.faqs:
        items[("faq", f.id)] = item_hash(f) + sig
    for ps in catalog.passages:
        items[("passage", ps.key)] = item_hash(ps)
    for src, dst in _policy_overrides(catalog):
        items[("override", f"{src}>{dst}")] = "1"
    for o in catalog.omitted:
        items[("omitted", o.key)] = item_hash(o)
    for p in catalog.products:  # where a product sits decides which policies override which
        items[("placement", p.id)] = f"{p.brand}|{p.category}"
    return items


#: Item kinds whose change can change which policy overrides which.
_PLACEMENT_KINDS = ("policy", "category", "placement")


# -- graph rows ---------------------------------------------------------------------------------
_DELETE_BY_KIND = {  # order matters: products before the brands/categories they point to
    "product": "DELETE_PRODUCTS",
    "faq": "DELETE_FAQS",
    "policy": "DELETE_POLICIES",
    "brand": "DELETE_BRANDS",
    "category": "DELETE_CATEGORIES",
}
_PASSAGE_OF = {
    "product": "LINK_PASSAGES_TO_PRODUCTS",
    "brand": "LINK_PASSAGES_TO_BRANDS",
    "category": "LINK_PASSAGES_TO_CATEGORIES",
    "policy": "LINK_PASSAGES_TO_POLICIES",
    "faq": "LINK_PASSAGES_TO_FAQS",
    "store": "LINK_PASSAGES_TO_STORE",
}
_SCOPED_LINK = {
    ("policy", "brand"): "LINK_POLICIES_TO_BRANDS",
    ("policy", "category"): "LINK_POLICIES_TO_CATEGORIES",
    ("policy", "product"): "LINK_POLICIES_TO_PRODUCTS",
    ("faq", "brand"): "LINK_FAQS_TO_BRANDS",
    ("faq", "category"): "LINK_FAQS_TO_CATEGORIES",
    ("faq", "product"): "LINK_FAQS_TO_PRODUCTS",
}
_RELATION = {
    "compatible_with": "UPSERT_COMPATIBLE_WITH",
    "accessory_for": "UPSERT_ACCESSORY_FOR",
    "variant_of": "UPSERT_VARIANT_OF",
}


class _GraphPlan:
    """Statements (names in kg/cypher.py) with their rows, in the order they must run.
    `rows` statements take `$rows` (sent in batches by write_rows); `ids` ones take `$ids`."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, list]] = []  # (constant, "rows" | "ids", payload)

    def rows(self, const: str, rows: list[dict]) -> None:
        if rows:
            self.steps.append((const, "rows", rows))

    def ids(self, const: str, ids: list[str]) -> None:
        if ids:
            self.steps.append((const, "ids", ids))

    @property
    def size(self) -> int:
        return sum(len(p) for _, _, p in self.steps)


def _build_graph_plan(
    catalog: Catalog,
    changed: dict[Key, str],
    removed: list[Key],
    passages_up: list[PassageRecord],
    passages_gone: list[str],
    existed: Iterable[Key] | dict[Key, str],
) -> _GraphPlan:
    plan = _GraphPlan()

    def todo(kind: str, items: list) -> list:
        return [x for x in items if (kind, x.id) in changed]

    # Deletions first: stale passages and override edges, then removed items.
    gone: dict[str, list[str]] = defaultdict(list)
    for kind, id_ in removed:
        gone[kind].append(id_)
    plan.ids("DELETE_PASSAGES", passages_gone)
    plan.rows("SYNC_UNLINK_OVERRIDES", [dict(zip(("src", "dst"), i.split(">", 1))) for i in gone["override"]])
    for kind, const in _DELETE_BY_KIND.items():
        plan.ids(const, gone[kind])

    cats = todo("category", catalog.categories)
    # (no aliases: no property, rather than an empty list, which not every store keeps alike)
    plan.rows("UPSERT_CATEGORIES", [{"id": c.id, "name": c.name, "aliases": c.aliases or None,
                                     "hash": changed[("category", c.id)]} for c in cats])
    plan.rows("LINK_CATEGORY_PARENTS", [{"id": c.id, "parent": c.parent} for c in cats])

    brands = todo("brand", catalog.brands)
    plan.rows("UPSERT_BRANDS", [
        {"id": b.id, "name": b.name, "description": b.description, "hash": changed[("brand", b.id)]} for b in brands
    ])

    prods = todo("product", catalog.products)
    plan.rows("UPSERT_PRODUCTS", [
        {"id": p.id, "title": p.title, "description": p.description, "sku": p.sku, "price": p.price,
         "currency": p.currency, "availability": p.availability.value if p.availability else None,
         "hash": changed[("product", p.id)]}
        for p in prods
    ])
    plan.rows("LINK_PRODUCT_BRANDS", [{"id": p.id, "brand": p.brand} for p in prods])
    plan.rows("LINK_PRODUCT_CATEGORIES", [{"id": p.id, "category": p.category} for p in prods])
    rewritten = [p.id for p in prods if ("product", p.id) in existed]  # old attributes/links go
    plan.ids("DELETE_ATTRIBUTES_OF_PRODUCTS", rewritten)
    plan.ids("DELETE_RELATIONS_OF_PRODUCTS", rewritten)
    plan.rows("SYNC_UPSERT_ATTRIBUTES", [
        {"product_id": p.id, "id": f"{p.id}#attr:{a.key}", "key": a.key, "value": a.text_value,
         "values": a.values, "unit": a.unit, "text": f"{a.key}: {a.text_value}", "source_ids": a.source_ids}
        for p in prods for a in p.attributes
    ])
    rel_rows: dict[str, list[dict]] = defaultdict(list)
    for p in prods:
        for rel in p.relations:
            rel_rows[rel.kind.value].append({"source": p.id, "target": rel.target})
    for kind, const in _RELATION.items():
        plan.rows(const, rel_rows[kind])

    for kind, items, upsert in (
        ("policy", catalog.policies, "UPSERT_POLICIES"),
        ("faq", catalog.faqs, "UPSERT_FAQS"),
    ):
        docs = todo(kind, items)
        plan.rows(upsert, [{**x.model_dump(mode="json"), "hash": changed[(kind, x.id)]} for x in docs])
        for scope in ("brand", "category", "product"):
            plan.rows(_SCOPED_LINK[(kind, scope)], [{"id": x.id, "target": x.target} for x in docs if x.scope.value == scope])

    plan.rows("SYNC_LINK_OVERRIDES", [
        dict(zip(("src", "dst"), id_.split(">", 1))) for (kind, id_) in changed if kind == "override"
    ])

    plan.rows("UPSERT_PASSAGES", [
        {"id": r.key, "vid": r.vid, "text": r.text, "source": r.source, "owner_id": r.owner_id,
         "owner_kind": r.owner_kind, "doc_id": r.doc_id, "doc_version": r.doc_version,
         "aliases": r.aliases, "hash": r.hash}
        for r in passages_up
    ])
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for r in passages_up:
        by_owner[r.owner_kind].append({"id": r.key, "owner_id": r.owner_id})
    for kind, const in _PASSAGE_OF.items():
        plan.rows(const, by_owner[kind])
    return plan


# -- passages -----------------------------------------------------------------------------------
def _record(p: Passage, origin: str) -> PassageRecord:
    return PassageRecord(
        vid=passage_vid(p.key), key=p.key, text=p.text, source=p.source, owner_id=p.owner_id,
        owner_kind=p.owner_kind, doc_id=p.doc_id, doc_version=p.doc_version, aliases=list(p.aliases),
        hash=item_hash(p), text_hash=text_hash(p.text), origin=origin,
    )


def _plan_passages(
    catalog: Catalog, changed: dict[Key, str], removed: list[Key], writer: IndexWriter | None, chunker: Chunker
) -> tuple[list[PassageRecord], list[str]]:
    """(passages to upsert, passage keys to delete)."""
    upsert: list[PassageRecord] = []
    delete: list[str] = []
    derive: list[tuple[str, str, list[Passage]]] = []
    for kind, items, fn in (
        ("product", catalog.products, chunker.product),
        ("brand", catalog.brands, chunker.brand),
        ("policy", catalog.policies, chunker.policy),
        ("faq", catalog.faqs, chunker.faq),
    ):
        for x in items:
            if (kind, x.id) in changed:
                derive.append((kind, x.id, fn(x)))
    for kind, owner_id, passages in derive:
        old = writer.owner_passages(owner_id, kind, "derived") if writer else {}
        new = {p.key: _record(p, "derived") for p in passages}
        upsert += [r for k, r in new.items() if old.get(k) != r.hash]
        delete += [k for k in old if k not in new]
    for kind, id_ in removed:
        if kind in _DELETE_BY_KIND and writer:
            delete += list(writer.owner_passages(id_, kind, "derived"))
        elif kind == "passage":
            delete.append(id_)
    for p in catalog.passages:
        if ("passage", p.key) in changed:
            upsert.append(_record(p, "catalog"))
    return upsert, delete


def _embed(
    records: list[PassageRecord], writer: IndexWriter, encoder: TextEncoder, progress: bool
) -> tuple[np.ndarray, int, int]:
    """Vectors for `records`: reused where the same text is already indexed, else encoded once
    per distinct text (length-sorted batches). Returns (vectors, encoded, reused)."""
    vectors = np.zeros((len(records), encoder.dim), dtype=np.float32)
    if not records:
        return vectors, 0, 0
    reuse = writer.existing_vector_for_text([r.text_hash for r in records]) if writer.has_vectors else {}
    by_hash: dict[str, np.ndarray] = {}
    if reuse:
        hashes = list(reuse)
        for h, v in zip(hashes, writer.reconstruct([reuse[h] for h in hashes])):
            by_hash[h] = v
    reused = sum(1 for r in records if r.text_hash in by_hash)
    todo: dict[str, str] = {}
    for r in records:
        if r.text_hash not in by_hash:
            todo.setdefault(r.text_hash, r.text)
    order = sorted(todo, key=lambda h: len(todo[h]))
    step = 512  # progress granularity; the encoder batches within each step
    with tqdm(total=len(order), desc="embedding", unit="text", disable=not progress or not order) as bar:
        for i in range(0, len(order), step):
            part = order[i : i + step]
            for h, v in zip(part, encoder.encode([todo[h] for h in part])):
                by_hash[h] = v
            bar.update(len(part))
    for i, r in enumerate(records):
        vectors[i] = by_hash[r.text_hash]
    return vectors, len(order), reused


# -- the sync -----------------------------------------------------------------------------------
def _checkpoint(stage: str, fail_at: str | None) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        log.warning("injected crash", stage=stage)
        os._exit(70)  # a hard crash: no cleanup, no finally blocks
    if fail_at == stage:
        raise InjectedFailure(f"injected failure at stage {stage!r}")


def _count(keys: Iterable[Key]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for kind, _ in keys:
        out[kind] += 1
    return dict(out)


def _drop_stray_graphs(graph_store: GraphStore, current: pub.Published | None) -> None:
    """Staging graphs left by a crashed ingest (FalkorDB keeps versions as named graphs)."""
    list_graphs = getattr(graph_store, "graphs", None)
    if list_graphs is None:
        return
    keep = {current.graph_ref} if current else set()
    if current and current.previous:
        keep.add(current.previous["graph_ref"])
    for ref in list_graphs():
        if ref not in keep and ref != graph_store.graph_ref:
            log.info("dropping an unpublished graph version", graph_ref=ref)
            graph_store.drop(ref)


def sync(
    catalog: Catalog,
    graph_store: GraphStore,
    encoder: TextEncoder,
    data_dir: str | Path,
    *,
    prune: bool = False,
    chunk: ChunkConfig = ChunkConfig(),
    index: IndexConfig = IndexConfig(),
    write_batch_size: int = 2000,
    progress: bool = False,
    fail_at: str | None = None,
    lock_timeout_s: float = 0.0,
    on_stage: Callable[[str], None] | None = None,
    remove: Iterable[Key] = (),
) -> SyncReport:
    """Bring graph + index in line with `catalog` and publish the result as one new version.

    `fail_at` names a stage (see STAGES) where an `InjectedFailure` is raised (tests);
    the environment variable SHOPGRAPH_TEST_CRASH_AT hard-exits the process there instead.
    `remove` lists (kind, id) items to delete without `prune` (e.g. one policy)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def mark(stage: str, since: float) -> float:
        timings[stage] = round(time.perf_counter() - since, 3)
        if on_stage:
            on_stage(stage)
        return time.perf_counter()

    with pub.WriterLock(data_dir, timeout_s=lock_timeout_s):
        for leftover in (data_dir / pub.INDEX_DIR).glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # from a crashed ingest
        current = pub.read_current(data_dir)
        _drop_stray_graphs(graph_store, current)
        previous = VectorIndex.open(current.index_path(data_dir)) if current else None
        if previous and current and graph_store.graph_ref != current.graph_ref:
            graph_store.use(current.graph_ref)
        # Only the model's name here: a lazily loaded encoder is not loaded for an unchanged store.
        if previous and previous.manifest.model != encoder.model_name:
            log.info("embedding model changed: re-ingesting everything", old=previous.manifest.model)
            old_items: dict[Key, str] = {}
        else:
            old_items = previous.item_hashes() if previous else {}

        t = time.perf_counter()
        items = catalog_items(catalog, chunk)
        changed = {k: h for k, h in items.items() if old_items.get(k) != h}
        gone = [k for k in old_items if k not in items]
        if prune:  # the catalog is the whole store: everything, OVERRIDES included, is diffed
            removed = gone
        else:
            # An upsert: OVERRIDES are re-derived in the graph (which also holds what this
            # catalog leaves out) when a policy, category or product placement changed.
            changed = {k: h for k, h in changed.items() if k[0] != "override"}
            removed = [k for k in gone if k[0] == "omitted"]  # omitted markers follow the source
        # Explicit removals without prune (HTTP policy delete: serve/policies.py).
        removed += [k for k in remove if k in old_items and k not in items and k not in removed]
        rederive_overrides = not prune and any(k[0] in _PLACEMENT_KINDS for k in (*changed, *removed))
        t = mark("diff", t)

        report = SyncReport(
            version=current.version if current else 0,
            published=False,
            graph_ref=current.graph_ref if current else "",
            index_dir=current.index_dir if current else "",
            added=_count(k for k in changed if k not in old_items),
            changed=_count(k for k in changed if k in old_items),
            removed=_count(removed),
            unchanged=len(items) - len(changed),
            vectors=previous.ntotal if previous else 0,
            index_kind=previous.manifest.index_kind if previous else "",
        )
        if not changed and not removed and current is not None:
            report.elapsed_s = round(time.perf_counter() - t0, 3)
            report.timings_s = timings
            log.info("sync: nothing changed", version=report.version, elapsed_s=report.elapsed_s)
            if previous:
                previous.close()
            return report

        version = (current.version if current else 0) + 1
        final_dir = data_dir / pub.version_dir_name(version)
        if final_dir.exists():  # left by a crash after the index was written but before publish
            shutil.rmtree(final_dir)
        writer = IndexWriter(
            data_dir / pub.INDEX_DIR / f".staging-v{version:06d}-{os.getpid()}",
            model=encoder.model_name, dimension=encoder.dim, config=index,
            previous=previous if old_items else None,
        )
        txn: GraphTransaction | None = None
        new_ref: str | None = None
        published = False
        try:
            chunker = Chunker(chunk)
            passages_up, passages_gone = _plan_passages(catalog, changed, removed, writer, chunker)
            t = mark("chunk", t)
            vectors, report.embedded, report.vectors_reused = _embed(passages_up, writer, encoder, progress)
            t = mark("embed", t)
            _checkpoint("embedded", fail_at)

            plan = _build_graph_plan(catalog, changed, removed, passages_up, passages_gone, old_items)
            if graph_store.dialect == "neo4j":
                graph_store.ensure_schema()  # DDL cannot share the write transaction there
            txn = graph_store.begin()
            staging = getattr(txn, "graph_name", None)
            if staging:  # FalkorDB: a fresh staging graph has no indexes yet (a copy keeps them)
                graph_store.ensure_schema(staging)
            with tqdm(total=plan.size + 1, desc="graph", unit="row", disable=not progress) as bar:
                # The Store node first: passages owned by the store link to it.
                txn.run(Q.SET_STORE_VERSION, {"version": version, "updated_at": pub.now_iso()})
                report.graph_rows_written += 1
                bar.update(1)
                for n, (const, mode, payload) in enumerate(plan.steps):
                    statement = getattr(Q, const)
                    if mode == "rows":
                        sent = txn.write_rows(statement, payload, batch_size=write_batch_size)
                    else:
                        for i in range(0, len(payload), write_batch_size):
                            txn.run(statement, {"ids": payload[i : i + write_batch_size]})
                        sent = len(payload)
                    report.graph_rows_written += sent
                    bar.update(sent)
                    if n == len(plan.steps) // 2:
                        _checkpoint("graph_partial", fail_at)
                if rederive_overrides:
                    for statement in Q.POLICY_OVERRIDES_REBUILD:
                        txn.run(statement)
                    pairs = {(r["id"], o) for r in txn.run(Q.POLICIES, {"kind": None}) for o in r["overrides"]}
                    derived = {("override", f"{a}>{b}"): "1" for a, b in pairs}
                    changed.update({k: h for k, h in derived.items() if k not in old_items})
                    removed += [k for k in old_items if k[0] == "override" and k not in derived]
                    report.graph_rows_written += len(pairs)
            t = mark("graph", t)
            _checkpoint("graph_written", fail_at)

            writer.remove(passages_gone)
            writer.upsert(passages_up, vectors)
            writer.set_items(changed, removed)
            manifest = writer.finish(version, final_dir)
            t = mark("index", t)
            _checkpoint("index_written", fail_at)

            new_ref = txn.commit()
            txn = None
            t = mark("commit", t)
            _checkpoint("graph_committed", fail_at)

            state = pub.Published(
                version=version, graph_ref=new_ref, index_dir=pub.version_dir_name(version),
                counts={"vectors": manifest.count, **catalog.counts()}, created_at=manifest.created_at,
            )
            pub.publish(data_dir, state, current)
            published = True
            graph_store.use(new_ref)
        except BaseException:
            if txn is not None:
                try:
                    txn.rollback()
                except Exception as exc:  # the original error matters more
                    log.error("graph rollback failed", error=str(exc))
            if not published:
                if new_ref and (current is None or new_ref != current.graph_ref):
                    try:
                        graph_store.drop(new_ref)
                    except Exception as exc:
                        log.error("dropping unpublished graph failed", graph_ref=new_ref, error=str(exc))
                writer.abort()
                shutil.rmtree(final_dir, ignore_errors=True)
            raise
        finally:
            if previous:
                previous.close()

        # Published: forget versions older than the previous one.
        pub.collect_garbage(data_dir, state)
        if current and current.previous and current.previous["graph_ref"] not in (new_ref, current.graph_ref):
            try:
                graph_store.drop(current.previous["graph_ref"])
            except Exception as exc:
                log.warning("dropping an old graph version failed", graph_ref=current.previous["graph_ref"], error=str(exc))
        mark("publish", t)

        report.version, report.published = version, True
        report.graph_ref, report.index_dir = new_ref, state.index_dir
        report.passages_upserted, report.passages_removed = len(passages_up), len(passages_gone)
        report.vectors, report.index_kind = manifest.count, manifest.index_kind
        report.timings_s = timings
        report.elapsed_s = round(time.perf_counter() - t0, 3)
        log.info("sync published", version=version, rows=report.graph_rows_written, embedded=report.embedded,
                 elapsed_s=report.elapsed_s)
        return report
