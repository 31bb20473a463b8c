"""The classifier head shared by intent and sentiment: a linear model over the frozen sentence
embedding joined with word and character TF-IDF of the same text, with softmax probabilities
calibrated by one temperature fitted on a validation split.

Why this shape: the sentence vector carries meaning and paraphrase, the n-grams carry the exact
keywords and survive typos (character n-grams); a linear model on both is fast to train on 2
cores (seconds), costs well under a millisecond per message, and its calibrated confidence is
what the out-of-scope threshold reads.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

MAX_CHARS = 2000  # longer messages are classified on their first 2,000 characters


def normalize(text: str) -> str:
    """Lowercase, NFKC, collapse whitespace, cut to MAX_CHARS; the n-gram features read this."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS].lower()
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class HeadConfig:
    C: float = 1.0
    embedding_weight: float = 2.0  # scale of the dense block against the TF-IDF blocks
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    class_weight: str | None = None


@dataclass
class LinearHead:
    """Fit with `fit(texts, embeddings, labels)`; `proba()` returns calibrated probabilities."""

    config: HeadConfig = field(default_factory=HeadConfig)
    labels: list[str] = field(default_factory=list)
    temperature: float = 1.0
    word: TfidfVectorizer | None = None
    char: TfidfVectorizer | None = None
    coef: np.ndarray | None = None       # (n_labels, n_features) float32
    intercept: np.ndarray | None = None  # (n_labels,)

    def _features(self, texts: list[str], embeddings: np.ndarray) -> sparse.csr_matrix:
        assert self.word is not None and self.char is not None
        norm = [normalize(t) for t in texts]
        dense = sparse.csr_matrix(np.asarray(embeddings, dtype=np.float32) * self.config.embedding_weight)
        return sparse.hstack([dense, self.word.transform(norm), self.char.transform(norm)], format="csr")

    def fit(self, texts: list[str], embeddings: np.ndarray, labels: list[str]) -> "LinearHead":
        cfg = self.config
        norm = [normalize(t) for t in texts]
        self.word = TfidfVectorizer(ngram_range=cfg.word_ngrams, min_df=cfg.min_df, sublinear_tf=True,
                                    token_pattern=r"(?u)\b\w+\b", dtype=np.float32)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=cfg.char_ngrams, min_df=cfg.min_df,
                                    sublinear_tf=True, dtype=np.float32, max_features=200_000)
        self.word.fit(norm)
        self.char.fit(norm)
        X = self._features(texts, embeddings)
        self.labels = sorted(set(labels))
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[label] for label in labels])
        model = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, max_iter=5000)
        model.fit(X, y)
        coef = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        if len(self.labels) == 2:  # binary LinearSVC returns one row: make it two symmetric ones
            coef = np.vstack([-coef[0], coef[0]]) / 2
            intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32) / 2
        self.coef, self.intercept = coef, intercept
        return self

    def scores(self, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        assert self.coef is not None and self.intercept is not None
        X = self._features(texts, embeddings)
        return np.asarray(X @ self.coef.T) + self.intercept

    def proba(self, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        return softmax(self.scores(texts, embeddings) / self.temperature)

    def calibrate(self, texts: list[str], embeddings: np.ndarray, labels: list[str]) -> float:
        """Fit the softmax temperature minimising negative log-likelihood on held-out labels."""
        index = {label: i for i, label in enumerate(self.labels)}
        keep = [i for i, label in enumerate(labels) if label in index]
        s = self.scores([texts[i] for i in keep], embeddings[keep])
        y = np.array([index[labels[i]] for i in keep])
        best_t, best_nll = 1.0, np.inf
        for t in np.geomspace(0.02, 5.0, 80):
            p = softmax(s / t)
            nll = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
            if nll < best_nll:
                best_t, best_nll = float(t), float(nll)
        self.temperature = best_t
        return best_t


def softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)
