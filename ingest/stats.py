"""What a data dir holds, and whether its graph, index and metadata agree (`shopgraph stats`).

`consistent` is true when the graph readers use, the published FAISS index and its SQLite
metadata hold exactly the same passage vector ids, the index holds one vector per passage, and
the graph's Store node, current.json and the index manifest name the same version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ingest import publish as pub
from kg import cypher as Q
from kg.store import GraphStore
from rag.vector_index import VectorIndex

_LABELS = {
    "Product": "products",
    "Brand": "brands",
    "Category": "categories",
    "Policy": "policies",
    "FAQ": "faqs",
    "Passage": "passages",
    "Attribute": "attribute_facts",
}


def _graph_vids(graph_store: GraphStore, page: int = 50_000) -> np.ndarray:
    """Every Passage vid in the graph, read in keyset pages (sorted)."""
    parts, after = [], -1
    while True:
        rows = graph_store.query(Q.PASSAGE_PAGE, {"after": after, "limit": page})
        if not rows:
            break
        parts.append(np.array([r["vid"] for r in rows], dtype=np.int64))
        after = int(rows[-1]["vid"])
        if len(rows) < page:
            break
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def store_stats(graph_store: GraphStore, data_dir: str | Path, index: VectorIndex | None = None) -> dict[str, Any]:
    data_dir = Path(data_dir)
    current = pub.read_current(data_dir)
    out: dict[str, Any] = {name: 0 for name in _LABELS.values()}
    out.update(vectors=0, relationships={}, version=None, graph_ref=None, index_kind=None,
               consistent=False, problems=[])
    if current is None:
        out["problems"].append(f"nothing published in {data_dir}")
        return out
    out.update(version=current.version, graph_ref=current.graph_ref, published_at=current.published_at)
    if graph_store.graph_ref != current.graph_ref:
        graph_store.use(current.graph_ref)
    for row in graph_store.query(Q.COUNT_NODES_BY_LABEL):
        if row["label"] in _LABELS:
            out[_LABELS[row["label"]]] = int(row["count"])
    out["relationships"] = {r["type"]: int(r["count"]) for r in graph_store.query(Q.COUNT_RELATIONSHIPS_BY_TYPE)}
    graph_version = [r["version"] for r in graph_store.query(Q.GET_STORE_VERSION)]
    graph_vids = _graph_vids(graph_store)

    own = index is None
    index = index or VectorIndex.open(current.index_path(data_dir))
    try:
        faiss_vids, meta_vids = index.vids(), index.meta_vids()
        out.update(vectors=index.ntotal, index_kind=index.manifest.index_kind,
                   model=index.manifest.model, index_passages=len(meta_vids),
                   omitted_snippets=index.count_items("omitted"))
        problems = out["problems"]
        if graph_version != [current.version]:
            problems.append(f"graph Store version {graph_version} != published version {current.version}")
        if index.manifest.version != current.version:
            problems.append(f"index manifest version {index.manifest.version} != published {current.version}")
        if index.manifest.count != index.ntotal:
            problems.append(f"manifest count {index.manifest.count} != FAISS vectors {index.ntotal}")
        if not np.array_equal(faiss_vids, meta_vids):
            problems.append(f"FAISS ids ({len(faiss_vids)}) differ from metadata ids ({len(meta_vids)})")
        if not np.array_equal(graph_vids, meta_vids):
            only_graph = len(np.setdiff1d(graph_vids, meta_vids))
            only_index = len(np.setdiff1d(meta_vids, graph_vids))
            problems.append(f"graph passages differ from the index: {only_graph} only in graph, {only_index} only in index")
        out["consistent"] = not problems
    finally:
        if own:
            index.close()
    return out
