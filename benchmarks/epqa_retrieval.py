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

`--cross` adds the cross-encoder stage (rag/retrieve/cross_encoder.py; the shipped artifact
continued on ePQA dev, so CrossRouter refuses it: pass `--cross-artifacts` with fold models):
its logit for every scoped candidate, and for the `--cross-top` best first-stage candidates
unscoped; logits are cached per artifact under var/cache. `--subset N` uses the first N
questions only (a quick look).

`--fit` refits the linear weights as a pairwise logistic regression over the graded labels
(2 > 1 > 0 within a question; see `fit`) with 5-fold cross-validation grouped by question, and
prints the cross-validated P@1 next to the shipped weights' P@1, so over-fitting to dev shows
up as a gap. With `--cross` it also fits the
second-stage weights (with the `cross` feature) and reports them out of fold, scoped (P@1) and
unscoped (Hit@5: each question ranked by the weights of the fold that did not see it).

    .venv/bin/python benchmarks/epqa_retrieval.py [--data ../shared/data] [--fit] [--cross]
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

from rag.retrieve.fields import fields, readable
from rag.retrieve.lexical import BM25Index, LexDoc
from rag.retrieve.rerank import (
    CROSS_WEIGHTS,
    FeatureReranker,
    RerankWeights,
    with_owner_support,
)
from rag.types import Evidence


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


class CrossCache:
    """(question, candidate text) -> cross-encoder logit, persisted per artifact hash."""

    def __init__(self, cache_dir: Path, artifact: Path, threads: int = 1):
        from rag.retrieve.cross_encoder import CrossEncoder, artifact_hash

        self.path = cache_dir / f"epqa_dev_cross_{artifact_hash(artifact)}.npz"
        self.model = CrossEncoder(artifact, threads=threads)
        self.epqa = self.model.meta.get("epqa") or None
        self.val: dict[tuple[str, str], float] = {}
        if self.path.exists():
            z = np.load(self.path, allow_pickle=False)
            self.val = {(q, t): float(v) for q, t, v in zip(z["q"].tolist(), z["t"].tolist(), z["v"])}

    def score(self, triples: list[tuple[str, str, str]]) -> np.ndarray:
        """(question, raw candidate, source) -> logits; computes only what is not cached."""
        from rag.retrieve.cross_encoder import candidate_text

        todo = {(q, t): src for q, t, src in triples if (q, t) not in self.val}
        if todo:
            from tqdm import tqdm

            missing = list(todo)
            step = 256
            for s in tqdm(range(0, len(missing), step), desc="cross-encoder", file=sys.stderr,
                          disable=len(missing) <= step):
                chunk = missing[s:s + step]
                v = self.model.score_pairs([q for q, _ in chunk], [candidate_text(t, todo[(q, t)]) for q, t in chunk])
                self.val.update(zip(chunk, map(float, v)))
                self._unsaved += len(chunk)
                if self._unsaved >= step:  # a long run keeps what it computed if stopped
                    self.save()
        return np.array([self.val[(q, t)] for q, t, _ in triples], np.float32)

    _unsaved = 0

    def save(self) -> None:
        self._unsaved = 0
        keys = list(self.val)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, q=np.array([k[0] for k in keys]), t=np.array([k[1] for k in keys]),
                 v=np.array([self.val[k] for k in keys], np.float32))
        os.replace(tmp, self.path)


class CrossRouter:
    """Scores each question with a cross-encoder that never saw it: an artifact trained
    without ePQA scores everything; fold artifacts (rag/train/reranker.py, epqa_folds) score
    the products of their held-out fold. An artifact trained on all of ePQA is refused."""

    def __init__(self, cache_dir: Path, artifacts: list[Path]):
        from rag.train.reranker import epqa_fold_of

        self.caches = [CrossCache(cache_dir, a) for a in artifacts]
        self._fold_of = epqa_fold_of
        for c, a in zip(self.caches, artifacts):
            if c.epqa and c.epqa["held_out_fold"] < 0:
                raise SystemExit(f"{a} was trained on all of ePQA dev: its scores here would be in-sample")
        folds = {c.epqa["folds"] for c in self.caches if c.epqa}
        if len(folds) > 1:
            raise SystemExit("fold artifacts disagree on the number of folds")
        self.folds = folds.pop() if folds else 0
        held = sorted(c.epqa["held_out_fold"] for c in self.caches if c.epqa)
        if self.folds and held != list(range(self.folds)):
            raise SystemExit(f"fold artifacts cover held-out folds {held}, need 0..{self.folds - 1}")
        self.model = self.caches[0].model
        self.label = ("out of fold: " + ", ".join(str(a) for a in artifacts)) if self.folds else str(artifacts[0])

    def cache_for(self, asin: str) -> CrossCache:
        if not self.folds:
            return self.caches[0]
        fold = self._fold_of(asin, self.folds)
        return next(c for c in self.caches if c.epqa["held_out_fold"] == fold)

    def score(self, triples: list[tuple[str, str, str]], asin: str) -> np.ndarray:
        return self.cache_for(asin).score(triples)


def attribute_key_text(text: str) -> str:
    return fields(text, "attribute").key or text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache", type=Path, default=Path("var/cache/epqa_dev_embeddings.npz"))
    ap.add_argument("--pool", type=int, default=30, help="first-stage depth per retriever (unscoped)")
    ap.add_argument("--fit", action="store_true", help="refit the weights with grouped 5-fold CV")
    ap.add_argument("--cross", action="store_true", help="add the cross-encoder stage (the shipped artifact)")
    ap.add_argument("--cross-artifacts", type=str, default="",
                    help="comma-separated cross-encoder artifacts instead: one trained without ePQA, or the "
                         "k fold artifacts of `shopgraph train reranker --epqa-folds k` (out-of-fold scores)")
    ap.add_argument("--cross-top", type=int, default=12, help="unscoped: first-stage candidates rescored")
    ap.add_argument("--subset", type=int, default=0, help="only the first N answerable questions")
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
    if args.subset:
        qids = qids[: args.subset]
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
    cross = None
    if args.cross or args.cross_artifacts:
        from rag.retrieve.cross_encoder import SHIPPED_DIR

        arts = [Path(a) for a in args.cross_artifacts.split(",") if a] or [SHIPPED_DIR]
        cross = CrossRouter(args.cache.parent, arts)
        print(f"cross-encoder: {cross.label}", file=sys.stderr)
        for c in cross.caches:
            c.score([(questions[q], rows[i]["candidate"], rows[i]["source"]) for q in qids for i in by_q[q]
                     if cross.cache_for(rows[i]["ASIN"]) is c])

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
        if cross is not None:
            f.cross = cross.score([(text, rows[i]["candidate"], rows[i]["source"]) for i in idx], rows[idx[0]]["ASIN"])
            record("cross-encoder alone", idx, f.cross)
            record("ours + cross (shipped)", idx, reranker.score_features(f, CROSS_WEIGHTS))

    print("\nePQA dev, product-scoped: rank each question's 10 labelled candidates "
          f"({len(qids)} questions with a label-2 snippet)")
    for name, r in res.items():
        print(f"  {name:24s} P@1 {np.mean(r['p1']):.3f}   MRR {np.mean(r['mrr']):.3f}")

    # -- unscoped ---------------------------------------------------------------------------------
    passage_pos = np.flatnonzero(~is_attr)
    hits = defaultdict(lambda: {"h1": [], "h5": []})
    pools = {}
    for q in qids:
        text, qv = questions[q], qvec[q]
        gold = set(np.flatnonzero(labels == 2).tolist()) & set(by_q[q])
        gold_texts = {rows[i]["candidate"] for i in gold}

        def rec(name: str, ranked: list[int], q=q, gold=gold, gold_texts=gold_texts) -> None:
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
        if cross is not None:
            top = np.argsort(-s, kind="stable")[: args.cross_top]
            f.cross[top] = cross.score([(text, rows[cand[i]]["candidate"], rows[cand[i]]["source"]) for i in top],
                                       rows[by_q[q][0]]["ASIN"])
            pools[q] = (cand, f, s, rec)
            rec("ours + cross (shipped)", [cand[i] for i in second_stage(f, s, top, [rows[i]["ASIN"] for i in cand],
                                                                          CROSS_WEIGHTS)])

    print(f"\nePQA dev, unscoped: retrieve from all {n} snippets, no product filter")
    for name, r in hits.items():
        print(f"  {name:24s} Hit@1 {np.mean(r['h1']):.3f}   Hit@5 {np.mean(r['h5']):.3f}")

    if cross is not None:
        for c in cross.caches:
            c.save()
        latency(cross.model, [(questions[q], [rows[i]["candidate"] for i in by_q[q]],
                               [rows[i]["source"] for i in by_q[q]]) for q in qids[:60]])

    if args.fit:
        models = fit(qids, by_q, labels, feats_by_q, reranker, with_cross=False)
        if cross is not None:
            models = fit(qids, by_q, labels, feats_by_q, reranker, with_cross=True)
            oof = {"h1": [], "h5": []}
            for q in qids:
                cand, f, s, _ = pools[q]
                top = np.argsort(-s, kind="stable")[: args.cross_top]
                w = models[q]
                order = second_stage(f, s, top, [rows[i]["ASIN"] for i in cand], w)
                hits["_oof"] = {"h1": [], "h5": []}
                pools[q][3]("_oof", [cand[i] for i in order])
                oof["h1"] += hits["_oof"]["h1"]
                oof["h5"] += hits["_oof"]["h5"]
            print(f"  unscoped, out of fold (second stage fitted without the question): "
                  f"Hit@1 {np.mean(oof['h1']):.3f}   Hit@5 {np.mean(oof['h5']):.3f}")


def latency(model, items: list[tuple[str, list[str], list[str]]]) -> None:
    """ms per question to score its 10 candidates with the cross-encoder (ONNX, its configured
    threads), next to embedding the question with the shared encoder in the same run."""
    from rag.encoder import shared_encoder
    from rag.retrieve.cross_encoder import candidate_text

    enc = shared_encoder()
    texts = [[candidate_text(t, s) for t, s in zip(ts, ss)] for _, ts, ss in items]
    for (q, _, _), t in zip(items[:5], texts[:5]):  # warm up
        model.score(q, t)
        enc.encode_one(q)
    t0 = time.perf_counter()
    for (q, _, _), t in zip(items, texts):
        model.score(q, t)
    ce = (time.perf_counter() - t0) / len(items) * 1e3
    t0 = time.perf_counter()
    for q, _, _ in items:
        enc.encode_one(q)
    anchor = (time.perf_counter() - t0) / len(items) * 1e3
    n = np.mean([len(t) for t in texts])
    print(f"\ncross-encoder latency: {ce:.1f} ms per question ({n:.1f} candidates, max_length {model.max_length}, "
          f"{model.threads} thread(s)); anchor: embedding the question {anchor:.1f} ms (ratio {ce / anchor:.1f}x); "
          f"load average {os.getloadavg()[0]:.2f}")


def second_stage(f, first: np.ndarray, top: np.ndarray, owners: list[str], w: RerankWeights) -> list[int]:
    """The order FeatureReranker.scores gives: `top` rescored with `w` (and owner support),
    then the rest in first-stage order."""
    sub = FeatureReranker().score_features(f, w)[top]
    sub = with_owner_support(sub, [owners[i] for i in top], w.owner_support)
    rest = [int(i) for i in np.argsort(-first, kind="stable") if i not in set(top.tolist())]
    return [int(top[i]) for i in np.argsort(-sub, kind="stable")] + rest


def pairwise(X: np.ndarray, graded: np.ndarray, groups: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RankNet-style training rows for a linear scorer: for every two candidates of one question
    with different labels (2 fully answers > 1 helpful > 0), their feature difference, both ways
    round (y = 1 when the first is the better one). Only rows where `keep` is true take part."""
    A, y = [], []
    for g in np.unique(groups[keep]):
        m = np.flatnonzero(keep & (groups == g))
        for i in m:
            for j in m:
                if graded[i] > graded[j]:
                    A += [X[i] - X[j], X[j] - X[i]]
                    y += [1, 0]
    return np.array(A), np.array(y)


def fit(qids, by_q, labels, feats_by_q, reranker: FeatureReranker, with_cross: bool) -> dict:
    """Fit the linear weights (features + a prior per source) as a *pairwise* logistic regression
    over the graded labels: within a question, a label-2 candidate should outscore a label-1 or
    label-0 one, and a label-1 one a label-0 one. Ranking is what P@1 asks for, and the "helpful"
    label says which near-misses to rank below the answer; a pointwise regression of "label 2
    vs rest" (the weights shipped until the fifth session) is printed next to it.
    5-fold CV grouped by question; returns, per question, the weights fitted without it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from rag.retrieve.rerank import Features

    names = [n for n in Features.NAMES if with_cross or n != "cross"]
    sources = sorted({s for q in qids for s in feats_by_q[q].sources})

    def design(q):
        f = feats_by_q[q]
        onehot = np.array([[s == src for src in sources] for s in f.sources], dtype=np.float32)
        cols = np.stack([getattr(f, n) for n in names], axis=1)
        return np.hstack([cols, onehot])

    def weights(coef: np.ndarray) -> RerankWeights:
        w = dict(zip(names, map(float, coef)))
        priors = {s: float(c) for s, c in zip(sources, coef[len(names):])}
        return RerankWeights(**w, priors={**RerankWeights().priors, **priors})

    def pairwise_coef(keep: np.ndarray) -> np.ndarray:
        A, yy = pairwise(X, graded, groups, keep)
        return LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False).fit(A, yy).coef_[0]

    def pointwise_coef(keep: np.ndarray) -> np.ndarray:
        return LogisticRegression(C=1.0, max_iter=2000).fit(X[keep], y[keep]).coef_[0]

    X = np.vstack([design(q) for q in qids])
    graded = np.concatenate([labels[by_q[q]] for q in qids])
    y = (graded == 2).astype(int)
    groups = np.concatenate([[k] * len(by_q[q]) for k, q in enumerate(qids)])
    p1: dict[str, list[float]] = {"pairwise": [], "pointwise": []}
    per_q: dict[str, RerankWeights] = {}
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        keep = np.zeros(len(y), bool)
        keep[train] = True
        coefs = {"pairwise": pairwise_coef(keep), "pointwise": pointwise_coef(keep)}
        test_groups = set(groups[test].tolist())
        for k, q in enumerate(qids):
            if k in test_groups:
                rows = groups == k
                for how, coef in coefs.items():
                    p1[how].append(float(graded[rows][int(np.argmax(X[rows] @ coef))] == 2))
                per_q[q] = weights(coefs["pairwise"])
    coef = pairwise_coef(np.ones(len(y), bool))
    label = "with cross" if with_cross else "linear"
    print(f"\n--fit ({label}): 5-fold grouped CV P@1 pairwise {np.mean(p1['pairwise']):.3f}, "
          f"pointwise {np.mean(p1['pointwise']):.3f} (shipped weights above)")
    print("  pairwise, fitted on all dev: " + ", ".join(
        f"{nm}={c:.2f}" for nm, c in zip([*names, *[f"prior[{s}]" for s in sources]], coef)))
    return per_q


if __name__ == "__main__":
    main()
