"""Fusion of ranked lists from several retrievers into one list of evidence.

Weighted reciprocal rank fusion: an item's fused score is

    sum over lists r containing it of  weight[r] / (k + rank_r(item))   +   prior[source]

RRF needs no score calibration between retrievers (BM25 scores, cosines and graph rows live
on different scales), `weight` says how much each retriever is trusted, and `prior` adds a
small, source-kind dependent bonus (a graph fact or an applicable policy beats a review that
happens to share words). Items found by several retrievers are merged by id (their aliases
too) and keep the best-scoring copy's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from rag.types import Evidence

#: How much each retriever's ranking counts.
DEFAULT_WEIGHTS: dict[str, float] = {"graph": 1.5, "dense": 1.0, "bm25": 0.8}

#: Additive bonus by evidence source, on the RRF scale (1/(60+1) ~ 0.016 for a first rank).
DEFAULT_PRIORS: dict[str, float] = {
    "policy": 0.010,
    "price": 0.008,
    "availability": 0.008,
    "attribute": 0.004,
    "compatibility": 0.008,
    "accessory": 0.008,
    "comparison": 0.008,
    "similar": 0.004,
    "faq": 0.006,
    "cqa": 0.004,
    "description": 0.002,
    "bullet": 0.002,
    "review": 0.0,
}


@dataclass
class FusionConfig:
    k: int = 60
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    priors: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))


def rrf(ranked: Mapping[str, Sequence[Evidence]], config: FusionConfig | None = None, limit: int | None = None) -> list[Evidence]:
    """Fuse `{retriever name: ranked evidence}` into one list, best first, scores set to the
    fused score and `retriever` to the names that found the item ("dense+bm25")."""
    cfg = config or FusionConfig()
    score: dict[str, float] = {}
    best: dict[str, Evidence] = {}
    found_by: dict[str, list[str]] = {}
    canon: dict[str, str] = {}  # any id or alias -> canonical id
    for name, items in ranked.items():
        w = cfg.weights.get(name, 1.0)
        seen_here: set[str] = set()
        for rank, ev in enumerate(items, start=1):
            cid = next((canon[i] for i in (ev.id, *ev.aliases) if i in canon), ev.id)
            if cid in seen_here:
                continue
            seen_here.add(cid)
            for i in (ev.id, *ev.aliases):
                canon.setdefault(i, cid)
            score[cid] = score.get(cid, 0.0) + w / (cfg.k + rank)
            found_by.setdefault(cid, []).append(name)
            if cid not in best:
                best[cid] = ev
    out = []
    for cid, s in score.items():
        ev = best[cid]
        s += cfg.priors.get(ev.source or "", 0.0)
        out.append(ev.model_copy(update={"score": s, "retriever": "+".join(found_by[cid])}))
    out.sort(key=lambda e: -e.score)
    return out[:limit] if limit else out
