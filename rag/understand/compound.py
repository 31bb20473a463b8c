"""A message that asks two questions at once: "How long is the warranty on the Kestrel Air 450,
and can I return it if I don't like it?" needs two plans (a warranty, a return policy), and
one plan answered only the first.

`split_questions` cuts such a message where a new question starts: after a question mark, or
at "and", ";" or "." when the words after it open a question of their own (a question word, or
an auxiliary followed by its subject: "can I", "is shipping", "does the X"). Both halves must
be questions of at least three words. What does not open a question with its own subject is a
second condition of the same question, and stays: "which laptops have 16 GB and are under
$800?", "do you have tents and sleeping bags?", "can I return it and get a refund?"; so does
a yes/no question with no word of its own ("what about exchanges? do you do those?"). The
answer pipeline (rag.pipeline) answers each part in turn in one session, so "it" in the second
finds the product the first named, and joins the answers.
"""

from __future__ import annotations

import re

from rag.textutil import content_words

MAX_PARTS = 3
MIN_WORDS = 3

_WH = r"how|what|what's|whats|when|where|which|who|why|whose"
_AUX = r"can|could|may|will|would|should|do|does|did|is|are|was|were|isn't|aren't|doesn't|don't"
# The subject after an auxiliary: a pronoun, a determiner before a noun, or a policy named on its own
_SUBJECT = (r"i|you|u|it|they|we|he|she|this|that|these|those|there|the|my|your|ur|its|their|our|a|an|any"
            r"|shipping|delivery|returns?|refunds?|exchanges?|warranty|payment|financing|installments?|pickup")
_GREETING = r"(?:(?:hi|hello|hey|ok|okay|so|also|and|quick\s+question|one\s+more\s+thing)[\s,!.:-]+)*"
#: The words that open a question of its own ("how much is shipping", "can I return it")
_OPENS_QUESTION = re.compile(rf"^\W*{_GREETING}(?:(?:{_WH})\b|(?:{_AUX})\s+(?:{_SUBJECT})\b)", re.IGNORECASE)
_OPENS_WITH_WH = re.compile(rf"^\W*{_GREETING}(?:{_WH})\b", re.IGNORECASE)
# Where a second question may start: after "?", or at "and" / ";" / "." before its opening words
_CUT = re.compile(r"(?<=\?)\s+|\s*;\s*|(?<=[a-z0-9)])\.\s+|,?\s+(?:and|also|plus)\s+(?:also\s+)?", re.IGNORECASE)
_WORDS = re.compile(r"[\w$'’-]+")


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _first_question(text: str) -> str:
    return text.split("?")[0]


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_OPENS_QUESTION.match(text))


def split_questions(message: str) -> list[str]:
    """The questions a message asks, in order; `[message]` when it asks one (or is no question).
    Each part keeps its own words; a part that lost its question mark to the cut gets it back."""
    text = message.strip()
    parts: list[str] = []
    start = 0
    for cut in _CUT.finditer(text):
        head, rest = text[start:cut.start()], text[cut.end():]
        if len(parts) + 1 >= MAX_PARTS:
            break
        if not _OPENS_QUESTION.match(rest):
            continue  # no question of its own follows: a second condition of the same question
        if not _OPENS_WITH_WH.match(rest) and not content_words(_first_question(rest)):
            continue  # "... exchanges? do you do those?": the same question again, in other words
        if _words(head) < MIN_WORDS or _words(rest) < MIN_WORDS or not _is_question(head):
            continue
        parts.append(head)
        start = cut.end()
    if not parts:
        return [message]
    parts.append(text[start:])
    return [p if p.rstrip().endswith("?") or not _OPENS_QUESTION.match(p) else p.rstrip(" ,.;") + "?" for p in parts]
