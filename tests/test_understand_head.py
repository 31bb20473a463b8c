"""The classifier head's fast scorer (plain dicts + the active columns of the weight matrix) gives
the same scores as scikit-learn's transform + sparse hstack, on the shipped artifacts and on a
freshly fitted head. Embeddings here are random unit vectors: what is compared is the n-gram
featurisation and the arithmetic, which do not depend on the encoder."""

from __future__ import annotations

import io

import joblib
import numpy as np

from rag.understand.head import HeadConfig, LinearHead
from rag.understand.intent import IntentModel
from rag.understand.pipeline import latest_artifact
from rag.understand.sentiment import SentimentModel, sentiment_features
from rag.understand.training import OWN_VAL, read_labelled

ODD = ["", " ", "😀😀😀", "x" * 100_000, "WHERE IS MY ORDER!!! 3rd time", "ça marche?\t\ttab  and\nnewline",
       "\x00\x01\x02 garbage \ufffd", "Ⅻ ﬁle NFKC ＦＵＬＬ width", "does the Bassline Halo 150 come in blue?"]


def _unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _texts() -> list[str]:
    texts, _ = read_labelled(OWN_VAL)
    return texts[::3] + ODD


def _same(fast: np.ndarray, ref: np.ndarray) -> None:
    assert fast.shape == ref.shape
    assert np.abs(fast - ref).max() < 1e-4
    assert (fast.argmax(axis=1) == ref.argmax(axis=1)).all()


def test_shipped_intent_head_fast_equals_sklearn():
    head = IntentModel.load(latest_artifact("intent")).head
    texts = _texts()
    emb = _unit(len(texts), 384)
    _same(head.scores(texts, emb), head.scores_reference(texts, emb))


def test_shipped_sentiment_head_fast_equals_sklearn():
    head = SentimentModel.load(latest_artifact("sentiment")).head
    texts = _texts()
    emb = _unit(len(texts), 384, seed=1)
    _same(head.scores(texts, emb), head.scores_reference(texts, sentiment_features(texts, emb)))


def test_fresh_binary_head_fast_equals_sklearn_and_survives_pickling():
    texts = ["great food", "awful service", "loved it", "never again", "not bad at all", "not good",
             "the best pizza in town", "cold and bland"] * 3
    labels = ["pos", "neg", "pos", "neg", "pos", "neg", "pos", "neg"] * 3
    head = LinearHead(HeadConfig(C=0.5, word_ngrams=(1, 3), char_ngrams=(3, 4), negation=True)).fit(texts, _unit(len(texts), 16), labels)
    probe = texts[:8] + ODD
    emb = _unit(len(probe), 16, seed=2)
    _same(head.scores(probe, emb), head.scores_reference(probe, emb))
    buf = io.BytesIO()
    joblib.dump(head, buf)  # the derived scorer is not part of the artifact...
    assert b"FastScorer" not in buf.getvalue()
    buf.seek(0)
    loaded = joblib.load(buf)  # ...and is rebuilt on first use after loading
    _same(loaded.scores(probe, emb), head.scores_reference(probe, emb))


def test_negation_marking_stops_at_the_clause():
    from rag.understand.head import mark_negation

    marked = mark_negation("the food was not good but the staff wasn't rude. great view")
    assert "not_good" in marked and "not_rude" in marked
    assert "not_but" not in marked and "not_great" not in marked and " good" not in marked.replace("not_good", "")


def test_embedding_mlp_trains_even_when_the_caller_turned_autograd_off():
    """Inference code (the torch cross-encoder) runs with autograd off; a head trained later in
    the same process must still learn (CI once failed on exactly this ordering)."""
    import torch

    from rag.understand.head import EmbeddingMLP

    dense = _unit(40, 8)
    y = (dense[:, 0] > 0).astype(np.int64)
    with torch.no_grad():
        mlp = EmbeddingMLP.fit(dense, y, n_labels=2, hidden=16, epochs=40, lr=1e-2)
    assert (mlp.proba(dense).argmax(axis=1) == y).mean() >= 0.9
