"""Intent classifier: the linear head (rag/understand/head.py) plus an out-of-scope decision.

Out of scope when either
  - the head's best class is the out-of-scope class itself (trained on out-of-scope examples:
    CLINC150's oos_train, or our own `out_of_scope` phrasings), or
  - the in-scope confidence is under a threshold. The in-scope confidence is the calibrated
    probability of the best in-scope intent times the mean cosine similarity of the message to
    its 3 nearest training examples of that intent: a message far from everything the model
    was trained on is unknown even when the softmax is sure.
The threshold is chosen on a validation split (never test) so that `keep` of the in-scope
validation messages stay in scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np

from rag.understand.head import HeadConfig, LinearHead

KNN = 3


@dataclass
class IntentDecision:
    label: str           # final label (out-of-scope label when rejected)
    confidence: float    # calibrated probability of `raw_label`
    raw_label: str       # best class of the head
    in_scope_score: float
    top: list[tuple[str, float]] = field(default_factory=list)


class IntentModel:
    def __init__(self, oos_label: str = "out_of_scope", config: HeadConfig | None = None):
        self.oos_label = oos_label
        self.head = LinearHead(config or HeadConfig())
        self.threshold = 0.0
        self.keep = 0.96
        self._vectors: np.ndarray | None = None   # training embeddings (float16 on disk)
        self._by_label: list[np.ndarray] = []      # per label: its training vectors, float32
        self._members: list[np.ndarray] = []       # per label: row indices into _vectors

    # ---------------------------------------------------------------------------------- fit
    def fit(self, texts: list[str], embeddings: np.ndarray, labels: list[str],
            val_texts: list[str], val_embeddings: np.ndarray, val_labels: list[str],
            keep: float = 0.96) -> "IntentModel":
        """Train on (texts, labels); calibrate the temperature and choose the threshold on the
        validation split (in-scope and out-of-scope messages, labelled)."""
        self.head.fit(texts, embeddings, labels)
        self._index(embeddings, labels)
        self.head.calibrate(val_texts, val_embeddings, val_labels)
        self.keep = keep
        scores = self.in_scope_scores(val_texts, val_embeddings)
        raw = self._raw(val_texts, val_embeddings)
        in_scope = [i for i, y in enumerate(val_labels) if y != self.oos_label and raw[i] != self.oos_label]
        n_in = sum(1 for y in val_labels if y != self.oos_label)
        # keep `keep` of ALL in-scope validation messages (those the head already sent to the
        # out-of-scope class count as lost)
        lost = n_in - len(in_scope)
        allowed = max(0, int(np.floor((1.0 - keep) * n_in)) - lost)
        s = np.sort(scores[in_scope])
        self.threshold = float(s[allowed]) if allowed < len(s) else 0.0
        return self

    def _index(self, embeddings: np.ndarray, labels: list[str]) -> None:
        self._vectors = np.asarray(embeddings, dtype=np.float16)
        lab = np.array(labels)
        self._members = [np.flatnonzero(lab == name) for name in self.head.labels]
        self._split_by_label()

    def _split_by_label(self) -> None:
        assert self._vectors is not None
        self._by_label = [np.ascontiguousarray(self._vectors[m], dtype=np.float32) for m in self._members]

    # ------------------------------------------------------------------------------ predict
    def _raw(self, texts: list[str], embeddings: np.ndarray) -> list[str]:
        p = self.head.proba(texts, embeddings)
        return [self.head.labels[i] for i in p.argmax(axis=1)]

    def _knn(self, embeddings: np.ndarray, label_idx: np.ndarray) -> np.ndarray:
        vectors = np.asarray(embeddings, dtype=np.float32)
        out = np.zeros(len(label_idx), dtype=np.float32)
        for row, c in enumerate(label_idx):
            own = self._by_label[c]  # only the predicted label's examples: a few hundred rows
            if len(own) == 0:
                continue
            s = own @ vectors[row]
            k = min(KNN, len(s))
            out[row] = float(np.mean(np.partition(s, len(s) - k)[-k:]))
        return out

    def in_scope_scores(self, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        p = self.head.proba(texts, embeddings)
        q = p.copy()
        if self.oos_label in self.head.labels:
            q[:, self.head.labels.index(self.oos_label)] = -1.0
        best = q.argmax(axis=1)
        return q[np.arange(len(q)), best] * np.clip(self._knn(embeddings, best), 0.0, 1.0)

    def predict(self, texts: list[str], embeddings: np.ndarray) -> list[IntentDecision]:
        p = self.head.proba(texts, embeddings)
        labels = self.head.labels
        q = p.copy()
        oos_i = labels.index(self.oos_label) if self.oos_label in labels else -1
        if oos_i >= 0:
            q[:, oos_i] = -1.0
        best_in = q.argmax(axis=1)
        knn = np.clip(self._knn(embeddings, best_in), 0.0, 1.0)
        out: list[IntentDecision] = []
        for row in range(len(texts)):
            raw = int(p[row].argmax())
            score = float(q[row, best_in[row]] * knn[row])
            order = np.argsort(-p[row])[:3]
            top = [(labels[i], round(float(p[row, i]), 4)) for i in order]
            if raw == oos_i or score < self.threshold:
                label = self.oos_label
            else:
                label = labels[raw]
            out.append(IntentDecision(label, float(p[row, raw]), labels[raw], score, top))
        return out

    # ---------------------------------------------------------------------------- artifact
    def save(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump({"head": self.head, "vectors": self._vectors, "members": self._members,
                     "threshold": self.threshold, "oos_label": self.oos_label, "keep": self.keep},
                    folder / "model.joblib", compress=3)
        (folder / "labels.json").write_text(json.dumps(self.head.labels, indent=1) + "\n")
        (folder / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> "IntentModel":
        blob = joblib.load(folder / "model.joblib")
        model = cls(oos_label=blob["oos_label"])
        model.head = blob["head"]
        model._vectors = blob["vectors"]
        model._members = blob["members"]
        model._split_by_label()
        model.threshold = blob["threshold"]
        model.keep = blob["keep"]
        return model
