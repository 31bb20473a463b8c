"""Latency of the whole understanding step at 100k products (embed + classify + link + state).

    .venv/bin/python benchmarks/understand_bench.py [--products 100000] [--turns 300]

Prints p50/p99 of `Understander.understand()` per message, its stages, and two baselines
measured in the same run: the embedding alone (the floor: the encoder every turn needs anyway)
and naive linking (rapidfuzz over every product title, what one writes without an index).
Targets: p50 <= 10 ms, p99 <= 25 ms for the whole step; linking < 2 ms per message.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

# the checkout this script is in, not whichever one the environment installed: a baseline run
# from another worktree measures that worktree's code (as answer_bench.py does)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    from ingest.demo import generate_demo_store
    from serve.logging import configure_logging

    configure_logging("WARNING", json_logs=False)  # no per-message debug lines in the timings
    from rag.encoder import shared_encoder
    from rag.understand.linker import EntityLinker, _base_title
    from rag.understand.pipeline import Understander
    from rag.understand.state import SQLiteSessionStore

    t = time.perf_counter()
    catalog = generate_demo_store(args.products, seed=args.seed)
    print(f"demo store: {len(catalog.products)} products ({time.perf_counter() - t:.1f} s)")
    encoder = shared_encoder()
    t = time.perf_counter()
    linker = EntityLinker.from_catalog(catalog, encoder=encoder)
    print(f"linker index built in {time.perf_counter() - t:.1f} s")
    # A service holds the linker, not the catalog: drop the 100k pydantic products, and move
    # what stays (the linker's index) out of the cyclic GC's way, as a server does after start.
    products = random.Random(args.seed).sample(catalog.products, 200)
    del catalog
    gc.collect()
    gc.freeze()
    tmp = Path(tempfile.mkdtemp())
    understander = Understander.from_artifacts(encoder, linker=linker,
                                               sessions=SQLiteSessionStore(tmp / "s.sqlite", ttl_s=3600))

    rng = random.Random(args.seed)
    first = ["does the {t} come in blue?", "what's the battery life of the {t}", "is the {t} in stock",
             "{t} vs {u}", "is the {t} compatible with my phone", "what is the warranty on the {t}",
             "how much is the {lt}", "recommend a good tent for two people", "where is my order 48213",
             "can I return the {t} after 30 days", "do you ship to canada", "I want to talk to a human"]
    follow = ["and the warranty?", "does it come in black?", "is it in stock?", "the first one", "thanks!",
              "how heavy is it", "can I return it"]
    messages: list[tuple[str, str]] = []
    for i in range(args.turns):
        sid = f"s{i // 3}"
        if i % 3 == 0:
            a, b = rng.sample(products, 2)
            text = rng.choice(first).format(t=_base_title(a.title), u=_base_title(b.title),
                                            lt=" ".join(_base_title(a.title).split()[:2]))
        else:
            text = rng.choice(follow)
        messages.append((sid, text))

    for sid, text in messages[:15]:  # warm-up (first calls load lazily)
        understander.understand(text, session_id="warm" + sid)

    naive_ms: list[float] = []
    from rapidfuzz import fuzz, process

    titles = [p.title for p in linker.products]
    for _, text in tqdm(messages[:30], desc="baseline: naive linking", leave=False):
        t0 = time.perf_counter()
        process.extractOne(text, titles, scorer=fuzz.token_set_ratio)
        naive_ms.append((time.perf_counter() - t0) * 1e3)

    # The baseline (embedding alone) is measured right before each understand() call, so both
    # see the same machine load.
    embed_ms: list[float] = []
    total: list[float] = []
    stages: dict[str, list[float]] = {}
    for sid, text in tqdm(messages, desc="understand", leave=False):
        t0 = time.perf_counter()
        encoder.encode([text])
        embed_ms.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        u = understander.understand(text, session_id=sid)
        total.append((time.perf_counter() - t0) * 1e3)
        for k, v in u.timings_ms.items():
            stages.setdefault(k, []).append(v)

    # Baseline for the classify stage: the same two heads scored through scikit-learn's
    # TfidfVectorizer.transform + sparse hstack (what the heads did before FastScorer).
    from rag.understand.sentiment import sentiment_features

    heads_fast: list[float] = []
    heads_sklearn: list[float] = []
    intent_head, sentiment_head = understander.intent.head, understander.sentiment.head
    for _, text in messages[:100]:
        e = encoder.encode([text])
        t0 = time.perf_counter()
        intent_head.scores([text], e)
        sentiment_head.scores([text], e)
        heads_fast.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        intent_head.scores_reference([text], e)
        sentiment_head.scores_reference([text], sentiment_features([text], e))
        heads_sklearn.append((time.perf_counter() - t0) * 1e3)

    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"messages: {len(messages)} in {len(messages) // 3} sessions, {args.products} products")
    print(f"understand (embed+classify+link+state+route): p50 {pct(total, 50):.2f} ms  p99 {pct(total, 99):.2f} ms"
          f"  (targets 10 / 25 ms)")
    rest = [t - e for t, e in zip(total, stages["embed"])]
    print(f"  without the embedding (classify+link+state+route): p50 {pct(rest, 50):.2f} ms  p99 {pct(rest, 99):.2f} ms")
    for k in ("embed", "classify", "link", "route", "state"):
        print(f"  stage {k:<8} p50 {pct(stages[k], 50):.3f} ms  p99 {pct(stages[k], 99):.3f} ms")
    print(f"baseline embed only:          p50 {pct(embed_ms, 50):.2f} ms  p99 {pct(embed_ms, 99):.2f} ms")
    print(f"  understanding overhead over embedding: p50 x{pct(total, 50) / pct(embed_ms, 50):.2f}")
    print(f"both heads' scores, FastScorer: p50 {pct(heads_fast, 50):.3f} ms  p99 {pct(heads_fast, 99):.3f} ms;"
          f" baseline scikit-learn transform + hstack: p50 {pct(heads_sklearn, 50):.3f} ms  p99 {pct(heads_sklearn, 99):.3f} ms"
          f" (x{pct(heads_sklearn, 50) / max(pct(heads_fast, 50), 1e-6):.1f} faster)")
    print(f"baseline naive linking (rapidfuzz over all titles): p50 {pct(naive_ms, 50):.1f} ms;"
          f" indexed linker p50 {pct(stages['link'], 50):.3f} ms"
          f" (x{pct(naive_ms, 50) / max(pct(stages['link'], 50), 1e-6):.0f} faster)")


if __name__ == "__main__":
    main()
