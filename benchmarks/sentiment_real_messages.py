"""How sentiment models read real requests they never saw in training: the share each calls
negative among shoppers' product questions (ePQA dev, hetPQA answer_generation dev) and other
assistants' requests (CLINC150 val and oos_val: "tell me a joke", "what's the weather"), next to
accuracy, macro-F1 and negative recall on our own held-out customer-service messages
(rag/data/intents/sentiment_heldout.jsonl). Every artifact is measured in the same run.

A negative call on a plain request is not harmless: two negative turns in a row with no other
signal hand the conversation to a person (rag.understand.sentiment.escalation_signals). Some real
questions do complain ("mine stopped working after a week, is that normal?"), so the share is
not all error: compare models, and watch the held-out negatives.

    .venv/bin/python benchmarks/sentiment_real_messages.py [--data ../shared/data] [--artifacts v4,v5]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.intent_real_messages import message_sets  # noqa: E402
from rag.encoder import shared_encoder  # noqa: E402
from rag.understand.pipeline import ARTIFACTS  # noqa: E402
from rag.understand.sentiment import SentimentModel  # noqa: E402
from rag.understand.training import OWN_SENTIMENT_HELDOUT, macro_f1, read_labelled  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--artifacts", default="v4,v5", help="sentiment artifact versions under rag/artifacts/sentiment, or folders")
    args = ap.parse_args()
    sets = message_sets(args.data)
    encoder = shared_encoder()
    encoded = {name: encoder.encode_with_states(texts) for name, texts in sets.items()}
    held_texts, held_labels = read_labelled(OWN_SENTIMENT_HELDOUT)
    held = encoder.encode_with_states(held_texts)
    versions = args.artifacts.split(",")
    models = {v: SentimentModel.load(Path(v) if "/" in v else ARTIFACTS / "sentiment" / v) for v in versions}
    print(f"{'share called negative (lower is better)':42s} {'n':>5s}  " + "  ".join(f"{Path(v).name:>7s}" for v in versions))
    for name, texts in sets.items():
        cells = []
        for model in models.values():
            labels = [p[0] for p in model.predict(texts, *encoded[name])]
            cells.append(f"{labels.count('negative') / len(texts):7.3f}")
        print(f"{name:42s} {len(texts):5d}  " + "  ".join(cells))
    print(f"\n{'own held-out messages':42s} {len(held_texts):5d}")
    rows: dict[str, list[str]] = {"  accuracy": [], "  macro-F1": [], "  negative recall": []}
    for model in models.values():
        pred = [p[0] for p in model.predict(held_texts, *held)]
        negatives = [p for p, g in zip(pred, held_labels) if g == "negative"]
        rows["  accuracy"].append(f"{np.mean([p == g for p, g in zip(pred, held_labels)]):7.3f}")
        rows["  macro-F1"].append(f"{macro_f1(held_labels, pred):7.3f}")
        rows["  negative recall"].append(f"{negatives.count('negative') / max(1, len(negatives)):7.3f}")
    for name, cells in rows.items():
        print(f"{name:42s} {'':5s}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
