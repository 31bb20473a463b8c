"""External checks of the shipped classifier heads on public labelled data (../shared/data).

    evaluate_clinc150(data_dir, encoder) -> {"accuracy", "oos_recall", "in_scope_kept", ...}
        IntentModel trained on train + oos_train; temperature and out-of-scope threshold chosen
        on val + oos_val only (keep 96% of in-scope val); scored once on test + oos_test.
    evaluate_yelp(data_dir, encoder, folds=5) -> {"accuracy", "macro_f1", ...}
        SentimentModel as shipped (linear head on embedding + VADER + n-grams, averaged with the
        encoder's fine-tuned top layers), stratified 5-fold cross-validation; each fold fine-tunes
        its own top layers (~20-40 s a fold on 2 cores).

Both return per-item predictions (`gold`, `predicted`, `texts`) for a confusion matrix.
CLINC150 embeddings are cached per (encoder, text list) under `cache_dir` when given, because
the encoder is the slow part on 2 cores.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.understand.intent import IntentModel
from rag.understand.sentiment import SentimentModel
from rag.understand.training import load_clinc150, load_yelp


def _embed(encoder: Any, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    if cache_dir is None:
        return encoder.encode(texts)
    key = hashlib.sha256((getattr(encoder, "model_name", "") + "\n" + "\n".join(texts)).encode()).hexdigest()[:20]
    path = Path(cache_dir) / f"emb-{key}.npy"
    if path.is_file():
        return np.load(path)
    vectors = encoder.encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def evaluate_clinc150(data_dir: Path | str, encoder: Any = None, keep: float = 0.96,
                      cache_dir: Path | None = None) -> dict[str, Any]:
    if encoder is None:
        from rag.encoder import shared_encoder

        encoder = shared_encoder()
    started = time.time()
    sets = load_clinc150(Path(data_dir))
    tr_t = sets["train"][0] + sets["oos_train"][0]
    tr_y = sets["train"][1] + sets["oos_train"][1]
    va_t = sets["val"][0] + sets["oos_val"][0]
    va_y = sets["val"][1] + sets["oos_val"][1]
    te_t = sets["test"][0] + sets["oos_test"][0]
    te_y = sets["test"][1] + sets["oos_test"][1]
    model = IntentModel(oos_label="oos")
    model.fit(tr_t, _embed(encoder, tr_t, cache_dir), tr_y, va_t, _embed(encoder, va_t, cache_dir), va_y, keep=keep)
    decisions = model.predict(te_t, _embed(encoder, te_t, cache_dir))
    n_in = len(sets["test"][0])
    raw = [d.raw_label for d in decisions]
    final = [d.label for d in decisions]
    # in-scope accuracy: the best in-scope intent (the threshold is judged by the two others)
    best_in = [d.raw_label if d.raw_label != "oos" else max(d.top, key=lambda x: x[0] != "oos")[0]
               for d in decisions[:n_in]]
    from sklearn.metrics import f1_score

    return {
        "accuracy": float(np.mean([p == g for p, g in zip(best_in, te_y[:n_in])])),
        "accuracy_with_threshold": float(np.mean([p == g for p, g in zip(final[:n_in], te_y[:n_in])])),
        "oos_recall": float(np.mean([p == "oos" for p in final[n_in:]])),
        "in_scope_kept": float(np.mean([p != "oos" for p in final[:n_in]])),
        "macro_f1_with_oos": float(f1_score(te_y, final, average="macro", zero_division=0)),
        "threshold": model.threshold,
        "temperature": model.head.temperature,
        "keep_on_val": keep,
        "n_test": n_in,
        "n_oos_test": len(te_t) - n_in,
        "seconds": round(time.time() - started, 1),
        "texts": te_t,
        "gold": te_y,
        "predicted": final,
        "raw_predicted": raw,
        "confidence": [d.confidence for d in decisions],
    }


def evaluate_yelp(data_dir: Path | str, encoder: Any = None, folds: int = 5, seed: int = 0,
                  cache_dir: Path | None = None) -> dict[str, Any]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    if encoder is None:
        from rag.encoder import shared_encoder

        encoder = shared_encoder()
    started = time.time()
    texts, labels = load_yelp(Path(data_dir))
    emb, states = encoder.encode_with_states(texts)
    y = np.array(labels)
    predicted = [""] * len(texts)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, y))
    for tr, te in tqdm(splits, desc="yelp folds", unit="fold"):
        model = SentimentModel().fit([texts[i] for i in tr], emb[tr], [labels[i] for i in tr],
                                     states=[states[i] for i in tr], encoder_path=getattr(encoder, "model_path", None))
        p = model.proba([texts[i] for i in te], emb[te], [states[i] for i in te])
        for row, i in enumerate(te):
            predicted[i] = model.labels[int(p[row].argmax())]
    return {
        "accuracy": float(np.mean([p == g for p, g in zip(predicted, labels)])),
        "macro_f1": float(f1_score(labels, predicted, average="macro")),
        "folds": folds,
        "seed": seed,
        "n": len(texts),
        "seconds": round(time.time() - started, 1),
        "texts": texts,
        "gold": labels,
        "predicted": predicted,
    }


if __name__ == "__main__":
    import argparse
    import json

    ap = argparse.ArgumentParser(description="CLINC150 / yelp checks of the understanding heads")
    ap.add_argument("dataset", choices=["clinc150", "yelp"])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--cache-dir", default=None, help="cache embeddings here between runs")
    a = ap.parse_args()
    run = evaluate_clinc150 if a.dataset == "clinc150" else evaluate_yelp
    res = run(a.data_dir, cache_dir=Path(a.cache_dir) if a.cache_dir else None)
    print(json.dumps({k: v for k, v in res.items() if not isinstance(v, list)}, indent=1))
