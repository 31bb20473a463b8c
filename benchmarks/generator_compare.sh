#!/usr/bin/env bash
# Base SmolLM2 vs the fine-tuned generator, same commands, same run (issue 7's measured gain).
#
#   bash benchmarks/generator_compare.sh [OUT_DIR]          # default out/ft-compare
#   FT_LORA=/path/to/adapter.gguf bash benchmarks/generator_compare.sh   # a candidate adapter
#   MODELS=base bash benchmarks/generator_compare.sh OUT; MODELS=ft ... OUT   # the halves apart
#
# Runs `shopgraph eval hetpqa|semipqa` (first LIMIT=120 dev questions each) and `shopgraph eval
# demo` (200-product store, 3 questions per type) with the embedded llama.cpp generator, once
# with the LoRA (FT_LORA, default: the shipped rag/artifacts/generator/gguf/adapter.gguf) and
# once on the plain base (SHOPGRAPH_GENERATOR__LORA_PATH=none), then prints the table.
# About 15 minutes on the 2-core dev machine when it is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 SHOPGRAPH_GENERATOR__TIMEOUT_S=300 SHOPGRAPH_LOG_LEVEL=WARNING
S=.venv/bin/shopgraph
O=${1:-out/ft-compare}
LIMIT=${LIMIT:-120}
FT_LORA=${FT_LORA:-}
MODELS=${MODELS:-ft base}
mkdir -p "$O"
uptime
# the answering and scoring code the numbers depend on besides the adapter: run the halves
# apart only when this fingerprint is the same for both
CODE=$(cat rag/*.py rag/generate/*.py rag/retrieve/*.py rag/eval/*.py rag/eval/suites/*.py serve/settings.py | sha256sum | cut -c1-12)
echo "$(date -u +%FT%T) models=[$MODELS] code=$CODE head=$(git rev-parse --short HEAD) lora=${FT_LORA:-shipped}" >> "$O/runs.log"
for model in $MODELS; do
  if [ "$model" = base ]; then
    export SHOPGRAPH_GENERATOR__LORA_PATH=none
  elif [ -n "$FT_LORA" ]; then
    export SHOPGRAPH_GENERATOR__LORA_PATH="$FT_LORA"
  else
    unset SHOPGRAPH_GENERATOR__LORA_PATH
  fi
  for suite in hetpqa semipqa; do
    echo "$(date -u +%T) $model $suite"
    $S eval $suite --generator llamacpp --limit "$LIMIT" --out "$O/$suite-$model" --json > "$O/$suite-$model.json" 2> "$O/$suite-$model.err"
  done
  echo "$(date -u +%T) $model demo"
  $S eval demo --products 200 --per-type 3 --generator llamacpp --out "$O/demo-$model" --json > "$O/demo-$model.json" 2> "$O/demo-$model.err"
done
uptime
[ -f "$O/demo-ft.json" ] && [ -f "$O/demo-base.json" ] || exit 0
.venv/bin/python - "$O" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
def load(suite, model):
    return json.loads((out / f"{suite}-{model}.json").read_text())["answers"]
rows = [
    ("hetPQA dev ROUGE-L", lambda m: load("hetpqa", m)["rouge_l"]),
    ("hetPQA generator faithfulness", lambda m: load("hetpqa", m)["generator_faithfulness"]),
    ("hetPQA truthfulness", lambda m: load("hetpqa", m)["truthfulness"]),
    ("semiPQA d2t ROUGE-L", lambda m: load("semipqa", m)["data_to_text"]["rouge_l"]),
    ("semiPQA generator faithfulness", lambda m: load("semipqa", m)["data_to_text"]["generator_faithfulness"]),
    ("demo accuracy", lambda m: load("demo", m)["accuracy"]),
    ("demo truthfulness", lambda m: load("demo", m)["truthfulness"]),
    ("demo abstention recall", lambda m: load("demo", m)["abstention_recall"]),
    ("demo abstention precision", lambda m: load("demo", m)["abstention_precision"]),
]
fmt = lambda v: "n/a" if v is None else f"{v:.3f}"
print("| metric | base | fine-tuned | change |\n| --- | --- | --- | --- |")
for name, get in rows:
    b, f = get("base"), get("ft")
    delta = "n/a" if b is None or f is None else f"{f - b:+.3f}"
    print(f"| {name} | {fmt(b)} | {fmt(f)} | {delta} |")
PY
