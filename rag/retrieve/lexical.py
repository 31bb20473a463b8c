"""BM25 over the same passages as the vector index (bm25s, sparse scores in memory).

Why beside the dense index: product questions are full of exact tokens (model numbers, sizes,
part numbers, brand names) that a 384-d sentence embedding blurs; BM25 catches them.
Documents are the field-aware readable text (`fields.readable`), so an attribute key like
``item_weight`` matches "weight". Tokens are lower-cased, stop words dropped, lightly stemmed.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import bm25s
import numpy as np
import orjson

from rag.retrieve.fields import STOPWORDS, readable, stem

_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens without stop words, stemmed; model numbers keep their dots/dashes
    and are also split into their parts ("frs20-qrb" -> "frs20-qrb", "frs20", "qrb")."""
    out: list[str] = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        out.append(stem(tok))
        if "-" in tok or "." in tok:
            out.extend(p for p in re.split(r"[.\-]", tok) if p and p not in STOPWORDS and not p.isdigit())
    return out


@dataclass(frozen=True)
class LexDoc:
    """What BM25 needs of a document: its stable key (passage key or graph node id), text,
    source, owner and kind (`passage`, or `graph_fact` for attribute facts indexed beside)."""

    key: str
    text: str
    source: str
    owner_id: str
    kind: str = "passage"


class BM25Index:
    """An in-memory BM25 index over passages, searchable whole or restricted to some owners."""

    def __init__(self, docs: Sequence[LexDoc], k1: float = 1.2, b: float = 0.75):
        self._set_docs(docs, k1, b)
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus = [tokenize(readable(d.text, d.source)) or ["\x00empty"] for d in self.docs]
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        self._avgdl = float(np.mean([len(c) for c in corpus])) if corpus else 1.0
        self._set_stats()

    def _set_docs(self, docs: Sequence[LexDoc], k1: float, b: float) -> None:
        self.docs = list(docs)
        self.k1, self.b = k1, b
        self._pos_of_key = {d.key: i for i, d in enumerate(self.docs)}
        self._by_owner: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            self._by_owner.setdefault(d.owner_id, []).append(i)

    def _set_stats(self) -> None:
        self._vocab = self._bm25.vocab_dict if self.docs else {}
        if self.docs:  # document frequency per token id, for scoring texts outside the index
            self._df = np.diff(np.asarray(self._bm25.scores["indptr"]))

    # -- on disk: built once when a store version is published, loaded by every server process --
    def save(self, directory: str | Path) -> None:
        """Write the index under `directory` (which must not exist yet): into a temporary
        sibling first, renamed into place when complete, so a reader never sees half of it.
        Losing a race with another process that saved the same version is fine."""
        directory = Path(directory)
        tmp = directory.with_name(f".{directory.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            if self.docs:
                self._bm25.save(tmp, show_progress=False)
            with open(tmp / "docs.jsonl", "wb") as f:
                for d in self.docs:
                    f.write(orjson.dumps([d.key, d.text, d.source, d.owner_id, d.kind]) + b"\n")
            (tmp / "meta.json").write_bytes(orjson.dumps(
                {"format": 1, "k1": self.k1, "b": self.b, "avgdl": self._avgdl, "docs": len(self.docs)}))
            try:
                tmp.rename(directory)
            except OSError:
                if not (directory / "meta.json").is_file():  # not a finished save of the same version
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: str | Path) -> "BM25Index":
        """An index written by `save` (score arrays memory-mapped)."""
        directory = Path(directory)
        meta = orjson.loads((directory / "meta.json").read_bytes())
        if meta.get("format") != 1:
            raise ValueError(f"{directory}: unknown lexical index format {meta.get('format')!r}")
        with open(directory / "docs.jsonl", "rb") as f:
            docs = [LexDoc(*orjson.loads(line)) for line in f]
        if len(docs) != meta["docs"]:
            raise ValueError(f"{directory}: {len(docs)} documents, meta.json says {meta['docs']}")
        self = cls.__new__(cls)
        self._set_docs(docs, meta["k1"], meta["b"])
        self._bm25 = (bm25s.BM25.load(directory, mmap=True, show_progress=False) if docs
                      else bm25s.BM25(k1=meta["k1"], b=meta["b"], method="lucene"))
        self._avgdl = float(meta["avgdl"])
        self._set_stats()
        return self

    @classmethod
    def from_records(cls, records: Iterable) -> "BM25Index":
        """From `PassageRecord`s (anything with key, text, source, owner_id)."""
        return cls([LexDoc(r.key, r.text, r.source, r.owner_id) for r in records])

    def __len__(self) -> int:
        return len(self.docs)

    def _query_tokens(self, query: str) -> list[str]:
        return [t for t in dict.fromkeys(tokenize(query)) if t in self._vocab]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no query term occurs)."""
        toks = self._query_tokens(query)
        if not toks or not self.docs:
            return np.zeros(len(self.docs), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(toks), dtype=np.float32)

    def positions(self, owner_ids: Iterable[str]) -> np.ndarray:
        pos = [i for o in owner_ids for i in self._by_owner.get(o, ())]
        return np.asarray(sorted(set(pos)), dtype=np.int64)

    def search(
        self, query: str, k: int = 10, owner_ids: Iterable[str] | None = None
    ) -> list[tuple[LexDoc, float]]:
        """Top-k (doc, score) with score > 0, optionally among `owner_ids`' passages only."""
        if k <= 0 or not self.docs:
            return []
        scores = self.scores(query)
        if owner_ids is not None:
            pos = self.positions(owner_ids)
            if len(pos) == 0:
                return []
            sub = scores[pos]
        else:
            pos, sub = None, scores
        top = min(k, len(sub))
        best = np.argpartition(-sub, top - 1)[:top]
        best = best[np.argsort(-sub[best], kind="stable")]
        out = []
        for i in best:
            if sub[i] <= 0:
                break
            doc_pos = int(pos[i]) if pos is not None else int(i)
            out.append((self.docs[doc_pos], float(sub[i])))
        return out

    def score_keys(self, query: str, keys: Sequence[str]) -> np.ndarray:
        """BM25 scores of the given document keys (-1 for keys not in the index)."""
        return self.score_keys_from(self.scores(query), keys)

    def score_keys_from(self, scores: np.ndarray, keys: Sequence[str]) -> np.ndarray:
        """Pick the given keys' scores out of a `scores()` vector (-1 for unknown keys)."""
        return np.array(
            [scores[self._pos_of_key[k]] if k in self._pos_of_key else -1.0 for k in keys], dtype=np.float32
        )

    def score_texts(self, query: str, texts: Sequence[str], sources: Sequence[str | None] | None = None) -> np.ndarray:
        """BM25 of texts that are not in the index (e.g. graph facts), with this index's IDF
        and average length, so their scores are on the same scale as indexed documents'."""
        out = np.zeros(len(texts), dtype=np.float32)
        toks = self._query_tokens(query)
        if not toks or not self.docs:
            return out
        n = len(self.docs)
        idf = {t: float(np.log(1 + (n - self._df[self._vocab[t]] + 0.5) / (self._df[self._vocab[t]] + 0.5)))
               for t in toks}
        for i, text in enumerate(texts):
            doc = tokenize(readable(text, sources[i] if sources else None))
            norm = self.k1 * (1 - self.b + self.b * len(doc) / self._avgdl)
            for t in toks:
                tf = doc.count(t)
                if tf:
                    out[i] += idf[t] * tf / (tf + norm)  # bm25s "lucene" form
        return out


def build_lexical_index(records: Iterable, attribute_rows: Iterable[dict] = ()) -> BM25Index:
    """BM25 over every passage (`VectorIndex.iter_passages()`) plus, optionally, the graph's
    attribute facts (rows of kg.cypher.RETRIEVE_ATTRIBUTE_PAGE), so an attribute can be found
    by its key and value when no product is linked."""
    docs = [LexDoc(r.key, r.text, r.source, r.owner_id) for r in records]
    docs += [
        LexDoc(a["id"], f"{a['key']}: {a['value']}", "attribute", a["product_id"], kind="graph_fact")
        for a in attribute_rows
    ]
    return BM25Index(docs)


def graph_attribute_rows(store, products_per_page: int = 2000) -> Iterable[dict]:
    """Every attribute fact of the graph, in keyset pages by product (RETRIEVE_ATTRIBUTE_PAGE).
    A page of products without any attribute ends nothing: paging goes on by product id."""
    from kg import cypher

    after = ""
    while True:
        rows = store.query(cypher.RETRIEVE_ATTRIBUTE_PAGE, {"after": after, "limit": products_per_page})
        if rows:
            yield from rows
            after = rows[-1]["product_id"]
            continue
        # no attributes in this page: is there any product after it at all?
        nxt = store.query(cypher.PRODUCT_NAMES, {"after": after, "limit": products_per_page})
        if not nxt:
            return
        after = nxt[-1]["id"]
