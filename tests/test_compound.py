"""Messages of several questions: where they are cut (rag.understand.compound) and how the
answers are joined (rag.joined). Pure functions; the end-to-end path is in
test_pipeline_understood.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.joined import join_answers, render_parts, shift_citations
from rag.types import Answer, Citation
from rag.understand.compound import split_questions


@pytest.mark.parametrize("message, parts", [
    ("How long is the warranty on the Kestrel Air 450, and can I return it if I don't like it?",
     ["How long is the warranty on the Kestrel Air 450?", "can I return it if I don't like it?"]),
    ("what's the warranty on blenders and how much is shipping?",
     ["what's the warranty on blenders?", "how much is shipping?"]),
    ("Is it waterproof? Does it come in red?", ["Is it waterproof?", "Does it come in red?"]),
    ("Is it waterproof. Does it come in red.", ["Is it waterproof?", "Does it come in red?"]),
    ("hi, is it waterproof and does it come in red?", ["hi, is it waterproof?", "does it come in red?"]),
    ("how much is it and is it in stock and does it ship free?",
     ["how much is it?", "is it in stock?", "does it ship free?"]),
])
def test_two_questions_are_cut_where_the_second_starts(message, parts):
    assert split_questions(message) == parts


@pytest.mark.parametrize("message", [
    "which laptops have 16gb and are under $800?",       # a second condition, no subject of its own
    "do you have tents and sleeping bags?",
    "can I return it and get a refund?",
    "is the X better than the Y and why?",                # "why?" is too short to stand alone
    "what is the difference between the Kestrel and the Lumen?",
    "my laptop broke, and can I get a refund?",           # the first part tells, it does not ask
    "Does this fit a 2015 MacBook? I have the 13 inch.",
    "I have a 2015 macbook. Will this fit?",
    "Is it waterproof? I need it for hiking, is that ok?",
    "can you find me an uber and have it here at 7pm?",
    "which tents are waterproof",
    "and what about exchanges? do you do those?",        # the same question again, no word of its own
])
def test_one_question_stays_whole(message):
    assert split_questions(message) == [message]


def test_few_clinc150_messages_are_cut(shared_data):
    """CLINC150 holds one request per message: what is cut there must be two questions in fact
    ("what oil do i need? how do i change it?"), and rare."""
    path = Path(shared_data) / "clinc150" / "data_full.json"
    messages = [text for split in json.loads(path.read_text()).values() for text, _ in split]
    cut = [m for m in messages if len(split_questions(m)) > 1]
    assert len(cut) <= 40, cut[:10]
    assert all(all(len(p.split()) >= 3 for p in split_questions(m)) for m in cut)


def _answer(text: str, ids: list[str], abstained: bool = False) -> Answer:
    cites = [Citation(number=i + 1, evidence_id=e, kind="graph_fact", text=e) for i, e in enumerate(ids)
             if f"[{i + 1}]" in text]
    return Answer(text=text, citations=cites, context_evidence_ids=ids, abstained=abstained, grounded=not abstained,
                  intent="warranty")


def test_citations_are_numbered_into_one_list():
    assert shift_citations("A [1]. B [2, 3].", 4) == "A [5]. B [6, 7]."
    joined = join_answers(["q1?", "q2?"], [_answer("Two years [2].", ["w0", "w1"]),
                                           _answer("15 days [1].", ["r0", "r1", "r2"])])
    assert joined.text == "Two years [2].\n\n15 days [3]."
    assert [(c.number, c.evidence_id) for c in joined.citations] == [(2, "w1"), (3, "r0")]
    assert joined.context_evidence_ids == ["w0", "w1", "r0", "r1", "r2"] and joined.grounded


def test_a_declined_part_says_which_question_and_repeats_are_dropped():
    answers = [_answer("We ship to Canada [1]. Free over $50 [2].", ["s0", "s1"]),
               _answer("We ship to Canada [1]. 3-5 days [1].", ["s0"]),
               _answer("I don't know.", [], abstained=True)]
    parts = render_parts(["a?", "b?", "c?"], answers)
    assert parts == ["We ship to Canada [1]. Free over $50 [2].", "\n\n3-5 days [3].",
                     '\n\nAs for "c?": I don\'t know.']
    joined = join_answers(["a?", "b?", "c?"], answers)
    assert joined.text == "".join(parts) and not joined.abstained
    for i in range(3):  # what a stream sends after part i is what the final text holds
        assert render_parts(["a?", "b?", "c?"][:i + 1], answers[:i + 1]) == parts[:i + 1]
    same = join_answers(["a?", "b?"], [_answer("Which one? 1. X", []), _answer("Which one? 1. X", [])])
    assert same.text == "Which one? 1. X"
