"""Context builder: turns ranked evidence into the numbered list the prompt shows and the
answer cites.

Steps, in order:
1. dedupe: an item whose id (or one of its aliases) was already seen, or whose normalized text
   is near-identical (rapidfuzz ratio >= `near_duplicate`, default 95, and the same numbers) to a
   kept item, is merged into the kept one (its id joins the kept item's aliases, so a citation
   resolves either way);
2. order: the caller's rank order is kept (fusion already ranked the items); pass
   `order="score"` to sort by `Evidence.score` instead (stable);
3. budget: items are added while their estimated tokens fit `budget_tokens`. The estimate is
   tokenizer-free (rag.textutil.estimate_tokens: ceil(chars / 3.5) plus ITEM_OVERHEAD_TOKENS for
   the "[n] (label) " prefix), which overestimates typical BPE counts (~4 chars/token) so the
   real prompt stays inside the model window. An item too long for the remaining budget is cut
   at a sentence (else word) boundary when at least MIN_ITEM_TOKENS remain, otherwise skipped;
4. number: 1..n in final order, the [n] the generator cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from rag.textutil import content_words, estimate_tokens, numbers, split_sentences
from rag.types import Evidence

ITEM_OVERHEAD_TOKENS = 8
MIN_ITEM_TOKENS = 24


class ContextItem(BaseModel):
    number: int = Field(description="the [n] the answer cites")
    evidence: Evidence
    text: str = Field(description="the text shown to the generator (evidence.text, maybe cut to fit)")
    truncated: bool = False


class Context(BaseModel):
    items: list[ContextItem] = Field(default_factory=list)
    budget_tokens: int = 0
    used_tokens: int = 0
    dropped_ids: list[str] = Field(default_factory=list, description="evidence left out for the budget")
    entity_names: list[str] = Field(
        default_factory=list, description="names of the linked products/brands: topic words, not claims"
    )

    @property
    def id_to_number(self) -> dict[str, int]:
        """Every id and alias of a numbered item -> its number."""
        out: dict[str, int] = {}
        for item in self.items:
            out.setdefault(item.evidence.id, item.number)
            for alias in item.evidence.aliases:
                out.setdefault(alias, item.number)
        return out

    @property
    def number_to_evidence(self) -> dict[int, Evidence]:
        return {item.number: item.evidence for item in self.items}

    def item(self, number: int) -> ContextItem | None:
        if 1 <= number <= len(self.items):
            return self.items[number - 1]
        return None

    def __len__(self) -> int:
        return len(self.items)


def _normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def dedupe(evidence: Iterable[Evidence], near_duplicate: float = 95.0) -> list[Evidence]:
    """First occurrence wins (it ranks higher); later duplicates add their ids as aliases."""
    kept: list[Evidence] = []
    norms: list[tuple[str, list]] = []
    seen_ids: dict[str, int] = {}
    for ev in evidence:
        ids = [ev.id, *ev.aliases]
        hit = next((seen_ids[i] for i in ids if i in seen_ids), None)
        norm = _normalized(ev.text)
        nums = sorted(numbers(ev.text), key=lambda n: (n[0], n[1] or ""))
        if hit is None:
            for idx, (other, other_nums) in enumerate(norms):
                if norm == other or (
                    nums == other_nums  # "10 hours" and "12 hours" are different facts
                    and norm and other and min(len(norm), len(other)) >= 0.9 * max(len(norm), len(other))
                    and fuzz.ratio(norm, other) >= near_duplicate
                ):
                    hit = idx
                    break
        if hit is None:
            kept.append(ev.model_copy(deep=True))
            norms.append((norm, nums))
            for i in ids:
                seen_ids.setdefault(i, len(kept) - 1)
            continue
        target = kept[hit]
        for i in ids:
            if i != target.id and i not in target.aliases:
                target.aliases.append(i)
            seen_ids.setdefault(i, hit)
        target.score = max(target.score, ev.score)
    return kept


def _cut(text: str, max_tokens: int) -> str:
    """The longest prefix of whole sentences (else words) within max_tokens."""
    out = ""
    for sentence in split_sentences(text):
        candidate = f"{out} {sentence}".strip()
        if estimate_tokens(candidate) > max_tokens:
            break
        out = candidate
    if out:
        return out
    for word in text.split():
        candidate = f"{out} {word}".strip()
        if estimate_tokens(candidate + " …") > max_tokens:
            break
        out = candidate
    return f"{out} …" if out else ""


def build_context(
    evidence: Iterable[Evidence],
    budget_tokens: int = 1500,
    max_items: int = 12,
    order: Literal["rank", "score"] = "rank",
    near_duplicate: float = 95.0,
    entity_names: Iterable[str] = (),
) -> Context:
    """Dedupe, order, fit the budget and number the evidence (see the module docstring).
    `entity_names`: the products/brands the turn is about (from entity linking); their words
    are topic words (see topic_words), so naming the product never counts as relevance or
    as support."""
    items = [ev for ev in dedupe(evidence, near_duplicate) if ev.text.strip()]
    if order == "score":
        items = sorted(items, key=lambda ev: -ev.score)
    context = Context(budget_tokens=budget_tokens, entity_names=list(entity_names))
    used = 0
    for ev in items:
        if len(context.items) >= max_items:
            context.dropped_ids.append(ev.id)
            continue
        remaining = budget_tokens - used - ITEM_OVERHEAD_TOKENS
        cost = estimate_tokens(ev.text)
        text, truncated = ev.text, False
        if cost > remaining:
            if remaining < MIN_ITEM_TOKENS:
                context.dropped_ids.append(ev.id)
                continue
            text, truncated = _cut(ev.text, remaining), True
            if not text:
                context.dropped_ids.append(ev.id)
                continue
            cost = estimate_tokens(text)
        used += cost + ITEM_OVERHEAD_TOKENS
        context.items.append(
            ContextItem(number=len(context.items) + 1, evidence=ev, text=text, truncated=truncated)
        )
    context.used_tokens = used
    return context


def named_words(context: Context) -> frozenset[str]:
    """The content words of `entity_names`: the linked products' and brands' names."""
    return frozenset().union(*(content_words(name) for name in context.entity_names))


def topic_words(context: Context) -> frozenset[str]:
    """What the context is about rather than what it says: the words of `entity_names` (the
    linked products/brands), plus content words found in most (more than half) of the items
    when there are 3 or more (with two, a shared word says nothing about which is the topic),
    e.g. "acme", "x100", "headphone"."""
    named = set(named_words(context))
    n = len(context.items)
    if n < 3:
        return frozenset(named)
    counts: dict[str, int] = {}
    for item in context.items:
        for w in content_words(item.text):
            counts[w] = counts.get(w, 0) + 1
    return frozenset(named | {w for w, c in counts.items() if c * 2 > n})


def without_words(text: str, words: frozenset[str]) -> str:
    """`text` without the tokens whose content words all lie in `words` (e.g. topic words),
    for comparing what two texts say rather than what they are about."""
    if not words:
        return text
    kept = [tok for tok in text.split() if not (cw := content_words(tok)) or not cw <= words]
    return " ".join(kept)
