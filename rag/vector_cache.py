"""Embeddings of texts that recur across requests, cached (LRU).

The extractive generator and the grounding check embed evidence *sentences* when words alone
do not decide (rag/generate/extractive.py, rag/grounding.py). The same policy and passage
sentences come back in answer after answer, and embedding a dozen of them costs ~100 ms on
this CPU, so their vectors are kept here. Only evidence goes through the cache: a shopper's
message is new text, embedded each time by the caller.

Vectors are the encoder's own (each text is embedded as a member of the batch of the texts
missing from the cache, which changes a vector by float rounding only, ~1e-7).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

import numpy as np


class TextEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class CachedTextEncoder:
    """`encode(texts)` like the wrapped encoder, from an LRU cache of `size` texts (~1.5 KB
    per 384-d vector: the default 8192 holds ~12 MB). Thread-safe."""

    def __init__(self, encoder: TextEncoder, size: int = 8192):
        self.encoder = encoder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = np.asarray(self.encoder.encode(missing), dtype=np.float32)
            with self._lock:
                for t, v in zip(missing, vectors):
                    found[t] = self._cache[t] = v
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def __len__(self) -> int:
        return len(self._cache)
