"""Export a PEFT LoRA adapter of a Llama-architecture model as a llama.cpp LoRA GGUF, so the
embedded llama.cpp engine serves the fine-tuned model on top of the unchanged base GGUF.

The file follows llama.cpp's adapter format (what its `convert_lora_to_gguf.py` emits):
`general.type = "adapter"`, `adapter.type = "lora"`, `adapter.lora.alpha`, and per adapted
weight a `<gguf tensor>.lora_a` (numpy shape (r, n_in)) / `.lora_b` ((n_out, r)) pair, scaled
at load by alpha / r like PEFT. llama.cpp stores attn_q / attn_k rows in a rotary-permuted
order (convert_hf_to_gguf's `permute`), so lora_b of q_proj / k_proj is permuted the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

_MODULE_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(r"layers\.(\d+)\.(self_attn\.[qkvo]_proj|mlp\.(?:gate|up|down)_proj)\.lora_([AB])(?:\.default)?\.weight$")


def rope_permute(weights: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's row permutation of Q/K projections (halves of each head interleaved)."""
    return (
        weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def export_lora_gguf(
    adapter_state: dict[str, np.ndarray],
    out_path: Path,
    alpha: float,
    n_head: int,
    n_head_kv: int,
    arch: str = "llama",
) -> int:
    """Write `adapter_state` (PEFT state dict as numpy arrays) to `out_path`; returns the number
    of adapted weights. Written to a temporary name and renamed, so a crash leaves no half file."""
    import gguf

    pairs: dict[str, dict[str, np.ndarray]] = {}
    for key, value in adapter_state.items():
        m = _KEY.search(key)
        if not m:
            continue
        layer, module, which = m.groups()
        name = f"blk.{layer}.{_MODULE_TO_GGUF[module]}.weight"
        pairs.setdefault(name, {})[which] = np.asarray(value, dtype=np.float16)
    if not pairs:
        raise ValueError("no LoRA weights of a Llama-architecture model found in the adapter")
    tmp = out_path.with_suffix(out_path.suffix + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    for name in sorted(pairs):
        a, b = pairs[name]["A"], pairs[name]["B"]
        if ".attn_q." in name:
            b = rope_permute(b, n_head)
        elif ".attn_k." in name:
            b = rope_permute(b, n_head_kv)
        writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(a))
        writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(b))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out_path)
    return len(pairs)
