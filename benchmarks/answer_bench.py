"""Query-path latency at catalog scale (default: the demo store with 100,000 products).

Measures, over the same generated questions, in the same run:
  retrieval+fusion   graph reads by plan + dense (FAISS) + BM25, fusion and reranking, given
                     the message embedding (which the understanding step computes once per turn)
  +embedding         the same with the query embedding computed inside (what the LangChain
                     anchor does)
  whole answer       the full pipeline with the extractive generator: understand -> plan ->
                     retrieve -> fuse -> context -> generate -> ground -> respond
  anchor             a plain LangChain FAISS retriever (langchain_community FAISS vector store
                     over the same passages and vectors, k=8), by vector and with embedding
  langchain overhead ShopgraphRetriever.invoke vs calling the hybrid retriever directly

Prints p50 / p99 (ms) per measurement and the ratios to the anchor.

Building the store: the catalog is generated, written to the graph (FalkorDB) and indexed
(FAISS) by the normal sync path. Embedding 100k passages takes long on a 2-core CPU, so
`--embed N` (default 20000) embeds the first N distinct passage texts with the real model and
gives every further passage a real embedding of an already embedded passage (a random one)
plus small noise: exact (flat) search costs the same whatever the vector values, so latency is
unaffected; retrieval quality on this store is not what this script measures. `--embed 0`
embeds everything. Questions are always embedded with the real model. `--data-dir DIR` keeps
the store (reused on the next run when it holds the same product count).

    .venv/bin/python benchmarks/answer_bench.py [--products 100000] [--queries 300] [--embed 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class SampledEncoder:
    """Real embeddings for the first `budget` texts, then reused real vectors + noise."""

    def __init__(self, encoder, budget: int, seed: int = 0):
        self.encoder, self.budget = encoder, budget
        self.model_name, self.dim = encoder.model_name, encoder.dim
        self.rng = np.random.default_rng(seed)
        self.real: list[np.ndarray] = []
        self.embedded = self.reused = 0

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        n_real = len(texts) if self.budget <= 0 else max(0, min(len(texts), self.budget - self.embedded))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if n_real:
            out[:n_real] = self.encoder.encode(texts[:n_real], progress=progress)
            self.real.extend(out[:n_real][:: max(1, n_real // 2000)])
            self.embedded += n_real
        rest = len(texts) - n_real
        if rest:
            base = np.stack(self.real)[self.rng.integers(0, len(self.real), rest)]
            noisy = base + self.rng.normal(0, 0.05, base.shape).astype(np.float32)
            out[n_real:] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
            self.reused += rest
        return out


def percentiles(xs: list[float]) -> tuple[float, float]:
    a = np.asarray(xs)
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def timed(fn, items, warmup: int = 5) -> list[float]:
    for it in items[:warmup]:
        fn(it)
    out = []
    for it in items:
        t = time.perf_counter()
        fn(it)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def questions(catalog, n: int, seed: int):
    """(text, product id or None, plan kind) triples: product questions about a named product,
    price/stock, policies for a product, and catalog-wide questions without a product."""
    from ingest.demo import SPECS

    r = random.Random(seed)
    out = []
    prods = catalog.products
    for i in range(n):
        p = prods[r.randrange(len(prods))]
        kind = i % 5
        if kind == 0 and p.attributes:
            a = r.choice(p.attributes)
            out.append((f"What is the {a.key.replace('_', ' ')} of the {p.title}?", p.id, "product_info"))
        elif kind == 1:
            out.append((f"How much is the {p.title} and is it in stock?", p.id, "availability_price"))
        elif kind == 2:
            pk = r.choice(["returns", "warranty", "shipping"])
            out.append((f"What is the {pk} policy for the {p.title}?", p.id, f"policy:{pk}"))
        elif kind == 3:
            noun = SPECS[p.category].noun.lower() if p.category in SPECS else "product"
            out.append((f"Which {noun}s are good for travel and have a long battery life?", None, "recommendation"))
        else:
            out.append((f"Can I pay for a {p.title} in installments?", p.id, "policy:payment"))
    return out


def plan_for(text: str, product_id: str | None, kind: str):
    from rag.understand.types import GraphQuery, PassageQuery, RetrievalPlan

    if kind.startswith("policy:"):
        pk = kind.split(":", 1)[1]
        return RetrievalPlan(intent="return_policy", graph_queries=[
            GraphQuery(kind="policy", product_ids=[product_id] if product_id else [], policy_kind=pk)],
            passages=PassageQuery(sources=["policy", "faq"], k=6))
    if product_id is None:
        return RetrievalPlan(intent="recommendation", passages=PassageQuery(k=8))
    return RetrievalPlan(intent=kind, graph_queries=[GraphQuery(kind="product_facts", product_ids=[product_id])],
                         passages=PassageQuery(owner_ids=[product_id], k=6))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--embed", type=int, default=20_000, help="passages embedded for real (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cross-encoder", action="store_true",
                    help="add the cross-encoder stage (on in the server only when a model writes the answer)")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the store here")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--query-threads", type=int, default=1,
                    help="torch and FAISS threads while measuring (one query gains little from more, and on "
                         "a busy CPU extra threads spin-wait: 2 threads measured 4-50x slower per query)")
    args = ap.parse_args()

    from ingest import publish
    from ingest.demo import generate_demo_store
    from ingest.sync import sync
    from kg.falkordb_server import FalkorDBServer
    from kg.falkordb_store import FalkorDBGraphStore
    from rag.encoder import Encoder
    from rag.generate.extractive import ExtractiveGenerator
    from rag.grounding import GroundingChecker
    from rag.langchain import ShopgraphRetriever
    from rag.pipeline import AnswerPipeline
    from rag.retrieve.base import RetrievalQuery
    from rag.retrieve.dense import DenseRetriever
    from rag.retrieve.graph import GraphRetriever, ReadCache
    from rag.retrieve.hybrid import HybridRetriever
    from rag.retrieve.lexical import BM25Index, build_lexical_index, graph_attribute_rows
    from rag.vector_index import VectorIndex
    from serve.logging import configure_logging

    configure_logging("WARNING", json_logs=False)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shopgraph-answer-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    server = FalkorDBServer(data_dir)
    out: dict = {"products": args.products, "queries": args.queries, "cpus": os.cpu_count()}
    try:
        catalog = generate_demo_store(products=args.products, seed=args.seed)
        server.start()
        store = FalkorDBGraphStore(server.connect())
        encoder = Encoder()
        current = publish.read_current(data_dir)
        if current is None or current.counts.get("products") != args.products:
            sampled = SampledEncoder(encoder, args.embed, args.seed)
            t0 = time.perf_counter()
            sync(catalog, store, sampled, data_dir, progress=True)
            out.update(ingest_s=round(time.perf_counter() - t0, 1), embedded_real=sampled.embedded,
                       embedded_reused=sampled.reused)
            current = publish.read_current(data_dir)
        store.use(current.graph_ref)
        index = VectorIndex.open(current.index_path(data_dir))
        import torch

        import faiss

        torch.set_num_threads(args.query_threads)
        faiss.omp_set_num_threads(args.query_threads)  # the anchor uses the same FAISS library
        out["torch_threads"] = args.query_threads
        out["load_avg_start"] = os.getloadavg()[0]
        out.update(passages=index.ntotal, index_kind=index.manifest.index_kind)

        # the BM25 index as the server has it: saved beside the store version (built once)
        t0 = time.perf_counter()
        saved = data_dir / "lexical" / f"v{current.version:06d}"
        if (saved / "meta.json").is_file():
            lexical = BM25Index.load(saved)
            out["bm25_load_s"] = round(time.perf_counter() - t0, 1)
        else:
            lexical = build_lexical_index(index.iter_passages(), graph_attribute_rows(store))
            out["bm25_build_s"] = round(time.perf_counter() - t0, 1)
            lexical.save(saved)
        out["bm25_docs"] = len(lexical)
        # graph reads cached per store version, as serve/container.py wires them
        graph = GraphRetriever(store, cache=ReadCache(lambda: current.version))
        # the server's reranker for the extractive generator (models.cross_encoder=auto: linear
        # stage only); --cross-encoder measures the stage a model-written answer gets
        from rag.retrieve.hybrid import default_reranker
        hybrid = HybridRetriever(graph, DenseRetriever(index, encoder.encode_one), lexical,
                                 encode_many=encoder.encode, reranker=default_reranker(args.cross_encoder))
        out["cross_encoder"] = args.cross_encoder
        qs = questions(catalog, args.queries, args.seed)
        qvecs = encoder.encode([q for q, _, _ in qs])
        hybrid.keys.get(sorted({a.key.replace("_", " ") for p in catalog.products[:2000] for a in p.attributes}))

        def query(i: int, with_vector: bool = True) -> RetrievalQuery:
            text, pid, kind = qs[i]
            return RetrievalQuery.from_plan(text, plan_for(text, pid, kind),
                                            vector=qvecs[i] if with_vector else None,
                                            product_ids=[pid] if pid else [])

        idx = list(range(len(qs)))
        res: dict[str, list[float]] = {}
        parts: dict[str, list[dict]] = {"scoped": [], "unscoped": []}

        def retrieve(i: int) -> None:
            r = hybrid.retrieve(query(i))
            parts["unscoped" if qs[i][1] is None else "scoped"].append(r.timings_ms)

        res["ours: retrieval+fusion"] = timed(retrieve, idx)
        out["retrieval_parts_p50_ms"] = {
            kind: {k: round(float(np.median([t[k] for t in ts])), 2) for k in ts[0]} for kind, ts in parts.items() if ts}
        res["ours: retrieval+fusion, +embedding"] = timed(lambda i: hybrid.retrieve(query(i, False)), idx)

        # the anchor: LangChain's FAISS vector store over the same passages and vectors
        from langchain_community.vectorstores import FAISS
        from langchain_core.embeddings import Embeddings

        class MiniLM(Embeddings):
            def embed_documents(self, texts):
                return encoder.encode(list(texts)).tolist()

            def embed_query(self, text):
                return encoder.encode_one(text).tolist()

        recs = list(index.iter_passages())
        vecs = index.vectors([r.vid for r in recs])
        t0 = time.perf_counter()
        vs = FAISS.from_embeddings(list(zip([r.text for r in recs], vecs.tolist())), MiniLM(),
                                   metadatas=[{"id": r.key} for r in recs], distance_strategy="MAX_INNER_PRODUCT")
        out["langchain_faiss_build_s"] = round(time.perf_counter() - t0, 1)
        lc = vs.as_retriever(search_kwargs={"k": 8})
        res["anchor: LangChain FAISS by vector"] = timed(lambda i: vs.similarity_search_by_vector(qvecs[i].tolist(), k=8), idx)
        res["anchor: LangChain FAISS retriever, +embedding"] = timed(lambda i: lc.invoke(qs[i][0]), idx)

        # LangChain wrapper overhead on our retriever (unscoped questions: same work both ways)
        lc_ours = ShopgraphRetriever(hybrid=hybrid, k=8)
        plain_q = [i for i in idx if qs[i][1] is None]
        # interleaved, so both see the same machine load
        direct, wrapped = [], []
        for i in plain_q * 2:
            t = time.perf_counter()
            hybrid.retrieve(RetrievalQuery(text=qs[i][0], k=8))
            direct.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            lc_ours.invoke(qs[i][0])
            wrapped.append((time.perf_counter() - t) * 1e3)
        res["ours direct (unscoped, +embedding)"] = direct
        res["ours via ShopgraphRetriever (unscoped, +embedding)"] = wrapped

        # whole extractive answer
        understander = make_understander(store, encoder, data_dir, qs, qvecs)
        pipe = AnswerPipeline(understander, hybrid, ExtractiveGenerator(encoder=None), GroundingChecker(None))
        stages: list[dict] = []

        def answer(i: int) -> None:
            a = pipe.answer(qs[i][0], product_id=qs[i][1])
            stages.append(a.timings.stages_ms)

        res["ours: whole extractive answer"] = timed(answer, idx)
        out["understander"] = understander.name
        out["load_avg_end"] = os.getloadavg()[0]
        out["answer_stage_p50_ms"] = {s: round(float(np.median([st[s] for st in stages])), 2) for s in stages[0]}
    finally:
        server.stop()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    anchor = percentiles(res["anchor: LangChain FAISS retriever, +embedding"])
    print(f"\n{args.products} products, {out['passages']} passages ({out['index_kind']} index), "
          f"{out['bm25_docs']} BM25 docs, {args.queries} questions, {out['cpus']} CPUs")
    if "embedded_real" in out:
        print(f"ingest {out['ingest_s']} s; passages embedded for real: {out['embedded_real']}, reused vectors: {out['embedded_reused']}")
    if "bm25_build_s" in out:
        print(f"BM25 index built in {out['bm25_build_s']} s and saved under the store (later runs and servers load it)")
    else:
        print(f"BM25 index loaded from the store in {out['bm25_load_s']} s")
    print(f"understanding in the whole answer: {out['understander']}")
    print(f"torch and FAISS threads {out['torch_threads']}; 1-min load average {out['load_avg_start']:.1f} at start, "
          f"{out['load_avg_end']:.1f} at end (other work on the machine inflates every number alike)")
    print(f"{'measurement':58s} {'p50 ms':>8s} {'p99 ms':>8s} {'p50/anchor':>11s}")
    summary = {}
    for name, xs in res.items():
        p50, p99 = percentiles(xs)
        summary[name] = {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}
        print(f"{name:58s} {p50:8.2f} {p99:8.2f} {p50 / anchor[0]:10.2f}x")
    d = percentiles(res["ours direct (unscoped, +embedding)"])
    w = percentiles(res["ours via ShopgraphRetriever (unscoped, +embedding)"])
    print(f"LangChain wrapper overhead: p50 {w[0] - d[0]:+.2f} ms, p99 {w[1] - d[1]:+.2f} ms")
    print(f"whole answer, median per stage (ms): {out['answer_stage_p50_ms']}")
    print(f"retrieval+fusion, median per part (ms): {out['retrieval_parts_p50_ms']}")
    print("targets: retrieval+fusion p50 <= 15 ms; whole extractive answer p50 <= 25 ms")
    out["results"] = summary
    print(json.dumps(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


def make_understander(store, encoder, data_dir, qs, qvecs):
    """The real understanding step when it is available; else a stand-in that returns the same
    hand-made plans as above with the precomputed embedding (said so in the output)."""
    try:
        from rag.understand.linker import EntityLinker
        from rag.understand.pipeline import Understander

        t0 = time.perf_counter()
        u = Understander.from_artifacts(encoder, linker=EntityLinker.from_graph(store, encoder))
        u.name = f"the shipped understander (intent + sentiment + entity linker over the graph, built in {time.perf_counter() - t0:.0f} s)"
        return u
    except (ImportError, FileNotFoundError) as exc:
        print(f"real understander unavailable ({exc}); using fixed plans", file=sys.stderr)
    from rag.understand.types import IntentPrediction, ResponsePolicy, SentimentPrediction, Understanding

    by_text = {q[0]: (q, v) for q, v in zip(qs, qvecs)}

    class PlanOnly:
        name = "stand-in (fixed plans, precomputed embedding)"

        def understand(self, text, session_id=None, product_id=None):
            # (the pipeline asks each question of a message apart: "How much is the X? ..." as
            # "How much is the X?", a part of a generated question)
            (t, pid, kind), vec = by_text.get(text) or next(hit for q, hit in by_text.items() if text in q)
            plan = plan_for(t, pid, kind)
            return Understanding(
                text=t, intent=IntentPrediction(label=plan.intent, confidence=1.0, raw_label=plan.intent),
                sentiment=SentimentPrediction(label="neutral", confidence=1.0), plan=plan,
                response=ResponsePolicy(), embedding=vec)

    return PlanOnly()


if __name__ == "__main__":
    raise SystemExit(main())
