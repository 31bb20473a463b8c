"""Context builder: dedupe, order, token budget, numbering (pure Python, no model)."""

import re

import pytest

from rag.context import ITEM_OVERHEAD_TOKENS, build_context, dedupe
from rag.textutil import estimate_tokens, search_before
from rag.types import Evidence


def ev(id_, text, score=0.0, aliases=(), kind="passage"):
    return Evidence(id=id_, text=text, kind=kind, score=score, aliases=list(aliases))


def test_dedupe_by_id_alias_and_near_identical_text():
    items = [
        ev("p1", "Battery life: 10 hours of playback.", 0.9),
        ev("p1", "Battery life: 10 hours of playback.", 0.5),  # same id
        ev("p2", "Water resistant to IPX4.", 0.8, aliases=["faq-7"]),
        ev("faq-7", "Water resistant to IPX4 (sweat proof).", 0.4),  # alias of p2
        ev("p3", "battery life - 10 hours of playback!", 0.7),  # near-identical text of p1
        ev("p4", "Ships within 2 business days.", 0.6),
    ]
    kept = dedupe(items)
    assert [e.id for e in kept] == ["p1", "p2", "p4"]
    assert "p3" in kept[0].aliases
    ctx = build_context(items)
    assert ctx.id_to_number == {"p1": 1, "p3": 1, "p2": 2, "faq-7": 2, "p4": 3}


def test_keeps_rank_order_or_sorts_by_score_and_numbers_from_one():
    items = [ev("a", "Alpha fact.", 0.1), ev("b", "Beta fact.", 0.9), ev("c", "Gamma fact.", 0.5)]
    ranked = build_context(items)
    assert [(i.number, i.evidence.id) for i in ranked.items] == [(1, "a"), (2, "b"), (3, "c")]
    by_score = build_context(items, order="score")
    assert [i.evidence.id for i in by_score.items] == ["b", "c", "a"]
    assert by_score.number_to_evidence[1].id == "b"
    assert by_score.item(4) is None and by_score.item(0) is None


def test_fits_the_token_budget_cutting_at_sentences_and_dropping_the_rest():
    long_text = " ".join(f"Sentence number {i} describes one more feature of the product." for i in range(60))
    items = [ev("short", "Price: 19.99 USD."), ev("long", long_text), ev("late", "Colour: red.")]
    ctx = build_context(items, budget_tokens=200)
    assert ctx.used_tokens <= 200
    assert sum(estimate_tokens(i.text) + ITEM_OVERHEAD_TOKENS for i in ctx.items) == ctx.used_tokens
    long_item = next(i for i in ctx.items if i.evidence.id == "long")
    assert long_item.truncated and long_item.text.endswith(".") and len(long_item.text) < len(long_text)
    assert long_item.evidence.text == long_text  # the citation keeps the full text
    assert "late" in ctx.dropped_ids


def test_max_items_and_empty_text():
    items = [ev(f"e{i}", f"Fact {i} about widgets number {i}.") for i in range(20)] + [ev("blank", "   ")]
    ctx = build_context(items, max_items=5)
    assert len(ctx) == 5 and [i.number for i in ctx.items] == [1, 2, 3, 4, 5]
    assert "blank" not in ctx.id_to_number


def test_near_identical_text_with_different_numbers_is_kept():
    a = ev("x", "The Acme X100 headphones have a battery life of 10 hours on one charge.")
    b = ev("y", "The Acme X100 headphones have a battery life of 12 hours on one charge.")
    assert [e.id for e in dedupe([a, b])] == ["x", "y"]


def test_dedupe_handles_numbers_with_and_without_units():
    items = [ev("a", "Pack of 10, each 10 cm long, 2 for 10 USD."), ev("b", "Pack of 10, each 10 cm long, 2 for 10 USD!")]
    assert [e.id for e in dedupe(items)] == ["a"]


@pytest.mark.parametrize("text, name", [
    ("do you sell phone cases for the Veltro Lite 600?", "Veltro Lite 600"),
    ("a case that fits my veltro lite 600", "Veltro Lite 600"),
    ("cases for the Veltro Lite 600 or for a Veltro Lite 600 Pro", "Veltro Lite 600"),
    ("Veltro Lite 600 cases for the veltro lite 600", "Veltro Lite 600"),
    ("what is the Veltro Lite 600?", "Veltro Lite 600"),
    ("bags fitting Ampere & Co Boost 100 (C++)", "Ampere & Co Boost 100 (C++)"),
])
def test_search_before_finds_what_one_pattern_with_the_name_finds(text, name):
    # the readers of "X for the <product>" search this way instead of compiling a pattern per name
    prefix = r"\b(?P<thing>[a-z]+?)(?:es|s)?\s+(?:for|that\s+fits?|to\s+fit|fitting)\s+(?:the\s+|my\s+|a\s+)?"
    expected = re.search(prefix + re.escape(name), text, re.IGNORECASE)
    got = search_before(re.compile(prefix + r"\Z", re.IGNORECASE), text, name)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert (got.start(), got.group("thing")) == (expected.start(), expected.group("thing"))
