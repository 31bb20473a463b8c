"""The retrieval stage: graph facts by plan + dense + BM25 passages, fused, then reranked.

    query ──► graph (plan reads) ──────────┐
          ├─► dense (FAISS, scoped/unscoped) ├─► weighted RRF ─► feature reranker ─► cross-encoder ─► evidence
          └─► BM25 (bm25s, same passages)  ─┘                   (all candidates)     (its top 12)

Fusion (rag/retrieve/fusion.py) makes one candidate pool from lists whose scores are not
comparable; the reranker (rag/retrieve/rerank.py) then orders that pool on features measured
the same way for every candidate: the stored passage vectors (no re-embedding), BM25 of the
field-aware text, the cqa question match, the attribute key match and a source prior.
Attribute facts come from the graph and have no stored vector; their dense feature is the
cosine with the embedded attribute *key* ("item weight"), cached per key (a catalog has few
distinct keys), which is what a question about an attribute asks for. The default reranker
(`default_reranker`) then rescores its best few with the cross-encoder
(rag/retrieve/cross_encoder.py); `cross_encoder=False` keeps the linear stage alone.
Last, the FAQs the plan read whose question the message asks ("what is in the box?"), and the
attribute facts and comparison rows the question names by key or value ("which is heavier?" ->
weight, "does it support 5G?" -> network: 5G) move to the front (`named_facts_first`), so a
plan that returns more facts than the context holds still puts the one asked about in it.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.retrieve.base import DOCUMENT_SOURCES, RetrievalQuery
from rag.retrieve.dense import DenseRetriever, passage_evidence
from rag.retrieve.fields import fields
from rag.retrieve.fusion import FusionConfig, rrf
from rag.retrieve.graph import GraphRetriever, OverriddenPolicy
from rag.retrieve.lexical import BM25Index
from rag.retrieve.rerank import FeatureReranker
from rag.textutil import FOR_CARRYING, IN_A_COLOUR, content_words
from rag.types import Evidence
from rag.vector_index import passage_vid

#: Graph facts the plan asked for by name (price, policy, relation...) are the answer to their
#: intent; they keep a place at the top of the list in plan order, before reranked items.
PLAN_FACT_SOURCES = frozenset({"price", "availability", "policy", "comparison", "compatibility",
                               "accessory", "variant", "similar", "brand", "product", "listing",
                               "scoped_policy", "specs"})


@lru_cache(maxsize=4)
def default_reranker(cross_encoder: bool = True, cache_dir: str | Path | None = None,
                     artifact: str | Path | None = None, threads: int = 1, cross_top: int = 12) -> FeatureReranker:
    """The shipped reranker, shared per process: the linear feature stage, plus (by default)
    the cross-encoder on its best candidates. A missing cross-encoder artifact raises
    rag.retrieve.cross_encoder.MissingRerankerArtifact naming the path and the way out."""
    if not cross_encoder:
        return FeatureReranker()
    from rag.retrieve.cross_encoder import CrossEncoder

    return FeatureReranker(cross_encoder=CrossEncoder(artifact, cache_dir=cache_dir or None, threads=threads),
                           cross_top=cross_top)


#: HybridRetriever's `reranker` default: `default_reranker()`, built on first use.
DEFAULT_RERANKER = "default"


#: Graph facts that name other products to recommend (their passages join the search scope).
RECOMMENDED_SOURCES = frozenset({"similar"})


@dataclass
class RetrievalResult:
    evidence: list[Evidence]
    by_retriever: dict[str, list[Evidence]] = field(default_factory=dict)
    overridden: list[OverriddenPolicy] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


class KeyVectors:
    """Embeddings of attribute keys in words, cached (LRU): few distinct keys per catalog."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int = 4096):
        self._encode = encode
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size

    def get(self, keys: list[str]) -> np.ndarray:
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if missing:
            for k, v in zip(missing, self._encode(missing)):
                self._cache[k] = np.asarray(v, dtype=np.float32)
                if len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        out = []
        for k in keys:
            self._cache.move_to_end(k)
            out.append(self._cache[k])
        return np.stack(out) if out else np.zeros((0, 0), np.float32)


class HybridRetriever:
    """Runs the retrievers of one turn and returns fused, reranked evidence."""

    name = "hybrid"

    def __init__(
        self,
        graph: GraphRetriever | None,
        dense: DenseRetriever | None,
        lexical: BM25Index | Callable[[], BM25Index] | None,
        encode_many: Callable[[list[str]], np.ndarray] | None = None,
        reranker: FeatureReranker | str | None = DEFAULT_RERANKER,
        fusion: FusionConfig | None = None,
        pool: int = 30,
    ):
        """`pool`: how many passages dense and BM25 each contribute before reranking.
        `reranker=None` keeps the RRF order (the ablation baselines of evaluation); the default
        is `default_reranker()` (linear features + cross-encoder)."""
        self.graph = graph
        self.dense = dense
        self._lexical = lexical
        self.reranker = default_reranker() if reranker == DEFAULT_RERANKER else reranker
        self.fusion = fusion or FusionConfig()
        self.pool = pool
        self.keys = KeyVectors(encode_many) if encode_many is not None else None

    @property
    def lexical(self) -> BM25Index | None:
        return self._lexical() if callable(self._lexical) else self._lexical

    # -- the stage --------------------------------------------------------------------------------
    def retrieve(self, query: RetrievalQuery, limit: int | None = None) -> RetrievalResult:
        t: dict[str, float] = {}
        ranked: dict[str, list[Evidence]] = {}
        overridden: list[OverriddenPolicy] = []

        t0 = time.perf_counter()
        if self.graph is not None and query.graph_queries:
            g = self.graph.run(query)
            ranked["graph"], overridden = g.evidence, g.overridden
            found = [e.owner_id for e in g.evidence if e.source in RECOMMENDED_SOURCES and e.owner_id]
            if found and query.owner_ids is not None:
                # recommendations: the recommended products' own passages describe them
                query.owner_ids = list(dict.fromkeys([*query.owner_ids, *found]))
            docs = [e.doc_id for e in g.evidence if e.source in DOCUMENT_SOURCES and e.doc_id]
            asked_only = any(gq.asked_only for gq in query.graph_queries)
            if ((docs or asked_only) and query.owner_ids is None and query.sources
                    and set(query.sources) <= DOCUMENT_SOURCES):
                # policy/FAQ questions: only the passages of the applicable documents, so an
                # overridden policy's text never competes with the one that applies; of the
                # FAQs a message asks (asked_only), none when it asks none
                query.owner_ids = list(dict.fromkeys(docs))
        t1 = time.perf_counter()
        if self.dense is not None and query.search_passages:
            ranked["dense"] = self.dense.retrieve(query, k=self.pool)
        t2 = time.perf_counter()
        lex = self.lexical
        bm25_all: np.ndarray | None = None
        if lex is not None and len(lex) and query.search_passages:
            bm25_all = lex.scores(query.text)
            ranked["bm25"] = self._bm25_hits(lex, bm25_all, query)
        t3 = time.perf_counter()
        fused = rrf(ranked, self.fusion)
        t4 = time.perf_counter()
        final = self._rerank(query, fused, lex, bm25_all) if self.reranker is not None else fused
        final = self._say_whom(named_facts_first(query.text, final))
        t5 = time.perf_counter()
        t.update(graph=(t1 - t0) * 1e3, dense=(t2 - t1) * 1e3, bm25=(t3 - t2) * 1e3,
                 fuse=(t4 - t3) * 1e3, rerank=(t5 - t4) * 1e3)
        k = limit or max(query.k, 1)
        return RetrievalResult(evidence=final[: k + self._plan_fact_count(final)], by_retriever=ranked,
                               overridden=overridden, timings_ms=t)

    def _say_whom(self, items: list[Evidence]) -> list[Evidence]:
        """Passages of a policy or FAQ for some products only, marked with whom it is for
        (`applies_to`): quoted alone, "This product is sold as final sale" answered "is anything
        final sale?", and one product's "What is in the box?" FAQ "what's in the box?"."""
        if self.graph is None or not any(e.kind == "passage" and e.source in ("policy", "faq") and not e.applies_to
                                         for e in items):
            return items
        whom = self.graph.scoped_documents()
        return [e.model_copy(update={"applies_to": w})
                if e.kind == "passage" and not e.applies_to and (w := whom.get((e.source, e.doc_id or ""))) else e
                for e in items]

    @staticmethod
    def _plan_fact_count(items: list[Evidence]) -> int:
        return sum(1 for e in items if e.kind == "graph_fact" and e.source in PLAN_FACT_SOURCES)

    def _bm25_hits(self, lex: BM25Index, scores: np.ndarray, query: RetrievalQuery) -> list[Evidence]:
        if query.owner_ids is not None:
            pos = lex.positions(query.owner_ids)
        else:
            pos = None
        sub = scores if pos is None else scores[pos]
        if len(sub) == 0:
            return []
        top = min(self.pool, len(sub))
        best = np.argpartition(-sub, top - 1)[:top]
        best = best[np.argsort(-sub[best], kind="stable")]
        docs = []
        for i in best:
            if sub[i] <= 0:
                break
            docs.append((lex.docs[int(pos[i]) if pos is not None else int(i)], float(sub[i])))
        docs = [(d, s) for d, s in docs if d.kind == "passage"]
        if query.sources:
            docs = [(d, s) for d, s in docs if d.source in query.sources]
        return self._lexical_evidence(docs)

    def _lexical_evidence(self, docs) -> list[Evidence]:
        """BM25 docs as evidence: full records from the vector index when there is one."""
        if not docs:
            return []
        if self.dense is not None:
            recs = {r.key: r for r in self.dense.index.get([passage_vid(d.key) for d, _ in docs])}
            return [passage_evidence(recs[d.key], s, "bm25") for d, s in docs if d.key in recs]
        return [Evidence(id=d.key, text=d.text, kind="passage", source=d.source, owner_id=d.owner_id,
                         score=s, retriever="bm25") for d, s in docs]

    # -- reranking --------------------------------------------------------------------------------
    def _rerank(self, query: RetrievalQuery, fused: list[Evidence], lex: BM25Index | None,
                bm25_all: np.ndarray | None) -> list[Evidence]:
        plan_facts = [e for e in fused if e.kind == "graph_fact" and e.source in PLAN_FACT_SOURCES]
        rest = [e for e in fused if not (e.kind == "graph_fact" and e.source in PLAN_FACT_SOURCES)]
        if not rest:
            return plan_facts
        dense = self._dense_features(query, rest)
        if lex is not None and bm25_all is not None:
            bm25 = lex.score_keys_from(bm25_all, [e.id for e in rest])
            missing = bm25 < 0
            if missing.any():  # graph facts not in the BM25 index: score their text directly
                bm25[missing] = lex.score_texts(query.text, [rest[i].text for i in np.flatnonzero(missing)])
        else:
            bm25 = np.zeros(len(rest), np.float32)
        # the reranker reads each candidate as it was fitted on (`as_ranked`); the evidence keeps
        # its own text
        scores = self.reranker.scores(  # type: ignore[union-attr]
            query.text, [as_ranked(e) for e in rest], dense, bm25, owner_support=query.owner_ids is None)
        reranked = [rest[i].model_copy(update={"score": float(scores[i])}) for i in np.argsort(-scores, kind="stable")]
        # plan facts first (the answer to their intent), then the reranked rest
        return [*plan_facts, *reranked]

    def _dense_features(self, query: RetrievalQuery, items: list[Evidence]) -> np.ndarray:
        out = np.full(len(items), np.nan, dtype=np.float32)
        if self.dense is None:
            return out
        q = self.dense.vector(query)
        idx = [i for i, e in enumerate(items) if e.kind == "passage"]
        if idx:
            vecs = self.dense.index.vectors([passage_vid(items[i].id) for i in idx])
            out[idx] = vecs @ q
        attrs = [i for i, e in enumerate(items) if e.kind == "graph_fact" and e.source == "attribute"]
        if attrs and self.keys is not None:
            keys = [fields(_attribute_text(items[i].text), "attribute").key or items[i].text for i in attrs]
            out[attrs] = self.keys.get(keys) @ q
        return out


def named_facts_first(question: str, items: list[Evidence]) -> list[Evidence]:
    """The FAQs whose question the message asks, then the variants, attribute facts and
    side-by-side rows the question names ("which is heavier?" -> weight, "what connector does
    it use?" -> connector, "does it support 5G?" -> network: 5G) move to the front, in order.
    A plan can return more facts than the context holds (two laptops have eight comparison
    rows; a charger's compatibility links fill the list before its attributes), and the one
    the question names is its answer. Only facts the plan read for the products in focus move
    (an unscoped search's attribute hits from other products keep their reranked place). Keys
    and questions meet through rag.textutil's shop synonyms ("heavier" and "weight" read alike)."""
    asked = content_words(question)
    if IN_A_COLOUR.search(question):  # "do you have the X in silver?" asks its colour
        asked |= content_words("color colors")
    if FOR_CARRYING.search(question):  # "which is better for travel?" of two compared: their weight
        asked |= content_words("weight")
    read = [e for e in items if e.kind == "graph_fact" and "graph" in (e.retriever or "").split("+")]
    faqs = [e for e in read if e.source == "faq" and _asks_faq(asked, e)]
    facts = [e for e in read if e.source in ("attribute", "comparison", "variants") and _fact_words(e) & asked]
    # a product's variants before its own value of what tells them apart ("what colors?")
    named = faqs + sorted(facts, key=lambda e: e.source != "variants")
    if not named:
        return items
    moved = {e.id for e in named}
    return [*named, *(e for e in items if e.id not in moved)]


_FAQ_QUESTION = re.compile(r"^Q:\s*(.+?)\s+A:\s", re.DOTALL)


def _asks_faq(asked: set[str], e: Evidence) -> bool:
    """The message asks the FAQ's own question: it has all of its words ("what's in the box of
    the X?" asks "What is in the box?"; "what is the return policy for the X headphones?" does
    not ask "Can I return in-ear headphones?")."""
    m = _FAQ_QUESTION.match(e.text)
    words = content_words(m.group(1)) if m else set()
    return bool(words) and words <= asked


def _fact_words(e: Evidence) -> set[str]:
    """What a question can name of a fact: a comparison row's key ("battery life"), an
    attribute's key and value ("network", "5g"), less the words of the product's own title; a
    product's variants by what tells them apart ("colors")."""
    if e.source == "comparison":
        return content_words(e.id.rpartition("#")[2].replace("_", " "))
    if e.source == "variants":  # "<base> comes in 3 colors: black (p1, $9.99, in stock), ...": colors
        # (not the values: "Compare the X, White and the Y" names a product, not its variants)
        told_apart = e.text.partition(" comes in ")[2].partition(":")[0]
        return content_words(f"variant version option {told_apart}")
    f = fields(_attribute_text(e.text), "attribute")
    title = e.text.split(": ")[0] if e.text.count(": ") >= 2 else ""
    return content_words(f"{f.key} {f.body}") - content_words(title)


def as_ranked(e: Evidence) -> Evidence:
    """An evidence item as the reranker and cross-encoder read it: a graph attribute fact
    without its product's title ("item weight: 2.5 kg."), the "key: value" form of the snippets
    their weights were fitted on; read with the title, the title's words would count as the
    attribute's key and as words the fact shares with the question."""
    if e.kind == "graph_fact" and e.source == "attribute":
        return e.model_copy(update={"text": _attribute_text(e.text)})
    return e


def _attribute_text(text: str) -> str:
    """Graph attribute evidence reads "<title>: <key>: <value>."; the key is the middle part."""
    parts = text.split(": ")
    return ": ".join(parts[-2:]) if len(parts) >= 3 else text
