"""`shopgraph train generator` end to end on a tiny subset: the real base model (SmolLM2 GGUF
dequantized into transformers), a couple of LoRA steps on real train files, and the three
artifacts: a PEFT adapter, a merged checkpoint, and a llama.cpp LoRA GGUF that the embedded
engine loads on top of the base GGUF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from rag.train.generator_data import build_examples, cite, parse_semipqa_attribute
from rag.train.lora_gguf import rope_permute

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def test_citations_and_semipqa_parsing():
    assert cite("Yes, it is washable. It comes in blue.", 2) == "Yes, it is washable [2]. It comes in blue [2]."
    assert parse_semipqa_attribute('brand: { value:"DC Comics" }') == ("brand", "DC Comics")
    assert parse_semipqa_attribute("garbage") is None


def test_rope_permute_is_the_llama_cpp_row_order():
    # 2 heads of dim 4: rows [h0: 0 1 2 3 | h1: 4 5 6 7] -> halves interleaved per head.
    rows = np.arange(8, dtype=np.float32).reshape(8, 1)
    assert rope_permute(rows, n_head=2).ravel().tolist() == [0, 2, 1, 3, 4, 6, 5, 7]


def test_examples_use_the_service_prompt_and_cite_or_abstain():
    from rag.prompt import ABSTENTION, SYSTEM_PROMPT

    examples = build_examples(DATA, seed=1, hetpqa=20, semipqa=10, demo=10, demo_products=60)
    assert {e.origin for e in examples} >= {"hetpqa", "semipqa", "demo"}
    for ex in examples:
        assert ex.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
        answer = ex.messages[-1]["content"]
        assert answer == ABSTENTION or "[" in answer
    assert build_examples(DATA, seed=1, hetpqa=20, semipqa=10, demo=10, demo_products=60) == examples


def test_train_generator_cli_writes_adapter_merged_and_gguf(tmp_path: Path):
    out = tmp_path / "gen"
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "generator", "--data", str(DATA),
           "--out", str(out), "--hetpqa", "3", "--semipqa", "2", "--demo", "2", "--batch-size", "4",
           "--max-minutes", "0.5"]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["steps"] >= 1 and manifest["dataset_hash"] and manifest["data_files"]
    assert (out / "adapter" / "adapter_config.json").is_file()
    assert json.loads((out / "adapter" / "adapter_config.json").read_text())["base_model_name_or_path"]
    assert (out / "merged" / "model.safetensors").is_file()
    adapter = out / "gguf" / "adapter.gguf"
    assert adapter.is_file()

    from rag.generate.llamacpp import disable_weight_repack, smollm2_gguf_path

    disable_weight_repack()
    from llama_cpp import Llama

    llm = Llama(model_path=str(smollm2_gguf_path()), lora_path=str(adapter), n_ctx=256, verbose=False)
    reply = llm.create_chat_completion([{"role": "user", "content": "Hello"}], max_tokens=4, temperature=0)
    assert reply["choices"][0]["message"]["content"] is not None
