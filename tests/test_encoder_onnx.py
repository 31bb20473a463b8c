"""The ONNX Runtime encoder backend: same vectors as sentence-transformers/torch, a cached export
that is reused, and rebuilt when damaged, and the settings switch between the two backends.

Everything is real: the packaged all-MiniLM-L6-v2 weights, torch.onnx export, ONNX Runtime.
The exports made here go to temporary cache folders (two exports in all, a few seconds each).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import rag.encoder as enc
from rag.encoder import Encoder, OnnxCache, model_key, shared_encoder

TOLERANCE = 1e-5

TEXTS = [
    "",
    " ",
    "\t\n",
    "a",
    "what is the return policy for the northpeak tent?",
    "Does it come in blue?",
    "DOES IT COME IN BLUE?",
    "  leading and trailing spaces  ",
    "battery life",
    "How long is the warranty on laptops, and does it cover accidental damage (drops, spills)?",
    "Can I wash this jacket in a machine at 40°C, or does it need hand washing?",
    "size 10.5 US / 44 EU — true to size?",
    "price: $1,299.99 (incl. VAT 20%)",
    "love it 😍😍 best purchase ever 👍",
    "🎉",
    "¿Dónde está mi pedido? Lo pedí hace dos semanas.",
    "Ist dieser Rucksack wasserdicht?",
    "Ce produit est-il compatible avec l'iPhone 15 ?",
    "这个产品有保修吗？",
    "この商品は防水ですか",
    "이 제품은 방수인가요?",
    "Это зарядное устройство подходит для ноутбука?",
    "هل هذا المنتج مقاوم للماء؟",
    "क्या यह उत्पाद वाटरप्रूफ है?",
    "SKU-48213-XL;color=navy;material=100% cotton",
    "<p>Free returns within <b>30 days</b></p>",
    "line one\nline two\n\nline four",
    "word " * 200,
    "antidisestablishmentarianism " * 30,
    "return policy? " * 120,
    "x" * 100_000,
    "The quick brown fox jumps over the lazy dog. " * 2_500,
    "ok",
    "no",
    "Is the NorthPeak 2-person tent free-standing, and what does it weigh packed?",
    "zzzzqqqq unknownword xyzzy",
]


@pytest.fixture(scope="session")
def torch_encoder():
    return shared_encoder(backend="torch")


@pytest.fixture(scope="session")
def exported_cache(tmp_path_factory) -> Path:
    """A cache folder holding one fresh export."""
    root = tmp_path_factory.mktemp("onnx-cache")
    Encoder(cache_dir=root)
    return root


@pytest.fixture(scope="session")
def onnx_encoder(exported_cache) -> Encoder:
    return Encoder(cache_dir=exported_cache)


@pytest.fixture(scope="session")
def torch_vectors(torch_encoder) -> np.ndarray:
    return torch_encoder.encode(TEXTS)


def test_onnx_is_the_default_backend(onnx_encoder, torch_encoder):
    assert onnx_encoder.backend == "onnx" and torch_encoder.backend == "torch"
    assert onnx_encoder.dim == torch_encoder.dim == 384
    assert onnx_encoder.model_name == torch_encoder.model_name == "all-MiniLM-L6-v2"
    assert onnx_encoder.model_path == torch_encoder.model_path


def test_one_message_at_a_time_matches_torch(onnx_encoder, torch_vectors):
    got = np.vstack([onnx_encoder.encode_one(t) for t in TEXTS])
    assert got.dtype == np.float32 and got.shape == torch_vectors.shape
    assert np.abs(got - torch_vectors).max() < TOLERANCE


def test_short_list_matches_torch(onnx_encoder, torch_vectors):
    got = onnx_encoder.encode(TEXTS)  # one padded batch (fewer texts than batch_size)
    assert got.flags["C_CONTIGUOUS"] and got.dtype == np.float32
    assert np.abs(got - torch_vectors).max() < TOLERANCE
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_long_list_runs_sorted_batches_in_input_order(onnx_encoder, torch_encoder):
    short = [t for t in TEXTS if len(t) < 300]
    texts = [f"{t} #{i}" for i, t in enumerate(short * 3)]  # > batch_size: the multi-thread path
    assert len(texts) > onnx_encoder.batch_size
    got = onnx_encoder.encode(texts, progress=False)
    assert np.abs(got - torch_encoder.encode(texts)).max() < TOLERANCE
    assert np.abs(got[7] - onnx_encoder.encode_one(texts[7])).max() < TOLERANCE


def test_empty_list(onnx_encoder):
    assert onnx_encoder.encode([]).shape == (0, 384)


def test_second_load_reuses_the_export(exported_cache, monkeypatch):
    def no_export(*_args):
        raise AssertionError("the cached export should have been reused")

    monkeypatch.setattr(enc, "_export_onnx", no_export)
    again = Encoder(cache_dir=exported_cache)
    assert again.encode_one("hello").shape == (384,)
    entries = [p for p in exported_cache.iterdir() if p.is_dir()]
    assert [p.name for p in entries] == [model_key(again.model_path)]  # no temp folders left
    meta = json.loads((entries[0] / OnnxCache.META).read_text())
    assert meta["bytes"] == (entries[0] / OnnxCache.MODEL).stat().st_size


def test_damaged_export_is_rebuilt_once_under_concurrent_loads(exported_cache, tmp_path, monkeypatch, torch_vectors):
    """A truncated model file (a copy from a crashed disk, say) is detected by its recorded size
    and sha256 and replaced; two loads racing on it export once."""
    root = tmp_path / "cache"
    shutil.copytree(exported_cache, root)
    model = root / model_key(enc.default_model_path()) / OnnxCache.MODEL
    with model.open("r+b") as f:
        f.truncate(model.stat().st_size // 2)
    exports = []
    real_export = enc._export_onnx

    def counted(*args):
        exports.append(args)
        real_export(*args)

    monkeypatch.setattr(enc, "_export_onnx", counted)
    loaded: list[Encoder] = []
    threads = [threading.Thread(target=lambda: loaded.append(Encoder(cache_dir=root))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loaded) == 2 and len(exports) == 1
    for encoder in loaded:
        assert np.abs(encoder.encode(TEXTS[:6]) - torch_vectors[:6]).max() < TOLERANCE
    assert sorted(p.name for p in root.iterdir() if not p.name.endswith(".lock")) == [model.parent.name]


def test_same_size_but_altered_export_is_rebuilt(exported_cache, tmp_path):
    root = tmp_path / "cache"
    shutil.copytree(exported_cache, root)
    model = root / model_key(enc.default_model_path()) / OnnxCache.MODEL
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    cache = OnnxCache(root)
    assert cache._valid_bytes(model.parent, model.parent.name) is None
    meta = model.parent / OnnxCache.META
    meta.write_text("{not json")
    assert cache._valid_bytes(model.parent, model.parent.name) is None


def test_a_cached_onnx_encoder_does_not_import_torch(exported_cache):
    code = ("import sys; from rag.encoder import Encoder; "
            f"v = Encoder(cache_dir={str(exported_cache)!r}).encode_one('does it come in blue'); "
            "assert v.shape == (384,); assert 'torch' not in sys.modules, 'torch was imported'")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=Path(__file__).parents[1], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_settings_switch_the_backend(tmp_path, monkeypatch, sync_encoder, torch_encoder):
    from serve.container import Container
    from serve.settings import ModelSettings, Settings

    assert ModelSettings().embedding_backend == "onnx"
    default = Container(Settings(data_dir=tmp_path))
    assert default.encoder is sync_encoder and default.encoder.backend == "onnx"
    monkeypatch.setenv("SHOPGRAPH_MODELS__EMBEDDING_BACKEND", "torch")
    settings = Settings(data_dir=tmp_path)
    assert settings.models.embedding_backend == "torch"
    container = Container(settings)
    assert container.encoder is torch_encoder
    assert container.lazy_encoder().dim == 384 and container.encoder.backend == "torch"


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedding backend 'tensorflow'"):
        Encoder(backend="tensorflow")  # type: ignore[arg-type]


def test_int8_is_opt_in_close_and_named_apart(exported_cache, onnx_encoder):
    """onnx-int8 quantizes the cached float export (no second torch export) and calls itself
    `<model>-int8`, so ingest re-embeds rather than mixing its vectors into a float index."""
    int8 = Encoder(backend="onnx-int8", cache_dir=exported_cache)
    assert int8.backend == "onnx-int8" and int8.model_name == "all-MiniLM-L6-v2-int8"
    texts = [t for t in TEXTS if t.strip()]
    cosine = (int8.encode(texts) * onnx_encoder.encode(texts)).sum(axis=1)
    assert cosine.min() > 0.95 and cosine.mean() > 0.98
    assert (exported_cache / (model_key(int8.model_path) + "-int8") / OnnxCache.MODEL).exists()


def test_ingest_sees_an_int8_switch_without_loading_the_model(tmp_path):
    from serve.container import Container
    from serve.settings import ModelSettings, Settings

    for backend, name in [("onnx", "all-MiniLM-L6-v2"), ("torch", "all-MiniLM-L6-v2"),
                          ("onnx-int8", "all-MiniLM-L6-v2-int8")]:
        settings = Settings(data_dir=tmp_path, models=ModelSettings(embedding_backend=backend))
        assert Container(settings).lazy_encoder().model_name == name


def test_int8_off_cpu_is_a_clear_error():
    with pytest.raises(ValueError, match="onnx-int8 embedding backend needs device 'cpu'"):
        Encoder(backend="onnx-int8", device="cuda")
