"""Typos in a message, corrected before the models read it.

The intent and sentiment models never saw "blendrs" or "retrun": "do u have blendrs" was
declined as out of scope and "whats ur retrun policy" said "I don't know", though the entity
linker already read "blendrs" as Blenders. A word is corrected only when it is no English word
(the embedding model's vocabulary, rag.understand.linker.english_words) and no word of the
catalog, and it is close to a word of one of three small vocabularies: the catalog's brand and
category names (`EntityLinker.misspelled`), the words shoppers ask about the store with
(`SHOPPING_WORDS`: "warrenty", "shiping", "refnd"), and the catalog's attribute names and values
(`EntityLinker.attribute_words`: "waterprof", "goose dwon"). A longer word that holds the word
it is close to is another word, not a typo ("iphone" is no misspelled "phone").
"""

from __future__ import annotations

import re
from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from rag.understand.linker import STOPWORDS, EntityLinker, english_base, english_words, tokens

#: The words of questions about buying and the store's rules, whose typos the intent model
#: misreads (the catalog's own words are the linker's)
SHOPPING_WORDS: tuple[str, ...] = tuple(sorted(set("""
    return returns returning refund refunds exchange exchanges warranty warranties guarantee
    shipping delivery deliver international internationally policy policies discount discounts
    coupon payment order orders cancel cancellation tracking available availability compatible
    stock price prices cheap cheaper cheapest recommend which""".split())))
#: How close (rapidfuzz ratio, 0-100) a typo is to the word it is corrected to
CUTOFF = 80.0


def misspelled(text: str, linker: EntityLinker | None) -> dict[str, str]:
    """The typos in `text`, each (lower case, as typed) with its correction."""
    found = linker.misspelled(text) if linker is not None else {}
    values = linker.attribute_words() if linker is not None else frozenset()
    for word in tokens(text or ""):
        if (word in found or len(word) < 4 or not word.isalpha() or word in STOPWORDS or word in english_words()
                or word in SHOPPING_WORDS or word in values
                or english_base(word) or (linker is not None and linker.knows(word))):
            continue
        correction = _nearest(word, SHOPPING_WORDS) or _nearest(word, values)
        if correction is not None:
            found[word] = correction
    return found


def _nearest(word: str, vocabulary: Iterable[str]) -> str | None:
    """The word of `vocabulary` `word` is a typo of: of about its length (as the linker's are:
    "priciest" is no misspelled "prices"), close by `CUTOFF` or two letters swapped ("dwon")."""
    near = [w for w in vocabulary if abs(len(w) - len(word)) <= 1 and w not in word]
    hit = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=CUTOFF)
    if hit is not None:
        return hit[0]
    swapped = [w for w in near if len(w) == len(word) and sorted(w) == sorted(word)
               and DamerauLevenshtein.distance(w, word) == 1]
    return swapped[0] if len(swapped) == 1 else None


def respelled(text: str, corrections: dict[str, str]) -> str:
    """`text` with each word in `corrections` (lower case, as `misspelled` gives them) written as
    its correction."""
    if not corrections:
        return text
    typed = "|".join(re.escape(w) for w in sorted(corrections, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])(?:{typed})(?![\w-])", lambda m: corrections[m.group(0).lower()], text,
                  flags=re.IGNORECASE)
