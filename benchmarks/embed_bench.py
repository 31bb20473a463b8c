"""Embedding cost, ONNX Runtime backend against the sentence-transformers/torch baseline, in one run.

    .venv/bin/python benchmarks/embed_bench.py [--messages 300] [--snippets 3000] [--data ../shared/data]

Three shapes of work, each on real ePQA dev text (questions and candidate snippets):
- one message (a chat turn): p50/p99 ms of `encode_one`, both backends on 1 thread, alternated
  message by message so that machine load hits both alike;
- a question with its 10 candidate snippets (the extractive answer's `encode` call): p50/p99 ms;
- a batch of snippets (ingestion): texts/s of `encode`, both backends on all cores.
Also prints the largest difference between the two backends' vectors (FAISS indexes built by
one stay valid for the other when it is ~1e-7).

`--int8` adds the opt-in `onnx-int8` backend: its one-message latency next to the float ONNX
one, and what it costs in quality on ePQA dev, product-scoped (rank each answerable question's
10 labelled candidates by cosine; P@1 and MRR of the label-2 snippets), float vs int8.
`--int8-questions N` limits that to the first N questions.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def load_epqa(data: Path) -> tuple[list[str], list[list[str]], list[str]]:
    path = data / "pqa" / "ePQA" / "dev.csv"
    if not path.exists():
        raise SystemExit(f"ePQA dev split not found at {path} (set --data to the shared data folder)")
    candidates: dict[str, list[str]] = defaultdict(list)
    questions: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            questions.setdefault(row["qid"], row["question"])
            candidates[row["qid"]].append(row["candidate"])
    qids = list(questions)
    snippets = [c for q in qids for c in candidates[q]]
    return [questions[q] for q in qids], [candidates[q] for q in qids], snippets


def timed(fn, arg) -> float:
    t = time.perf_counter()
    fn(arg)
    return (time.perf_counter() - t) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--snippets", type=int, default=3000)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--int8", action="store_true", help="also measure the opt-in onnx-int8 backend")
    ap.add_argument("--int8-questions", type=int, default=0, help="ePQA questions for --int8 (0 = all)")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    questions, candidates, snippets = load_epqa(args.data)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    import torch

    from rag.encoder import Encoder

    t = time.perf_counter()
    onnx = Encoder(backend="onnx")
    print(f"onnx encoder ready in {time.perf_counter() - t:.2f} s (includes the one-time export if not cached)")
    t = time.perf_counter()
    ref = Encoder(backend="torch")
    print(f"torch encoder ready in {time.perf_counter() - t:.2f} s")
    backends = {"torch": ref, "onnx": onnx}

    # one message, both on one thread
    torch.set_num_threads(1)
    msgs = questions[: args.messages]
    for e in backends.values():
        for m in msgs[:20]:
            e.encode_one(m)
    single: dict[str, list[float]] = {name: [] for name in backends}
    for m in msgs:
        for name, e in backends.items():
            single[name].append(timed(e.encode_one, m))
    print(f"\none message ({len(msgs)} ePQA questions, 1 thread):")
    for name, xs in single.items():
        print(f"  {name:5s}  p50 {pct(xs, 50):6.2f} ms   p99 {pct(xs, 99):6.2f} ms")
    print(f"  onnx/torch p50 ratio {pct(single['onnx'], 50) / pct(single['torch'], 50):.2f}")

    # a question with its candidates, one thread (a server turn)
    groups = [[q, *c] for q, c in zip(questions, candidates)][: max(20, args.messages // 3)]
    answer: dict[str, list[float]] = {name: [] for name in backends}
    for g in groups:
        for name, e in backends.items():
            answer[name].append(timed(e.encode, g))
    print(f"\nquestion + {len(groups[0]) - 1} candidates ({len(groups)} groups, 1 thread):")
    for name, xs in answer.items():
        print(f"  {name:5s}  p50 {pct(xs, 50):6.2f} ms   p99 {pct(xs, 99):6.2f} ms")
    print(f"  onnx/torch p50 ratio {pct(answer['onnx'], 50) / pct(answer['torch'], 50):.2f}")

    # ingestion batch, all cores
    torch.set_num_threads(os.cpu_count() or 1)
    batch = snippets[: args.snippets]
    seconds: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _round in range(2):  # alternate, keep each backend's best
        for name, e in backends.items():
            t = time.perf_counter()
            vectors[name] = e.encode(batch)
            took = time.perf_counter() - t
            seconds[name] = min(seconds.get(name, took), took)
    print(f"\nbatch of {len(batch)} ePQA snippets (all {os.cpu_count()} cores, best of 2):")
    for name, s in seconds.items():
        print(f"  {name:5s}  {len(batch) / s:7.0f} texts/s  ({s:.2f} s)")
    print(f"  onnx/torch throughput ratio {seconds['torch'] / seconds['onnx']:.2f}")
    diff = float(np.abs(vectors["onnx"] - vectors["torch"]).max())
    print(f"\nmax |onnx - torch| over the batch: {diff:.1e}")
    if args.int8:
        int8_report(args, onnx, msgs)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def int8_report(args, onnx, msgs: list[str]) -> None:
    from rag.encoder import Encoder

    int8 = Encoder(backend="onnx-int8")
    pair = {"onnx": onnx, "int8": int8}
    single: dict[str, list[float]] = {name: [] for name in pair}
    for m in msgs:
        for name, e in pair.items():
            single[name].append(timed(e.encode_one, m))
    print(f"\nonnx-int8, one message ({len(msgs)} questions, 1 thread):")
    for name, xs in single.items():
        print(f"  {name:5s}  p50 {pct(xs, 50):6.2f} ms   p99 {pct(xs, 99):6.2f} ms")
    print(f"  int8/onnx p50 ratio {pct(single['int8'], 50) / pct(single['onnx'], 50):.2f}")

    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    questions: dict[str, str] = {}
    with (args.data / "pqa" / "ePQA" / "dev.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            questions[row["qid"]] = row["question"]
            groups[row["qid"]].append((row["candidate"], int(row["label"])))
    qids = [q for q, c in groups.items() if any(label == 2 for _, label in c)]
    if args.int8_questions:
        qids = qids[: args.int8_questions]
    print(f"\nePQA dev, product-scoped ranking by cosine ({len(qids)} questions with a label-2 snippet):")
    for name, e in pair.items():
        q_vecs = e.encode([questions[q] for q in qids])
        c_vecs = e.encode([c for q in qids for c, _ in groups[q]])
        p1, rr, start = [], [], 0
        for q, qv in zip(qids, q_vecs):
            labels = np.array([label for _, label in groups[q]])
            scores = c_vecs[start : start + len(labels)] @ qv
            start += len(labels)
            ranked = labels[np.argsort(-scores, kind="stable")]
            p1.append(float(ranked[0] == 2))
            rr.append(1.0 / (1 + int(np.flatnonzero(ranked == 2)[0])))
        print(f"  {name:5s}  P@1 {np.mean(p1):.3f}   MRR {np.mean(rr):.3f}")


if __name__ == "__main__":
    main()
