"""Field-aware views of passage text, so rankers compare a question with the part of a snippet
that can answer it.

Catalog snippets come in a few shapes (the ePQA/Amazon product-page sources and our own):
  attribute   ``item_weight:  { unit:kilograms, value:3.44 }`` or ``Weight: 3.4 kg``
  cqa         ``<answer> Question: <the community question it answered>``
  review, bullet, description, policy, faq: plain prose.

`readable()` turns an attribute into words ("item weight: 3.44 kilograms") so lexical and
dense matching see the key as words, and `split_cqa()` separates a community answer from the
question it answered (a near-duplicate question is the strongest single signal we have).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ATTR_HEAD = re.compile(r"^\s*([A-Za-z0-9_ .\-/]{1,80}?)\s*:\s*(\{.*\})\s*$", re.S)
_VALUE = re.compile(r'(?<![a-z_])value\s*:\s*("([^"]*)"|[^,}\]]+)')
_STD_VALUES = re.compile(r'standardized_values\s*:\s*\[([^\]]*)\]')
_UNIT = re.compile(r"(?<![a-z_])unit\s*:\s*([^,}\s]+)")
_CQA_SPLIT = re.compile(r"\s*\bQuestion:\s*", re.I)
_TOKEN = re.compile(r"[a-z0-9]+")

# Words that carry no meaning for matching a question to a snippet.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those i you he she we they me my your our their them do does did
    doing have has had can could will would should may might must shall there here what which
    who whom whose when where why how not no yes so than too very just about into over under
    again further then once any all both each few more most other some such only own same s t
    don doesn didn isn aren wasn weren won wouldn shouldn couldn am get got one also up out""".split()
)


@dataclass(frozen=True)
class Fields:
    """What a snippet says, split by role. `key` is the attribute name in words (or ""),
    `body` the answering text, `question` the community question a cqa answer replied to."""

    key: str
    body: str
    question: str

    @property
    def text(self) -> str:
        """One readable line for embedding, BM25 and display."""
        head = f"{self.key}: {self.body}" if self.key else self.body
        return f"{head} Question: {self.question}" if self.question else head


def _words(key: str) -> str:
    return re.sub(r"[_\-./]+", " ", key).strip().lower()


def parse_attribute(text: str) -> tuple[str, str] | None:
    """``key:  { ... value:... unit:... }`` -> ("key in words", "value unit"); None if not that shape."""
    m = _ATTR_HEAD.match(text)
    if not m:
        return None
    key, blob = _words(m.group(1)), m.group(2)
    std = _STD_VALUES.search(blob)
    values: list[str] = []
    if std:
        values = [v.strip().strip('"') for v in std.group(1).split(",") if v.strip().strip('"')]
    if not values:
        # the outermost value is the last one written; nested normalized_value comes first
        found = [(g2 if g2 else g1).strip().strip('"') for g1, g2 in _VALUE.findall(blob)]
        values = [v for v in found if v][-1:]
    units = [u.strip('"') for u in _UNIT.findall(blob)]
    value = ", ".join(values) if values else blob.strip("{} ")
    value = value.replace("_", " ")
    if units and values:
        value = f"{value} {units[0].replace('_', ' ')}"
    return key, value


def split_cqa(text: str) -> tuple[str, str]:
    """``answer Question: asked`` -> (answer, asked); ("text", "") when there is no question."""
    parts = _CQA_SPLIT.split(text)
    if len(parts) < 2:
        return text.strip(), ""
    return " ".join(parts[:-1]).strip(), parts[-1].strip()


def fields(text: str, source: str | None) -> Fields:
    """Split `text` by the role of its parts, using `source` (attribute|cqa|...) as a hint."""
    src = (source or "").lower()
    if src == "attribute" or (src in ("", "attr") and "{" in text):
        parsed = parse_attribute(text)
        if parsed:
            return Fields(key=parsed[0], body=parsed[1], question="")
        if ":" in text[:80]:
            key, _, value = text.partition(":")
            return Fields(key=_words(key), body=value.strip(), question="")
    if src in ("cqa", "qa", "faq"):
        answer, asked = split_cqa(text)
        return Fields(key="", body=answer, question=asked)
    return Fields(key="", body=text.strip(), question="")


def readable(text: str, source: str | None) -> str:
    return fields(text, source).text


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper (weigh/weighs/weight, battery/batteries) good enough for
    matching question words to attribute keys; not a linguistic stemmer. (Cached: the reranker
    stems every candidate's words for every question, ~200 calls per answer.)"""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ht", "h")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + repl
    return word


def content_terms(text: str) -> set[str]:
    return {stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS and len(t) > 1}
