"""Which attribute a question names, and whether a sentence states that one.

"What is the refresh rate of the X?" names the refresh rate. The laptop's "screen size: 16 in"
shares "screen" with "the X screen" and is near it in meaning, and it answers nothing; nor
does "material: polyester" answer "what is the pole material of the X tent?", nor "wattage:
900 W" the energy efficiency class. A sentence answers a named attribute when it says each of
its words, in its own words, as a synonym (rag.textutil.CANONICAL), or as the unit of its
value ("12 MP" says the resolution of "What is the camera resolution?"; "3500 mAh" a battery's
capacity, "24 h" its life, not its capacity). Only questions in one of a few frames name an
attribute: "what is the <attribute> of / on / for the X", "the X's <attribute>", "what
<attribute> does / is the X ...". Other questions ("how warm is it?", "how much does it hold?")
are read by meaning as before.
"""

from __future__ import annotations

import re

from rag.textutil import content_words, words
from rag.units import UNITS_OF_MEASURE

_OF = r"(?:of|on|for|in)\s+(?:the|this|that|these|those|my|your|its|their|it|them|a|an)\b"
_FRAMES = (
    # "what is the refresh rate of the X?", "what's the battery capacity on this phone?"
    re.compile(rf"\bwhat(?:'s|\s+is|\s+are|\s+was)\s+(?:the|its|their|your)\s+(?P<p>[a-z][\w -]*?)\s+{_OF}",
               re.IGNORECASE),
    # "what is the X's refresh rate?"
    re.compile(r"\bwhat(?:'s|\s+is|\s+are)\s+(?:the|this|that)\s+[^?]*?'s\s+(?P<p>[a-z][\w -]*?)\s*\??\s*$",
               re.IGNORECASE),
    # "which one has the bigger battery?", "which has more storage?": the attribute compared
    # ("bigger" alone reads as size, and the screen size led the answer)
    re.compile(r"^\W*(?:and\s+|so\s+|ok\s+)?which(?:\s+one|\s+of\s+them|\s+of\s+the\s+two)?\s+(?:has|have|gets|offers)\s+"
               r"(?:the\s+|a\s+)?(?:more|less|fewer|\w+er)\s+(?P<p>[a-z][\w -]*?)\s*\??\s*$", re.IGNORECASE),
    # "what OS does the X run?", "what material is the tent made of?"
    re.compile(r"^\W*(?:and\s+|so\s+)?what\s+(?P<p>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+(?:does|do|is|are)\s+"
               r"(?:the|this|that|it|they|these|those)\b", re.IGNORECASE),
)
#: the most words a named attribute has ("energy efficiency class")
MAX_WORDS = 3
# Words that ask for a value rather than name an attribute ("what is the price of ...?" is
# the product's price; "what is the best tent for ...?" asks for a tent)
_NOT_ATTRIBUTES = frozenset(content_words(
    "best worst cheapest difference differences point purpose use usage name model brand policy deal "
    "price cost status availability stock warranty guarantee return returns shipping delivery "
    "one ones kind type sort review reviews feedback"))
# Words that say only that a value is wanted ("the water resistance rating")
_GENERIC = frozenset(content_words("rating value spec specs specification specifications number amount"))

# What a value in a unit states: "12 MP" is a resolution, "3500 mAh" a capacity, '9"' a size
# (rag.units).
_UNIT_STATES: dict[str, frozenset[str]] = {
    spelled: frozenset(content_words(" ".join(unit.states))) for unit in UNITS_OF_MEASURE for spelled in unit.spellings}
# units that are words too ("in", "m", "g", "c"): a unit only after a number
_LONG_UNITS = frozenset(u for u in _UNIT_STATES if len(u) > 3)
_AMOUNT_UNIT = re.compile(r'(\d)\s*-?\s*(["a-z°]+)', re.IGNORECASE)
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
# Words that only qualify an attribute ("the physical dimensions", "the maximum rated speed")
_QUALIFIERS = frozenset(content_words(
    "physical overall total exact actual approximate approx general average maximum max minimum min rated "
    "real full entire"))


def asked_attribute(question: str, named: frozenset[str] = frozenset()) -> frozenset[str]:
    """The content words of the attribute `question` names ("refresh", "rate"), less the words
    of what it is asked about (`named`: the linked names); empty when it names none."""
    for frame in _FRAMES:
        m = frame.search(question or "")
        if m is None:
            continue
        said = content_words(m.group("p")) - named - _GENERIC - _QUALIFIERS
        if not said or len(words(m.group("p"))) > MAX_WORDS or said & _NOT_ATTRIBUTES:
            return frozenset()
        return frozenset(said)
    return frozenset()


# "does it have a mic?", "does the X have GPS?", "do they have a laptop sleeve?": a feature
# asked for by name, the whole rest of the question
# (the product named without an article too: "does Veltro Lite 600 have wireless charging?"; and
# "does it support wireless charging?", which quoted the phone's charging port)
_HAS_FEATURE = re.compile(r"^\W*(?:and\s+|so\s+)?(?:does|do)\s+(?:it|they|(?:this|that|these|those|the)(?:\s+[^?]+?)?"
                          r"|(?-i:[A-Z])[^?]+?)\s+"
                          r"(?:have|has|come\s+with|include|support|supports|offer)\s+(?:a|an|any|some)?\s*(?P<p>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})"
                          r"\s*\??\s*$", re.IGNORECASE)
# Words that judge a feature rather than name it ("does it have good battery life?"), or say
# only that it has it ("does it have GPS built in?")
_JUDGING = frozenset(content_words("good great nice decent long big large strong excellent enough real"))
_HAVING = frozenset(content_words("built builtin included inside integrated onboard option feature function"))


# "is the battery replaceable?", "is the jar dishwasher safe?": a part of the product and what
# is asked of it
_PART_IS = re.compile(r"^\W*(?:and\s+|so\s+)?(?:is|are)\s+(?:the|its|their)\s+(?P<p>[a-z][\w-]*\s+[a-z][\w-]*"
                      r"(?:\s+[a-z][\w-]*)?)\s*\??\s*$", re.IGNORECASE)


def asked_feature(question: str, named: frozenset[str] = frozenset()) -> frozenset[str]:
    """The content words a yes/no question asks a product's facts to say: the feature it asks the
    product has, by its last word ("mic" for "does it have a mic?", "pocket" for "a water bottle
    pocket"), or what it asks of a part ("replaceable" for "is the battery replaceable?"), less
    the linked names; empty when it asks none or judges it ("good battery life", "is the screen
    big?"). A product's attribute fact found by meaning alone does not answer it: "noise
    cancelling: no" is near "mic", and read as "no mic"; nor does a fact or a description that
    shares another of its words ("waterproof: yes" for a water bottle pocket, "battery life: 24
    h" for a replaceable battery)."""
    has, part = _HAS_FEATURE.search(question or ""), _PART_IS.search(question or "")
    m = has or part
    if m is None:
        return frozenset()
    said = content_words(m.group("p")) - named - _GENERIC - _QUALIFIERS - _HAVING
    if not said or said & (_JUDGING | _NOT_ATTRIBUTES):
        return frozenset()
    written = [w for w in words(m.group("p")) if content_words(w) & said]
    if has is not None:
        # what it has is the last word ("a water bottle *pocket*", "a glass *jar*": "jar material:
        # tritan" says there is none of glass)
        return frozenset(content_words(written[-1])) if written else frozenset()
    # what is asked of the part is the rest ("is the battery *replaceable*?")
    return frozenset(content_words(" ".join(written[1:]))) if len(written) > 1 else frozenset()


# What a fact's key may say of a thing it names first ("jar material", "strap colour"): that
# thing's own property, not another thing
_PROPERTIES = frozenset(content_words(
    "material materials color colour type kind size style finish shape capacity weight rating length width height "
    "model version level"))


def names_another_kind(question: str, sentence: str) -> bool:
    """Whether `sentence` speaks of another kind of the feature a question asks for: "does it
    have an HDMI port?" is not answered by "charging port: USB-C", whose port is named by
    another word, and HDMI by none; nor "does it have wireless charging?" by "charging port:
    Lightning", whose charging names a port. A fact that names the thing first and then a
    property of it ("jar material: tritan" for "a glass jar?") still answers."""
    m = _HAS_FEATURE.search(question or "")
    written = [w for w in words(m.group("p")) if content_words(w) - _GENERIC - _QUALIFIERS - _HAVING] if m else []
    if len(written) < 2:
        return False
    modifier, head = content_words(written[-2]), content_words(written[-1])
    parts = [[content_words(w) for w in words(part)] for part in re.split(r"[:;,.()\[\]]", sentence)]
    if any(modifier <= w for said in parts for w in said if w):
        return False
    # the head named after another word ("charging *port*"), or naming another thing itself
    # ("*charging* port: Lightning" does not say whether it has wireless charging; "*jar*
    # material: tritan" says what its jar is)
    return any(w == head and ((i > 0 and said[i - 1])
                              or (i + 1 < len(said) and said[i + 1] and not said[i + 1] <= _PROPERTIES))
               for said in parts for i, w in enumerate(said))


def stated_words(sentence: str) -> frozenset[str]:
    """What `sentence` says, in its words and in what the units of its values state."""
    said = set(content_words(sentence))
    for m in _AMOUNT_UNIT.finditer(sentence):  # "9\"", "3.2inches", "12 MP", "-9 °C"
        said |= _UNIT_STATES.get(m.group(2).lower().lstrip("°"), frozenset())
    for word in _WORD.findall(sentence):  # "unit:inches", "in pounds"
        if word.lower() in _LONG_UNITS:
            said |= _UNIT_STATES[word.lower()]
    return frozenset(said)


def unstated(attribute: frozenset[str], sentence: str) -> frozenset[str]:
    """The words of the asked attribute that `sentence` does not state."""
    return attribute - stated_words(sentence) if attribute else frozenset()
