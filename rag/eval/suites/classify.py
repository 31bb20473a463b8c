"""intent and sentiment: the classifiers on external labelled data.

Data sources:
- ``--dataset clinc150`` (``clinc150/data_full.json``): trained on train (+ oos_train), scored on
  test (+ oos_test): in-scope accuracy, out-of-scope recall, share of in-scope queries kept;
- ``--dataset yelp`` (``sentiment/yelp_labelled.txt``): 5-fold cross-validated accuracy and
  macro-F1;
- ``--train FILE --test FILE``: a CSV with a header (text and label columns, names
  configurable) or the tab-separated ``sentence<TAB>label`` format without a header.

The training and prediction come from the understanding layer (`rag.understand.external`), so
what is measured is the classifier head the service ships, not a copy of it.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.eval import metrics as m
from rag.eval.report import EvalResult, StageTimer
from rag.eval.suites.data import EvalDataError, require_data_dir

CLINC_FILE = Path("clinc150/data_full.json")
YELP_FILE = Path("sentiment/yelp_labelled.txt")
OOS_LABEL = "oos"


@dataclass
class LabelledSet:
    texts: list[str]
    labels: list[str]
    path: Path


def read_labelled(path: Path, text_column: str = "text", label_column: str = "label") -> LabelledSet:
    """A labelled file: CSV/TSV with a header naming `text_column` and `label_column`, or
    headerless ``sentence<TAB>label`` lines (the UCI sentiment format)."""
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(f"labelled file not found: {path}")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8", newline="") as fh:
        first = fh.readline()
    delimiter = "\t" if first.count("\t") >= max(1, first.count(",")) else ","
    header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))] if first else []
    texts: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8", newline="") as fh:
        if text_column in header and label_column in header:
            reader = csv.DictReader(fh, delimiter=delimiter)
            for row in reader:
                text, label = (row.get(text_column) or "").strip(), (row.get(label_column) or "").strip()
                if not text or not label:
                    raise EvalDataError(
                        f"{path}, line {reader.line_num}: empty field '{text_column if not text else label_column}'")
                texts.append(text)
                labels.append(label)
        elif delimiter == "\t":
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                text, sep, label = line.rstrip("\r\n").rpartition("\t")
                if not sep or not text.strip() or not label.strip():
                    raise EvalDataError(
                        f"{path}, line {line_no}: expected 'sentence<TAB>label' (or a header with "
                        f"columns '{text_column}' and '{label_column}')")
                texts.append(text.strip())
                labels.append(label.strip())
        else:
            raise EvalDataError(
                f"{path}: the header has {', '.join(header) or 'nothing'}; expected columns "
                f"'{text_column}' and '{label_column}' (set them with --text-column/--label-column)")
    if not texts:
        raise EvalDataError(f"{path}: no labelled rows")
    return LabelledSet(texts, labels, path)


def load_clinc150(data_dir: Path) -> dict[str, LabelledSet]:
    path = require_data_dir(data_dir) / CLINC_FILE
    if not path.is_file():
        raise EvalDataError(f"CLINC150 file not found: {path}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"{path}: not valid JSON ({exc})") from None
    out = {}
    for split in ("train", "val", "test", "oos_train", "oos_val", "oos_test"):
        if split not in raw:
            raise EvalDataError(f"{path}: missing split '{split}'")
        out[split] = LabelledSet([t for t, _ in raw[split]], [lab for _, lab in raw[split]], path)
    return out


# (train texts, train labels, test texts) -> (predicted labels, confidences)
FitPredict = Callable[[Sequence[str], Sequence[str], Sequence[str]], tuple[list[str], list[float]]]


def classification_result(
    suite: str, gold: Sequence[str], predicted: Sequence[str], texts: Sequence[str],
    data_files: list[Path], config: dict[str, Any], extra: dict[str, Any] | None = None,
    confidences: Sequence[float] | None = None, models: dict[str, Any] | None = None,
) -> EvalResult:
    """The shared report for classifier suites: accuracy, macro-F1, confusion matrix, and each
    mis-classified item in failures.jsonl."""
    metrics: dict[str, Any] = {"accuracy": m.accuracy(gold, predicted), "macro_f1": m.macro_f1(gold, predicted),
                               "n": len(gold)}
    metrics.update(extra or {})
    labels, matrix = m.confusion_matrix(gold, predicted)
    result = EvalResult(suite=suite, metrics=metrics, config=config, data_files=data_files,
                        models=models or {}, confusion=([str(x) for x in labels], matrix))
    per_class: dict[str, dict[str, Any]] = {}
    for label in labels:
        idx = [i for i, g in enumerate(gold) if g == label]
        if not idx:
            continue
        per_class[str(label)] = {"n": len(idx), "recall": m.mean(1.0 if predicted[i] == label else 0.0 for i in idx)}
    if len(per_class) <= 40:
        result.tables["Per class"] = per_class
    for i, (g, p) in enumerate(zip(gold, predicted)):
        if g != p:
            record = {"index": i, "text": texts[i], "gold": g, "predicted": p}
            if confidences is not None:
                record["confidence"] = confidences[i]
            result.failures.append(record)
    return result


# ---------------------------------------------------------------- runs

# head_factory() -> a fresh classifier head with fit(texts, embeddings, labels), proba(texts,
# embeddings), calibrate(texts, embeddings, labels) and `labels` (rag.understand.head.LinearHead).
HeadFactory = Callable[[], Any]


def _embed(encoder, texts: Sequence[str], timer: StageTimer | None = None) -> Any:
    if timer is None:
        return encoder.encode(list(texts), progress=False)
    with timer.stage("embed"):
        return encoder.encode(list(texts), progress=False)


def external_result(suite: str, checked: dict[str, Any], data_file: Path, config: dict[str, Any],
                    models: dict[str, Any] | None = None) -> EvalResult:
    """The report of one of the understanding layer's external checks
    (`rag.understand.external.evaluate_clinc150` / `evaluate_yelp`, the very models the
    service ships): its headline metrics, plus the confusion matrix and the failures over every
    test item (out-of-scope included for CLINC150)."""
    headline = {k: v for k, v in checked.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    result = classification_result(suite, checked["gold"], checked["predicted"], checked["texts"], [data_file],
                                   config, extra=headline, confidences=checked.get("confidence"), models=models)
    result.tables.pop("Per class", None)
    return result


def run_cross_validation(data: LabelledSet, encoder, head_factory: HeadFactory, suite: str, folds: int = 5,
                         seed: int = 0, config: dict[str, Any] | None = None,
                         models: dict[str, Any] | None = None) -> EvalResult:
    """Stratified k-fold: every item is predicted by a head that never saw it."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    timer, started = StageTimer(), time.time()
    emb = _embed(encoder, data.texts, timer)
    predicted: list[str] = [""] * len(data.texts)
    confidence: list[float] = [0.0] * len(data.texts)
    y = np.array(data.labels)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(data.texts, y):
        head = head_factory()
        with timer.stage("fit"):
            head.fit([data.texts[i] for i in train_idx], emb[train_idx], [data.labels[i] for i in train_idx])
        with timer.stage("predict"):
            proba = head.proba([data.texts[i] for i in test_idx], emb[test_idx])
        for row, i in enumerate(test_idx):
            predicted[i] = head.labels[int(proba[row].argmax())]
            confidence[i] = float(proba[row].max())
    result = classification_result(suite, data.labels, predicted, data.texts, [data.path],
                                   {"folds": folds, "seed": seed, **(config or {})}, confidences=confidence, models=models)
    result.timer, result.started_at, result.seed = timer, started, seed
    return result


def run_files(train: LabelledSet, test: LabelledSet, encoder, head_factory: HeadFactory, suite: str,
              config: dict[str, Any] | None = None, models: dict[str, Any] | None = None) -> EvalResult:
    timer, started = StageTimer(), time.time()
    head = head_factory()
    train_emb = _embed(encoder, train.texts, timer)
    with timer.stage("fit"):
        head.fit(train.texts, train_emb, train.labels)
    test_emb = _embed(encoder, test.texts, timer)
    with timer.stage("predict"):
        proba = head.proba(test.texts, test_emb)
    predicted = [head.labels[int(i)] for i in proba.argmax(axis=1)]
    result = classification_result(suite, test.labels, predicted, test.texts, [train.path, test.path],
                                   config or {}, confidences=[float(c) for c in proba.max(axis=1)], models=models)
    result.timer, result.started_at = timer, started
    return result
