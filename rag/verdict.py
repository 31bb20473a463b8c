"""Yes or no to a bound asked of one product, read off the fact the answer cites.

"Does it fit 4 people?" of a 2-person tent was answered "capacity: 2 persons", "is it good for
-10?" of a bag rated -9 °C "temperature rating: -9 °C": true, and the shopper had to work out
the answer. When a yes/no question states a bound on one measure ("under $500", "at least 2
liters", "for 4 people", "good for -10"), or asks the very value cited ("is it 7.7 kg?"), and
the answer cites that measure of one product, the response opens with the yes or the no that
the cited value gives (`rag.respond`). The bound is read by the same parser that narrows
listings (`rag.understand.constraints`), so "for 4 people", "under 2 kg" or "rated for -10"
mean here what they mean in a search; the value is the cited fact's own. Nothing else is
judged: a fact not cited, several products, a value that is not one number, or a bound the
parser does not read give no verdict, and the answer is said as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rag.textutil import is_yes_no_question
from rag.types import Evidence
from rag.understand.constraints import (
    MEASURED_SUPERLATIVES,
    NUMBER_WORDS,
    AttributeConstraint,
    AttributeKey,
    attribute_constraints,
    names_another_measure,
    price_constraint,
)

Verdict = Literal["Yes", "No"]

#: A bound said in words, not a value asked: "under", "at least", "fits 4", "sleeps 4", "lasts
#: 20 hours", "good for -10", "enough for 3". Without one, "is it 7 kg?" asks for that value.
_BOUND_WORDS = re.compile(
    r"\b(?:under|below|less|fewer|more|over|above|least|most|up\s+to|max(?:imum)?|min(?:imum)?|within|"
    r"lighter|heavier|bigger|smaller|longer|shorter|cheaper|fits?|hold|holds|sleeps?|seats?|lasts?|"
    r"enough|rated|good\s+for|handle|for)\b", re.IGNORECASE)
#: A number, in digits or words ("for 4 people", "for four people")
#: ("one" is no number asked of: "does the first one have 5g?", "is this one under $50?")
_COUNTS = "|".join(w for w in NUMBER_WORDS if w != "one")
_A_NUMBER = re.compile(rf"\d|\b(?:{_COUNTS})\b", re.IGNORECASE)
#: ... and each one asked of ("under 2 kg and under $1500": two)
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")  # ("$1,500" is one)
_NUMBER_WORD = re.compile(rf"\b(?:{_COUNTS})\b", re.IGNORECASE)
#: Where a fact's product title ends: "<title>: weight: 2.18 kg.", "<title> costs $99.00."
_TITLE = re.compile(r": | costs ")
#: Bounds asked as alternatives: "is it under 2 kg or under $500?"
_OR = re.compile(r"\bor\b", re.IGNORECASE)
#: A cited attribute fact: "<title>: <key words>: <value>."
_ATTRIBUTE_ID = "#attr:"
#: One number and its unit: "2 persons", "-9 °C", "1.0 L", "7.7 kg"
_ONE_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(°c|°f|\"|[a-z]+)?$", re.IGNORECASE)
#: A bound that leaves its own value out ("more than 3 speeds" of 3 is a no; "at least 3" a yes)
_STRICT = re.compile(r"\b(?:more|fewer|less|greater|higher|lower|bigger|smaller|longer|shorter|lighter|heavier|"
                     r"cheaper)\s+than\b|\b(?:over|above|under|below|exceeds?)\b", re.IGNORECASE)
_NOT_STRICT = re.compile(r"\b(?:or\s+(?:more|less|fewer|under|over|above|below)|at\s+(?:least|most)|up\s+to|"
                         r"(?:no|not)\s+(?:more|less|fewer)|min(?:imum)?|max(?:imum)?)\b", re.IGNORECASE)
#: The amounts of a price fact ("costs $461.99", "costs $99.00 in Black and $109.00 in Red")
_MONEY = re.compile(r"\$(\d[\d,]*(?:\.\d+)?)")


#: One product asked of against another: "is it cheaper than the Veltro Mini 50?", "is this
#: lighter than the X?" (the one asked of is the first compared: rag.understand.pipeline)
_AGAINST_ANOTHER = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:is|are)\s+(?:it|this|that)(?:\s+one)?\s+"
                              r"(?:any\s+|much\s+)?(?P<word>\w+)\s+than\b", re.IGNORECASE)
#: What a comparison row names: "... (the lightest is X)." (rag.retrieve.graph)
_ROW_NAMES = re.compile(r"\((?:the\s+(?P<superlative>\w+)\s+is\s+(?P<name>[^()]+)|(?P<same>the same for both))\)\.?$")


def compared_verdict(message: str, evidence: Sequence[Evidence]) -> Verdict | None:
    """"Yes" or "No" to "is it cheaper than the X?" when the answer cites the one row of the two
    compared side by side that measures it, which names the cheapest (lightest, ...): the
    product asked of, the first compared, or the other ("the same for both": no)."""
    asked = _AGAINST_ANOTHER.match(message)
    rows = [e for e in evidence if e.source == "comparison" and not e.id.endswith("#differences")]
    if asked is None or len(rows) != 1 or len(rows[0].id.partition("#")[0].split("|")) != 2:
        return None
    word = asked.group("word").lower()
    superlative = "cheapest" if word == "cheaper" else MEASURED_SUPERLATIVES.get(word)
    named = _ROW_NAMES.search(rows[0].text.strip())
    if superlative is None or named is None:
        return None
    if named.group("same"):
        return "No"
    first = rows[0].text.split(": ")[1]  # ("Weight: <first>: 1.77 kg; <second>: 2.18 kg (...)")
    return ("Yes" if named.group("name").strip() == first.strip() else "No") \
        if named.group("superlative") == superlative else None


def may_ask_against_another(message: str) -> bool:
    """A yes or no of one product against another, which `compared_verdict` may answer."""
    return _AGAINST_ANOTHER.match(message) is not None


def may_ask_a_bound(message: str) -> bool:
    """A yes/no question with a number in it: the only kind `bound_verdict` may answer (a
    streamed reply waits for its body before it says anything, as the verdict comes first)."""
    return is_yes_no_question(message) and bool(_A_NUMBER.search(message))


def bound_asked(message: str, read_as: str) -> str:
    """The question a bound is read from: the message, or, when it asks none itself, the
    question it was read as (`Understanding.question`), when that holds no number the message
    does not ("what about -15?" as "will it keep me warm at -15?"; not "what about $400?" as "is
    it under $500 ($400)?", whose bound is the earlier one)."""
    if may_ask_a_bound(message) or not set(_DIGITS.findall(read_as)) <= set(_DIGITS.findall(message)):
        return message
    return read_as


def bound_verdict(message: str, evidence: Sequence[Evidence]) -> Verdict | None:
    """"Yes" or "No" when `message` is a yes/no question stating a bound (or a value) on a
    measure and `evidence` (what the answer cites) states that measure of one product; else None.
    Of several bounds, each must be decided by a cited fact, but where one already decides ("and"
    with a no, "or" with a yes)."""
    if not may_ask_a_bound(message):
        return None
    owners = {e.owner_id for e in evidence if e.source in ("attribute", "price")}
    if len(owners) != 1 or None in owners:
        return None
    verdicts = [v for e in evidence if (v := _price_verdict(message, e) if e.source == "price"
                                        else _attribute_verdict(message, e)) is not None]
    if not verdicts:
        return None
    # several bounds: "and" is met when each is, "or" when one is; a bound no cited fact
    # decides ("is it under 3 kg and under $100?" answered by its weight alone) leaves only
    # the answer the others already give
    either = bool(_OR.search(message))
    decided, undecided = ("Yes", "No") if either else ("No", "Yes")
    if decided in verdicts:
        return decided
    return undecided if len(_numbers_asked(message, evidence)) <= len(verdicts) else None


def _numbers_asked(message: str, evidence: Sequence[Evidence]) -> list[str]:
    """The numbers the message asks of, less those of the products' own names ("is the Glacier
    Ember 40 good for -10?" asks of -10 alone)."""
    named = {n for e in evidence for n in _DIGITS.findall(_TITLE.split(e.text, maxsplit=1)[0])}
    return [n for n in _DIGITS.findall(message) if n not in named] + _NUMBER_WORD.findall(message)


def _attribute_verdict(message: str, fact: Evidence) -> Verdict | None:
    key = fact.id.partition(_ATTRIBUTE_ID)[2]
    if fact.source != "attribute" or not key:
        return None
    words = key.replace("_", " ")
    _, found, value = fact.text.rstrip(".").rpartition(f"{words}: ")
    amount = _ONE_AMOUNT.match(value.strip()) if found else None
    if amount is None:
        return None
    number, unit = float(amount.group(1)), amount.group(2)
    asked = AttributeKey(key, unit, (amount.group(1),))
    if names_another_measure(message, asked):
        return None  # ("does it have at least 8gb of ram?" is not told by "storage: 512 GB")
    bounds = [c for c in attribute_constraints(message, [asked]) if c.key == key and c.narrows and c.value is None]
    return _meets(number, bounds[0], message) if len(bounds) == 1 else None


def _meets(number: float, bound: AttributeConstraint, message: str) -> Verdict | None:
    low, high = bound.min_value, bound.max_value
    if low is not None and high is None and not _BOUND_WORDS.search(message):
        # "is it 7 kg?" asks for that value, not 7 kg or more: yes when it is; of another
        # value, no verdict ("does it have 128GB?" of 256 GB may mean "at least")
        return "Yes" if abs(number - low) < 1e-9 else None
    ok = (low is None or number >= low - 1e-9) and (high is None or number <= high + 1e-9)
    return "Yes" if ok and not _on_a_strict_bound(number, low, high, message) else "No"


def _on_a_strict_bound(number: float, low: float | None, high: float | None, message: str) -> bool:
    """The value is the bound itself and the bound leaves it out ("more than 3 speeds" of 3,
    "under $500" of $500.00): the parser reads every bound as inclusive, as listings do."""
    at_bound = any(b is not None and abs(number - b) < 1e-9 for b in (low, high))
    return at_bound and bool(_STRICT.search(message)) and not _NOT_STRICT.search(message)


def _price_verdict(message: str, fact: Evidence) -> Verdict | None:
    bound = price_constraint(message)
    if bound.max_price is None and bound.min_price is None:
        return None
    prices = [float(m.group(1).replace(",", "")) for m in _MONEY.finditer(fact.text)]
    if not prices:
        return None
    met = {(bound.min_price is None or p >= bound.min_price) and (bound.max_price is None or p <= bound.max_price)
           and not _on_a_strict_bound(p, bound.min_price, bound.max_price, message) for p in prices}
    return ("Yes" if met == {True} else "No") if len(met) == 1 else None
