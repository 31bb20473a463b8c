"""How intent models read real messages they never saw in training: the share each calls
out_of_scope (and hands off) on shoppers' product questions (ePQA dev, hetPQA answer_generation
dev; lower is better) and on other assistants' requests (CLINC150 val and oos_val, none about a
shop; higher is better), every artifact measured in the same run.

    .venv/bin/python benchmarks/intent_real_messages.py [--data ../shared/data] [--artifacts v4,v5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.encoder import shared_encoder  # noqa: E402
from rag.understand.intent import IntentModel  # noqa: E402
from rag.understand.pipeline import ARTIFACTS  # noqa: E402
from rag.understand.types import TRANSACTIONAL_INTENTS  # noqa: E402


def message_sets(data: Path) -> dict[str, list[str]]:
    from ingest.epqa import load_epqa_questions
    from rag.eval.suites.hetpqa import GENERATION_DIR, load_generation

    files = {"epqa": data / "pqa/ePQA/dev.csv", "hetpqa": data / GENERATION_DIR / "dev.csv",
             "clinc": data / "clinc150/data_full.json"}
    for name, path in files.items():
        if not path.is_file():
            sys.exit(f"{name} data not found: {path.resolve()} (pass --data DIR, the shared data folder)")
    clinc = json.loads(files["clinc"].read_text())
    return {
        "ePQA dev questions (shoppers)": list(dict.fromkeys(q.question for q in load_epqa_questions(data, "dev"))),
        "hetPQA dev questions (shoppers)": list(dict.fromkeys(i["question"] for i in load_generation(files["hetpqa"]))),
        "CLINC150 val (other assistants)": [t for t, _ in clinc["val"]],
        "CLINC150 oos_val (other assistants)": [t for t, _ in clinc["oos_val"]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--artifacts", default="v4,v5", help="intent artifact versions under rag/artifacts/intent")
    args = ap.parse_args()
    sets = message_sets(args.data)
    encoder = shared_encoder()
    vectors = {name: encoder.encode(texts) for name, texts in sets.items()}
    handoff = set(TRANSACTIONAL_INTENTS) | {"human_agent"}
    print(f"{'messages':38s} {'n':>5s}  " + "  ".join(f"{v + ' oos':>8s} {v + ' handoff':>11s}" for v in args.artifacts.split(",")))
    models = {v: IntentModel.load(ARTIFACTS / "intent" / v) for v in args.artifacts.split(",")}
    for name, texts in sets.items():
        cells = []
        for model in models.values():
            labels = [d.label for d in model.predict(texts, vectors[name])]
            cells.append(f"{labels.count('out_of_scope') / len(texts):8.3f} "
                         f"{sum(label in handoff for label in labels) / len(texts):11.3f}")
        print(f"{name:38s} {len(texts):5d}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
