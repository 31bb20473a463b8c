"""Grounded-answering examples for fine-tuning the generator, in the service's exact prompt
layout (rag/prompt.py `training_example`) and with evidence rendered as the service renders it.

Sources (train splits only, never dev or test):
- hetPQA answer generation `train.csv`: question + one evidence snippet -> the human answer,
  citing the snippet's number; half alone (as the hetPQA suite asks), half among distractor
  snippets of other products. Only answers that the service's grounding check accepts are
  used: the model learns the short, natural style of the human answers without learning
  paraphrases that grounding would drop at serving time;
- semiPQA data-to-text `train.csv`: one attribute -> the human sentence, asked and rendered
  exactly as the semiPQA suite does (`data_to_text_question`, `readable`), among distractors;
- the demo store (ingest/demo.py): a product's facts as the graph retriever renders them
  (price, availability, brand/category/SKU, attributes) and the policy that applies to it
  (by precedence) -> short answers citing the fact;
- abstentions: questions about a demo product that its facts do not answer (country of origin,
  release date, an attribute of another category...) and hetPQA questions whose evidence holds
  only other products' snippets -> rag.prompt.ABSTENTION.

Everything is seeded; `dataset_hash` fingerprints the examples for the training manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.context import build_context
from rag.prompt import ABSTENTION, ChatMessage, training_example
from rag.textutil import split_sentences
from rag.types import Evidence

HETPQA_TRAIN = Path("pqa/hetPQA/answer_generation/train.csv")
SEMIPQA_TRAIN = Path("pqa/semiPQA/data-to-text/train.csv")

# (answer, evidence) -> does the service's grounding check accept the answer from it?
Supports = Callable[[str, Evidence], bool]


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


def grounding_supports() -> Supports:
    """The service's grounding check (with the embedding model), as the eval suites run it."""
    from rag.encoder import shared_encoder
    from rag.grounding import GroundingChecker

    checker = GroundingChecker(shared_encoder())

    def supports(answer: str, evidence: Evidence) -> bool:
        items = build_context([evidence], budget_tokens=1200, max_items=1).items
        return all(checker.supports(s, items)[0] for s in (split_sentences(answer) or [answer]))

    return supports


def hetpqa_examples(data_dir: Path, rng: random.Random, limit: int, abstain_share: float,
                    supports: Supports | None = None) -> list[Example]:
    from rag.eval.suites.hetpqa import _source  # the labels the hetPQA suite gives its evidence

    rows = [r for r in _read_tsv(data_dir / HETPQA_TRAIN) if r.get("candidate") and r.get("answer")]
    rng.shuffle(rows)

    def snippet(i: int, row: dict[str, str]) -> Evidence:
        return Evidence(id=f"hetpqa:{i}", text=row["candidate"].strip(), kind="passage",
                        source=_source(row.get("source") or ""), owner_id=row.get("ASIN") or None,
                        owner_kind="product")

    out: list[Example] = []
    n_answers = 0
    for i, row in enumerate(rows):
        if n_answers >= limit:
            break
        others = [snippet(j, rows[j]) for j in rng.sample(range(len(rows)), 3) if rows[j]["ASIN"] != row["ASIN"]]
        if others and rng.random() < abstain_share:
            out.append(_example("abstain", row["question"], others, None, None))
            continue
        gold_ev = snippet(i, row)
        answer = row["answer"].strip()
        if supports is not None and not supports(answer, gold_ev):
            continue
        distractors = [] if rng.random() < 0.5 else others[: rng.randint(1, 2)]
        items, gold = _place(rng, gold_ev, distractors)
        out.append(_example("hetpqa", row["question"], items, answer, gold))
        n_answers += 1
    return out


def parse_semipqa_attribute(data: str) -> tuple[str, str] | None:
    """`brand: { value:"CHANEL" }` -> ("brand", "CHANEL")."""
    from rag.retrieve.fields import parse_attribute

    parsed = parse_attribute(data)
    if not parsed:
        return None
    return parsed[0].strip().replace("_", " "), parsed[1].strip()


def semipqa_examples(data_dir: Path, rng: random.Random, limit: int) -> list[Example]:
    from rag.eval.suites.semipqa import data_to_text_question
    from rag.retrieve.fields import readable

    rows = [r for r in _read_tsv(data_dir / SEMIPQA_TRAIN) if r.get("text") and parse_semipqa_attribute(r.get("data", ""))]
    rng.shuffle(rows)

    def fact(i: int, data: str) -> Evidence:
        return Evidence(id=f"semipqa:{i}", text=readable(data, "attribute"), kind="graph_fact", source="attribute",
                        owner_kind="product")

    out: list[Example] = []
    for i, row in enumerate(rows[:limit]):
        key = parse_semipqa_attribute(row["data"])[0]  # type: ignore[index]
        others = [(j, r) for j, r in enumerate(rng.sample(rows, 2)) if parse_semipqa_attribute(r["data"])[0] != key]  # type: ignore[index]
        distractors = [] if rng.random() < 0.5 else [fact(len(rows) + i * 2 + j, r["data"]) for j, r in others]
        items, gold = _place(rng, fact(i, row["data"]), distractors)
        out.append(_example("semipqa", data_to_text_question(row["data"]), items, row["text"].strip(), gold))
    return out


# Questions a shopper may ask that no demo product's facts answer (abstain on these). The
# `{key}` form asks for an attribute the product does not have (taken from other products).
UNANSWERED_QUESTIONS = [
    "Where is the {name} made?",
    "What is the country of origin of the {name}?",
    "When was the {name} first released?",
    "What year did the {name} come out?",
    "How many {name} units have you sold?",
    "Who is the designer of the {name}?",
    "What is the energy label of the {name}?",
    "Does the {name} come in a gift box?",
    "What is the carbon footprint of the {name}?",
    "How many customer reviews does the {name} have?",
    "What is the average star rating of the {name}?",
    "Which factory produces the {name}?",
    "How loud is the {name} in decibels?",
    "Is the {name} certified by UL?",
    "Who makes the packaging for the {name}?",
    "What is the {key} of the {name}?",
    "What {key} does the {name} have?",
    "Tell me the {key} of the {name}.",
]

_AVAILABILITY = {"in_stock": "is in stock", "out_of_stock": "is out of stock",
                 "preorder": "is available for preorder", "discontinued": "is discontinued"}


def _money(price: float, currency: str) -> str:
    return f"${price:,.2f}" if currency == "USD" else f"{price:,.2f} {currency}"


def product_evidence(product, brand_name: str, category_path: list[str]) -> list[Evidence]:
    """A demo product's facts, worded like the graph retriever's (rag/retrieve/graph.py)."""
    common = dict(kind="graph_fact", owner_id=product.id, owner_kind="product", doc_id=product.id)
    title = product.title
    out = []
    if product.price is not None:
        out.append(Evidence(id=f"{product.id}#price", source="price",
                            text=f"{title} costs {_money(product.price, product.currency)}.", **common))
    if product.availability is not None:
        out.append(Evidence(id=f"{product.id}#availability", source="availability",
                            text=f"{title} {_AVAILABILITY.get(product.availability.value, product.availability.value)}.", **common))
    about = [f"is made by {brand_name}"] if brand_name else []
    if category_path:
        about.append(f"is in the category {' > '.join(category_path)}")
    if product.sku:
        about.append(f"has the SKU {product.sku}")
    if about:
        out.append(Evidence(id=f"{product.id}#about", source="product",
                            text=f"{title} {', '.join(about[:-1]) + ' and ' if len(about) > 1 else ''}{about[-1]}.", **common))
    for a in product.attributes:
        out.append(Evidence(id=f"{product.id}#attr:{a.key}", source="attribute",
                            text=f"{title}: {a.key.replace('_', ' ')}: {a.text_value}.", **common))
    return out


def _policy_evidence(policy, as_passage: bool) -> tuple[Evidence, str]:
    """(evidence, the answer sentence): the graph's policy fact or a policy passage chunk."""
    from rag.retrieve.graph import plain

    title, body = plain(policy.title), plain(policy.body)
    if body.lower().startswith(title.lower()):
        body = body[len(title):].lstrip(" :.-")
    answer = next((s for s in split_sentences(body) if any(c.isdigit() for c in s)), split_sentences(body)[0])
    if as_passage:
        ev = Evidence(id=f"policy:{policy.id}@v{policy.version}#0", kind="passage", source="policy",
                      text=f"{policy.title}\n{policy.body}", doc_id=policy.id, doc_version=policy.version)
    else:
        ev = Evidence(id=f"policy:{policy.id}@v{policy.version}", kind="graph_fact", source="policy",
                      text=f"{title}: {body}", doc_id=policy.id, doc_version=policy.version)
    return ev, answer


_POLICY_QUESTIONS = {
    "returns": ["Can I return the {name}?", "What is your return policy for the {name}?", "How many days do I have to return the {name}?"],
    "warranty": ["What warranty does the {name} have?", "Is the {name} under warranty, and for how long?", "How long is the {name} covered by warranty?"],
    "shipping": ["How much is shipping for the {name}?", "How fast do you ship the {name}?", "What does shipping the {name} cost?"],
    "payment": ["How can I pay for the {name}?", "What payment methods can I use for the {name}?", "Do you take PayPal for the {name}?"],
}


def demo_examples(products: int, seed: int, rng: random.Random, limit: int, abstain_share: float) -> list[Example]:
    """Questions over the demo store's products and policies (the graph's own content)."""
    from ingest.demo import generate_demo_store
    from rag.eval.suites.demo import applicable_policy

    catalog = generate_demo_store(products=products, seed=seed)
    brands = {b.id: b.name for b in catalog.brands}
    categories = {c.id: c for c in catalog.categories}
    all_keys = sorted({a.key for p in catalog.products for a in p.attributes})

    def category_path(cat: str | None) -> list[str]:
        path = []
        while cat and cat in categories:
            path.insert(0, categories[cat].name)
            cat = categories[cat].parent
        return path

    out: list[Example] = []
    for product in rng.sample(catalog.products, min(limit, len(catalog.products))):
        name = product.title.split(",")[0].strip()
        facts = product_evidence(product, brands.get(product.brand or "", ""), category_path(product.category))
        if not facts:
            continue
        roll = rng.random()
        if roll < abstain_share:
            have = {a.key for a in product.attributes}
            template = rng.choice(UNANSWERED_QUESTIONS)
            key = rng.choice([k for k in all_keys if k not in have]).replace("_", " ")
            out.append(_example("abstain", template.format(name=name, key=key), facts[:8], None, None))
            continue
        if roll < abstain_share + 0.15:
            kind = rng.choice(sorted(_POLICY_QUESTIONS))
            win, _ = applicable_policy(catalog, product, kind)
            if win is None:
                continue
            passage, answer = _policy_evidence(win, as_passage=rng.random() < 0.5)
            items, gold = _place(rng, passage, rng.sample(facts, min(3, len(facts))))
            out.append(_example("demo", rng.choice(_POLICY_QUESTIONS[kind]).format(name=name), items, answer, gold))
            continue
        fact = rng.choice(facts)
        if fact.source == "price":
            question = rng.choice(["How much is the {name}?", "What's the price of the {name}?", "{name} price?"])
            answer = f"The {name} costs {fact.text.rsplit(' costs ', 1)[1].rstrip('.')}"
        elif fact.source == "availability":
            question = rng.choice(["Is the {name} in stock?", "Can I buy the {name} now?", "Is the {name} available?"])
            answer = f"The {name} {fact.text.removeprefix(product.title).strip().rstrip('.')}"
        elif fact.source == "product":
            question = rng.choice(["Who makes the {name}?", "What brand is the {name}?", "What is the SKU of the {name}?"])
            answer = fact.text.rstrip(".")
        else:
            key, value = fact.text.removeprefix(product.title + ": ").rstrip(".").split(": ", 1)
            question = rng.choice([f"What is the {key} of the {{name}}?", f"What {key} does the {{name}} have?",
                                   f"{{name}}: {key}?", f"Tell me the {key} of the {{name}}."])
            answer = rng.choice([f"The {key} of the {name} is {value}", f"The {name} has a {key} of {value}"])
        out.append(_example("demo", question.format(name=name), facts[:8], answer, facts.index(fact)))
    return out


def build_examples(
    data_dir: Path,
    seed: int = 0,
    hetpqa: int = 650,
    semipqa: int = 150,
    demo: int = 300,
    abstain_share: float = 0.05,
    demo_abstain_share: float = 0.35,
    demo_products: int = 300,
    supports: Supports | None = None,
) -> list[Example]:
    """`hetpqa` counts answered hetPQA examples (abstentions come on top, `abstain_share`);
    `demo` counts demo products asked about, `demo_abstain_share` of them unanswerably.
    `supports` filters hetPQA answers (default: the service's grounding check)."""
    rng = random.Random(seed)
    examples = (
        hetpqa_examples(data_dir, rng, hetpqa, abstain_share, supports or grounding_supports())
        + semipqa_examples(data_dir, rng, semipqa)
        + demo_examples(demo_products, seed, rng, demo, demo_abstain_share)
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
