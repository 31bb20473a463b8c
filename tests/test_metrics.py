"""Metric functions against cases computed by hand (the arithmetic is in each comment)."""

from __future__ import annotations

import pytest

from rag.eval import metrics as m


def test_rouge_l_hand_cases():
    # LCS(the cat sat on the mat, the cat is on the mat) = the cat on the mat = 5; P = R = 5/6
    assert m.rouge_l("The cat sat on the mat.", "the cat is on the mat") == pytest.approx(5 / 6)
    # LCS = 2, P = 2/2, R = 2/4 -> F = 2 * 1 * 0.5 / 1.5
    assert m.rouge_l("a b", "a b c d") == pytest.approx(2 / 3)
    # order matters: LCS(c b a, a b c) = 1 -> P = R = 1/3
    assert m.rouge_l("c b a", "a b c") == pytest.approx(1 / 3)
    assert m.rouge_l("x y", "a b c") == 0.0
    assert m.rouge_l("", "a") == 0.0


def test_lcs_length():
    assert m.lcs_length(list("ABCBDAB"), list("BDCABA")) == 4  # textbook example (CLRS)
    assert m.lcs_length([], ["a"]) == 0


def test_token_f1_hand_cases():
    # articles and punctuation dropped: [cat, sat] vs [cat, sat, down]: P = 1, R = 2/3 -> 0.8
    assert m.token_f1("The cat sat!", "cat sat down") == pytest.approx(0.8)
    # bag of tokens: repeated tokens count once per occurrence: [a1, b, b] vs [b]: common 1, P 1/3, R 1
    assert m.token_f1("a1 b b", "b") == pytest.approx(0.5)
    assert m.token_f1("", "") == 1.0
    assert m.token_f1("x", "") == 0.0


def test_best_over_references():
    refs = ["completely different", "the cat is on the mat", "  "]
    assert m.best_over_references(m.rouge_l, "the cat sat on the mat", refs) == pytest.approx(5 / 6)
    assert m.best_over_references(m.rouge_l, "anything", []) == 0.0


def test_ranking_metrics():
    ranked = ["a", "b", "c"]
    assert m.precision_at_1(ranked, {"b"}) == 0.0
    assert m.precision_at_1(ranked, {"a", "c"}) == 1.0
    assert m.reciprocal_rank(ranked, {"c"}) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(ranked, {"z"}) == 0.0
    assert m.hit_at_k(ranked, {"b"}, 1) == 0.0
    assert m.hit_at_k(ranked, {"b"}, 2) == 1.0
    assert m.precision_at_1([], {"a"}) == 0.0


def test_faithfulness_and_truthfulness():
    assert m.faithfulness([True, False, True]) == pytest.approx(2 / 3)
    assert m.faithfulness([]) is None
    # (+1 + 0 - 1 + 1) / 4
    assert m.truthfulness(["correct", "abstained", "wrong", "correct"]) == pytest.approx(0.25)
    assert m.truthfulness([]) is None
    with pytest.raises(KeyError):
        m.truthfulness(["maybe"])


def test_abstention_scores():
    # abstained on q1 (unanswerable) and q2 (answerable); q3 unanswerable but answered
    s = m.abstention_scores([True, True, False, False], [True, False, True, False])
    assert s["abstention_precision"] == pytest.approx(0.5)
    assert s["abstention_recall"] == pytest.approx(0.5)
    assert s["abstention_f1"] == pytest.approx(0.5)
    none = m.abstention_scores([False, False], [True, False])
    assert none["abstention_precision"] is None and none["abstention_recall"] == 0.0
    with pytest.raises(ValueError):
        m.abstention_scores([True], [True, False])


def test_classifier_metrics():
    gold, pred = ["a", "a", "b", "b"], ["a", "b", "b", "b"]
    assert m.accuracy(gold, pred) == pytest.approx(0.75)
    # F1(a) = 2*1/(2*1+0+1) = 2/3; F1(b) = 2*2/(2*2+1+0) = 4/5
    assert m.macro_f1(gold, pred) == pytest.approx((2 / 3 + 4 / 5) / 2)
    labels, matrix = m.confusion_matrix(gold, pred)
    assert labels == ["a", "b"] and matrix == [[1, 1], [0, 2]]
    assert m.macro_f1([], []) is None


def test_aggregates():
    assert m.mean([1.0, None, 2.0]) == pytest.approx(1.5)
    assert m.mean([None]) is None
    assert m.percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    # position (4 - 1) * 0.95 = 2.85 -> 3 + 0.85 * (4 - 3)
    assert m.percentile([4, 3, 2, 1], 95) == pytest.approx(3.85)
    assert m.percentile([], 50) is None
