"""The sentiment model's fine-tuned top encoder layers (rag/understand/refiner.py): the encoder
hands out the states entering them from the same forward pass as the embedding, the numpy
forward equals transformers' own torch layers on a padded batch, the float16 artifact predicts
the same, ONNX Runtime predicts what numpy does, and the service's understanding step uses
them (on ONNX Runtime). Real MiniLM weights throughout."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from rag.encoder import STATE_LAYERS, Encoder
from rag.understand.refiner import RefinerConfig, TopLayers, _torch_layers, _torch_pooled
from rag.understand.sentiment import SentimentModel

TEXTS = ["the food was great", "terrible service, never again!!", "ok", "the staff were rude and slow",
         "I loved the dessert", "fine, nothing special", "worst pizza ever", "amazing place, will return",
         "", "😀😀😀", "x " * 400, "not bad at all"]
LABELS = ["positive", "negative", "neutral", "negative", "positive", "neutral", "negative", "positive",
          "neutral", "positive", "neutral", "positive"]


@pytest.fixture(scope="module")
def encoded(sync_encoder):
    return sync_encoder.encode_with_states(TEXTS)


@pytest.fixture(scope="module")
def refiner(encoded):
    return TopLayers.fit(encoded[1], LABELS, RefinerConfig(epochs=2))


def test_states_come_from_the_same_pass_as_the_embedding(sync_encoder, encoded):
    vectors, states = encoded
    assert np.abs(vectors - sync_encoder.encode(TEXTS)).max() < 1e-6
    assert len(states) == len(TEXTS) and all(s.ndim == 2 and s.shape[1] == sync_encoder.dim for s in states)
    one_vector, one_state = sync_encoder.encode_with_states([TEXTS[1]])
    assert np.abs(one_state[0] - states[1]).max() < 1e-4 and np.abs(one_vector[0] - vectors[1]).max() < 1e-6


def test_torch_backend_gives_the_same_states(encoded):
    torch_encoder = Encoder(backend="torch")
    vectors, states = torch_encoder.encode_with_states(TEXTS[:3])
    assert np.abs(vectors - encoded[0][:3]).max() < 1e-5
    assert all(np.abs(a - b).max() < 1e-4 for a, b in zip(states, encoded[1][:3]))


def test_numpy_forward_equals_torch_layers_on_a_padded_batch(encoded, refiner):
    import torch

    layers = _torch_layers(refiner.layers)
    assert len(layers) == STATE_LAYERS
    states = encoded[1]
    with torch.no_grad():
        reference = _torch_pooled(layers, states[:8]).numpy()
    ours = np.stack([refiner._pooled(s) for s in states[:8]])
    assert np.abs(reference - ours).max() < 1e-4


def test_float16_artifact_predicts_the_same(encoded, refiner):
    restored = pickle.loads(pickle.dumps(refiner))
    assert restored.layers[0]["intermediate.dense.weight"].dtype == np.float32
    a, b = refiner.proba(encoded[1]), restored.proba(encoded[1])
    assert np.abs(a - b).max() < 1e-2 and (a.argmax(1) == b.argmax(1)).all()


def test_sentiment_model_averages_the_refiner_only_when_given_states(encoded, tmp_path):
    vectors, states = encoded
    model = SentimentModel().fit(TEXTS, vectors, LABELS, states=states)
    assert model.needs_states and model.refiner.labels == model.labels
    alone, mixed = model.proba(TEXTS, vectors), model.proba(TEXTS, vectors, states)
    assert alone.shape == mixed.shape and not np.allclose(alone, mixed)
    expected = (1 - model.refiner_weight) * alone + model.refiner_weight * model.refiner.proba(states)
    assert np.abs(mixed - expected).max() < 1e-6
    model.save(tmp_path / "v1", {"kind": "sentiment"})
    loaded = SentimentModel.load(tmp_path / "v1")
    assert np.abs(loaded.proba(TEXTS, vectors, states) - mixed).max() < 1e-2


def test_an_artifact_without_top_layers_still_loads_and_predicts(encoded):
    from rag.understand.pipeline import ARTIFACTS

    old = SentimentModel.load(ARTIFACTS / "sentiment" / "v3")  # saved before the refiner existed
    assert not old.needs_states and old.refiner is None
    vectors, states = encoded
    assert np.allclose(old.proba(TEXTS, vectors, states), old.proba(TEXTS, vectors))


def test_shipped_model_uses_the_states_in_the_understanding_step(sync_encoder):
    from rag.understand.pipeline import Understander

    understander = Understander.from_artifacts(sync_encoder)
    assert understander.sentiment.needs_states
    assert understander.sentiment.refiner._onnx is not None  # the encoder runs on ONNX: so do the top layers
    u = understander.understand("this is the third time I ask, the blender broke and nobody answers!!")
    assert u.sentiment.label == "negative"
    assert understander.understand("thanks, that was really helpful!").sentiment.label == "positive"


def test_onnx_runtime_predicts_what_numpy_does_and_exports_once(encoded, refiner, tmp_path):
    from rag.encoder import OnnxCache

    restored = pickle.loads(pickle.dumps(refiner))  # as loaded from an artifact: float16-rounded
    reference = restored.proba(encoded[1])
    cache = OnnxCache(tmp_path)
    restored.use_onnx(cache)
    assert np.abs(restored.proba(encoded[1]) - reference).max() < 1e-5  # "", emoji, 400 tokens included
    entry = tmp_path / restored.onnx_key() / OnnxCache.MODEL
    made = entry.stat().st_mtime_ns
    again = pickle.loads(pickle.dumps(restored))  # the session is not pickled: numpy until told
    assert again._onnx is None and np.abs(again.proba(encoded[1]) - reference).max() < 1e-6
    again.use_onnx(cache)
    assert entry.stat().st_mtime_ns == made  # the export was reused
    assert refiner.onnx_key() != TopLayers.fit(encoded[1][:4], LABELS[:4], RefinerConfig(epochs=1)).onnx_key()
