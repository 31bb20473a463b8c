"""Metric functions, pure Python, each small enough to check by hand (tests/test_metrics.py).

Conventions: scores are floats in [0, 1] (truthfulness in [-1, 1]); an aggregate over nothing
is ``None`` (reported as "n/a"), never 0, so an empty split cannot pass for a bad score.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Literal

# ---------------------------------------------------------------- text normalization

_TOKEN = re.compile(r"[a-z0-9]+")
_ARTICLES = {"a", "an", "the"}


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens (punctuation and whitespace are separators)."""
    return _TOKEN.findall(text.lower())


def answer_tokens(text: str) -> list[str]:
    """SQuAD-style answer normalization: lower case, no punctuation, no articles."""
    text = text.lower().translate(str.maketrans({c: " " for c in string.punctuation}))
    return [t for t in text.split() if t not in _ARTICLES]


# ---------------------------------------------------------------- answer overlap


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a) * len(b)) time, O(len(b)) memory)."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (Lin 2004, beta = 1) on lower-cased alphanumeric tokens."""
    p, r = tokens(prediction), tokens(reference)
    lcs = lcs_length(p, r)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(p), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1: harmonic mean of bag-of-tokens precision and recall."""
    p, r = answer_tokens(prediction), answer_tokens(reference)
    if not p and not r:
        return 1.0
    common = sum((Counter(p) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


def best_over_references(metric, prediction: str, references: Iterable[str]) -> float:
    """Score against several human answers and keep the best (standard multi-reference use)."""
    scores = [metric(prediction, ref) for ref in references if ref.strip()]
    return max(scores) if scores else 0.0


# ---------------------------------------------------------------- ranking


def precision_at_1(ranked: Sequence[Hashable], relevant: set) -> float:
    return 1.0 if ranked and ranked[0] in relevant else 0.0


def reciprocal_rank(ranked: Sequence[Hashable], relevant: set) -> float:
    """1 / rank of the first relevant item; 0 when none is ranked."""
    for i, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / i
    return 0.0


def hit_at_k(ranked: Sequence[Hashable], relevant: set, k: int) -> float:
    return 1.0 if any(item in relevant for item in ranked[:k]) else 0.0


# ---------------------------------------------------------------- grounded answers

Verdict = Literal["correct", "abstained", "wrong"]
VERDICT_SCORE: dict[str, int] = {"correct": 1, "abstained": 0, "wrong": -1}


def faithfulness(sentence_supported: Sequence[bool]) -> float | None:
    """Share of answer sentences supported by the evidence they cite; None for no sentences
    (an abstention has nothing to be faithful about and is left out of the mean)."""
    if not sentence_supported:
        return None
    return sum(1 for s in sentence_supported if s) / len(sentence_supported)


def truthfulness(verdicts: Iterable[str]) -> float | None:
    """CRAG-style score: mean of +1 (correct), 0 (abstained), -1 (wrong or unsupported)."""
    scores = [VERDICT_SCORE[v] for v in verdicts]
    return mean(scores)


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float | None]:
    """Precision and recall of abstaining, taking "the evidence has no answer" as positive.

    precision = abstentions on unanswerable questions / all abstentions;
    recall    = abstentions on unanswerable questions / all unanswerable questions.
    """
    if len(abstained) != len(unanswerable):
        raise ValueError("abstained and unanswerable must have the same length")
    tp = sum(1 for a, u in zip(abstained, unanswerable) if a and u)
    n_abstained = sum(1 for a in abstained if a)
    n_unanswerable = sum(1 for u in unanswerable if u)
    precision = tp / n_abstained if n_abstained else None
    recall = tp / n_unanswerable if n_unanswerable else None
    if precision is None or recall is None or precision + recall == 0:
        f1 = None if precision is None or recall is None else 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {"abstention_precision": precision, "abstention_recall": recall, "abstention_f1": f1}


# ---------------------------------------------------------------- classifiers


def accuracy(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float | None:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    return mean([1.0 if g == p else 0.0 for g, p in zip(gold, predicted)])


def macro_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float | None:
    """Unweighted mean of per-class F1 over the classes present in gold or predicted."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    if not gold:
        return None
    labels = sorted(set(gold) | set(predicted), key=str)
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def confusion_matrix(
    gold: Sequence[Hashable], predicted: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> tuple[list[Hashable], list[list[int]]]:
    """Rows = gold label, columns = predicted label, in the order of `labels`."""
    labels = list(labels) if labels is not None else sorted(set(gold) | set(predicted), key=str)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    return labels, matrix


# ---------------------------------------------------------------- aggregates


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the non-None values; None when there are none."""
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default method), q in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
