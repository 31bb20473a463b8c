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

    examples = build_examples(DATA, seed=1, hetpqa=20, semipqa=10, demo=20, demo_products=60)
    assert {e.origin for e in examples} >= {"hetpqa", "semipqa", "demo", "abstain"}
    for ex in examples:
        assert ex.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
        answer = ex.messages[-1]["content"]
        assert (answer == ABSTENTION) == (ex.origin == "abstain")
        assert answer == ABSTENTION or "[" in answer
    # demo facts are worded like the graph retriever's, so training sees what serving sends
    demo = "\n".join(e.messages[1]["content"] for e in examples if e.origin == "demo")
    assert " costs $" in demo and "has the SKU" in demo
    assert build_examples(DATA, seed=1, hetpqa=20, semipqa=10, demo=20, demo_products=60) == examples


def test_hetpqa_answers_are_the_ones_grounding_accepts():
    from rag.train.generator_data import grounding_supports, hetpqa_examples

    calls = []

    def supports(answer, evidence):
        calls.append(answer)
        return len(calls) % 2 == 0  # every other answer "unsupported": those are skipped

    import random

    examples = hetpqa_examples(DATA, random.Random(0), 5, 0.0, supports)
    assert len(examples) == 5 and len(calls) == 10
    check = grounding_supports()
    from rag.types import Evidence

    ev = Evidence(id="e", text="The pool has a drain plug at the bottom.", kind="passage", source="review")
    assert check("yes, there is a drain plug at the bottom.", ev)
    assert not check("it is made in germany and holds 300 gallons.", ev)


def test_train_generator_cli_writes_adapter_merged_and_gguf(tmp_path: Path):
    out = tmp_path / "gen"
    cmd = [str(Path(sys.executable).parent / "shopgraph"), "train", "generator", "--data", str(DATA),
           "--out", str(out), "--hetpqa", "3", "--semipqa", "2", "--demo", "2", "--batch-size", "2",
           "--steps", "2", "--max-minutes", "5"]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["steps"] == manifest["scheduled_steps"] == 2  # --steps: a fixed plan, not cut to the budget
    assert manifest["dataset_hash"] and manifest["data_files"]
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


def test_shipped_lora_gguf_answers_like_the_peft_adapter():
    """The shipped llama.cpp LoRA GGUF on the base GGUF greedily writes the same answers as
    transformers with the shipped PEFT adapter merged into the (dequantized) same base: the
    export (tensor names, rotary row order of q/k, alpha scaling) is exact."""
    import torch
    from peft import PeftModel

    from rag.context import build_context
    from rag.generate.llamacpp import SHIPPED_LORA, disable_weight_repack, smollm2_gguf_path
    from rag.prompt import build_messages
    from rag.train.generator import load_base
    from rag.types import Evidence

    shipped = SHIPPED_LORA.parent.parent
    context = build_context([
        Evidence(id="a", text="Acme X100 Headphones: battery life: 30 h.", kind="graph_fact", source="attribute"),
        Evidence(id="b", text="Acme X100 Headphones costs $79.99.", kind="graph_fact", source="price"),
    ])
    questions = ["How long does the battery of the Acme X100 last?", "How much is the Acme X100?"]
    model, tokenizer = load_base("")
    model = PeftModel.from_pretrained(model, str(shipped / "adapter")).merge_and_unload().eval()
    expected = []
    for q in questions:
        ids = tokenizer.apply_chat_template(build_messages(q, context), add_generation_prompt=True, return_tensors="pt")
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        with torch.no_grad():
            out = model.generate(ids, max_new_tokens=32, do_sample=False)
        expected.append(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True).strip())

    disable_weight_repack()
    from llama_cpp import Llama

    llm = Llama(model_path=str(smollm2_gguf_path()), lora_path=str(SHIPPED_LORA), n_ctx=1024, verbose=False)
    got = [llm.create_chat_completion(build_messages(q, context), max_tokens=32, temperature=0)["choices"][0]["message"]["content"].strip()
           for q in questions]
    assert got == expected
