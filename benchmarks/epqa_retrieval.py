"""Score shopgraph's passage ranking directly on ePQA dev (no ingest needed).

Two settings, both over the 805 dev questions that have a "fully answers" (label 2) snippet:

  scoped    rank each question's own 10 labelled candidates (the product is known):
            P@1 and MRR of label-2 snippets. Anchors: BM25 (bm25s, English stop words) and plain
            MiniLM cosine over the raw snippet text, as in ../shared/README.md.
  unscoped  no product given: retrieve from all 9,770 snippets pooled, like a catalog-wide
            search. First stage = dense top-N over passages + BM25 top-N over passages and
            attribute facts (as the pipeline does), then the reranker with owner support
            (rerank.with_owner_support); Hit@1 / Hit@5.
            Anchor: plain MiniLM cosine over all snippets.

Ours = rag.retrieve.rerank.FeatureReranker with the shipped weights (rag/retrieve/rerank.py),
over the same features the pipeline computes: stored passage vectors of the field-aware text,
the attribute key vector for attribute facts, BM25 with corpus IDF, cqa question match,
attribute key match, source priors.

`--fit` refits the linear weights as a logistic regression (label 2 vs rest) with 5-fold
cross-validation grouped by question and prints the cross-validated P@1 next to the shipped
weights' P@1, so over-fitting to dev shows up as a gap.

    .venv/bin/python benchmarks/epqa_retrieval.py [--data ../shared/data] [--fit]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.retrieve.fields import fields, readable  # noqa: E402
from rag.retrieve.lexical import BM25Index, LexDoc  # noqa: E402
from rag.retrieve.rerank import FeatureReranker, with_owner_support  # noqa: E402
from rag.types import Evidence  # noqa: E402


def load(data: Path) -> list[dict]:
    path = data / "pqa" / "ePQA" / "dev.csv"
    if not path.is_file():
        raise SystemExit(f"ePQA dev data not found at {path}; pass --data pointing at the shared data folder")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class EmbeddingCache:
    """text -> vector, persisted under var/cache so reruns skip the encoder."""

    def __init__(self, path: Path):
        self.path = path
        self.vec: dict[str, np.ndarray] = {}
        if path.exists():
            z = np.load(path, allow_pickle=False)
            self.vec = dict(zip(z["texts"].tolist(), z["vectors"]))
        self._encoder = None

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vec]
        if missing:
            if self._encoder is None:
                from rag.encoder import Encoder

                self._encoder = Encoder()
            print(f"embedding {len(missing)} texts ...", file=sys.stderr)
            for t, v in zip(missing, self._encoder.encode(missing, progress=True)):
                self.vec[t] = v
            self.save()
        return np.stack([self.vec[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self.vec)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self.vec[t] for t in texts]))
        os.replace(tmp, self.path)


def attribute_key_text(text: str) -> str:
    return fields(text, "attribute").key or text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("var/cache/epqa_dev_embeddings.npz"))
    ap.add_argument("--pool", type=int, default=30, help="first-stage depth per retriever (unscoped)")
    ap.add_argument("--fit", action="store_true", help="refit the weights with grouped 5-fold CV")
    ap.add_argument("--attribute-text", action="store_true",
                    help="compare attributes by their whole text instead of their key (ablation)")
    args = ap.parse_args()

    rows = load(args.data)
    n = len(rows)
    ev = [
        Evidence(id=f"epqa:{r['qa_pair_id']}", text=r["candidate"], source=r["source"],
                 kind="graph_fact" if r["source"] == "attribute" else "passage", owner_id=r["ASIN"])
        for r in rows
    ]
    labels = np.array([int(r["label"]) for r in rows])
    is_attr = np.array([r["source"] == "attribute" for r in rows])
    by_q: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_q[r["qid"]].append(i)
    qids = [q for q, idx in by_q.items() if (labels[idx] == 2).any()]
    questions = {q: rows[by_q[q][0]]["question"] for q in by_q}

    t0 = time.perf_counter()
    cache = EmbeddingCache(args.cache)
    readable_texts = [readable(r["candidate"], r["source"]) for r in rows]
    key_texts = [attribute_key_text(r["candidate"]) if a else readable_texts[i] for i, (r, a) in enumerate(zip(rows, is_attr))]
    V_raw = cache.encode([r["candidate"] for r in rows])
    # passages: the field-aware text only differs from the raw snippet in whitespace, so its
    # vector is the raw one; attributes read differently ("item weight: 3.44 kilograms")
    V_read = V_raw.copy()
    V_read[is_attr] = cache.encode([t for t, a in zip(readable_texts, is_attr) if a])
    V_key = V_read.copy()
    V_key[is_attr] = cache.encode([t for t, a in zip(key_texts, is_attr) if a])
    Q = cache.encode([questions[q] for q in by_q])
    qvec = dict(zip(by_q, Q))
    print(f"embeddings ready in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    # What the pipeline sees: passages carry their stored vector (field-aware text); attribute
    # facts are graph nodes, compared through their key.
    V_ours = np.where(is_attr[:, None], V_key, V_read)
    if args.attribute_text:
        V_ours = V_read

    lex = BM25Index([LexDoc(e.id, e.text, e.source or "", e.owner_id or "",
                            "graph_fact" if a else "passage") for e, a in zip(ev, is_attr)])
    import bm25s

    plain_tok = bm25s.tokenize([r["candidate"] for r in rows], stopwords="en", show_progress=False, return_ids=False)
    plain_bm25 = bm25s.BM25()
    plain_bm25.index(plain_tok, show_progress=False)

    reranker = FeatureReranker()

    def plain_bm25_scores(question: str) -> np.ndarray:
        toks = [t for t in bm25s.tokenize([question], stopwords="en", show_progress=False, return_ids=False)[0]
                if t in plain_bm25.vocab_dict]
        return plain_bm25.get_scores(toks) if toks else np.zeros(n, np.float32)

    # -- scoped ---------------------------------------------------------------------------------
    feats_by_q = {}
    res = defaultdict(lambda: {"p1": [], "mrr": []})

    def record(name: str, idx: list[int], scores: np.ndarray) -> None:
        order = np.argsort(-scores, kind="stable")
        lab = labels[idx][order]
        res[name]["p1"].append(float(lab[0] == 2))
        res[name]["mrr"].append(1.0 / (1 + int(np.flatnonzero(lab == 2)[0])))

    all_bm25 = {}
    for q in qids:
        idx = by_q[q]
        text = questions[q]
        bm = lex.scores(text)
        all_bm25[q] = bm
        record("bm25 (plain bm25s)", idx, plain_bm25_scores(text)[idx])
        record("dense (plain MiniLM)", idx, V_raw[idx] @ qvec[q])
        record("bm25 (field-aware)", idx, bm[idx])
        f = reranker.features(text, [ev[i] for i in idx], V_ours[idx] @ qvec[q], bm[idx])
        feats_by_q[q] = f
        record("ours (reranker)", idx, reranker.score_features(f))

    print("\nePQA dev, product-scoped: rank each question's 10 labelled candidates "
          f"({len(qids)} questions with a label-2 snippet)")
    for name, r in res.items():
        print(f"  {name:24s} P@1 {np.mean(r['p1']):.3f}   MRR {np.mean(r['mrr']):.3f}")

    # -- unscoped ---------------------------------------------------------------------------------
    passage_pos = np.flatnonzero(~is_attr)
    hits = defaultdict(lambda: {"h1": [], "h5": []})
    for q in qids:
        text, qv = questions[q], qvec[q]
        gold = set(np.flatnonzero(labels == 2).tolist()) & set(by_q[q])
        gold_texts = {rows[i]["candidate"] for i in gold}

        def rec(name: str, ranked: list[int]) -> None:
            # a retrieved snippet counts when it is one of this question's label-2 snippets (or
            # the same text stored for another product)
            ok = [i in gold or (rows[i]["ASIN"] == rows[by_q[q][0]]["ASIN"] and rows[i]["candidate"] in gold_texts)
                  for i in ranked[:5]]
            hits[name]["h1"].append(float(bool(ok[:1]) and ok[0]))
            hits[name]["h5"].append(float(any(ok)))

        plain = V_raw @ qv
        rec("dense (plain MiniLM)", np.argsort(-plain)[:5].tolist())
        dense_scores = V_read[passage_pos] @ qv
        top_d = passage_pos[np.argsort(-dense_scores)[: args.pool]]
        bm = all_bm25[q]
        top_b = np.argsort(-bm)[: args.pool]
        top_b = top_b[bm[top_b] > 0]
        cand = list(dict.fromkeys([*top_d.tolist(), *top_b.tolist()]))
        f = reranker.features(text, [ev[i] for i in cand], V_ours[cand] @ qv, bm[cand])
        s = reranker.score_features(f)
        rec("ours, no owner support", [cand[i] for i in np.argsort(-s, kind="stable")])
        s = with_owner_support(s, [rows[i]["ASIN"] for i in cand], reranker.weights.owner_support)
        rec("ours (hybrid+reranker)", [cand[i] for i in np.argsort(-s, kind="stable")])

    print(f"\nePQA dev, unscoped: retrieve from all {n} snippets, no product filter")
    for name, r in hits.items():
        print(f"  {name:24s} Hit@1 {np.mean(r['h1']):.3f}   Hit@5 {np.mean(r['h5']):.3f}")

    if args.fit:
        fit(qids, by_q, labels, feats_by_q, reranker)


def fit(qids, by_q, labels, feats_by_q, reranker: FeatureReranker) -> None:
    """Logistic regression of label==2 on the features + source one-hot, 5-fold grouped CV."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    sources = sorted({s for q in qids for s in feats_by_q[q].sources})

    def design(q):
        f = feats_by_q[q]
        onehot = np.array([[s == src for src in sources] for s in f.sources], dtype=np.float32)
        return np.hstack([f.matrix(), onehot])

    X = np.vstack([design(q) for q in qids])
    y = np.concatenate([(labels[by_q[q]] == 2).astype(int) for q in qids])
    groups = np.concatenate([[k] * len(by_q[q]) for k, q in enumerate(qids)])
    p1 = []
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        model = LogisticRegression(C=1.0, max_iter=2000).fit(X[train], y[train])
        s = model.decision_function(X)
        start = 0
        for k, q in enumerate(qids):
            m = len(by_q[q])
            if groups[start] in set(groups[test]):
                sub = s[start:start + m]
                p1.append(float(labels[by_q[q]][int(np.argmax(sub))] == 2))
            start += m
    model = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    coef = model.coef_[0]
    from rag.retrieve.rerank import Features

    names = [*Features.NAMES, *[f"prior[{s}]" for s in sources]]
    print(f"\n--fit: 5-fold grouped CV P@1 {np.mean(p1):.3f} (shipped weights above)")
    print("  fitted on all dev: " + ", ".join(f"{nm}={c:.2f}" for nm, c in zip(names, coef)))


if __name__ == "__main__":
    main()
