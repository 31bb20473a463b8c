"""demo: a benchmark synthesized from the demo store, with gold answers from its content.

The demo store (ingest/demo.py) is deterministic in (products, seed), so the catalog built here
is exactly what `shopgraph demo --products N --seed S` put into the graph. From it we write
questions a shopper would ask, each with the answer the graph holds and a check of the answer:

| type           | gold intent        | example                                         | correct when the answer...                    |
|----------------|--------------------|-------------------------------------------------|-----------------------------------------------|
| attribute      | product_info       | What is the battery life of the Bassline Halo 150? | states the value (every number / word of it) |
| price          | availability_price | How much is the Kestrel Apex 40?                | states the price                               |
| availability   | availability_price | Is the Kestrel Apex 40 in stock?                | states the stock state (in stock, out of stock, preorder, discontinued) |
| policy         | return_policy, warranty, shipping, payment | How long is the warranty on the Orbis Pro 20? | states the fact of the policy that applies by precedence (product > brand > category > parent category > store-wide) and not the fact of a policy it overrides (the trap) |
| compatibility  | compatibility      | What is the Voltix Volt 30 compatible with?     | names a linked product (id or name)            |
| comparison     | comparison         | Which is heavier, the A or the B?               | states both products' values                   |
| follow_up      | product_info       | "Tell me about the X." then "How much does it weigh?" | (second turn) states the value          |
| unanswerable   | product_info       | Which country is the X manufactured in?         | abstains                                       |

Products whose short name (brand, line, model) is shared with a colour variant are not asked
about, so every question names exactly one product. Scoring: accuracy (correct share),
CRAG-style truthfulness (answerable: correct +1, abstained 0, wrong -1; unanswerable: abstained
+1, answered -1), abstention precision/recall with the unanswerable questions as positives, all
also by gold intent and by type.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

from ingest.demo import BRANDS, POLICY_FACTS, SPECS
from ingest.models import Catalog, Product, SCOPE_PRECEDENCE, Scope
from rag.eval import metrics as m
from rag.eval.report import EvalResult
from rag.textutil import numbers
from rag.types import Answer

# ask(message, session_id, product_id) -> Answer; one session id per conversation.
Ask = Callable[[str, str | None, str | None], Answer]

_BRAND_NAME = {b[0]: b[1] for b in BRANDS}
_NOUNS = {spec.noun for spec in SPECS.values()}

# attribute key -> question template ({name} = product short name)
ATTRIBUTE_QUESTIONS: dict[str, str] = {
    "battery_life": "What is the battery life of the {name}?",
    "weight": "How much does the {name} weigh?",
    "screen_size": "What is the screen size of the {name}?",
    "ram": "How much RAM does the {name} have?",
    "storage": "How much storage does the {name} have?",
    "capacity": "What is the capacity of the {name}?",
    "wattage": "What is the wattage of the {name}?",
    "color": "What color is the {name}?",
    "material": "What material is the {name} made of?",
    "connector": "What connector does the {name} use?",
    "water_resistance": "What is the water resistance of the {name}?",
    "temperature_rating": "What is the temperature rating of the {name}?",
    "driver_size": "What driver size does the {name} have?",
    "battery_capacity": "What is the battery capacity of the {name}?",
    "length": "How long is the {name}?",
    "speeds": "How many speeds does the {name} have?",
}
FOLLOW_UPS: dict[str, str] = {
    "weight": "How much does it weigh?",
    "color": "What color is it?",
    "battery_life": "And what is its battery life?",
    "capacity": "What is its capacity?",
    "wattage": "How many watts is it?",
}
COMPARISONS: dict[str, str] = {
    "weight": "Which is heavier, the {a} or the {b}?",
    "battery_life": "Which has the longer battery life, the {a} or the {b}?",
    "capacity": "Which has more capacity, the {a} or the {b}?",
    "wattage": "Which is more powerful, the {a} or the {b}?",
}
POLICY_QUESTIONS: dict[str, tuple[str, str]] = {
    "returns": ("return_policy", "What is the return policy for the {name}?"),
    "warranty": ("warranty", "How long is the warranty on the {name}?"),
    "shipping": ("shipping", "What are the shipping terms for the {name}?"),
    "payment": ("payment", "Which payment options do I have for the {name}?"),
}
UNANSWERABLE: list[str] = [
    "Which country is the {name} manufactured in?",
    "How many units of the {name} were sold last year?",
    "Who designed the {name}?",
    "What is the energy efficiency class of the {name}?",
    "What is the recycled content percentage of the {name}'s packaging?",
]
AVAILABILITY_PHRASES: dict[str, tuple[str, ...]] = {
    "in_stock": ("in stock",),
    "out_of_stock": ("out of stock", "not in stock"),
    "preorder": ("preorder", "pre-order"),
    "discontinued": ("discontinued",),
}


@dataclass
class DemoQuestion:
    id: str
    type: str
    intent: str
    turns: list[str]
    product_id: str | None = None  # the product page the shopper is on (None: named in text)
    answerable: bool = True
    # checks on the final turn's answer text (lower-cased, citations removed)
    must_numbers: list[str] = field(default_factory=list)
    must_words: list[str] = field(default_factory=list)
    any_of: list[str] = field(default_factory=list)
    must_not_numbers: list[str] = field(default_factory=list)
    must_not_phrases: list[str] = field(default_factory=list)
    gold: str = ""


def short_name(product: Product) -> str:
    """"Bassline Halo 150 Wireless Headphones, Silver" -> "Bassline Halo 150 Wireless Headphones"."""
    return product.title.split(",")[0].strip()


def _value_checks(values: Sequence[str], unit: str | None) -> tuple[list[str], list[str]]:
    nums, word_list = [], []
    for v in values:
        found = [n for n, _ in numbers(v)]
        if found:
            nums += found
        else:
            word_list += [w for w in re.findall(r"[a-z0-9]+", v.lower()) if len(w) > 1]
    return nums, word_list


def applicable_policy(catalog: Catalog, product: Product, kind: str) -> tuple[Any, list[Any]]:
    """(winning policy, policies it overrides) by precedence: product > brand > category
    (walking up the hierarchy, nearer first) > store-wide. Independent of the retriever's own
    resolution on purpose: it is the oracle."""
    parents = {c.id: c.parent for c in catalog.categories}
    chain, cat = [], product.category
    while cat:
        chain.append(cat)
        cat = parents.get(cat)
    candidates = []
    for p in catalog.policies:
        if p.kind.value != kind:
            continue
        if p.scope == Scope.product and p.target == product.id:
            rank = (SCOPE_PRECEDENCE[Scope.product], 0)
        elif p.scope == Scope.brand and p.target == product.brand:
            rank = (SCOPE_PRECEDENCE[Scope.brand], 0)
        elif p.scope == Scope.category and p.target in chain:
            rank = (SCOPE_PRECEDENCE[Scope.category], -chain.index(p.target))
        elif p.scope == Scope.global_:
            rank = (SCOPE_PRECEDENCE[Scope.global_], 0)
        else:
            continue
        candidates.append((rank, p))
    if not candidates:
        return None, []
    candidates.sort(key=lambda rp: rp[0], reverse=True)
    return candidates[0][1], [p for _, p in candidates[1:]]


def _fact(policy) -> str:
    return POLICY_FACTS.get((policy.kind.value, policy.scope.value, policy.target), "")


def _fact_numbers(text: str) -> list[str]:
    return [n for n, _ in numbers(text)]


def build_questions(catalog: Catalog, per_type: int = 12, seed: int = 0) -> list[DemoQuestion]:
    """The benchmark for this catalog: `per_type` questions of each type (fewer where the store
    has fewer cases), chosen with `seed`."""
    r = random.Random(seed)
    names: dict[str, list[Product]] = defaultdict(list)
    for p in catalog.products:
        names[short_name(p).lower()].append(p)
    unique = [p for p in catalog.products if len(names[short_name(p).lower()]) == 1]
    by_id = {p.id: p for p in catalog.products}
    out: list[DemoQuestion] = []

    def pick(pool: Sequence[Product], k: int) -> list[Product]:
        pool = list(pool)
        return r.sample(pool, min(k, len(pool)))

    # attribute
    with_attr = [p for p in unique if any(a.key in ATTRIBUTE_QUESTIONS for a in p.attributes)]
    for i, p in enumerate(pick(with_attr, per_type)):
        attrs = [a for a in p.attributes if a.key in ATTRIBUTE_QUESTIONS]
        a = r.choice(attrs)
        nums, word_list = _value_checks(a.values, a.unit)
        out.append(DemoQuestion(f"attribute-{i}", "attribute", "product_info",
                                [ATTRIBUTE_QUESTIONS[a.key].format(name=short_name(p))],
                                must_numbers=nums, must_words=word_list, gold=f"{a.key}: {a.text_value}"))
    # price
    for i, p in enumerate(pick([p for p in unique if p.price is not None], per_type)):
        out.append(DemoQuestion(f"price-{i}", "price", "availability_price",
                                [r.choice(["How much is the {name}?", "What does the {name} cost?"]).format(name=short_name(p))],
                                must_numbers=_fact_numbers(f"${p.price:.2f}"), gold=f"{p.price:.2f} {p.currency}"))
    # availability: every state represented
    states = defaultdict(list)
    for p in unique:
        if p.availability is not None:
            states[p.availability.value].append(p)
    avail: list[Product] = []
    for state in ("out_of_stock", "preorder", "discontinued"):
        avail += pick(states[state], max(1, per_type // 6))
    avail += pick(states["in_stock"], max(0, per_type - len(avail)))
    for i, p in enumerate(avail):
        state = p.availability.value
        out.append(DemoQuestion(f"availability-{i}", "availability", "availability_price",
                                [f"Is the {short_name(p)} in stock?"], any_of=list(AVAILABILITY_PHRASES[state]),
                                must_not_phrases=[] if state != "in_stock" else ["out of stock", "not in stock"],
                                gold=state))
    # policy: traps first (a narrower policy overrides a wider one), then store-wide cases
    traps, plain = [], []
    for p in catalog.products:
        if p not in unique and p.id not in ("p000000", "p000001"):
            continue
        for kind in POLICY_QUESTIONS:
            win, lost = applicable_policy(catalog, p, kind)
            if win is None or not _fact(win):
                continue
            (traps if lost else plain).append((p, kind, win, lost))
    chosen = [t for t in traps if t[0].id in ("p000000", "p000001") and t[1] in ("warranty", "returns")]
    by_winner: dict[str, list] = defaultdict(list)
    for t in traps:
        if t not in chosen:
            by_winner[t[2].id].append(t)
    n_traps = max(len(chosen), (per_type * 2) // 3)
    winners = sorted(by_winner)
    r.shuffle(winners)
    while len(chosen) < n_traps and any(by_winner.values()):
        for w in winners:
            if by_winner[w] and len(chosen) < n_traps:
                chosen.append(by_winner[w].pop(r.randrange(len(by_winner[w]))))
    chosen += r.sample(plain, min(len(plain), max(0, per_type * 2 - len(chosen)) // 2))
    for i, (p, kind, win, lost) in enumerate(chosen):
        intent, template = POLICY_QUESTIONS[kind]
        fact = _fact(win)
        nums = _fact_numbers(fact)
        words = [] if nums else [w for w in re.findall(r"[a-z]+", fact.lower()) if len(w) > 3][:2]
        # the trap: a number only the overridden policies state (not anywhere in the winner's text)
        trap_nums = sorted({n for lp in lost for n in _fact_numbers(_fact(lp))} - set(_fact_numbers(win.body)))
        # (p000000 and p000001 may share their short name with other colours, whose policies
        # differ: the colour names the one asked about)
        name = short_name(p) if len(names[short_name(p).lower()]) == 1 else p.title
        out.append(DemoQuestion(f"policy-{i}", "policy", intent, [template.format(name=name)],
                                must_numbers=nums, must_words=words, must_not_numbers=trap_nums,
                                gold=f"{win.id}: {fact}" + (f" (overrides {', '.join(lp.id for lp in lost)})" if lost else "")))
    # compatibility
    linked = [p for p in unique if any(rel.kind.value == "compatible_with" for rel in p.relations)]
    for i, p in enumerate(pick(linked, per_type)):
        targets = [by_id[rel.target] for rel in p.relations if rel.kind.value == "compatible_with" and rel.target in by_id]
        any_of = [t.id.lower() for t in targets] + [short_name(t).lower() for t in targets]
        out.append(DemoQuestion(f"compatibility-{i}", "compatibility", "compatibility",
                                [f"What is the {short_name(p)} compatible with?"], any_of=any_of,
                                gold=", ".join(f"{t.id} {short_name(t)}" for t in targets)))
    # comparison: two products of one category whose values differ
    by_leaf: dict[str, list[Product]] = defaultdict(list)
    for p in unique:
        by_leaf[p.category or ""].append(p)
    pairs = []
    for key in COMPARISONS:
        for leaf, prods in sorted(by_leaf.items()):
            having = [p for p in prods if any(a.key == key for a in p.attributes)]
            if len(having) >= 2:
                pairs.append((key, having))
    for i in range(min(per_type, len(pairs) * 3)):
        key, having = r.choice(pairs)
        a, b = r.sample(having, 2)
        va = next(x for x in a.attributes if x.key == key)
        vb = next(x for x in b.attributes if x.key == key)
        if va.values == vb.values:
            continue
        nums = _value_checks(va.values, va.unit)[0] + _value_checks(vb.values, vb.unit)[0]
        out.append(DemoQuestion(f"comparison-{i}", "comparison", "comparison",
                                [COMPARISONS[key].format(a=short_name(a), b=short_name(b))], must_numbers=nums,
                                gold=f"{a.id} {key} {va.text_value}; {b.id} {key} {vb.text_value}"))
    # follow-up: the product is named in the first turn only
    follow = [p for p in unique if any(a.key in FOLLOW_UPS for a in p.attributes)]
    for i, p in enumerate(pick(follow, per_type)):
        a = r.choice([a for a in p.attributes if a.key in FOLLOW_UPS])
        nums, word_list = _value_checks(a.values, a.unit)
        out.append(DemoQuestion(f"follow_up-{i}", "follow_up", "product_info",
                                [f"Tell me about the {short_name(p)}.", FOLLOW_UPS[a.key]],
                                must_numbers=nums, must_words=word_list, gold=f"{a.key}: {a.text_value}"))
    # unanswerable
    for i, p in enumerate(pick(unique, per_type)):
        out.append(DemoQuestion(f"unanswerable-{i}", "unanswerable", "product_info",
                                [UNANSWERABLE[i % len(UNANSWERABLE)].format(name=short_name(p))],
                                answerable=False, gold="(not in the store: abstain)"))
    return out


def _plain(text: str) -> str:
    return re.sub(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]", " ", text).lower()


def judge(q: DemoQuestion, answer: Answer) -> str:
    """correct | abstained | wrong, by the rules in the module docstring."""
    if not q.answerable:
        return "correct" if answer.abstained else "wrong"
    if answer.abstained:
        return "abstained"
    text = _plain(answer.text)
    found = {n for n, _ in numbers(text)}
    ok = all(n in found for n in q.must_numbers)
    ok = ok and all(re.search(rf"\b{re.escape(w)}", text) for w in q.must_words)
    ok = ok and (not q.any_of or any(x in text for x in q.any_of))
    ok = ok and not any(n in found for n in q.must_not_numbers)
    ok = ok and not any(x in text for x in q.must_not_phrases)
    return "correct" if ok else "wrong"


def _scores(questions: Sequence[DemoQuestion], verdicts: Sequence[str], abstained: Sequence[bool]) -> dict[str, Any]:
    scores = []
    for q, v in zip(questions, verdicts):
        if q.answerable:
            scores.append(m.VERDICT_SCORE[v])
        else:
            scores.append(1 if v == "correct" else -1)
    out = {
        "n": len(questions),
        "accuracy": m.mean(1.0 if v == "correct" else 0.0 for v in verdicts),
        "truthfulness": m.mean(scores),
    }
    out.update(m.abstention_scores(list(abstained), [not q.answerable for q in questions]))
    return out


def run(
    catalog: Catalog,
    systems: Mapping[str, Ask],
    per_type: int = 12,
    limit: int | None = None,
    progress: bool = True,
    config: dict[str, Any] | None = None,
    seed: int = 0,
) -> EvalResult:
    """Ask every system every question (multi-turn questions in a fresh session each) and score.
    `systems` must contain "ours"; the others are baselines."""
    questions = build_questions(catalog, per_type=per_type, seed=seed)
    if limit is not None:
        questions = questions[:limit]
    result = EvalResult(suite="demo", metrics={}, seed=seed,
                        config={"per_type": per_type, "limit": limit, "questions": len(questions), **(config or {})})
    verdicts: dict[str, list[str]] = {name: [] for name in systems}
    abstained: dict[str, list[bool]] = {name: [] for name in systems}
    for q in tqdm(questions, desc="demo questions", disable=not progress):
        for name, ask in systems.items():
            session = f"eval-{name}-{q.id}-{seed}"
            answer: Answer | None = None
            for turn in q.turns:
                with result.timer.stage(f"answer:{name}"):
                    answer = ask(turn, session, q.product_id)
                if name == "ours":
                    for stage, ms in answer.timings.stages_ms.items():
                        result.timer.add(stage, ms)
            assert answer is not None
            verdict = judge(q, answer)
            verdicts[name].append(verdict)
            abstained[name].append(bool(answer.abstained))
            if name == "ours" and verdict != "correct":
                result.failures.append({
                    "id": q.id, "type": q.type, "intent": q.intent, "turns": q.turns, "gold": q.gold,
                    "answer": answer.text, "verdict": verdict, "answer_intent": answer.intent,
                    "abstained": answer.abstained, "grounded": answer.grounded,
                    "citations": [c.model_dump() for c in answer.citations],
                    "evidence": [{"id": e.id, "text": e.text} for e in answer.evidence],
                    "checks": {"numbers": q.must_numbers, "words": q.must_words, "any_of": q.any_of[:6],
                               "not_numbers": q.must_not_numbers},
                })
    metrics: dict[str, Any] = {"answers": {}, "baselines": {}}
    for name in systems:
        block = _scores(questions, verdicts[name], abstained[name])
        by_intent, by_type = {}, {}
        for key, groups in (("intent", by_intent), ("type", by_type)):
            for value in sorted({getattr(q, key) for q in questions}):
                idx = [i for i, q in enumerate(questions) if getattr(q, key) == value]
                groups[value] = _scores([questions[i] for i in idx], [verdicts[name][i] for i in idx],
                                        [abstained[name][i] for i in idx])
        if name == "ours":
            metrics["answers"] = {**block, "by_intent": by_intent, "by_type": by_type}
            result.tables["Ours by intent"] = {k: {c: v[c] for c in ("n", "accuracy", "truthfulness")} for k, v in by_intent.items()}
            result.tables["Ours by question type"] = {k: {c: v[c] for c in ("n", "accuracy", "truthfulness")} for k, v in by_type.items()}
        else:
            metrics["baselines"][name] = {"answers": {**block, "by_type": {k: {"accuracy": v["accuracy"]} for k, v in by_type.items()}}}
    result.tables["Accuracy by question type, all systems"] = {
        t: {"ours": metrics["answers"]["by_type"][t]["accuracy"],
            **{b: metrics["baselines"][b]["answers"]["by_type"][t]["accuracy"] for b in metrics["baselines"]}}
        for t in metrics["answers"].get("by_type", {})
    }
    result.metrics = metrics
    return result
