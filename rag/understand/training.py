"""Training the intent and sentiment heads into versioned artifacts.

    train_intent(data, out_root, encoder)     data: a JSONL/CSV/TSV file of (text, label),
                                              or "clinc150" (read from the shared data dir)
    train_sentiment(data, out_root, encoder)  data: a file, or "default" = our own sentiment
                                              set + yelp sentences (negative/positive)

An artifact is a folder `<out_root>/<kind>/v<N>/` with model.joblib, labels.json, meta.json
(encoder, data hash, sizes, threshold, created) and metrics.json.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from rag.understand.intent import IntentModel
from rag.understand.sentiment import SentimentModel

DATA = Path(__file__).resolve().parent.parent / "data" / "intents"
OWN_TRAIN = DATA / "train.jsonl"
OWN_REAL = DATA / "train_real.jsonl"  # real messages (rag/data/intents/real_messages.py)
REAL_NEUTRAL = 600  # of them taught to the sentiment model as neutral (300-1000 measured)
OWN_VAL = DATA / "val.jsonl"
OWN_HELDOUT = DATA / "heldout.jsonl"
OWN_SENTIMENT_TRAIN = DATA / "sentiment_train.jsonl"
OWN_SENTIMENT_HELDOUT = DATA / "sentiment_heldout.jsonl"
CLINC_FILE = Path("clinc150/data_full.json")
YELP_FILE = Path("sentiment/yelp_labelled.txt")


class TrainingDataError(ValueError):
    """Labelled data that cannot be read; the message names file, line and field."""


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) from JSONL ({"text", "label"}), CSV/TSV with a text,label header, or
    headerless `sentence<TAB>label` lines."""
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError(f"labelled data file not found: {path}")
    texts: list[str] = []
    labels: list[str] = []
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TrainingDataError(f"{path}, line {n}: not JSON ({exc.msg})") from None
                for key in ("text", "label"):
                    if not isinstance(row.get(key), str) or not row[key].strip():
                        raise TrainingDataError(f"{path}, line {n}: field '{key}' missing or empty")
                texts.append(row["text"])
                labels.append(row["label"].strip())
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            delimiter = "\t" if "\t" in first else ","
            header = [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter))]
            if "text" in header and "label" in header:
                reader = csv.DictReader(fh, delimiter=delimiter, fieldnames=header)
                next(reader)
                for row in reader:
                    if not (row.get("text") or "").strip() or not (row.get("label") or "").strip():
                        raise TrainingDataError(f"{path}, line {reader.line_num}: empty text or label")
                    texts.append(row["text"])
                    labels.append(row["label"].strip())
            elif delimiter == "\t":
                for n, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    text, sep, label = line.rstrip("\r\n").rpartition("\t")
                    if not sep or not text.strip() or not label.strip():
                        raise TrainingDataError(f"{path}, line {n}: expected 'sentence<TAB>label'")
                    texts.append(text)
                    labels.append(label.strip())
            else:
                raise TrainingDataError(f"{path}: expected a header with 'text' and 'label' columns")
    if not texts:
        raise TrainingDataError(f"{path}: no labelled rows")
    return texts, labels


def load_clinc150(data_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    path = Path(data_dir) / CLINC_FILE
    if not path.is_file():
        raise TrainingDataError(f"CLINC150 not found at {path} (set SHOPGRAPH_SHARED_DATA or --shared-data)")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: ([t for t, _ in v], [lab for _, lab in v]) for k, v in raw.items()}


def load_yelp(data_dir: Path) -> tuple[list[str], list[str]]:
    path = Path(data_dir) / YELP_FILE
    if not path.is_file():
        raise TrainingDataError(f"yelp sentences not found at {path} (set SHOPGRAPH_SHARED_DATA or --shared-data)")
    return read_labelled(path)


def data_hash(texts: list[str], labels: list[str]) -> str:
    h = hashlib.sha256()
    for t, lab in zip(texts, labels):
        h.update(t.encode("utf-8", "replace") + b"\t" + lab.encode() + b"\n")
    return h.hexdigest()[:16]


def next_version(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    taken = [int(p.name[1:]) for p in root.glob("v*") if p.name[1:].isdigit()]
    return root / f"v{max(taken, default=0) + 1}"


def split_validation(texts: list[str], labels: list[str], share: float = 0.15, seed: int = 0):
    """Stratified train/validation split (validation tunes temperature and threshold)."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    val: list[int] = []
    for idx in by_label.values():
        rng.shuffle(idx)
        val.extend(idx[: max(1, int(len(idx) * share))] if len(idx) > 2 else [])
    vs = set(val)
    tr = [i for i in range(len(texts)) if i not in vs]
    pick = lambda ix: ([texts[i] for i in ix], [labels[i] for i in ix])  # noqa: E731
    return pick(tr), pick(sorted(val))


def _write(folder: Path, metrics: dict) -> None:
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True) + "\n")


def macro_f1(gold: list[str], pred: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro", zero_division=0))


# Share of in-scope validation messages the out-of-scope threshold keeps. CLINC150 has no
# out-of-scope class worth the name in its in-scope intents, so its threshold does the work
# (0.96, the external check's operating point). Our own set trains an explicit out_of_scope
# class; on val.jsonl a looser threshold scores better (macro-F1 0.959 at 0.99 vs 0.944 at
# 0.96): it then only catches messages far from everything seen in training.
KEEP = {"clinc150": 0.96, "own": 0.99}


def train_intent(data: str, out_root: Path, encoder: Any, shared_data: Path | None = None,
                 keep: float | None = None) -> tuple[Path, dict]:
    """Train the intent model; returns (artifact folder, metrics)."""
    started = time.time()
    if data == "clinc150":
        sets = load_clinc150(shared_data or Path("../shared/data"))
        tr_t, tr_y = sets["train"][0] + sets["oos_train"][0], sets["train"][1] + sets["oos_train"][1]
        va_t, va_y = sets["val"][0] + sets["oos_val"][0], sets["val"][1] + sets["oos_val"][1]
        oos_label, heldout = "oos", None
    else:
        path = OWN_TRAIN if data in ("", "default") else Path(data)
        texts, labels = read_labelled(path)
        if path == OWN_TRAIN:  # validation phrasings come from templates unseen in training
            real_texts, real_labels = read_labelled(OWN_REAL)
            (tr_t, tr_y), (va_t, va_y) = (texts + real_texts, labels + real_labels), read_labelled(OWN_VAL)
        else:
            (tr_t, tr_y), (va_t, va_y) = split_validation(texts, labels)
        oos_label = "out_of_scope"
        heldout = OWN_HELDOUT if path == OWN_TRAIN else None
    if keep is None:
        keep = KEEP["clinc150" if data == "clinc150" else "own"]
    model = IntentModel(oos_label=oos_label)
    model.fit(tr_t, encoder.encode(tr_t), tr_y, va_t, encoder.encode(va_t), va_y, keep=keep)
    metrics: dict[str, Any] = {"train_size": len(tr_t), "val_size": len(va_t), "final_fit_size": len(tr_t) + len(va_t),
                               "keep_on_val": keep,
                               "threshold": model.threshold, "temperature": model.head.temperature}
    if heldout is not None:
        ht, hy = read_labelled(heldout)
        pred = [d.label for d in model.predict(ht, encoder.encode(ht))]
        metrics["heldout"] = {"file": str(heldout.relative_to(DATA.parent.parent.parent)), "n": len(ht),
                              "accuracy": float(np.mean([p == g for p, g in zip(pred, hy)])),
                              "macro_f1": macro_f1(hy, pred)}
    metrics["train_seconds"] = round(time.time() - started, 1)
    folder = next_version(Path(out_root) / "intent")
    model.save(folder, {"kind": "intent", "encoder": getattr(encoder, "model_name", "?"),
                        "data": data or "default", "data_hash": data_hash(tr_t + va_t, tr_y + va_y),
                        "labels": model.head.labels, "oos_label": oos_label,
                        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "head": "LinearSVC over [embedding, word 1-2g TF-IDF, char_wb 2-5g TF-IDF], "
                                "temperature-calibrated, mixed 80/20 with a 512-unit MLP on the embedding; "
                                "OOS = oos class or p*knn3 < threshold (both chosen on val by a train-only "
                                "model), then trained again on train + val"})
    _write(folder, metrics)
    return folder, metrics


def sentiment_training_set(shared_data: Path | None) -> tuple[list[str], list[str]]:
    """Our own customer-service sentiment set, plus the yelp sentences when available, plus the
    informational intent examples as neutral (shoppers mostly just ask)."""
    texts, labels = read_labelled(OWN_SENTIMENT_TRAIN)
    it, iy = read_labelled(OWN_TRAIN)
    rng = random.Random(0)
    neutral_intents = {"product_info", "compatibility", "availability_price", "comparison", "recommendation",
                       "return_policy", "warranty", "shipping", "payment", "order_status", "order_change",
                       "account"}
    pool = [t for t, y in zip(it, iy) if y in neutral_intents]
    rng.shuffle(pool)
    texts += pool[:900]
    labels += ["neutral"] * len(pool[:900])
    # real requests, from train splits (rag/data/intents/real_messages.py): shoppers' questions
    # and other assistants' requests ("tell me a joke"), which v4 called negative 4-12% of the
    # time (benchmarks/sentiment_real_messages.py)
    real = read_labelled(OWN_REAL)[0]
    rng.shuffle(real)
    texts += real[:REAL_NEUTRAL]
    labels += ["neutral"] * len(real[:REAL_NEUTRAL])
    if shared_data is not None and (Path(shared_data) / YELP_FILE).is_file():
        yt, yy = load_yelp(shared_data)
        texts += yt
        labels += ["positive" if y == "1" else "negative" for y in yy]
    return texts, labels


def train_sentiment(data: str, out_root: Path, encoder: Any, shared_data: Path | None = None) -> tuple[Path, dict]:
    started = time.time()
    if data in ("", "default"):
        texts, labels = sentiment_training_set(shared_data)
        heldout: Path | None = OWN_SENTIMENT_HELDOUT
    elif data == "yelp":
        yt, yy = load_yelp(shared_data or Path("../shared/data"))
        texts, labels, heldout = yt, ["positive" if y == "1" else "negative" for y in yy], None
    else:
        texts, labels = read_labelled(Path(data))
        heldout = None
    embeddings, states = encoder.encode_with_states(texts)
    model = SentimentModel().fit(texts, embeddings, labels, states=states,
                                 encoder_path=getattr(encoder, "model_path", None), progress=True)
    metrics: dict[str, Any] = {"train_size": len(texts), "refiner_weight": model.refiner_weight}
    if heldout is not None:
        ht, hy = read_labelled(heldout)
        pred = [p[0] for p in model.predict(ht, *encoder.encode_with_states(ht))]
        metrics["heldout"] = {"n": len(ht), "accuracy": float(np.mean([p == g for p, g in zip(pred, hy)])),
                              "macro_f1": macro_f1(hy, pred)}
    metrics["train_seconds"] = round(time.time() - started, 1)
    folder = next_version(Path(out_root) / "sentiment")
    model.save(folder, {"kind": "sentiment", "encoder": getattr(encoder, "model_name", "?"),
                        "data": data or "default", "data_hash": data_hash(texts, labels),
                        "labels": model.head.labels,
                        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "head": "LinearSVC over [embedding, VADER scores, negation-marked word 1-2g + char_wb 2-5g TF-IDF], "
                                "temperature 1, averaged 70/30 with the encoder's top 2 layers fine-tuned "
                                "(rag.understand.refiner.TopLayers)"})
    _write(folder, metrics)
    return folder, metrics
