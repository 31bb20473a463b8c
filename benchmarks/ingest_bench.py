"""Ingestion benchmark: the demo store (default 100,000 products) into a fresh temp data dir on
the embedded defaults (FalkorDB server, FAISS, all-MiniLM-L6-v2), then the naive baseline on
the same data in the same run.

Prints: graph rows/s, passages/s embedded, total time, peak RSS (this process and the FalkorDB
server), and the ratio of batched `UNWIND ... MERGE` writes against the naive way (one MERGE
transaction per product). The naive way is measured on a sample of the same products (default
2,000) and extrapolated to all of them; the output says so.

    .venv/bin/python benchmarks/ingest_bench.py [--products 100000] [--naive-sample 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_peak_mib(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError):
        return None
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--naive-sample", type=int, default=2000, help="products written the naive way")
    ap.add_argument("--data-dir", type=Path, default=None, help="default: a temp dir, removed after")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = ap.parse_args()

    from ingest.demo import generate_demo_store
    from ingest.sync import sync
    from kg import cypher as Q
    from kg.falkordb_server import FalkorDBServer
    from kg.falkordb_store import FalkorDBGraphStore
    from rag.encoder import Encoder
    from serve.logging import configure_logging
    import torch

    configure_logging("WARNING", json_logs=False)  # stdout carries only the numbers

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shopgraph-bench-"))
    server = FalkorDBServer(data_dir)
    out: dict = {"products": args.products, "seed": args.seed, "cpu_threads": torch.get_num_threads(),
                 "cpus": os.cpu_count()}
    try:
        t0 = time.perf_counter()
        catalog = generate_demo_store(products=args.products, seed=args.seed)
        out["generate_s"] = round(time.perf_counter() - t0, 2)
        server.start()
        store = FalkorDBGraphStore(server.connect())
        encoder = Encoder()

        t1 = time.perf_counter()
        report = sync(catalog, store, encoder, data_dir, progress=True)
        out["ingest_s"] = round(time.perf_counter() - t1, 2)
        t = report.timings_s
        out.update(
            graph_rows=report.graph_rows_written,
            graph_s=t["graph"],
            graph_rows_per_s=round(report.graph_rows_written / t["graph"], 1),
            passages=report.vectors,
            texts_embedded=report.embedded,
            embed_s=t["embed"],
            passages_embedded_per_s=round(report.embedded / t["embed"], 1) if t["embed"] else None,
            index_kind=report.index_kind,
            timings_s=t,
        )

        # Re-ingest of the same catalog: must write and embed nothing.
        t2 = time.perf_counter()
        again = sync(catalog, store, encoder, data_dir)
        out["reingest_s"] = round(time.perf_counter() - t2, 2)
        out["reingest_rows_written"], out["reingest_embedded"] = again.graph_rows_written, again.embedded

        # Batched vs naive product writes, on the same sample, each into a fresh graph that
        # already holds the brands and categories (written batched, not timed).
        sample = catalog.products[: min(args.naive_sample, len(catalog.products))]
        base_rows = {
            "UPSERT_BRANDS": [{"id": b.id, "name": b.name, "description": b.description, "hash": ""} for b in catalog.brands],
            "UPSERT_CATEGORIES": [{"id": c.id, "name": c.name, "aliases": c.aliases or None, "hash": ""} for c in catalog.categories],
            "LINK_CATEGORY_PARENTS": [{"id": c.id, "parent": c.parent} for c in catalog.categories],
        }

        def fresh(name: str):
            g = FalkorDBGraphStore(store.db, name=name)
            txn = g.begin()
            g.ensure_schema(txn.graph_name)
            for const, rows in base_rows.items():
                txn.write_rows(getattr(Q, const), rows)
            return g, txn

        rows = [{"id": p.id, "title": p.title, "description": p.description, "sku": p.sku, "price": p.price,
                 "currency": p.currency, "availability": p.availability.value if p.availability else None,
                 "hash": p.content_hash(), "brand": p.brand, "category": p.category} for p in sample]
        g, txn = fresh("bench_batched")
        tb = time.perf_counter()
        txn.write_rows(Q.UPSERT_PRODUCTS, rows)
        txn.write_rows(Q.LINK_PRODUCT_BRANDS, rows)
        txn.write_rows(Q.LINK_PRODUCT_CATEGORIES, rows)
        batched_s = time.perf_counter() - tb
        txn.rollback()

        g, txn = fresh("bench_naive")
        tn = time.perf_counter()
        for r in rows:  # one query = one transaction on FalkorDB
            txn.run(Q.BENCH_NAIVE_PRODUCT, {k: r[k] for k in
                                            ("id", "title", "description", "price", "currency", "hash", "brand", "category")})
        naive_s = time.perf_counter() - tn
        txn.rollback()

        n = len(sample)
        out.update(
            naive_sample=n,
            batched_products_per_s=round(n / batched_s, 1),
            naive_products_per_s=round(n / naive_s, 1),
            batched_vs_naive_speedup=round(naive_s / batched_s, 1),
            naive_all_products_extrapolated_s=round(naive_s / n * len(catalog.products), 1),
            batched_all_products_extrapolated_s=round(batched_s / n * len(catalog.products), 1),
        )
        out["peak_rss_mib"] = round(_rss_mib(), 1)
        out["falkordb_peak_rss_mib"] = _server_peak_mib(server.status().pid)
    finally:
        try:
            server.stop()
        finally:
            if args.data_dir is None:
                shutil.rmtree(data_dir, ignore_errors=True)

    print()
    print(f"demo store: {out['products']} products (seed {out['seed']}), {out['cpus']} CPUs, torch threads {out['cpu_threads']}")
    print(f"total ingest time:        {out['ingest_s']:.1f} s  (generate {out['generate_s']:.1f} s; stages {out['timings_s']})")
    print(f"graph rows written:       {out['graph_rows']}  -> {out['graph_rows_per_s']:.0f} rows/s")
    print(f"passages embedded:        {out['texts_embedded']} distinct texts for {out['passages']} passages "
          f"-> {out['passages_embedded_per_s']} passages/s")
    print(f"re-ingest unchanged:      {out['reingest_s']:.2f} s, {out['reingest_rows_written']} rows, {out['reingest_embedded']} embedded")
    print(f"peak RSS:                 {out['peak_rss_mib']:.0f} MiB (this process), "
          f"{out['falkordb_peak_rss_mib'] or 0:.0f} MiB (FalkorDB server)")
    print(f"batched vs naive writes:  {out['batched_products_per_s']:.0f} vs {out['naive_products_per_s']:.0f} products/s "
          f"= {out['batched_vs_naive_speedup']}x (product + brand + category edges; naive measured on "
          f"{out['naive_sample']} of the same products, one MERGE transaction each)")
    print(f"naive, all products:      {out['naive_all_products_extrapolated_s']:.0f} s extrapolated from the sample "
          f"vs {out['batched_all_products_extrapolated_s']:.0f} s batched")
    print(json.dumps(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
