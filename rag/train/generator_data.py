"""Grounded-answering examples for fine-tuning the generator, in the service's exact prompt
layout (rag/prompt.py `training_example`).

Sources (train splits only, never dev or test):
- hetPQA answer generation `train.csv`: question + one evidence snippet -> the human answer,
  with the snippet placed among distractor snippets and the answer citing its number;
- semiPQA data-to-text `train.csv`: one attribute (`key: { value:"..." }`) -> the human
  sentence, asked as "What is the <key>?" among distractor attributes;
- the demo store (ingest/demo.py): attribute, price and availability facts and policy
  passages -> template answers citing them;
- abstentions: a question whose evidence holds only distractors -> rag.prompt.ABSTENTION.

Everything is seeded; `dataset_hash` fingerprints the examples for the training manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from rag.context import build_context
from rag.prompt import ABSTENTION, ChatMessage, training_example
from rag.textutil import split_sentences
from rag.types import Evidence

HETPQA_TRAIN = Path("pqa/hetPQA/answer_generation/train.csv")
SEMIPQA_TRAIN = Path("pqa/semiPQA/data-to-text/train.csv")
_HETPQA_SOURCES = {"Desc": "description", "CQA": "cqa", "OSP": "bullet", "Review": "review", "Attr": "attribute"}


@dataclass(frozen=True)
class Example:
    origin: str  # hetpqa | semipqa | demo | abstain
    messages: list[ChatMessage]


def cite(answer: str, number: int) -> str:
    """Every sentence of `answer` ends with `[number].` (the extractive generator's style)."""
    sentences = split_sentences(answer) or [answer]
    return " ".join(f"{s.rstrip(' .!')} [{number}]." for s in sentences)


def _example(origin: str, question: str, evidence: list[Evidence], answer: str | None, gold: int | None) -> Example:
    context = build_context(evidence, budget_tokens=1200, max_items=8)
    target = ABSTENTION if answer is None or gold is None else cite(answer, gold + 1)
    return Example(origin, training_example(question, context, target))


def _place(rng: random.Random, gold: Evidence, distractors: list[Evidence]) -> tuple[list[Evidence], int]:
    items = list(distractors)
    position = rng.randint(0, len(items))
    items.insert(position, gold)
    return items, position


def _read_tsv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"training file not found: {path}")
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL))


def hetpqa_examples(data_dir: Path, rng: random.Random, limit: int, abstain_share: float) -> list[Example]:
    rows = [r for r in _read_tsv(data_dir / HETPQA_TRAIN) if r.get("candidate") and r.get("answer")]
    rng.shuffle(rows)

    def snippet(i: int, row: dict[str, str]) -> Evidence:
        return Evidence(id=f"hetpqa:{i}", text=row["candidate"], kind="passage",
                        source=_HETPQA_SOURCES.get(row.get("source", ""), "passage"))

    out: list[Example] = []
    for i, row in enumerate(rows[:limit]):
        others = [snippet(j, rows[j]) for j in rng.sample(range(len(rows)), 3) if rows[j]["ASIN"] != row["ASIN"]]
        if rng.random() < abstain_share:
            out.append(_example("abstain", row["question"], others or [snippet(i + 1, rows[(i + 1) % len(rows)])], None, None))
            continue
        items, gold = _place(rng, snippet(i, row), others[: rng.randint(0, 2)])
        out.append(_example("hetpqa", row["question"], items, row["answer"], gold))
    return out


_SEMI = re.compile(r'^\s*(?P<key>[^:]+):\s*\{\s*value\s*:\s*"(?P<value>.*)"\s*\}\s*$', re.S)


def parse_semipqa_attribute(data: str) -> tuple[str, str] | None:
    """`brand: { value:"CHANEL" }` -> ("brand", "CHANEL")."""
    m = _SEMI.match(data)
    if not m:
        return None
    return m.group("key").strip().replace("_", " "), m.group("value").strip()


def semipqa_examples(data_dir: Path, rng: random.Random, limit: int) -> list[Example]:
    rows = []
    for row in _read_tsv(data_dir / SEMIPQA_TRAIN):
        parsed = parse_semipqa_attribute(row.get("data", ""))
        if parsed and row.get("text"):
            rows.append((parsed[0], parsed[1], row["text"]))
    rng.shuffle(rows)
    out: list[Example] = []
    for i, (key, value, text) in enumerate(rows[:limit]):
        fact = Evidence(id=f"semipqa:{i}", text=f"{key}: {value}", kind="graph_fact", source="attribute")
        distractors = [
            Evidence(id=f"semipqa:{i}:{j}", text=f"{k}: {v}", kind="graph_fact", source="attribute")
            for j, (k, v, _) in enumerate(rng.sample(rows, 2)) if k != key
        ]
        items, gold = _place(rng, fact, distractors)
        out.append(_example("semipqa", f"What is the {key}?", items, text, gold))
    return out


def demo_examples(products: int, seed: int, rng: random.Random, limit: int) -> list[Example]:
    """Template questions over the demo store's facts and policies (the graph's own content)."""
    from ingest.demo import generate_demo_store

    catalog = generate_demo_store(products=products, seed=seed)
    brands = {b.id: b.name for b in catalog.brands}
    out: list[Example] = []
    policies = [p for p in catalog.policies]
    for product in rng.sample(catalog.products, min(limit, len(catalog.products))):
        facts = [
            Evidence(id=f"{product.id}#attr:{a.key}", text=f"{product.title} {a.key}: {a.text_value}",
                     kind="graph_fact", source="attribute", owner_id=product.id)
            for a in product.attributes
        ]
        if product.price is not None:
            facts.append(Evidence(id=f"{product.id}#price", text=f"{product.title} price: {product.price:.2f} {product.currency}",
                                  kind="graph_fact", source="price", owner_id=product.id))
        if not facts:
            continue
        roll = rng.random()
        if roll < 0.15 and policies:
            policy = rng.choice(policies)
            body = split_sentences(re.sub(r"[#*_>`-]+", " ", policy.body))
            if not body:
                continue
            sentence = body[0]
            passage = Evidence(id=f"policy:{policy.id}", text=" ".join(body[:3]), kind="passage", source="policy",
                               doc_id=policy.id, doc_version=policy.version)
            items, gold = _place(rng, passage, rng.sample(facts, min(2, len(facts))))
            out.append(_example("demo", f"What is your {policy.kind.value} policy?", items, sentence, gold))
            continue
        fact = rng.choice(facts)
        key = fact.text.split(":", 1)[0].removeprefix(product.title).strip()
        value = fact.text.split(":", 1)[1].strip()
        if roll < 0.25:  # ask for something the facts do not hold
            missing = rng.choice(["warranty length in months", "country of manufacture", "release year"])
            out.append(_example("abstain", f"What is the {missing} of the {product.title}?", facts[:4], None, None))
            continue
        others = [f for f in facts if f is not fact]
        items, gold = _place(rng, fact, rng.sample(others, min(3, len(others))))
        brand = brands.get(product.brand or "", "")
        answer = f"The {key} of the {product.title} is {value}" if key != "price" else f"The {product.title} costs {value}"
        question = rng.choice([f"What is the {key} of the {product.title}?", f"{brand} {product.title}: {key}?".strip(),
                               f"how about the {key}?" if rng.random() < 0.2 else f"What {key} does the {product.title} have?"])
        out.append(_example("demo", question, items, answer, gold))
    return out


def build_examples(
    data_dir: Path,
    seed: int = 0,
    hetpqa: int = 500,
    semipqa: int = 150,
    demo: int = 250,
    abstain_share: float = 0.15,
    demo_products: int = 300,
) -> list[Example]:
    rng = random.Random(seed)
    examples = (
        hetpqa_examples(data_dir, rng, hetpqa, abstain_share)
        + semipqa_examples(data_dir, rng, semipqa)
        + demo_examples(demo_products, seed, rng, demo)
    )
    rng.shuffle(examples)
    return examples


def dataset_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(json.dumps(ex.messages, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def file_hashes(data_dir: Path) -> dict[str, str]:
    out = {}
    for rel in (HETPQA_TRAIN, SEMIPQA_TRAIN):
        path = data_dir / rel
        if path.is_file():
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out
