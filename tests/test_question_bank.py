"""The shoppers' question bank (benchmarks/questions/*.txt) parses, and every product page it
asks from is a product of the demo store it was written against (`shopgraph demo`: 1000
products, seed 0). No store is needed: benchmarks/shopper_questions.py asks the questions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BANK = Path(__file__).resolve().parents[1] / "benchmarks"


def _bank_module():
    spec = importlib.util.spec_from_file_location("shopper_questions", BANK / "shopper_questions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_every_question_file_parses_and_asks_from_real_pages():
    from ingest.demo import generate_demo_store

    bank = _bank_module()
    ids = {p.id for p in generate_demo_store(products=1000, seed=0).products}
    files = sorted((BANK / "questions").glob("*.txt"))
    assert files, "no question files"
    turns = [t for f in files for conversation in bank.read_bank(f) for t in conversation]
    assert len(turns) >= 300, len(turns)
    assert len({t.key for t in turns}) == len(turns), "two turns with one key: their answers would be compared as one"
    assert not [t for t in turns if t.product_id and t.product_id not in ids]


def test_a_malformed_page_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("# a comment\nhi\n\n@p000001\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad.txt:4"):
        _bank_module().read_bank(bad)


def test_an_earlier_run_that_is_no_answers_file_is_named_before_asking(tmp_path):
    bank = _bank_module()
    with pytest.raises(SystemExit, match=r"no such answers file"):
        bank.read_answers(tmp_path / "missing.jsonl")
    bad = tmp_path / "before.jsonl"
    bad.write_text('{"key": "a", "answer": "x", "intent": "y"}\n{not json\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"before.jsonl:2: not a JSON line"):
        bank.read_answers(bad)
