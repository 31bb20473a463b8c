"""Generation latency on this CPU: SmolLM2-135M via embedded llama.cpp (prompt tokens/s,
decode tokens/s, time to first token, whole answer) against the extractive generator and the
grounding check measured in the same run.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/generation_bench.py [--runs 5] [--max-tokens 96] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tqdm import tqdm

from rag.context import build_context
from rag.generate import ExtractiveGenerator, GenerationRequest, LlamaCppGenerator
from rag.grounding import GroundingChecker
from rag.types import Evidence

EVIDENCE = [
    Evidence(id="p:x100:battery", kind="graph_fact", source="attribute", text="Acme X100 headphones battery life: 10 hours."),
    Evidence(id="p:x100:price", kind="graph_fact", source="price", text="Acme X100 headphones price: 79.99 USD."),
    Evidence(id="p:x100:stock", kind="graph_fact", source="availability", text="Acme X100 headphones availability: in stock, ships in 2 days."),
    Evidence(id="pol:returns", kind="passage", source="policy", doc_id="returns", doc_version=2,
             text="Items can be returned within 30 days of delivery for a full refund. Return shipping is free for defective items."),
    Evidence(id="pol:warranty", kind="passage", source="policy", doc_id="warranty", doc_version=1,
             text="Acme products carry a two-year manufacturer warranty covering defects in materials and workmanship."),
    Evidence(id="rev:1", kind="passage", source="review",
             text="The noise cancelling works well on flights, and the ear cushions stay comfortable for hours."),
]
QUESTIONS = [
    "How long does the Acme X100 battery last?",
    "What does the Acme X100 cost?",
    "Can I return the headphones if I don't like them?",
    "Is there a warranty?",
    "Are they comfortable on long flights?",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=len(QUESTIONS))
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    context = build_context(EVIDENCE)
    checker, extractive = GroundingChecker(), ExtractiveGenerator()
    llama = LlamaCppGenerator(max_tokens=args.max_tokens, n_threads=args.threads)
    t = time.perf_counter()
    llama.load()
    load_s = time.perf_counter() - t
    model = llama._model()

    rows = []
    for i in tqdm(range(args.runs), desc="llama.cpp answers"):
        question = QUESTIONS[i % len(QUESTIONS)]
        request = GenerationRequest.build(question, context)
        prompt_tokens = len(model.tokenize(
            "".join(m["content"] for m in request.messages).encode(), add_bos=False, special=True))
        start = time.perf_counter()
        first = None
        text = ""
        for piece in llama.stream(request):
            if first is None:
                first = time.perf_counter()
            text += piece
        end = time.perf_counter()
        out_tokens = len(model.tokenize(text.encode(), add_bos=False, special=False)) if text else 0
        answer = checker.ground(text, context, question, extractive, "llamacpp")
        rows.append({
            "prompt_tokens": prompt_tokens, "ttft_s": (first or end) - start, "total_s": end - start,
            "out_tokens": out_tokens,
            "decode_tps": (out_tokens - 1) / (end - first) if first and out_tokens > 1 and end > first else 0.0,
            "kept": answer.generator == "llamacpp" and answer.grounded,
        })

    ext_ms, ground_ms = [], []
    for _ in range(200):
        for question in QUESTIONS:
            t = time.perf_counter()
            text = extractive.answer(question, context)
            ext_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            checker.ground(text, context, question)
            ground_ms.append((time.perf_counter() - t) * 1000)

    total = [r["total_s"] for r in rows]
    print(f"model: {llama.gguf_path.name}  load {load_s:.2f} s  threads {args.threads or 'default'}")
    print(f"prompt tokens (mean): {statistics.mean(r['prompt_tokens'] for r in rows):.0f}")
    print(f"prompt processing: {statistics.mean(r['prompt_tokens'] / r['ttft_s'] for r in rows):.0f} tokens/s "
          f"(time to first token p50 {pct([r['ttft_s'] for r in rows], .5):.2f} s)")
    print(f"decode: {statistics.mean(r['decode_tps'] for r in rows):.1f} tokens/s, "
          f"{statistics.mean(r['out_tokens'] for r in rows):.0f} tokens per answer")
    print(f"llama.cpp answer: p50 {pct(total, .5):.2f} s  max {max(total):.2f} s  "
          f"model answer kept by grounding: {sum(r['kept'] for r in rows)}/{len(rows)}")
    print(f"extractive answer: p50 {pct(ext_ms, .5):.3f} ms  p99 {pct(ext_ms, .99):.3f} ms")
    print(f"grounding check: p50 {pct(ground_ms, .5):.3f} ms  p99 {pct(ground_ms, .99):.3f} ms")
    print(f"ratio llama.cpp p50 / extractive p50: {pct(total, .5) * 1000 / pct(ext_ms, .5):.0f}x")


if __name__ == "__main__":
    main()
