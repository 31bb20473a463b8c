"""Off-the-shelf candidate rankers used as baselines in the same run as ours.

Both rank a question's own candidate list (ePQA's 10 snippets of a product, semiPQA's
attributes of a product, hetPQA's evidence) and nothing else:

- `BM25CandidateRanker`: Okapi BM25 (bm25s, English stopwords) with IDF from all candidates of
  the file, the classic lexical anchor;
- `DenseCandidateRanker`: cosine similarity of all-MiniLM-L6-v2 embeddings, the plain
  embedding anchor (the numbers the shared data README lists as floors).

Rankers take texts and return, per question, the candidate indices best first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class BM25CandidateRanker:
    name = "bm25"

    def __init__(self, corpus: Sequence[str]):
        import bm25s

        self._bm25s = bm25s
        self._texts = list(dict.fromkeys(corpus))
        self._index = {t: i for i, t in enumerate(self._texts)}
        tokenized = bm25s.tokenize(self._texts, stopwords="en", return_ids=False, show_progress=False)
        self._model = bm25s.BM25()
        self._model.index(tokenized, show_progress=False)

    def rank(self, question: str, candidates: Sequence[str]) -> list[int]:
        tokens = self._bm25s.tokenize([question], stopwords="en", return_ids=False, show_progress=False)[0]
        vocab = self._model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return list(range(len(candidates)))
        scores = self._model.get_scores(known)
        cand_scores = [float(scores[self._index[c]]) if c in self._index else 0.0 for c in candidates]
        return sorted(range(len(candidates)), key=lambda i: (-cand_scores[i], i))


class DenseCandidateRanker:
    name = "dense"

    def __init__(self, encoder, corpus: Sequence[str], queries: Sequence[str] = (), progress: bool = False):
        """`queries` known in advance are embedded in the same batched pass (much faster than
        one at a time)."""
        self._encoder = encoder
        texts = list(dict.fromkeys([*corpus, *queries]))
        self._index = {t: i for i, t in enumerate(texts)}
        self._vectors = encoder.encode(texts, progress=progress) if texts else np.zeros((0, encoder.dim), np.float32)

    def rank(self, question: str, candidates: Sequence[str], question_vector: np.ndarray | None = None) -> list[int]:
        if question_vector is not None:
            q = question_vector
        elif question in self._index:
            q = self._vectors[self._index[question]]
        else:
            q = self._encoder.encode_one(question)
        vecs = []
        for c in candidates:
            i = self._index.get(c)
            vecs.append(self._vectors[i] if i is not None else self._encoder.encode_one(c))
        scores = np.stack(vecs) @ q if vecs else np.zeros(0)
        return sorted(range(len(candidates)), key=lambda i: (-float(scores[i]), i))


class PooledIndex:
    """BM25 or dense search over a fixed pool of items (texts with the ids they stand for), for
    the unscoped baselines: no product filter, the whole pool competes."""

    def __init__(self, texts: Sequence[str], ids: Sequence[list[str]], encoder=None, queries: Sequence[str] = ()):
        self.ids = [list(x) for x in ids]
        self._texts = list(texts)
        self._encoder = encoder
        if encoder is None:
            import bm25s

            self._bm25s = bm25s
            tokenized = bm25s.tokenize(self._texts, stopwords="en", return_ids=False, show_progress=False)
            self._model = bm25s.BM25()
            self._model.index(tokenized, show_progress=False)
        else:
            self._vectors = encoder.encode(self._texts, progress=False)
            unique_q = list(dict.fromkeys(queries))
            self._qvec = dict(zip(unique_q, encoder.encode(unique_q))) if unique_q else {}

    def search(self, question: str, k: int = 5) -> list[list[str]]:
        """The ids of the best `k` items, best first."""
        if self._encoder is None:
            tokens = self._bm25s.tokenize([question], stopwords="en", return_ids=False, show_progress=False)[0]
            known = [t for t in tokens if t in self._model.vocab_dict]
            if not known:
                return []
            scores = np.asarray(self._model.get_scores(known))
        else:
            q = self._qvec.get(question)
            if q is None:
                q = self._encoder.encode_one(question)
            scores = self._vectors @ q
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[i] for i in top]
