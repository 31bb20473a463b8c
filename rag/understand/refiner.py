"""TopLayers: the sentence encoder's top transformer layers, fine-tuned for one label set.

Why: a linear head on the frozen sentence vector tops out near 0.914 on the yelp sentiment check;
fine-tuning MiniLM's top two layers on that data and averaging their probabilities with the
linear head's reaches 0.932 (fold seeds 1 / 2: 0.928 / 0.931; docs/understanding.md). The shared encoder already computes the
states entering those layers for every message (`Encoder.encode_with_states`, one forward pass),
so the refiner costs two layers' worth of compute, not a second embedding.

Training runs in torch (transformers' own BertLayer, initialised from the encoder's weights).
Prediction is plain numpy (the same arithmetic, checked against torch in the tests) until
`use_onnx` is called: the service then runs the same layers on ONNX Runtime, exported once per
artifact into the encoder's ONNX cache. Numpy's small matrix products made the refiner the
largest single cost of understanding a message (about 4.6 ms of ~20 ms, one BLAS thread);
ONNX Runtime takes about 1.3 ms for the same result (within 1e-5).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

from rag.encoder import STATE_LAYERS, default_model_path
from rag.understand.head import softmax

ONNX_FORMAT = 1  # bump when the exported graph changes
_LAYER_KEYS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
               "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")


@dataclass(frozen=True)
class RefinerConfig:
    """Chosen by 5-fold CV on yelp (docs/understanding.md)."""

    epochs: int = 5
    lr: float = 2e-4           # the transformer layers
    classifier_lr: float = 1e-2
    weight_decay: float = 0.01
    batch_size: int = 16
    seed: int = 0
    max_tokens: int = 128      # longer messages: the first 128 token states


@dataclass
class TopLayers:
    """`proba(states)` -> (n, n_labels); states are `Encoder.encode_with_states`' second output."""

    labels: list[str]
    heads: int
    eps: float
    max_tokens: int = 128
    layers: list[dict[str, np.ndarray]] = field(default_factory=list)  # per layer: name -> float32
    classifier_w: np.ndarray | None = None  # (dim, n_labels)
    classifier_b: np.ndarray | None = None
    _onnx: Any = field(default=None, repr=False, compare=False)  # an ONNX Runtime session, see use_onnx

    # -- pickling: the layer weights as float16 (7 MB instead of 14; probabilities move ~1e-3) ----
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_onnx", None)
        state["layers"] = [{k: v.astype(np.float16) for k, v in layer.items()} for layer in self.layers]
        return state

    def __setstate__(self, state: dict) -> None:
        state["layers"] = [{k: v.astype(np.float32) for k, v in layer.items()} for layer in state["layers"]]
        self.__dict__.update(state)

    # -- prediction -------------------------------------------------------------------------------
    def proba(self, states: list[np.ndarray]) -> np.ndarray:
        """(n, n_labels); on ONNX Runtime after `use_onnx`, else numpy."""
        rows = [self._clipped(s) for s in states]
        if self._onnx is not None:
            return np.concatenate([self._onnx.run(None, {"states": h[None]})[0] for h in rows])
        pooled = np.stack([self._pooled(h) for h in rows])
        return softmax(pooled @ self.classifier_w + self.classifier_b)

    def _clipped(self, states: np.ndarray) -> np.ndarray:
        """The first max_tokens states; an empty message is one zero state."""
        h = np.asarray(states, dtype=np.float32)[: self.max_tokens]
        return h if len(h) else np.zeros((1, self.classifier_w.shape[0]), np.float32)

    def _pooled(self, h: np.ndarray) -> np.ndarray:
        """Numpy forward of clipped states (`_clipped`) -> mean over tokens, L2-normalised."""
        for layer in self.layers:
            h = self._layer(layer, h)
        mean = h.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def _layer(self, p: dict[str, np.ndarray], h: np.ndarray) -> np.ndarray:
        """One post-LayerNorm BERT layer on one unpadded sequence (tokens, dim). Scalars are
        Python floats: a numpy float64 scalar would turn the float32 arrays into float64."""
        tokens, dim = h.shape
        width = dim // self.heads

        def dense(name: str, x: np.ndarray) -> np.ndarray:
            return x @ p[name + ".weight"].T + p[name + ".bias"]

        def split(x: np.ndarray) -> np.ndarray:
            return x.reshape(tokens, self.heads, width).transpose(1, 0, 2)

        q, k, v = (split(dense(f"attention.self.{n}", h)) for n in ("query", "key", "value"))
        attention = softmax(q @ k.transpose(0, 2, 1) / math.sqrt(width))
        context = (attention @ v).transpose(1, 0, 2).reshape(tokens, dim)
        h = self._norm(p, "attention.output.LayerNorm", dense("attention.output.dense", context) + h)
        inner = dense("intermediate.dense", h)
        inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))  # exact GELU, as BERT's "gelu"
        return self._norm(p, "output.LayerNorm", dense("output.dense", inner) + h)

    def _norm(self, p: dict[str, np.ndarray], name: str, x: np.ndarray) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * p[name + ".weight"] + p[name + ".bias"]

    # -- prediction on ONNX Runtime -------------------------------------------------------------
    def onnx_key(self) -> str:
        """The export's entry in the ONNX cache: a hash of every weight (as the artifact holds them)."""
        digest = hashlib.sha256(f"sentiment-top-layers/{ONNX_FORMAT}/{self.heads}/{self.eps}".encode())
        for layer in self.layers:
            for name in sorted(layer):
                digest.update(name.encode())
                digest.update(np.ascontiguousarray(layer[name], np.float32).tobytes())
        digest.update(np.ascontiguousarray(self.classifier_w, np.float32).tobytes())
        digest.update(np.ascontiguousarray(self.classifier_b, np.float32).tobytes())
        return f"sentiment-top-layers-{digest.hexdigest()[:16]}"

    def use_onnx(self, cache: Any, threads: int = 1) -> None:
        """Predict on ONNX Runtime from now on. `cache`: the encoder's `rag.encoder.OnnxCache`,
        which exports once (torch, a few seconds) and validates what it hands back."""
        import onnxruntime as ort

        data, _ = cache.get(self.onnx_key(), self.export_onnx, origin="sentiment top layers")
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._onnx = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])

    def export_onnx(self, target: Path) -> None:
        """These layers, the mean pool, the L2 norm and the classifier with its softmax as one
        ONNX graph: (1, tokens, dim) states -> (1, n_labels) probabilities (opset 17)."""
        import warnings

        import torch

        layers = _torch_layers(self.layers)

        class Refiner(torch.nn.Module):
            def __init__(self, w: np.ndarray, b: np.ndarray):
                super().__init__()
                self.layers = layers
                self.w, self.b = torch.from_numpy(w.copy()), torch.from_numpy(b.copy())

            def forward(self, states):
                h = states
                for layer in self.layers:
                    out = layer(h)
                    h = out[0] if isinstance(out, tuple) else out
                pooled = torch.nn.functional.normalize(h.mean(1), dim=-1)
                return torch.softmax(pooled @ self.w + self.b, dim=-1)

        example = torch.zeros(1, 3, self.classifier_w.shape[0])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Refiner(self.classifier_w, self.classifier_b).eval(), (example,), str(target),
                              input_names=["states"], output_names=["proba"], opset_version=17, dynamo=False,
                              dynamic_axes={"states": {0: "batch", 1: "tokens"}, "proba": {0: "batch"}})

    # -- training (torch) -------------------------------------------------------------------------
    @classmethod
    def fit(cls, states: list[np.ndarray], labels: list[str], config: RefinerConfig = RefinerConfig(),
            model_path: str | Path | None = None, progress: bool = False) -> "TopLayers":
        """Fine-tune copies of the encoder's top STATE_LAYERS layers plus a linear classifier on
        the mean-pooled, normalised output (cross-entropy, AdamW, seeded)."""
        import torch
        from tqdm import tqdm
        from transformers import AutoModel

        torch.manual_seed(config.seed)
        bert = AutoModel.from_pretrained(str(model_path or default_model_path()))
        layers = torch.nn.ModuleList(bert.encoder.layer[-STATE_LAYERS:])
        names = sorted(set(labels))
        y = torch.tensor([names.index(label) for label in labels])
        classifier = torch.nn.Linear(bert.config.hidden_size, len(names))
        opt = torch.optim.AdamW([{"params": layers.parameters(), "lr": config.lr},
                                 {"params": classifier.parameters(), "lr": config.classifier_lr}],
                                weight_decay=config.weight_decay)
        order = torch.Generator().manual_seed(config.seed)
        clipped = [np.asarray(s, np.float32)[: config.max_tokens] for s in states]
        layers.train()
        with torch.enable_grad():
            for _ in tqdm(range(config.epochs), desc="sentiment top layers", unit="epoch", disable=not progress):
                perm = torch.randperm(len(clipped), generator=order).tolist()
                for start in range(0, len(perm), config.batch_size):
                    batch = perm[start:start + config.batch_size]
                    pooled = _torch_pooled(layers, [clipped[i] for i in batch])
                    loss = torch.nn.functional.cross_entropy(classifier(pooled), y[batch])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        layers.eval()
        weights = [{key: t.detach().numpy().astype(np.float32).copy()
                    for key, t in layer.state_dict().items() if key.rsplit(".", 1)[0] in _LAYER_KEYS}
                   for layer in layers]
        return cls(labels=names, heads=bert.config.num_attention_heads, eps=bert.config.layer_norm_eps,
                   max_tokens=config.max_tokens, layers=weights, classifier_w=classifier.weight.detach().numpy().T.copy(),
                   classifier_b=classifier.bias.detach().numpy().copy())


def _torch_layers(weights: list[dict[str, np.ndarray]], model_path: str | Path | None = None):
    """transformers' BertLayer modules (from the encoder's config) holding `weights`, in eval mode."""
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_path or default_model_path()))
    layers = torch.nn.ModuleList(bert.encoder.layer[-len(weights):])
    for layer, named in zip(layers, weights):
        layer.load_state_dict({k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in named.items()}, strict=False)
    return layers.eval()


def _torch_pooled(layers, states: list[np.ndarray]):
    """Padded batch through the torch layers -> mean over real tokens -> L2-normalised."""
    import torch

    longest = max(1, max(len(s) for s in states))
    dim = layers[0].attention.self.query.in_features
    h = torch.zeros(len(states), longest, dim)
    mask = torch.zeros(len(states), longest)
    for i, s in enumerate(states):
        if len(s):
            h[i, : len(s)] = torch.from_numpy(s)
            mask[i, : len(s)] = 1
        else:
            mask[i, 0] = 1  # an empty message: one zero token, as in numpy
    additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
    for layer in layers:
        out = layer(h, attention_mask=additive)
        h = out[0] if isinstance(out, tuple) else out
    mean = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return torch.nn.functional.normalize(mean, dim=-1)
