"""Extractive generator: answers with the evidence's own words, no model.

It scores every sentence of the numbered evidence against the question and quotes the best one
or two, each followed by its [n]; it abstains (rag.prompt.ABSTENTION) when no sentence is
relevant. Relevance, on CPU:
- lexical: stemmed content words shared with the question, each weighted by how specific it
  is within this context (idf over the context items); a sentence must share a word the
  question *asks about*: not a topic word (the linked product's name, words most items repeat,
  see rag.context.topic_words) and not a request word ("recommend", "compare", "similar");
  a question that asks about nothing beyond its subject ("recommend something like the X100")
  is answered by any sentence sharing a word with it;
- semantic (when an encoder is given and no sentence is lexically relevant): cosine similarity
  of question and sentence embeddings with the shared all-MiniLM-L6-v2 encoder, topic words
  (the product name most items repeat) removed from both;
  >= `min_similarity` (0.35; `min_similarity_store`, 0.45, for the store's policies and FAQs
  and the brands' own descriptions: "what's on sale?" is not answered by "Ultralight packs and
  bags"; a brand's description answers at all only when the turn names the brand)
  counts as relevant on its own. Skipped when words already found an
  answer, so the common path costs no embedding.
- answer type (AnswerType): "how long" / "how much" / "how many" / "what percentage" / "where
  is it made" ask for a kind of value ("how much is the X?" for a price), so a sentence
  holding one ("3-5 business days", "$14.99", "2 persons", "60%", "made in Germany"; never a
  number inside a linked name) counts as sharing one more asked word, weighted like the
  question's most specific word. A count, measure, percentage, place or price must be there
  for a sentence to answer by meaning alone: "which country is the X made in?" is close to
  "the X is made by Arcadia" and not answered by it.
  An amount of money or a time in the question ("shipping for a $30 order?", "stopped working
  after 2 months") puts the rule whose condition it meets ("Orders under $50 ship for $5.99", "a
  2-year warranty") before one it fails ("free shipping on orders over $50", "within 30 days").
  "Does X work with / fit Y?" asks for a compatibility fact, and "what brand is X?" for the
  graph's "X is made by ..." fact, which answer them by naming the products alone.
Instruction-like sentences (rag.prompt.is_instruction_like) are never quoted, nor is an FAQ's
question ("Q: Can I return in-ear headphones?"): its words count for the answer sentences that
follow it ("A: Yes, if the ear tips are unopened and sealed."), which say what the FAQ answers.
The policy that applies (the graph resolved it by precedence product > brand > category >
global) is binding: when one of its sentences is relevant, and the question names what the
policy is about (a word of its title) or the sentence scores at least `second_ratio` of the best,
the answer leads with it, ahead of an FAQ or review that talks about the rule in general ("only
if unused, unless the brand's policy allows it").

Request words ("sell", "recommend") are left out of the comparison by meaning, and words that
only say the store sells match nothing when what is asked for is in no item ("do you sell
tvs?"); a policy's title line is not quoted. In a request ("do you offer gift wrapping?",
rag.understand.request) the verb never counts, and when no item names the thing asked for
(its last word, "wrapping"), neither do the words that narrow it ("gift": the gift card FAQ
is about another thing).

Always available, fast (sub-millisecond without an encoder), deterministic: it is the fallback
when a model generator fails, is slow, or writes nothing grounded."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import numpy as np

from rag.context import Context, ContextItem, named_words, topic_words, without_words
from rag.generate.base import GenerationRequest
from rag.prompt import ABSTENTION, is_instruction_like
from rag.textutil import (
    asks_only,
    ACCIDENT,
    ACROSS_PRODUCTS,
    GOOD_FOR_CARRYING,
    AGAINST_THE_STANDARD,
    ASKS_SPECS,
    ASKS_COST,
    ASKS_WHAT_IT_FITS,
    DISSATISFIED,
    FAILURE,
    MONEY,
    WRONG_PICK,
    COLOUR_NAMES,
    GENERIC_WORDS,
    NAMED_PERIOD,
    AskedQuantities,
    asked_elapsed,
    asks_question,
    capitalized,
    compound_words,
    content_words,
    is_quantity,
    is_yes_no_question,
    numbers,
    self_reference_words,
    split_sentences,
    spelled_out,
    within_period,
    without_the_standard,
)
from rag.types import STORE_RANGE_ID, STORE_WIDE, Evidence
from rag.understand.asked_attribute import asked_attribute, asked_feature, names_another_kind, unstated
from rag.understand.constraints import WHICH_THING_IS_MOST, compared_amount, has_superlative, measured_comparative, superlatives
from rag.understand.linker import english_words
from rag.units import canonical, convert, shown
from rag.understand.request import (
    STORE_OFFERS,
    asked_complements,
    asks_what_to_get,
    asks_which_to_choose,
    is_search,
    requested_thing,
)
from rag.vector_cache import CachedTextEncoder


class TextEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ScoredSentence:
    number: int  # the evidence [n]
    sentence: str
    score: float
    relevant: bool
    shared: frozenset[str] = frozenset()  # question words it contains (and ASKED_VALUE)
    binding: bool = False  # from the applicable policy (see is_applicable_policy)
    on_kind: bool = False  # binding, and the question names what the policy is about (its title)


def is_applicable_policy(evidence: Evidence) -> bool:
    """The graph's answer to "which policy applies here": a policy fact, not a passage that
    merely mentions a rule (rag.retrieve.graph emits only the winning policy as a fact;
    overridden ones reach the context only when it does not say what was asked, marked
    `overridden_by`, and never bind)."""
    return evidence.kind == "graph_fact" and evidence.source == "policy" and not evidence.overridden_by


# Words that make a request rather than name a fact ("recommend", "compare", "tell me about",
# "info on the X please", "do you sell tents?", "I need a new tent"), and the generic ones.
REQUEST_WORDS = GENERIC_WORDS | frozenset(content_words(
    "recommend recommendation suggest suggestion show find look looking buy compare comparison "
    "difference differences alternative alternatives option options similar other others about "
    "describe details detail overview better best worse differ policy policies something anything "
    "info information pls interested interest sell carry make makes new term terms condition conditions rule rules "
    # when it is wanted is no property of the thing ("need headphones asap")
    "asap urgent urgently soon today tomorrow tonight now"
))

# A verb that only frames what comes with a product: "does it come with a case?" asks about a
# case, and was answered "... comes in 3 colors".
FRAME_VERBS = frozenset(content_words("come comes came"))

#: The graph's facts of one product: its attributes, price, stock and colours (no passage about
#: it, whose words a reader weighs)
OWN_FACT_SOURCES = frozenset({"attribute", "price", "availability", "product", "variants", "specs"})
# Verbs that ask whether a product has a thing, not what it does: "does it have GPS?", "does it
# support ...", "is there ...", "can I get it in ..."
_OWN_FACT_VERBS = frozenset(content_words("have has include includes support supports get got use work"))

# Words that praise what is asked for rather than narrow it ("any good headphones?").
PRAISE_WORDS = frozenset(content_words(
    "good great nice decent quality solid cool awesome top excellent perfect ideal proper right reliable popular"))

# Request words that only say the store sells something: what is sold is the question.
TRADE_WORDS = frozenset(content_words("sell buy offer carry"))

# Units a measured quantity is written in ("18 L", "913 g", "10 h", "1200 watts").
_UNIT = (r"(?:%|°\s*[cf]?|ml|cl|l|mg|kg|g|lbs?|oz|mm|cm|km|m|in\.|inch(?:es)?|ft|feet|foot|yds?|yards?|mph"
         r"|kw|w|v|mah|kwh|wh|hz|khz|mhz|ghz|kb|mb|gb|tb|db|h|hrs?|hours?|mins?|minutes?|secs?|seconds?|days?|weeks?"
         r"|months?|years?|calories|kcal|watts?|volts?|amps?|liters?|litres?|gallons?|gal|pounds?|ounces?|grams?"
         r"|quarts?|pints?|cups?|meters?|metres?|miles?)(?![\w])")
_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = rf"{_NUMBER}(?:\s*(?:-|–|to)\s*{_NUMBER})?"
# a count: a number of its own that no unit follows ("2 persons", "24 pods"), not one inside a
# name or code ("Boost 210" is left out by the caller, "SUM-TEN-000086"), a price or a measure
_COUNT_WORDS = r"(?<![\w-])(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|pair)(?![\w-])"
COUNT = re.compile(rf"(?<![\w.$€£-]){_NUMBER}(?![\w.-]|\s*-?\s*{_UNIT})|{_COUNT_WORDS}", re.IGNORECASE)
MEASURE = re.compile(rf"(?<![\w.-]){_NUMBER}\s*-?\s*{_UNIT}", re.IGNORECASE)
# where a thing comes from
PLACE = re.compile(r"\b(?:made|manufactured|produced|built|assembled|grown|sourced)\s+in\b|\bimported\s+from\b"
                   r"|\bcountry\s+of\s+(?:origin|manufacture)\b", re.IGNORECASE)
# The graph's "X is compatible with Y" answers "does X work with Y?" although it shares only
# their names with it (a review that says "compatible with" does not: rag.retrieve.graph's
# compatibility and accessory facts only).
COMPATIBILITY_FACT = re.compile(r"\bcompatible with\b|\baccessory for\b", re.IGNORECASE)
COMPATIBILITY_SOURCES = frozenset({"compatibility", "accessory"})
# The graph's "A product similar to the X is the Y" answers "anything like it?".
SIMILAR_FACT = re.compile(r"\bA product similar to\b")
# The graph's "X is made by Arcadia Mobile" answers "what brand is X?" by naming X alone.
MAKER_FACT = re.compile(r"\bmade by\b", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerType:
    """A kind of value a question asks for: `asks` recognizes the question, `value` a sentence
    holding such a value. With `value_required`, a sentence without one answers only through
    the question's words, never by meaning alone ("which country is the X manufactured in?" is
    close in meaning to "the X is made by Arcadia" but not answered by it), and the `frame`
    words, which say what kind of value is asked rather than what about, do not count."""

    name: str
    asks: re.Pattern[str]
    value: re.Pattern[str]
    value_required: bool = False
    frame: frozenset[str] = frozenset()


def _asks(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# The first that matches the question is its type. Money is never required: "how much" also
# asks a weight or a volume, which a sentence can give without a price.
ANSWER_TYPES: tuple[AnswerType, ...] = (
    # "are there any exceptions?" after the return policy: what a rule leaves out, which a
    # sentence that excludes or forbids says ("Gift cards and downloadable software cannot be
    # returned"); it repeated the 30-day rule
    AnswerType("exceptions", _asks(r"\b(?:exceptions?|exclusions?|excluded|exempt\w*)\b"
                                   r"|\bwhat\s+(?:isn['’]?t|is\s+not|can['’]?t|cannot|can\s+not)\s+(?:be\s+)?"
                                   r"(?:covered|returnable|returned|eligible)\b"
                                   r"|\banything\s+(?:that\s+)?(?:can['’]?t|cannot|isn['’]?t|is\s+not)\s+(?:be\s+)?"
                                   r"(?:covered|returnable|returned|eligible)\b"),
               re.compile(r"\b(?:cannot|can['’]t|can\s+not|not|no|never|excluded|except(?:ion|ions|ed)?)\b", re.IGNORECASE),
               frame=frozenset(content_words("exception exceptions exclusion exclusions excluded exempt anything"))),
    # "what does it cover?" after the phones' warranty: what the rule covers, which its main
    # sentence says ("a 2-year warranty covering defects ...", "a 1-year warranty against
    # manufacturing defects"); it quoted "Batteries are covered for 1 year" alone, and "what
    # does the warranty cover?" what it does not cover
    AnswerType("coverage", _asks(r"\bwhat\b[^?.!]*\b(?:does|do|will|would)\s+(?:it|this|that|they|the\s+[\w-]+(?:\s+[\w-]+)?)"
                                 r"\s+cover\b|\bwhat(?:['’]s|\s+is|\s+are|\s+gets?)\s+covered\b"),
               # (or what a warranty is on: "Coffee makers have a 3-year warranty on the heating
               # element and pump", not "Descaling damage is not covered")
               re.compile(r"^(?!.*\b(?:not|no|never|excluded)\b).*\b(?:covering|covers|against|warranty\s+on)\b",
                          re.IGNORECASE | re.DOTALL),
               # ("cover" alone is no answer: "Descaling damage is not covered" shares it)
               value_required=True, frame=frozenset(content_words("cover covers covered covering coverage"))),
    # "my phone screen cracked when i dropped it": an accident the shopper tells, which the
    # warranty's exclusion answers ("does not cover accidental damage"); it quoted the cover
    # against defects, as though it applied (before the types its words may ask: "i spilled
    # water on my laptop", then "is that covered?")
    AnswerType("accident", ACCIDENT, re.compile(r"\baccidental\b|\bwater\s+damage\b|\bdrops?\b", re.IGNORECASE)),
    # "what's the warranty on it?" asks how long it lasts (or that there is none): SmolLM2's
    # "The warranty is extended [1]." is grounded and no answer
    AnswerType("period", _asks(r"\b(?:what(?:['’]s|\s+is)|how\s+long\s+is)\s+(?:the\s+|your\s+|its\s+)?"
                               r"(?:warranty|guarantee|return\s+(?:window|period|policy))\b"
                               # how it compares: "is the warranty longer for Orbis?" said "I don't know"
                               r"|\b(?:warranty|guarantee|return\s+(?:window|period))\s+(?:any\s+|much\s+)?(?:longer|shorter)\b"
                               r"|\b(?:longer|shorter|extended)\s+(?:warranty|guarantee|return)"),
               re.compile(r"\b\d+(?:\.\d+)?[- ](?:day|week|month|year)s?\b|\bwithin\s+\d+\b|\blifetime\b"
                          r"|\bfinal sale\b|\bno returns\b|\bnot (?:be )?returnable\b", re.IGNORECASE),
               value_required=True),
    AnswerType("duration or length", _asks(r"\bhow long\b"),
               re.compile(rf"{_RANGE}\s*-?\s*(?:business |working )?(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?"
                          r"|mins?|ft|feet|foot|inch(?:es)?|in\.|cm|mm|meters?|metres?|m)\b|\b(?:same|next)[- ]day\b",
                          re.IGNORECASE)),
    # "when will it ship?", "how soon would it arrive?": how long delivery takes, which a number
    # of days says ("when would it arrive if I order today?" quoted "Free shipping applies to
    # orders over $75", for "order")
    AnswerType("delivery time", _asks(r"\bwhen\s+(?:will|would|does|do|can|could|should|might)\b[^?.!]*"
                                      r"\b(?:ship|arriv|deliver|get\s+(?:here|there|to\s+me|it)\b|receive)"
                                      r"|\bhow\s+(?:soon|quickly|fast)\b[^?.!]*\b(?:ship|arriv|deliver|get\s+(?:here|it)\b)"
                                      # "can I get it by tomorrow?"
                                      r"|\bby\s+(?:tomorrow|tonight|today|(?:mon|tues|wednes|thurs|fri|satur|sun)day|the\s+weekend"
                                      r"|(?:this|next)\s+\w+)\b"),
               re.compile(r"\b\d+(?:\s*-\s*\d+)?\s*(?:business\s+|working\s+)?(?:days?|weeks?)\b|\b(?:same|next)[- ]day\b",
                          re.IGNORECASE),
               frame=frozenset(content_words("soon quickly fast arrive arrives ship ships shipped deliver delivered "
                                             "get here receive order today tomorrow tonight monday tuesday wednesday "
                                             "thursday friday saturday sunday weekend week"))),
    # "how big is it?", "how much does it hold?": its size, which a capacity, a screen size or a
    # measure in litres, inches or centimetres says ("how big is it?" on a blender's page said
    # "I don't know", "how big is the jar?" quoted "jar material: glass"); not which size to
    # choose ("what size should I order?")
    AnswerType("size", _asks(r"\bhow\s+(?:big|large|roomy|spacious)\b|\bwhat\s+size\s+(?:is|are)\b"
                             # ("is it big enough for a week of hiking?": "I don't know")
                             r"|\b(?:big|large|roomy|spacious)\s+enough\b"
                             r"|\bhow\s+much\s+(?:does|can|will|do)\s+(?:it|they|this|that|the\s+\w+)\s+hold\b"),
               re.compile(r"\b(?:capacity|size|dimensions?)\s*:|\d(?:\.\d+)?\s*(?:L|liters?|litres?|ml|in|inch(?:es)?"
                          r"|cm|mm|persons|people)\b|\d(?:\.\d+)?\s*(?:\"|”|'')|\d\s*x\s*\d", re.IGNORECASE),
               frame=frozenset(content_words("big large small roomy spacious size hold"))),
    # "how much is the X?" asks its price, which an answer must give ("the X weighs 455 g" is no
    # answer); "how much does it weigh / hold?" is a measure, "how much is shipping?" may be free
    # ... and so does "is it under $500?" (a yes or no its price answers, rag.verdict)
    AnswerType("price", _asks(r"^\W*how much (?:is|are|was|were|does|do|would|will)\b"
                              r"(?!.*\b(?:weigh|weight|hold|holds|fit|capacity|storage|memory|ram|power|battery|"
                              r"shipping|delivery|return|refund|warranty|fee|data|water|space|room)\w*\b)"
                              r"|^\W*(?:is|are|does|do)\s+(?:it|they|this|that|this\s+one|that\s+one)\s+(?:cost\s+)?"
                              r"(?:under|below|less\s+than|over|above|more\s+than|at\s+most|at\s+least|within|"
                              r"cheaper\s+than)\s+(?:\$\s?\d|\d[\d,.]*\s*(?:\$|dollars?|bucks|usd)\b"
                              r"|\d{2,}(?:\.\d+)?(?![\d.]|\s*(?:[a-z%°\"]|-)))"),
               re.compile(MONEY, re.IGNORECASE), value_required=True),
    # "can I pay with klarna?", "do you take google pay?": how the store is paid, which the
    # sentence that lists what it accepts answers (it said "I don't know": "klarna" is no word
    # of it, nor near one; rag.respond says the rule does not name it)
    AnswerType("payment method", _asks(r"\bpay(?:ing)?\s+(?:with|by|using|via|through)\b"
                                       r"|\b(?:do|does|can|will)\s+(?:you|u|the\s+store)\s+(?:take|accept)\b"),
               re.compile(r"\baccept(?:s|ed)?\b", re.IGNORECASE)),
    # ("price match", "price drop" name a policy, not an amount)
    # (a charge is money, not charging: "does it charge fast?" quoted its price)
    AnswerType("money", _asks(r"\bhow much\b|\b(?:cost|costs|fee|fees)\b|\bwho\s+(?:pays|covers|is\s+paying)\b"
                              r"|(?<!\bit\s)(?<!\bto\s)(?<!\bdo\s)(?<!\bcan\s)(?<!\bthey\s)(?<!\bwill\s)(?<!\bdoes\s)"
                              # (nor a failure to charge: "my headphones won't charge" wanted a price)
                              r"(?<!n't\s)(?<!n’t\s)(?<!\bwont\s)(?<!\bnot\s)\bcharge\b"
                              r"(?!\s+(?:fast|faster|quick\w*|my|your|it|them|up|in\s+\d))"
                              r"|\bprice\b(?![ -](?:match|matching|guarantee|protection|adjustment|drop|alert))"),
               re.compile(rf"{MONEY}|\bfree\b", re.IGNORECASE)),
    AnswerType("measure", _asks(rf"\bhow many\s+{_UNIT}"), MEASURE, value_required=True),
    AnswerType("count", _asks(r"\bhow many\b"), COUNT, value_required=True),
    AnswerType("percentage", _asks(r"\bpercent(?:age)?\b|\bwhat\s+%"),
               re.compile(rf"{_NUMBER}\s*(?:%|percent\b)", re.IGNORECASE), value_required=True,
               frame=frozenset(content_words("percent percentage"))),
    AnswerType("place", _asks(r"\b(?:which|what)\s+country\b|\bcountry\s+of\s+origin\b"
                              r"|\bwhere\b[^?.]*\b(?:made|manufactured|produced|built|assembled|grown|sourced)\b"),
               PLACE, value_required=True,
               frame=frozenset(content_words("made manufactured produced built assembled grown sourced country origin"))),
    # "do you ship to Alaska?" asks where the store ships: a sentence that names the places
    # ("We ship to the United States and Canada only") answers it, with no word but "ship" in
    # common; on an outdoor product's page only the outdoor rule's "5-7 business days" was given
    AnswerType("destination", _asks(r"\b(?:ship|shipping|deliver|delivery|send)\s+(?:\w+\s+){0,2}?(?:to|into)\s+"
                                    r"(?!(?:me|you|us|my|your|our|it|them|the\s+same|a|an|p\.?\s?o)\b)[a-z]"),
               re.compile(r"(?i:\b(?:ship|deliver)(?:s|ping|y)?\s+(?:only\s+)?(?:to|within|in)\s+(?:the\s+)?)[A-Z]"
                          r"|(?i:\binternational(?:ly)?\b|\bcountr(?:y|ies)\b|\b(?:states|provinces|territories)\b)")),
    # "is the X in stock?" asks whether it can be bought: SmolLM2's "The X is in the category
    # Electronics [3]" is grounded and no answer
    # ("can I preorder it?" of an out-of-stock tent said "I don't know": that it is out of stock
    # answers it)
    AnswerType("stock", _asks(r"\bin[- ]stock\b|\bout of stock\b|\bsold out\b|\bpre-?order(?:ed|ing)?\b"),
               re.compile(r"\bin[- ]stock\b|\bout of stock\b|\bavailable\b|\bpre-?order\b|\bdiscontinued\b"
                          r"|\bsold out\b|\bunavailable\b", re.IGNORECASE), value_required=True,
               frame=frozenset(content_words("preorder preordered preordering"))),
    # "can I exchange it?" after "i got the wrong color headphones": the rule that says what
    # can be returned, which shares no word with it ("I don't know"); that it does not speak of
    # exchanges, `unmentioned` tells rag.respond
    AnswerType("exchange", _asks(r"\b(?:exchang(?:e|es|ed|ing)|swap(?:s|ped|ping)?)\b"),
               re.compile(r"\bexchang", re.IGNORECASE),
               frame=frozenset(content_words("exchange exchanges exchanged exchanging swap swaps swapped swapping"))),
    # "my headphones stopped working": what the store does about it (a defect the warranty
    # covers, a return, a repair or replacement), which shares no word with the complaint; not
    # what it does not cover ("my order arrived damaged" got "The warranty does not cover
    # accidental damage"), nor a refund of what is unopened ("my new laptop won't turn on" got
    # "unopened laptops are refunded in full")
    AnswerType("wrong_pick", WRONG_PICK,
               re.compile(r"^(?!.*\b(?:not|no|never|excluded|defective|defects?)\b).*"
                          r"\b(?:\d+-day\s+returns|returns?|exchanges?)\b", re.IGNORECASE | re.DOTALL)),
    AnswerType("remedy", re.compile(f"{FAILURE.pattern}|{DISSATISFIED.pattern}", re.IGNORECASE),
               re.compile(r"^(?!.*\b(?:not|no|never|excluded)\b).*"
                          r"\b(?:defect\w*|warrant\w*|repair\w*|replace\w*|\d+-day\s+returns)", re.IGNORECASE | re.DOTALL)),
    # "what are its specs?", "what features does it have?": all its details, which the graph
    # gives as one fact when asked (rag.retrieve.graph.specification_sheets); it quoted the
    # driver size alone, or said "I don't know"
    AnswerType("specs", ASKS_SPECS,
               # (a list of "key: value" pairs; read without the product's name, which takes the
               # punctuation after it)
               re.compile(r"^(?=(?:[^:]*:){3})(?=(?:[^;]*;){2})"), value_required=True,
               frame=frozenset(content_words("specs spec sheet specifications specification technical tech details data "
                                             "features feature full all more special main key"))),
    # "is the first one wireless?" of headphones named "... Wireless Headphones": how it
    # connects, which its connectivity says ("Bluetooth 5.3, 3.5 mm jack"); the asked word was
    # the name's, and it quoted the price (not wireless charging, a feature of its own)
    # (asked of what is talked about: "something wireless under 150" asks for a listing)
    AnswerType("connectivity", _asks(r"^\W*(?:(?:and|so|but|also)\s+)?(?:is|are|does|do|can|will)\b[^?]*"
                                     r"\b(?:wireless|bluetooth|wired|cordless)\b(?!\s+charg)"
                                     r"|\bhow\s+(?:does|do)\s+(?:it|they)\s+connect\b"
                                     # ("what connectors do they have?" of headphones: "I don't know")
                                     r"|\bwhat\s+(?:kind\s+of\s+|type\s+of\s+|sort\s+of\s+)?"
                                     r"(?:connectors?|connections?|connectivity)\b"),
               re.compile(r"\bconnectivity\s*:|\bbluetooth\b", re.IGNORECASE),
               frame=frozenset(content_words("wireless bluetooth wired cordless connector connection"))),
    # "does it come in red?": the colours its model comes in ("comes in 3 colors: silver (...),
    # navy blue (...) and black (...)" says no; it quoted the silver one's "color: silver"
    # alone), else its own colour ("do you have the X in silver?" got "X, Graphite is in stock")
    AnswerType("colour", _asks(r"\b(?:comes?|available|sold|made|have|has|got|get|do)\s+(?:it\s+|them\s+|this\s+|one\s+)?"
                               r"in\s+(?:a\s+|an\s+|other\s+)?(?:" + "|".join(COLOUR_NAMES) + r")\b"
                               r"|\b(?:what|which|other|any|more)\s+colou?rs?\b"
                               # "do you have the Kestrel Air 450 in silver?"
                               r"|\bin\s+(?:a\s+|an\s+)?(?:" + "|".join(COLOUR_NAMES) + r")(?:\s+colou?r)?\W*$"
                               r"|^\W*(?:and|what about|how about)\s+(?:in\s+)?(?:a\s+|the\s+)?(?:" + "|".join(COLOUR_NAMES)
                               + r")(?:\s+ones?)?\W*$"),
               re.compile(r"\bcomes\s+in\s+\d+\s+colou?rs\b|\bcolou?r:", re.IGNORECASE),
               # (the colour named asks which, not what: "color" itself still answers "what colors
               # does it come in?" by "color: navy blue" when no other colours are sold)
               frame=frozenset(content_words(" ".join(COLOUR_NAMES) + " come comes available"))),
    # "is it good for winter?", "warm enough for the snow?": how warm it keeps, which its
    # temperature rating says ("how warm is it?" found it by meaning, these said "I don't know";
    # so did "is it good for summer?", "too hot in summer?" of a sleeping bag)
    AnswerType("warmth", _asks(r"\b(?:winter|snow\w*|freezing|below\s+(?:zero|freezing)|cold(?:er|est)?|"
                               r"warm(?:er|est|th)?|chilly|frost\w*|summer|too\s+hot|hot\s+(?:weather|nights?))\b"),
               # (a temperature: "rated to 5000 mm" is a tent fly's waterproofing)
               re.compile(r"-?\d+(?:\.\d+)?\s*°\s*[cf]\b|\btemperature\s+rating\b"
                          r"|\brated\s+(?:to|for)\s+(?:freezing|zero)\b", re.IGNORECASE)),
    # "how fast is it?", "does it charge fast?": a charger's or blender's wattage ("how fast is
    # it?" on a cable's page got its length); not how fast shipping is
    AnswerType("speed", _asks(r"^(?!.*\b(?:ship\w*|deliver\w*|arriv\w*|refund\w*)\b).*"
                              r"(?:\bhow\s+(?:fast|quick(?:ly)?)\b|\bfast(?:er|est)?\s+charg\w*"
                              r"|\bcharg\w*\s+(?:fast|quick)\w*"
                              # ("is the X Charger, Silver fast?", "is it quick?")
                              r"|^\W*(?:is|are)\b[^?.!]*\b(?:fast|quick)\W*$)"),
               re.compile(r"\b\d+(?:\.\d+)?\s*W\b|\bwattage\b"),
               frame=frozenset(content_words("fast faster fastest quick quickly charge charges charging speed"))),
    # "what if it rains?", "can I swim with it?": how it keeps water out, which its waterproof
    # rating or water resistance says ("what if it rains?" on a tent's page said "I don't know")
    AnswerType("water", _asks(r"\b(?:rain\w*|wet|downpours?|storms?|swim\w*|shower\w*|splash\w*|waterproof\w*)\b"),
               re.compile(r"\bwaterproof\b|\bwater[- ]resist\w*|\bwater[- ]repell\w*|\bIPX?\d", re.IGNORECASE)),
    # "is it good for hiking?", "is it easy to carry?": how heavy it is, which its weight says
    # (of a tent: "I don't know"; "which is better for travel?" of two is the lighter,
    # rag.textutil.FOR_CARRYING)
    AnswerType("carrying", _asks(GOOD_FOR_CARRYING.pattern),
               re.compile(r"\bweight\s*:|\b\d+(?:\.\d+)?\s*(?:kg|g|lbs?|oz)\b", re.IGNORECASE),
               frame=frozenset(content_words("good okay suitable great fine ideal right light enough heavy travel "
                                             "traveling travelling hiking hike hikes backpacking trekking commuting "
                                             "commute carrying carry easy hard portable trip flight"))),
    # who makes a product, as the graph states it
    # ("who makes it?" on the product's page asks nothing but who: the frame)
    AnswerType("maker", _asks(r"\b(?:what|which)\s+(?:brand|make|company|manufacturer)\b"
                              r"|\bwho\s+(?:makes|made|manufactures|produces)\b"), MAKER_FACT,
               frame=frozenset(content_words("make makes made manufactures manufacturer produces brand company"))),
    # "what kind of coffee maker is this?": its type ("material: stainless steel" was quoted,
    # for "coffee maker" in its name)
    AnswerType("kind", _asks(r"^\W*(?:and\s+|so\s+)?what\s+(?:kind|type|sort)\s+(?:of\s+[a-z -]{1,30}?\s+)?(?:is|are)\s+"
                             r"(?:it|this|that|they|these|those)(?:\s+one)?\W*$"),
               re.compile(r"\btype\s*:|\b\d-season\b", re.IGNORECASE), frame=frozenset(content_words("kind type sort"))),
    # whether two products go together, as the graph states it (or states that it does not)
    # ("will X fit my Y?", "does it fit the Y?": a thing fitted, not "fit in a backpack")
    AnswerType("compatibility", _asks(r"\b(?:work|works|fit|fits|go|goes)\s+(?:with|on)\b|\bcompatib"
                                      r"|\bfits?\s+(?:my|the|your|this|that|a|an)\s+(?!\w+\s+(?:bag|backpack|pocket|car|trunk|suitcase|box)\b)"
                                      # "what charger do I need for this phone?" (it quoted the phone's SKU)
                                      r"|\b(?:need|use|get|buy|want)\s+(?:(?:a|an|some|the|new)\s+)?(?:[a-z]+\s+){0,2}?for\s+"
                                      r"(?:my|the|this|that|it)\b"
                                      # "what phone is it for?" on a case's page (it quoted the price)
                                      rf"|{ASKS_WHAT_IT_FITS.pattern}"
                                      # "what phone should I get?" there (the same)
                                      r"|^\W*(?:what|which)\s+(?:[a-z-]+\s+){1,3}?(?:do\s+i\s+need|should\s+i\s+"
                                      r"(?:get|buy|use|pick|choose))\b"),
               COMPATIBILITY_FACT),
    # "any similar phones?", "got anything like this?": the graph's look-alikes of the product
    # in focus, which name it alone ("any similar phones?" got the phones' listing, which says
    # "phone"; "got anything like this?" said "I don't know")
    AnswerType("similar", _asks(r"\b(?:similar|alike|alternatives?|comparable)\b"
                                r"|\blike\s+(?:this|it|that|these|those|the|my|your)\b"),
               SIMILAR_FACT, frame=frozenset(content_words("similar alike alternative alternatives comparable like"))),
)
_BY_NAME = {t.name: t for t in ANSWER_TYPES}
COMPATIBILITY, MAKER, REMEDY, WARMTH, COLOUR, SIMILAR, WATER, SPEED, SIZE, PRICE, MONEY, CARRYING = (
    _BY_NAME[n] for n in ("compatibility", "maker", "remedy", "warmth", "colour", "similar", "water", "speed", "size",
                          "price", "money", "carrying"))
#: Whether one thing is covered ("does it cover the zipper?", "is the strap covered?")
_ASKS_IF_COVERED = re.compile(r"\b(?:does|do|will|would)\s+(?:it|this|that|they|the\s+warranty)\s+cover\b"
                              r"|\b(?:is|are)\s+(?:the\s+|my\s+|its\s+)?[\w-]+(?:\s+[\w-]+)?\s+covered\b",
                              re.IGNORECASE)
#: What a rule says the store takes ("We accept Visa, ..."), not what it does not
_ACCEPTS = re.compile(r"^(?!.*\b(?:not|no|never)\b).*\baccept", re.IGNORECASE | re.DOTALL)
#: A part a rule says is covered ("Batteries are covered for 1 year"): the answer, first
_SAYS_COVERED = re.compile(r"^(?!.*\b(?:not|no|never)\b).*\b(?:is|are)\s+covered\b", re.IGNORECASE)
#: A period a rule states ("30-day returns", "a 2-year warranty")
_STATES_PERIOD = re.compile(r"\b\d+[- ](?:day|week|month|year)s?\b", re.IGNORECASE)
#: A question of how things differ ("what's the difference?", "how do they compare?")
_ASKS_DIFFERENCE = re.compile(r"\b(?:differen\w*|differ|compar\w*|vs\.?|versus"
                              # "I'm choosing between the X and the Y" said "I don't know"
                              r"|(?:choos\w*|decid\w*|torn|pick\w*)\s+between)\b", re.IGNORECASE)
#: Words of a question about getting a product: only such a question is answered by whether it
#: is in stock ("is it unlocked?" is not)
_ASKS_AVAILABILITY = re.compile(r"\b(?:stock|available|availability|buy|purchase|order|sold|pre-?order|back|"
                                r"get|have|has|sell|carry|left|ship|deliver\w*|when)\b", re.IGNORECASE)
#: How long charging takes ("how long to fully charge?"), which a runtime per charge does not
#: state ("These headphones play for up to 8 hours per charge" was the answer)
_ASKS_CHARGING_TIME = re.compile(r"\bhow\s+long\b.*\b(?:to|does\s+it\s+take\s+to|will\s+it\s+take\s+to)\s+"
                                 r"(?:fully\s+|full\s+)?(?:re)?charge\b|\bcharg(?:e|ing)\s+time\b", re.IGNORECASE)
_STATES_RUNTIME = re.compile(r"\bper\s+charge\b|\bbattery\s+life\b|\bon\s+(?:a\s+)?(?:single\s+|full\s+)?charge\b"
                             r"|\bplay(?:s|back)?\b|\blasts?\b|\bruntime\b", re.IGNORECASE)
_STATES_CHARGING_TIME = re.compile(r"\bcharg(?:e|es|ing)\s+(?:fully\s+)?in\b|\bcharg(?:e|ing)\s+time\b|\bto\s+(?:fully\s+)?charge\b",
                                   re.IGNORECASE)
#: A length, not a time ("1.5 m long", "length: 2 m")
_STATES_A_LENGTH = re.compile(r"\b\d+(?:\.\d+)?\s*(?:m|cm|mm|ft|feet|foot|in|inch(?:es)?|meters?|metres?)\b(?!\s*(?:in|of)\b)"
                              r"|\blength\s*:", re.IGNORECASE)
_CURRENCIES = frozenset("$€£")
_ANY_THING = content_words("anything something everything")
#: Praise that picks nothing a detail states ("which one is the best?"; rag.respond reads it too)
BEST_WORDS = frozenset(content_words("best better top"))
#: What the store offers a shopper whose purchase failed, or was the wrong one
REMEDIES = (REMEDY, _BY_NAME["wrong_pick"])
#: An exchange asked for, which a return rule answers as far as it goes: the sentence that
#: offers returns
EXCHANGE = _BY_NAME["exchange"]
_OFFERS_RETURNS = re.compile(r"\b\d+-day\s+returns\b|\bcan\s+be\s+returned\s+within\b", re.IGNORECASE)
#: An accident told, which what the warranty leaves out answers
ACCIDENT_DAMAGE = _BY_NAME["accident"]
#: All of a product's details
SPECS = _BY_NAME["specs"]
#: What the store accepts as payment
PAYMENT_METHOD = _BY_NAME["payment method"]
#: What a rule covers
COVERAGE = _BY_NAME["coverage"]
#: Answer types whose graph facts answer by naming the products alone, and those facts' sources.
NAMED_FACTS = {COMPATIBILITY: COMPATIBILITY_SOURCES, MAKER: frozenset({"product"}), SIMILAR: frozenset({"similar"})}


# How near in meaning one asked word and an attribute's key are when they name the same thing
# ("memory" and "ram" 0.73, "fabric" and "material" 0.76, "os" and "operating system" 0.85; not
# "rpm" and "speeds" 0.52, nor "volume" and "capacity" 0.53, whose "1.0 L" states it instead)
SAME_ATTRIBUTE_SIMILARITY = 0.7

# "Is the warranty transferable?", "are returns free?": a property asked of something.
_ASKS_A_PROPERTY = re.compile(r"^\W*(?:is|are|was|were)\s+(?:the|your|this|that|my|a|an|it|they)?\b", re.IGNORECASE)

# How near in meaning the property a question asks of a policy, which no item says, must be to
# a sentence of the policy for it to answer ("is the warranty transferable?": "transferable" is
# -0.06 from "The warranty does not cover accidental damage, ..."; the places and payment
# methods shoppers ask about, 0.23-0.45 from "We ship to the United States and Canada only" and
# "We accept Visa, ...", on 25 policy questions asked of the demo store)
UNSAID_SIMILARITY = 0.2

ASKED_VALUE = "<asked value>"  # stands in ScoredSentence.shared for a value of the asked type
#: stands in ScoredSentence.shared for a rule whose condition the asked amount or time meets: a
#: second sentence adds it when the first is a rule it fails ("is shipping free?" about an $8.99
#: charger: "free standard shipping on orders over $50", then "Orders under $50 ship for $5.99")
MEETS_CONDITION = "<meets condition>"

# An overview question ("tell me about the X": nothing asked beyond the subject) is answered by
# the description's first sentence, then the price: the lead each of their first sentences gets,
# and each counts as covering something the other does not.
OVERVIEW_SOURCES = {"brand": 0.4, "description": 0.3, "bullet": 0.2, "price": 0.1}
OVERVIEW_WORDS = frozenset(content_words("about describe details detail overview info information pls interested interest"))


def _without_its_name(sentence: str, evidence: Evidence) -> str:
    """A sentence that names its product by title and id ("Campfire Co Basecamp 190 Tent
    (p000106) costs $206.99 ..."), without the name, for the comparison by meaning: "what would
    you recommend for a beginner camper?" was near that tent by "Campfire" and "Basecamp" alone."""
    mark = f"({evidence.owner_id})" if evidence.owner_kind == "product" and evidence.owner_id else ""
    if not mark or mark not in sentence:
        return sentence
    return sentence.partition(mark)[2].strip() or sentence


def _a_kind_of(asked: frozenset[str], said: set[str]) -> bool:
    """A word asked for that names a kind of a thing a sentence says by ending in its name
    ("iphone" of "phone", "smartwatch" of "watch"): the listing of phones answers "do you sell
    iphones?", with the note that it cannot tell which are (rag.respond.NOT_SHOWN)."""
    return any(a != w and len(w) >= 4 and a.endswith(w) for a in asked for w in said)


# a pick by what shoppers think of it ("the best rated tent", "top rated", "best sellers",
# "the best reviews", "popular"), which no product detail says
_BY_OPINION = re.compile(r"\b(?:best|top|highest|most|better)[\s-]+(?:rated|reviewed|selling|sold|liked|loved)\b"
                         r"|\b(?:best|top)[\s-]+sellers?\b|\bbestsellers?\b|\b(?:best|most|top)\s+(?:reviews|ratings?)\b"
                         r"|\bpopular\b|\btrending\b", re.IGNORECASE)



def picked_by(question: str) -> str:
    """The superlatives a question picks one by ("the quietest" in "what's the quietest
    blender?", "quietest" in "quietest blender?", "easiest" in "which espresso machine is
    easiest to use?", "best rated"), as written; empty when it picks none."""
    found = [m.group(0) for m in [*superlatives(question, first_word=True), *_BY_OPINION.finditer(question)]]
    if not found and (m := WHICH_THING_IS_MOST.search(question)):
        found.append(m.group("most"))
    return " ".join(found)


def unasked_words(question: str, df: dict[str, int]) -> frozenset[str]:
    """Words of a request that do not say what it asks for (rag.understand.request): the verb
    that only says the store sells ("do you *offer* gift wrapping?" is not answered by "we
    offer 30-day returns"), and, when the head of what is asked for is in no item (`df`: in how
    many items each question word is), the words that narrow it and that items do hold: "gift"
    in "gift wrapping" is answered by no gift card FAQ, "coffee" in "coffee beans" by no coffee
    maker. (Narrowing words that no item holds match nothing anyway, and they carry the meaning
    that the comparison by meaning needs.) Nor do the words that name the store itself or the
    shopper's order (rag.textutil.self_reference_words), nor a verb that only frames what comes
    with a product (FRAME_VERBS) when the question asks about something."""
    self_reference = self_reference_words(question)
    if content_words(question) - FRAME_VERBS - self_reference:  # ("what does it come with?" asks just that)
        self_reference |= FRAME_VERBS
    thing = requested_thing(question)
    if thing is None:
        return frozenset(self_reference)
    ignored = set(TRADE_WORDS) | self_reference | content_words(" ".join(thing.generic))  # "products" in "apple products"
    head = content_words(thing.head)
    if thing.modifiers and head and not any(df.get(w, 0) for w in head):
        ignored |= {w for w in content_words(" ".join(thing.modifiers)) - head if df.get(w, 0)}
    return frozenset(ignored)


def _asked_faq(question: str, item: ContextItem | None) -> bool:
    """Not an FAQ, or one whose question the message asks (rag.textutil.asks_question)."""
    if item is None or item.evidence.source != "faq":
        return True
    m = _FAQ_QUESTION_TEXT.match(item.text)
    return m is None or asks_question(question, m.group(1))


#: Evidence the store writes (policies, FAQs), not product data or shoppers' text.
STORE_SOURCES = frozenset({"policy", "scoped_policy", "faq"})


def narrowed_listing(evidence: Evidence) -> bool:
    """A listing's summary under a constraint ("tents~listing~season:4-season"), not of all."""
    return bool(evidence.id.partition("~listing~")[2])


def _asks_of_kind(item: ContextItem | None, kind: set[str]) -> bool:
    """An FAQ whose own question asks about the policy's kind words the message shares ("Can I
    return in-ear headphones?" for "can I return headphones if I opened them?"; not "Do laptops
    come with a charger?", whose answer only says "ships", for "what are the shipping terms for
    the X laptop?")."""
    m = _FAQ_QUESTION_TEXT.match(item.text) if item is not None else None
    return m is not None and bool(content_words(m.group(1)) & kind)


def _member_of(evidence: Evidence, listings: set[str]) -> bool:
    """A product fact of one of these listings ("laptops~has~p000274" of "laptops~listing~...")."""
    owner, _, rest = evidence.id.partition("~")
    return evidence.source == "product" and evidence.kind == "graph_fact" and "~" in rest and owner in listings


def _is_faq(item: ContextItem | None) -> bool:
    return item is not None and item.evidence.source == "faq"


def _brands_own(evidence: Evidence) -> bool:
    """A brand's own description (a tagline: "Camping made easy"), not the graph's facts about it."""
    return evidence.owner_kind == "brand" and evidence.kind == "passage"


def _brand_named(evidence: Evidence, named: set[str]) -> bool:
    """Whether the turn names the brand whose description this is (its name's words are among
    the linked entities' names, `named`)."""
    words = content_words((evidence.owner_id or "").replace("-", " "))
    return bool(words) and words <= named


def _store_written(item: ContextItem | None) -> bool:
    """A policy or an FAQ: each sentence is a rule of the store's, written in prose. (Graph facts
    are chosen by what they state: "what's the difference between A and B?" is answered by the
    comparison's summary, which the colour row is closer to in meaning.)"""
    return item is not None and item.evidence.source in ("policy", "faq")


#: Words that ask what something costs, not which rate ("how much does shipping cost?")
_CHARGE_WORDS = frozenset(content_words("cost costs price prices fee fees charge charges pay"))
#: What the graph says of the row of the measure a comparison's comparative asks
#: (rag.retrieve.graph._extreme_asked): "(the biggest is X)", "(X has more)", "(the same for both)"
_VERDICT = re.compile(r"\((?:the\s+\w+\s+is\s|[^()]+\shas\s+(?:more|less|fewer|the\s)|the\s+same\s+for\s+(?:both|all)\))")
#: A question about which size to choose, not which size this one is ("what size should I
#: order?", "how do I determine my size?", "does it run small?"): a product's own size fact
#: ("size: medium") says which listing it is, and answers none of them
CHOOSES_A_SIZE = re.compile(
    r"\b(?:what|which)\s+size\s+(?:should|do|would|to|shall)\b|\b(?:determine|know|pick|choose|figure\s+out|find)\s+"
    r"(?:my|the|your|what|which|right)\s+size\b|\bruns?\s+(?:small|large|big|true)\b|\btrue\s+to\s+size\b"
    r"|\bsize\s+(?:up|down)\b|\bi\s+(?:normally|usually|typically)\s+wear\b", re.IGNORECASE)
#: A model or part code: letters and digits in one token of five or more ("rth6450d1009")
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9][\w-]{4,}\b", re.IGNORECASE)


def _codes(text: str) -> set[str]:
    """The model or part codes a text writes, compared without case and dashes (amounts with
    their unit, "256GB", are no codes)."""
    return {c.lower().replace("-", "") for c in _CODE.findall(text) if not is_quantity(c)}


def _names_another_code(asked: set[str], sentence: str) -> bool:
    """The question names a code and the sentence states another one only: "can it replace the
    rth6400d1000?" is not answered by "part number: rth6450d1009/a"."""
    stated = _codes(sentence)
    return bool(asked) and bool(stated) and not asked & stated


@lru_cache(maxsize=1024)
def answer_type(question: str) -> AnswerType | None:
    """The kind of value the question asks for, or None: the one its last clause asks, if any
    ("how long does shipping to Canada take, and how much?", a follow-up read with the question
    it follows, asks a price: it repeated the delivery time)."""
    last = question.rsplit(", ", 1)[-1] if ", " in question else ""
    return (next((t for t in ANSWER_TYPES if t.asks.search(last)), None) if last else None) or next(
        (t for t in ANSWER_TYPES if t.asks.search(question)), None)


MAX_WORDS = 45
#: The graph's facts are written to be quoted whole: a listing of three products with their
#: prices and stock, a product's accessories by kind.
GRAPH_FACT_MAX_WORDS = 90
#: How much a rule whose condition the question's amount or time meets gains.
CONDITION_WEIGHT = 0.5
_HEADING = re.compile(r"(?m)^\s*#{1,6}\s.*$")  # markdown headings name a topic, they answer nothing
_EMPHASIS = re.compile(r"\*\*|__|`")
_FAQ_MARKER = re.compile(r"^(?:Q|A|Question|Answer):\s*")  # FAQ passages read "Q: ... A: ..."
_FAQ_QUESTION = re.compile(r"^(?:Q|Question):\s")
_FAQ_QUESTION_TEXT = re.compile(r"^\s*(?:Q|Question):\s*(.+?)\s+(?:A|Answer):\s", re.DOTALL)



def _is_title(sentence: str, evidence: Evidence) -> bool:
    """A policy's title line ("Final sale", "Shipping"): it names the document and answers
    nothing ("do you sell tvs?" was answered "Final sale")."""
    return (evidence.source == "policy" and len(sentence.split()) <= 4
            and not sentence.rstrip().endswith((".", "!", "?", ":")))


def _for_whom(sentence: str, item: ContextItem | None) -> str:
    """A sentence of a policy for some products only, said with whom it applies to unless it
    names them ("Batteries are covered for 1 year" -> "For Electronics: Batteries are ..."):
    quoted alone it would read as the store's rule for everything."""
    whom = item.evidence.applies_to if item is not None else None
    if not whom or content_words(whom) <= content_words(sentence):
        return sentence
    if whom == STORE_WIDE:  # a broader policy given because the narrower one is silent
        return f"Store-wide: {sentence}"
    return f"For {whom}: {sentence}"


# a sentence that names its subject only by a pronoun ("They never expire.")
_STARTS_WITH_PRONOUN = re.compile(r"^\W*(?:they|it|these|those|this|that)\b(?!\s+(?:product|item|store)\b)", re.IGNORECASE)


def _antecedent(sentence: str, item: ContextItem | None, question: str) -> str | None:
    """The sentence before `sentence` in its item when `sentence` starts with a pronoun and the
    store wrote it (a policy or FAQ): "Digital gift cards from $10 to $500." before "They never
    expire." (quoted alone for "do gift cards expire?"). An FAQ's "Yes," or "No," answers the
    FAQ's own question, so it is left out unless the shopper asked that question: "do gift cards
    expire?" got "Yes, digital gift cards ...", read as "yes, they expire"."""
    if item is None or item.evidence.source not in STORE_SOURCES or not _STARTS_WITH_PRONOUN.match(sentence):
        return None
    said = [x for x in split_sentences(_HEADING.sub("", item.text))
            if not _FAQ_QUESTION.match(x) and not is_instruction_like(x) and not _is_title(x, item.evidence)]
    at = next((i for i, x in enumerate(said) if x.strip() == sentence.strip()), None)
    if not at:
        return None
    before = said[at - 1]
    asked = _FAQ_QUESTION_TEXT.match(item.text)
    if (item.evidence.source != "faq" or asked is None or asks_only(question, asked.group(1))
            or not (reply := _YES_OR_NO_LEAD.match(_FAQ_MARKER.sub("", before)))):
        return before
    rest = _FAQ_MARKER.sub("", before)[reply.end():]
    return rest[:1].upper() + rest[1:]


# an FAQ answer's leading "Yes," or "No," (its own question's answer)
_YES_OR_NO_LEAD = re.compile(r"^\s*(?:yes|no)\b[,.;:!]?\s*(?=\w)", re.IGNORECASE)


_ONLY_A_CONDITION = re.compile(r"^\s*(?:only\s+)?(?:if|when|unless|as\s+long\s+as|provided)\b", re.IGNORECASE)


def _without_its_reply(sentence: str, item: ContextItem | None, question: str) -> str:
    """An FAQ's answer quoted for another question, less its leading "Yes," or "No,": "can I
    use gift cards online?" got "Yes, digital gift cards from $10 to $500" (the "Yes" of "Do you
    sell gift cards?"), read as "yes, online too" (`_antecedent` does the same for the sentence
    before a pronoun)."""
    bare = _FAQ_MARKER.sub("", sentence)
    if item is None or item.evidence.source != "faq" or not (reply := _YES_OR_NO_LEAD.match(bare)):
        return sentence
    asked = _FAQ_QUESTION_TEXT.match(item.text)
    rest = bare[reply.end():]
    beyond = (content_words(question) - content_words(item.text) - self_reference_words(question) - FRAME_VERBS
              - REQUEST_WORDS)
    if asked is None or asks_only(question, asked.group(1)) or not beyond or _ONLY_A_CONDITION.match(rest):
        # (not when all it asks the FAQ says: "does it come with a charger?" of a laptop ->
        # "Yes, every laptop ships with a USB-C charger"; nor a condition alone, which is no
        # sentence: "Yes, if the ear tips are unopened and sealed")
        return sentence
    return rest[:1].upper() + rest[1:]


# "what's the screen size in cm?", "how many pounds is it?": a unit of length, weight or volume
# asked for by name (not "in" itself, nor one letter)
_ASKED_UNIT = re.compile(r"\b(?:in|into)\s+(?P<unit>[a-z]{2,})\b|\bhow\s+many\s+(?P<many>[a-z]{2,})\b", re.IGNORECASE)
_MEASURED = re.compile(r"(?<![\w.])(?P<value>-?\d+(?:\.\d+)?)\s?(?P<unit>°\s?[a-zA-Z]|[a-zA-Z]+)\b")


def asked_unit(question: str) -> str | None:
    """The unit a question asks a measure in ("lb" for "how much does it weigh in pounds?",
    "°f" for "what's it rated to in fahrenheit?"), when it is one `rag.units.convert` converts."""
    for m in _ASKED_UNIT.finditer(question or ""):
        name = canonical(m.group("unit") or m.group("many"))
        # (not cups: "how many cups does it make?" counts coffee cups, not 237 ml ones)
        if name and name not in ("in", "cup") and any(convert(1.0, name, base) is not None
                                                      for base in ("m", "kg", "l", "°c")):
            return name
    return None


def with_converted(sentence: str, unit: str) -> str:
    """`sentence` with each measure of the asked unit's kind also given in that unit: "weight:
    1.77 kg" -> "weight: 1.77 kg (3.9 lb)" (it answered in kg alone), each product of a listing
    likewise. Unchanged when the sentence gives one in that unit already."""
    found = [(m, canonical(m.group("unit").replace(" ", ""))) for m in _MEASURED.finditer(sentence)]
    if any(stored == unit for _, stored in found):
        return sentence
    written = unit.upper() if unit.startswith("°") else unit  # ("°F", as the catalog writes "°C")
    out, at = [], 0
    for m, stored in found:
        value = convert(float(m.group("value")), stored, unit) if stored else None
        if value is not None:
            out += [sentence[at:m.end()], f" ({shown(value)} {written})"]
            at = m.end()
    return "".join(out) + sentence[at:]


def _shorten(sentence: str, max_words: int = MAX_WORDS) -> str:
    """The sentence as quoted: markup and FAQ markers out, at most `max_words` words, and an
    upper-case start when its first word is all lower case (reviews often are), so that the
    quoted sentences of an answer split back apart at their boundaries
    (rag.textutil.split_sentences) when it is checked."""
    sentence = _FAQ_MARKER.sub("", _EMPHASIS.sub("", sentence))
    words = sentence.split()
    if len(words) > max_words:
        sentence = " ".join(words[:max_words]).rstrip(" .;:,") + " …"
    return capitalized(sentence.rstrip(" .;:,"))


_NEGATED = re.compile(r"\bun([a-z]{4,})\b", re.IGNORECASE)


def with_negated(sentence: str, words: set[str]) -> set[str]:
    """A sentence's words and those its "un-" words negate: "Items must be unused" speaks to
    "can I return it if it's used?" (it got "Return shipping is free for defective items")."""
    found = _NEGATED.findall(sentence)
    return words | content_words(" ".join(found)) if found else words


#: Words that time a case put to a rule, not what it is ("what if I *already* opened it?")
_CASE_ADVERBS = content_words("already just still ever even really only accidentally actually maybe")


def _mentioned(word: str, said: set[str]) -> bool:
    """The word, or one it begins or that begins it (both of 3 letters or more): stems of
    one family that the stemmer leaves apart ("pay", "payment")."""
    return word in said or (len(word) >= 3 and any(len(w) >= 3 and (w.startswith(word) or word.startswith(w))
                                                   for w in said))


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        max_sentences: int = 2,
        max_items: int = 12,
        min_similarity: float = 0.35,
        min_similarity_store: float = 0.45,
        second_ratio: float = 0.5,
        tie_margin: float = 0.1,
        tie_top: int = 6,
        tie_weight: float = 0.5,
    ):
        self.encoder = encoder
        self._sentence_vectors = CachedTextEncoder(encoder) if encoder is not None else None
        self.max_sentences = max_sentences
        self.max_items = max_items
        self.min_similarity = min_similarity
        self.min_similarity_store = min_similarity_store
        self.second_ratio = second_ratio
        self.tie_margin, self.tie_top, self.tie_weight = tie_margin, tie_top, tie_weight

    def score(self, question: str, context: Context, question_vector: np.ndarray | None = None) -> list[ScoredSentence]:
        """Every quotable sentence of the first `max_items` evidence items, best first.
        `question_vector`: the encoder's embedding of `question`, when the caller has it."""
        items = context.items[: self.max_items]
        if not items:
            return []
        written = self.as_written(question, context)
        if written != question:  # "do you take Amex?" read as "... American Express?"
            question, question_vector = written, None
        q_words = content_words(question) - GENERIC_WORDS
        raw_words = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}  # (as written: "sale", "card")
        money_asked = {v for v, u in numbers(question) if u in _CURRENCIES}
        item_words = [with_negated(item.text, content_words(item.text)) for item in items]
        n = len(items)
        df = {w: sum(w in ws for ws in item_words) for w in q_words}
        # (a thing the turn names is there even when no item spells it that way: "any similar
        # watches?" on a smartwatch's page asks for similar ones, "similar" is no mere modifier)
        named_here = named_words(context)
        ignored = unasked_words(question, {w: c or int(w in named_here) for w, c in df.items()})
        q_words -= ignored
        idf = {w: math.log(1 + n / df[w]) if df[w] else 0.0 for w in q_words}
        wanted = answer_type(question)
        type_weight = (max(idf.values(), default=0.0) or math.log(2)) if wanted else 0.0
        q_norm = (sum(idf.values()) + type_weight) or 1.0
        topic, named = topic_words(context), named_here
        # what the question asks about beyond naming its subject and making a request; when
        # nothing is left ("recommend something like the X100", "tell me about the X100"),
        # sharing any word with the question is enough
        asked = q_words - topic - REQUEST_WORDS
        # nothing asked and no request beyond "tell me about / describe": an overview (never a
        # pick, whose word the listing's items share: "and the lightest?" after a tent listing
        # took a laptop's "weighs 1.21 kg" as the overview's description)
        overview = not asked and q_words & REQUEST_WORDS <= OVERVIEW_WORDS and not has_superlative(question)
        # (nor a yes/no question of a word its name holds: "is it wireless?" of the X Wireless
        # Headphones was answered with its price)
        overview = overview and not (is_yes_no_question(question) and q_words - OVERVIEW_WORDS - PRAISE_WORDS)
        # (not words the context merely repeats: "what is the weight of this cajon?" asks something,
        # nor a question that asks for a value: "how much is it?" is no overview)
        only_names = overview and wanted is None and q_words <= named | OVERVIEW_WORDS
        specific = {w for w in asked if df[w] > 0} if asked else set(q_words)
        # what the question asks that no item says ("transferable" in "is the warranty
        # transferable?"), as the shopper wrote it
        unsaid = " ".join(t for t in question.split() if content_words(t) & (asked - specific)) if asked else ""
        asks_a_property = bool(_ASKS_A_PROPERTY.match(question))
        if asked and not specific and q_words & REQUEST_WORDS:
            # a request about its subject whose other words are in no item ("recommend a phone
            # like the X" over facts that say "smartphone"): any shared word but one that only
            # says the store sells ("do you sell tvs?" is not answered by "Do you sell gift
            # cards? Yes, ..."; "what's the difference with other ...?" may match "other")
            specific = q_words - TRADE_WORDS
        elif asked and not specific:
            # what the question adds is nowhere in the context, but the words every item repeats
            # may be what it asks: "smartwatches with the longest battery life" over a listing
            # that gives each watch's battery life. Names never count: the linked ones, and
            # words written capitalized or with digits ("is the NutriMix Blend 850 certified
            # for space?" is not answered by the blender's price), but not an amount with its
            # unit ("which laptops have 16GB of RAM?" over a listing that gives each one's 16 GB)
            written_as_names = content_words(" ".join(
                t for t in question.split() if (t[:1].isupper() or any(c.isdigit() for c in t))
                and not is_quantity(t)))
            specific = {w for w in q_words - named - written_as_names - REQUEST_WORDS if df[w] > 0}

        periods = set(NAMED_PERIOD.findall(question.lower()))
        # (all its details asked for name no one of them: "what features does it have?")
        attribute = asked_attribute(question, named) if wanted is not SPECS else None
        feature = asked_feature(question, named) if wanted is not SPECS else None
        codes = _codes(question)
        chooses_a_size = bool(CHOOSES_A_SIZE.search(question))
        binding = {rank for rank, item in enumerate(items) if is_applicable_policy(item.evidence)}
        quantities = AskedQuantities.of(question)
        if binding and ASKS_COST.search(question):
            # (a policy's money condition is met or not by the product's own price: "how much
            # is shipping for it?"; "does it ship fast?" asks for no amount)
            quantities = quantities.or_order_of([i.text for i in items if i.evidence.source == "price"])
        # a policy fact reads "<title>: <body>": "Returns and refunds: ...", "Crema shipping: ..."
        on_kind = {rank for rank in binding
                   if (content_words(items[rank].text.partition(":")[0]) - named) & q_words}
        kinds = set().union(*(content_words(items[rank].text.partition(":")[0]) - named for rank in binding))
        # (rank, number, position in item, sentence, words)
        candidates: list[tuple[int, int, int, str, set[str]]] = []
        faq_asks: dict[int, set[str]] = {}  # rank -> the words of the FAQ question the item answers
        for rank, item in enumerate(items):
            position = 0
            asks: set[str] = set()  # the words of the FAQ question this item answers
            for sentence in split_sentences(_HEADING.sub("", item.text)):
                if is_instruction_like(sentence) or _is_title(sentence, item.evidence):
                    continue
                words = with_negated(sentence, content_words(sentence))
                if money_asked:
                    # an amount of money asked is matched by money only: "anything under $20?"
                    # got "A 20 W wall charger"
                    words -= money_asked - {v for v, u in numbers(sentence) if u in _CURRENCIES}
                if _FAQ_QUESTION.match(sentence):
                    # an FAQ's question says what its answer is about, and is no answer itself
                    asks |= words
                    continue
                if words:
                    candidates.append((rank, item.number, position, sentence, words | asks))
                    position += 1
            if asks and item.evidence.source == "faq":  # (a community answer's question is a shopper's)
                faq_asks[rank] = asks
        if not candidates:
            return []

        # words that say what kind of value is asked ("made" in "where is it made?") answer nothing
        frame = wanted.frame if wanted is not None else frozenset()
        value_required = wanted is not None and wanted.value_required
        similarities = [0.0] * len(candidates)
        lexical_hit = any((c[4] - frame) & q_words & specific for c in candidates)
        # a yes/no question of a word of the product's own name ("is it wireless?" of the X
        # Wireless Headphones): every fact shares it by the name, and the one nearest to it in
        # meaning once the name is left out answers ("connectivity: Bluetooth 5.3"; it quoted
        # the price, the first fact)
        # (one word: "does the latch come in white?" of the X Latch Assembly, White names it)
        asks_its_name = not asked and not overview and len(q_words) == 1 and q_words <= named and is_yes_no_question(question)
        # (not for an amount of money alone: "anything under $20?" is near "Finished in silver")
        if self.encoder is not None and q_words - money_asked - _ANY_THING and (not lexical_hit or asks_its_name):
            # semantic relevance only when the words found nothing: keeps the common path fast
            # a shared product name would inflate every similarity
            # (evidence sentences recur across answers: their vectors come from a cache)
            # (nor the request's own words: "do you sell tvs?" is near "this product is sold as
            # final sale" by "sell" alone)
            asked_text = without_words(question, ((topic | REQUEST_WORDS | ignored) - q_words) if asks_its_name
                                       else topic | REQUEST_WORDS | ignored)
            reuse = question_vector is not None and asked_text == question
            q = np.asarray(question_vector) if reuse else self.encoder.encode([asked_text])[0]
            vectors = self._sentence_vectors.encode([without_words(_without_its_name(c[3], items[c[0]].evidence), topic)
                                                     for c in candidates])
            similarities = [float(v) for v in vectors @ q]

        # how much of each item is about the question: a policy about shipping beats a returns
        # policy that mentions delivery once
        per_item: dict[int, list[bool]] = {}
        for rank, _, _, _, words in candidates:
            per_item.setdefault(rank, []).append(bool(words & q_words))
        topical = {rank: sum(hits) / len(hits) for rank, hits in per_item.items()}

        # a listing answers a request for its kind of thing (only a request for a thing: "how
        # do I use the coffee maker?" is not answered by the coffee makers' listing); when the
        # request narrows the thing by what no item shows ("waterproof" in "I need waterproof
        # headphones"), the reply says so before it (`unmentioned`, rag.respond.NOT_SHOWN)
        # (a search typed as in a shop's search box asks for a thing too: "sleeping bag for
        # winter" -> "Sleeping bags (temperature rating, lowest first): ..."; one of all
        # sleeping bags, after saying that it does not show which, `unmentioned`)
        thing = requested_thing(question)
        thing_head = content_words(thing.head) if thing is not None else frozenset()
        searched = thing is None and is_search(question)
        # (or what to get: "and a tent?" after "I'm going camping in winter, what do I need?",
        # asked again about tents, said "I don't know" to the listing of tents)
        # (and so does a pick from a kind: "what's the quietest blender?" said "I don't know",
        # while "quietest blender?", a search, got the blenders and that it cannot tell which)
        asks_for_a_thing = thing is not None or searched or asks_what_to_get(question) or bool(picked_by(question))
        choosing = asks_which_to_choose(question)
        # (by a detail, not praise alone: "which one is the best?" is no pick the listing shows)
        picks_among = bool(content_words(picked_by(question)) - PRAISE_WORDS - BEST_WORDS) and thing is None
        comparing = measured_comparative(question) is not None or compared_amount(question) is not None

        scored = []
        ranks = [c[0] for c in candidates]
        for (rank, number, position, sentence, words), sim in zip(candidates, similarities, strict=True):
            shared = q_words & words
            # (a value inside a linked name is not one: "Boost 210" holds no count)
            typed = wanted is not None and bool(wanted.value.search(without_words(sentence, named)))
            lexical = (sum(idf[w] for w in shared) + type_weight * typed) / q_norm
            if only_names:
                # a question that only names its subject asks for an overview: how many words of
                # the product's full name a sentence repeats ("..., Forest Green costs $248.99")
                # says nothing about which sentence describes it
                lexical = 1.0 if shared else 0.0
            # a value of the asked kind, or a sentence of the policy the graph resolved for the
            # question's kind, answers it even when the only word it shares is the topic ("3-5
            # business days" for "how long does shipping take?"; the shipping policy for "what
            # are the shipping terms?"), but not when that word is the product's name ("how
            # many units of the X were sold?" is not answered by "X: capacity 2.0 L")
            beyond_name = bool(shared - named)
            names_suffice = (typed and wanted in NAMED_FACTS and bool(shared)
                             and items[rank].evidence.source in NAMED_FACTS[wanted])
            # (the store's own rules need more: they are few and short, and each is near any
            # question about money or time: "is there a student discount?" is not answered by
            # "Orders under $50 ship for $5.99" at 0.36)
            # (not the policy the graph resolved for the question's kind: "how can I pay?" is
            # answered by the payment policy)
            # (nor a brand's tagline: "what's on sale?" got Ridgeline's "Ultralight packs and bags")
            written = items[rank].evidence.source in STORE_SOURCES or _brands_own(items[rank].evidence)
            cut = self.min_similarity_store if written and rank not in binding else self.min_similarity
            # (not a sentence near in meaning by a word of a name it holds: "what's on sale?" is
            # no question about "final sale", close at 0.45)
            by_meaning = (sim >= cut and (typed or not value_required)
                          and not (compound_words(sentence) & raw_words - compound_words(question)))
            # a question of no words but its value's kind ("how much is it?" on a product's
            # page) is answered by a value of that kind
            # (a remedy in the policy that applies answers a failure: "my headphones stopped
            # working" -> "All electronics carry a 2-year warranty covering defects"; a listing
            # the plan put first answers the request it was read for when it shares a word
            # with it: "I need a gift for someone who likes coffee" -> the coffee makers)
            # (and a listing the graph narrowed for the turn answers it, even one of no products:
            # "which of those is under $300?" after the laptops with 64 GB got a 300 W blender's
            # description before "No laptops (ram: 64 GB or more) at $300.00 or less")
            lists_the_thing = rank == 0 and items[rank].evidence.source == "listing" and (
                (asks_for_a_thing and (bool(shared) or _a_kind_of(thing_head, words)))
                or narrowed_listing(items[rank].evidence)
                # (a pick among what was listed, by what no detail states: "which is the best
                # seller?" after the coffee makers quoted one of them's price, near in meaning;
                # the listing, which rag.respond says cannot tell)
                or (picks_among and not shared))
            # "which one would you recommend?" after a comparison: how they differ (the store
            # states facts, not preferences; rag.respond.DEPENDS says so)
            # (so does "what's the difference?" after "compare A and B": "I don't know")
            shows_the_differences = ((choosing or bool(_ASKS_DIFFERENCE.search(question)))
                                     and items[rank].evidence.id.endswith("#differences"))
            # (the link the graph read first answers which products it goes with, even when the
            # only word it shares is the product's own: "which phones does it fit?" of a phone case)
            # (or none: "does it work with my phone?" over "... is compatible with the Zenfone
            # ... Smartphone"; what it names that no link does, the reply says, rag.respond.NOT_LINKED)
            links_it = (wanted is COMPATIBILITY and rank == 0 and typed
                        and items[rank].evidence.source in COMPATIBILITY_SOURCES)
            relevant = (bool((shared - frame) & specific) or (beyond_name and (typed or rank in binding)) or links_it
                        # (the product named asks nothing either: "can I preorder the X?")
                        or names_suffice or by_meaning or (typed and not q_words - frame - named)
                        # (nor does the price bound: "is it under $500?" -> its price)
                        or (typed and wanted is PRICE and not {w for w in q_words - frame - named
                                                                if not w.replace(".", "").replace(",", "").isdigit()})
                        or (typed and wanted in REMEDIES and rank in binding) or lists_the_thing or shows_the_differences
                        # (what the payment rule accepts answers any way to pay asked of: "can I
                        # pay with klarna?", which it does not name, rag.respond says)
                        or (typed and wanted is PAYMENT_METHOD and rank in binding)
                        # (the rule that says what can be returned answers an exchange asked of
                        # a kind or a product, rag.respond saying it names none; asked of the
                        # store, the products' own rules that speak of exchanges do)
                        or (wanted is EXCHANGE and rank in binding and _OFFERS_RETURNS.search(sentence)
                            and not any(i.evidence.source == "scoped_policy" for i in items))
                        # (a product's rating answers how warm it keeps: "is it good for winter?"; its
                        # colours whether it comes in one: "do you have the X in silver?")
                        or (typed and wanted in (WARMTH, WATER, SPEED, SIZE, CARRYING)
                            and items[rank].evidence.source in ("attribute", "description"))
                        or (typed and wanted is COLOUR and items[rank].evidence.source in ("attribute", "variants"))
                        # (and its look-alikes whether it has any: "got anything like this?")
                        or (typed and wanted is SIMILAR and items[rank].evidence.source == "similar"))
            if (relevant and unsaid and asks_a_property and (rank in binding or items[rank].evidence.source in STORE_SOURCES)
                    and not typed and not (content_words(sentence) & q_words) - kinds - named
                    and self._similarity(unsaid, sentence) < UNSAID_SIMILARITY):
                # the store's rules, by their kind alone, say nothing of the property asked of
                # them: "is the warranty transferable?" got "The warranty does not cover
                # accidental damage, ...", and an FAQ answers by its answer's words, not its
                # question's ("is the warranty valid internationally?" is not answered by "Do you
                # ship internationally? We ship to the United States and Canada only"). Only that
                # frame: what other questions add beyond the kind is as often how they say it
                # ("does it come with a warranty?", "can I return it if it doesn't fit?"), which
                # no rule states and the policy answers.
                relevant = False
            if (relevant and items[rank].evidence.source == "availability" and not (shared - named)
                    and not _ASKS_AVAILABILITY.search(question)):
                # whether it is in stock answers a question of buying it, not "is it unlocked?"
                # (near "is in stock" in meaning alone)
                relevant = False
            if relevant and rank in faq_asks and not (shared - frame) & faq_asks[rank] and not by_meaning:
                # an FAQ answers its own question: "Use the tracking link ..." answers how to
                # track an order, not "can I use it on a plane?" by the word "use"
                relevant = False
            # the row of the measure a comparative asks, which says which has the most of it,
            # answers it: "which one has the bigger jar?" quoted the jar material row (it says
            # "jar"), not the capacity row ("the biggest is ...")
            verdict = (comparing and items[rank].evidence.source == "comparison"
                       and not items[rank].evidence.id.endswith("#price") and bool(_VERDICT.search(sentence)))
            relevant = relevant or verdict
            if (relevant and attribute and not verdict and not (typed and attribute <= frame)
                    and not self._states_attribute(attribute, sentence, items[rank].evidence)):
                # "what is the refresh rate of the X?" is not answered by its "screen size: 16 in"
                # (an attribute named by the kind of value asked is one: "what connectors does
                # it have?" by "connectivity: Bluetooth 5.3, 3.5 mm jack")
                relevant = False
            if (relevant and feature and items[rank].evidence.source in ("attribute", "description")
                    and (not self._states_attribute(feature, sentence, items[rank].evidence)
                         or names_another_kind(question, sentence))):
                # "does it have a mic?" is not answered by "noise cancelling: no", near it in
                # meaning alone; nor "does it have a water bottle pocket?" by "waterproof: yes",
                # which says another of its words; nor "does it have an HDMI port?" by "charging
                # port: USB-C", another kind of port
                relevant = False
            if (relevant and _ASKS_CHARGING_TIME.search(question)
                    and (_STATES_RUNTIME.search(sentence) or _STATES_A_LENGTH.search(sentence))
                    and not _STATES_CHARGING_TIME.search(sentence)):
                # how long it runs on a charge is not how long it takes to charge, nor is how long
                # its cable is ("how long does it take to charge a phone?": "The cable is 1.5 m long")
                relevant = False
            if relevant and items[rank].evidence.source == "attribute" and (
                    _names_another_code(codes, sentence)
                    or (chooses_a_size and items[rank].evidence.id.endswith("#attr:size"))):
                # another part's code answers nothing of the one asked about; nor does the
                # listing's own size ("size: medium") say which size to order
                relevant = False
            if (relevant and thing is not None and thing.trade and items[rank].evidence.owner_kind == "product"
                    and any(i.evidence.id == STORE_RANGE_ID for i in items)):
                # whether the store sells a thing none of its kinds is (the graph gave its range):
                # a product that mentions it is not one ("do you sell cameras?" quoted phones'
                # "108 MP main camera", and then asked which product was meant)
                relevant = False
            if relevant and _brands_own(items[rank].evidence) and not _brand_named(items[rank].evidence, named):
                # a brand's tagline speaks of the brand: "what would you recommend for a beginner
                # camper?" got Campfire Co's "Camping made easy"
                relevant = False
            # overlap and similarity dominate; ties go to topical items, then to a passage's
            # earlier sentences (policies lead with the rule, details follow), then to
            # better-ranked items
            score = lexical + sim + 0.1 * topical[rank] - 0.01 * position - 0.005 * rank
            if shows_the_differences:
                score += 1.0
            if verdict:  # (before the rows that share the measure's noun: "jar material")
                score += 2.0
            if lists_the_thing and (not lexical_hit or narrowed_listing(items[rank].evidence)):
                # what a request asks for is listed: a product's fact near it in meaning only is
                # no better answer ("I want a blender for smoothies" got one blender's price,
                # near "smoothies" by its name, NutriMix); nor is one that meets the amount the
                # listing was narrowed by for the turn ("my budget is around 100" after blenders
                # got "A 100 W power bank")
                score += 1.0 + (CONDITION_WEIGHT if narrowed_listing(items[rank].evidence) else 0.0)
            # a rule whose condition the asked amount or time meets answers before one it
            # fails: "how much is shipping for a $30 order?" -> "Orders under $50 ship for
            # $5.99"; "stopped working after 2 months" -> the 2-year warranty, not 30-day returns
            # (one it fails is not set back: "can I return headphones after 2 months?" is
            # answered by the 30-day rule it fails, a no)
            meets = bool(quantities) and quantities.met_by(sentence) is True
            if meets:
                score += CONDITION_WEIGHT
            # the asked quantity is one more thing a second sentence can add
            covers = shared | {ASKED_VALUE} if typed else shared
            if meets:
                covers = covers | {MEETS_CONDITION}
            if typed and wanted is COLOUR and items[rank].evidence.source == "variants":
                score += CONDITION_WEIGHT  # the colours its model comes in, before the one it has
            # a period named as the rule writes it ("which products have a 5-year warranty?":
            # Orbis's, not only the store's 1-year one, which shares "year" as much)
            named_period = next((p for p in periods if p in sentence.lower()), None)
            if named_period is not None:
                score += CONDITION_WEIGHT
                covers = covers | {named_period}
            source = items[rank].evidence.source
            if overview and source in OVERVIEW_SOURCES:
                # "tell me about the X" asks for an overview: what the product is (its
                # description's first sentence), then what it costs
                score += OVERVIEW_SOURCES[source] if position == 0 else 0.0
                covers = covers | {f"<{source}>"}
            scored.append(ScoredSentence(number, sentence, score, relevant, frozenset(covers), rank in binding,
                                         rank in on_kind))
        # one product of a listing does not lead the listing that names it with the others
        # ("what laptops do you have under $1000?" got one laptop's price, which meets the bound,
        # before the laptops at $1,000 or less)
        listings = {items[rank].evidence.id.partition("~listing~")[0] for rank, s in zip(ranks, scored, strict=True)
                    if s.relevant and items[rank].evidence.source == "listing"}
        if listings:
            scored = [replace(s, score=s.score - 1.0) if _member_of(items[rank].evidence, listings) else s
                      for rank, s in zip(ranks, scored, strict=True)]
        scored.sort(key=lambda s: -s.score)
        if self.encoder is not None and lexical_hit:
            scored = self._break_ties_by_meaning(question, question_vector, scored, context)
        return scored

    def _similarity(self, text: str, sentence: str) -> float:
        """Cosine of the two texts' vectors (both cached)."""
        if self._sentence_vectors is None:
            return 1.0  # (without an encoder, words alone decide)
        a, b = self._sentence_vectors.encode([text, sentence])
        return float(a @ b)

    def misses_asked_attribute(self, question: str, context: Context, cited: list[int]) -> bool:
        """The question names an attribute and none of the cited items states it: a model's
        "The refresh rate of the X is 16 in [1]" over the X's "screen size: 16 in"."""
        attribute = asked_attribute(question, named_words(context))
        items = [context.item(n) for n in cited]
        return bool(attribute) and not any(item is not None and self._states_attribute(attribute, item.text, item.evidence)
                                           for item in items)

    def _states_attribute(self, attribute: frozenset[str], sentence: str, evidence: Evidence) -> bool:
        """Whether a sentence about a product states the attribute the question names
        (rag.understand.asked_attribute): each of its words, or, for one word, an attribute
        fact whose key means it ("memory" and "ram: 32 GB", "OS" and "operating system").
        Policies and FAQs are not read this way: their rules name no attribute."""
        if evidence.owner_kind != "product" or evidence.source in STORE_SOURCES or not unstated(attribute, sentence):
            return True
        key = evidence.id.partition("#attr:")[2].replace("_", " ")
        if len(attribute) != 1 or evidence.source != "attribute" or not key or self._sentence_vectors is None:
            return False  # (without an encoder, only the words decide)
        return self._similarity(next(iter(attribute)), key) >= SAME_ATTRIBUTE_SIMILARITY

    def _break_ties_by_meaning(self, question: str, question_vector: np.ndarray | None,
                               scored: list[ScoredSentence], context: Context) -> list[ScoredSentence]:
        """Relevant sentences that share the same asked words score alike ("how long do refunds
        take?": "we offer 30-day returns ... a full refund" and "refunds are issued within 5
        business days"; "do you ship to mexico?": every shipping sentence). When the best few
        are within `tie_margin` of the best, their similarity in meaning to the whole question is
        added with `tie_weight`, and they are ordered again (the words they share count alike
        for all of them, so nothing is left out). At most `tie_top` sentences are embedded, and
        the question's vector is the understanding step's, so a tie costs a few milliseconds.
        Only among what the store wrote in prose (policies, FAQs): a shopper's review that
        repeats the question is close in meaning and answers nothing ("i have an ipod nano 7th
        gen." for "will it work with an ipod nano 7th gen?"): on 200 ePQA answers, breaking
        ties among reviews and community answers too took truthfulness from 0.235 to 0.205
        (ROUGE-L 0.379 -> 0.385); among the store's own sentences only, both are unchanged."""
        close = [s for s in scored if s.relevant][: self.tie_top]
        close = [s for s in close if s.score >= close[0].score - self.tie_margin] if close else []
        if len(close) < 2 or not all(_store_written(context.item(s.number)) for s in close):
            return scored
        q = np.asarray(question_vector) if question_vector is not None else self.encoder.encode([question])[0]
        vectors = self._sentence_vectors.encode([s.sentence for s in close])
        bonus = {id(s): self.tie_weight * float(v @ q) for s, v in zip(close, vectors, strict=True)}
        rescored = [replace(s, score=s.score + bonus[id(s)]) if id(s) in bonus else s for s in scored]
        rescored.sort(key=lambda s: -s.score)
        return rescored

    def as_written(self, question: str, context: Context) -> str:
        """The question with a short form of a name the evidence writes in full spelled out
        (rag.textutil.spelled_out: "do you take Amex?" over "We accept ... American Express"),
        so that it is matched by its words: by meaning, "take Amex" is far from "accept
        American Express" (0.22) and nearer "business days" to "weekends" than either."""
        items = context.items[: self.max_items]
        if any(is_applicable_policy(item.evidence) for item in items):
            # (a rule's, less its weighing against the store's usual one: "better than the
            # standard one")
            question = without_the_standard(question)
        return spelled_out(question, [item.text for item in items], english_words())

    def asked_words(self, question: str, context: Context) -> frozenset[str]:
        """The content words the question asks about, as `score` reads them: not its subject's
        name nor the words most items repeat (topic words), not request words, not the words a
        request does not ask about (unasked_words). The grounding check asks whether a model's
        answer says any of them."""
        items = context.items[: self.max_items]
        question = self.as_written(question, context)
        q_words = content_words(question)
        item_words = [with_negated(item.text, content_words(item.text)) for item in items]
        df = {w: sum(w in ws for ws in item_words) for w in q_words}
        return frozenset(q_words - unasked_words(question, df) - topic_words(context) - REQUEST_WORDS)

    def unmentioned(self, question: str, context: Context) -> frozenset[str]:
        """What a yes/no question or a request asks for that no item of the context mentions:
        "weekends" in "do you ship on weekends?", "theft" in "does the warranty cover theft?",
        "waterproof" in "I need waterproof headphones", "gym" in "any headphones for the gym?".
        The store's nearest rule, or the listing of the kind of thing asked for, may still be
        worth giving, but it says neither yes nor which, and the reply says so
        (rag.respond.NOT_MENTIONED, NOT_SHOWN). Only what the question asks of the rule or of
        the thing counts (rag.understand.request.asked_complements, and the words a request
        narrows its thing by): not its verb ("does it *come* with a warranty?"), the shopper's
        circumstances ("can I return it if it doesn't *fit*?"), which a rule answers whatever
        they are, nor praise ("any *good* headphones?"). Numbers are left out (the rule's own
        period answers "after 20 days?"), and a word counts as mentioned when it begins an
        item's word or an item's word begins it ("pay" and "payment"), or when it is a short form
        of a name an item writes in full ("Amex", `as_written`)."""
        question = self.as_written(question, context)
        if ACROSS_PRODUCTS.search(question) and any(i.evidence.source == "scoped_policy" for i in context.items):
            return frozenset()  # ("does the warranty vary by brand?": every rule of the kind says)
        thing = requested_thing(question)
        complements = content_words(asked_complements(question)) if thing or is_yes_no_question(question) else set()
        if thing is not None:
            complements |= content_words(" ".join(thing.modifiers))
            in_items = set().union(*(content_words(item.text) for item in context.items[: self.max_items]))
            head = content_words(thing.head)
            if not head & in_items and _a_kind_of(head, in_items):
                # "do you sell iphones?" answered by the phones' listing, which names none
                complements |= head
        elif is_search(question) and not any(is_applicable_policy(i.evidence) for i in context.items[:1]):
            # "backpack made for travel": every word narrows the search (not a policy's words
            # typed the same way: "wats ur return polcy" asks of nothing called "polcy")
            complements = content_words(question)
        elif picks := picked_by(question):
            # "what's the quietest blender?": what it picks by (praise too: "the most popular"),
            # and what for ("which headphones are best for the gym?" listed every pair, as
            # though each were for it)
            complements = content_words(picks) | content_words(asked_complements(question))
        if (not complements and is_yes_no_question(question) and context.items
                and any(item.evidence.source in OWN_FACT_SOURCES for item in context.items)
                and len({item.evidence.owner_id for item in context.items}) == 1):
            # a yes or no asked of what a product does or is, read against its own facts alone:
            # every word it asks by ("does it track sleep?", "is it on sale?"; "is it heavy?"
            # meets "weight", CANONICAL)
            complements = content_words(question) - FRAME_VERBS - _OWN_FACT_VERBS
        if answer_type(question) is EXCHANGE:
            # the exchange itself, which a return rule does not offer ("can I exchange it?" is
            # asked by its verb, which the complements leave out)
            complements |= content_words(" ".join(m.group(0) for m in EXCHANGE.asks.finditer(question)))
        # (and the store's offers asked of: "any deals on laptops?" listed the laptops, as
        # though each were one)
        complements |= content_words(" ".join(STORE_OFFERS.findall(question)))
        complements -= (PRAISE_WORDS - content_words(picked_by(question))) | REQUEST_WORDS
        if not complements:
            return frozenset()
        said = self._said(context)
        return frozenset(w for w in self.asked_words(question, context) & complements
                         if not any(c.isdigit() for c in w) and not _mentioned(w, said))

    def unmentioned_case(self, case: str, context: Context) -> frozenset[str]:
        """The words of a case put to a rule ("what if I lose them?" after the warranty) that no
        item mentions ("lose"), less the adverbs that only time it ("already", "just"); a word
        an item says negated counts ("opened" in "unopened and sealed")."""
        said = self._said(context)
        said |= {w[2:] for w in said if w.startswith("un") and len(w) > 4}
        return frozenset(w for w in self.asked_words(case, context) - _CASE_ADVERBS
                         if not any(c.isdigit() for c in w) and not _mentioned(w, said))

    def _said(self, context: Context) -> set[str]:
        """The content words the items the answer may quote say, a negated one with its
        negation ("not covered")."""
        items = context.items[: self.max_items]
        return set().union(*(with_negated(item.text, content_words(item.text)) for item in items))

    @staticmethod
    def lacks_asked_value(question: str, sentences: list[str]) -> bool:
        """Whether the question asks for a value that must be there to answer it (a count, a
        measure, a percentage, a place: AnswerType.value_required) and no sentence holds one:
        "The X is made by Arcadia Mobile ..." does not answer "which country is the X made in?"."""
        wanted = answer_type(question)
        return bool(wanted and wanted.value_required and not any(wanted.value.search(s) for s in sentences))

    def pick(self, question: str, context: Context, question_vector: np.ndarray | None = None) -> list[ScoredSentence]:
        """The sentences the answer quotes (`_pick`), after that the product cannot ship now
        when a rule of when it ships is quoted (`rag.retrieve.graph` gives its availability
        beside a shipping rule only for a preorder or an out-of-stock product): "when will it
        ship?" of a preorder got "... ship in 5-7 business days" alone."""
        chosen = self._pick(question, context, question_vector)
        wanted = answer_type(question)
        if wanted is COVERAGE or (_ASKS_IF_COVERED.search(question) and all(c.binding for c in chosen)
                                  and not any(_SAYS_COVERED.search(c.sentence) for c in chosen)):
            # what a rule covers first, then what it leaves out ("Descaling damage is not
            # covered" led "what does it cover?" of the coffee makers' 3-year warranty; so did
            # the exclusion "is the zipper covered?" after the tents' warranty)
            chosen.sort(key=lambda c: not COVERAGE.value.search(c.sentence))
        # whether a part the rule does not name is covered ("does it cover the zipper?" after
        # the tents' warranty), or a way to pay it does not name is taken ("do you take
        # crypto?"): what it covers or takes, then what it leaves out (it quoted the exclusion
        # alone, for its word "cover" or "accept", as though the answer were no)
        says = COVERAGE.value if _ASKS_IF_COVERED.search(question) else _ACCEPTS if wanted is PAYMENT_METHOD else None
        if (says is not None and len(chosen) == 1 and chosen[0].binding and not says.search(chosen[0].sentence)
                and (item := context.item(chosen[0].number)) is not None
                and (rule := next((x for x in split_sentences(_HEADING.sub("", item.text)) if says.search(x)), None))
                and self.unmentioned(question, context)):
            chosen = [ScoredSentence(number=item.number, sentence=rule, score=chosen[0].score, relevant=True,
                                     binding=True), *chosen]
        if not chosen or not chosen[0].binding or wanted in (PRICE, MONEY):
            return chosen
        waits = next((it for it in context.items if it.evidence.source == "availability"), None)
        if waits is None or any(s.number == waits.number for s in chosen):
            return chosen
        return [ScoredSentence(number=waits.number, sentence=waits.evidence.text, score=chosen[0].score, relevant=True),
                *chosen][: max(self.max_sentences, 2)]

    def _pick(self, question: str, context: Context, question_vector: np.ndarray | None = None) -> list[ScoredSentence]:
        """The sentences the answer quotes: the best relevant one (the applicable policy's, when
        it has one), plus the next relevant one when it scores close to the best and covers
        question words the first did not (a two-part question: "how long does shipping take to
        Canada?"), so the second sentence is never padding."""
        scored = self.score(question, context, question_vector)
        relevant = [s for s in scored if s.relevant]
        if not relevant:
            # nothing the store sells is what was asked ("do you sell TVs?"): what it sells
            return [s for s in scored if self._is_store_range(context, s)][:1]
        # the binding policy leads when the question names what it is about ("return" for
        # "Returns and refunds") or it scores close to the best; not when it shares a stray word:
        # "how often should I descale a Crema machine?" is answered by the FAQ, not by Crema's
        # shipping policy that mentions machines
        lead = next((s for s in relevant if s.binding and (s.on_kind or s.score >= self.second_ratio * relevant[0].score)),
                    relevant[0])
        wanted = answer_type(question)
        if wanted is COMPATIBILITY and context.items and context.items[0].evidence.source in COMPATIBILITY_SOURCES:
            # the graph puts the link between the two products asked about first, or that there
            # is none: "will it fit the Veltro Lite 600?" on a case's page got another case's
            # link to the phone, as near to the question in words
            lead = next((s for s in relevant if s.number == context.items[0].number), lead)
        best = relevant[0]
        if (lead is not best and best.shared > lead.shared and _is_faq(context.item(best.number))
                and _asks_of_kind(context.item(best.number), content_words(question) & lead.shared)
                and not AskedQuantities.of(question)):
            # an FAQ that asks the same about what the shopper named is the narrower answer, and
            # the policy follows it: "can I return headphones if I opened them?" -> "Yes, if the
            # ear tips are unopened and sealed" ("Can I return in-ear headphones?"), then the
            # 30-day rule. (Not when the question gives an amount or a time, which the policy's
            # rules are read against: "can I return headphones after 2 months?")
            if len(relevant) > 1 and self.max_sentences > 1:
                return [best, lead]
            return [best]
        best_item = context.item(best.number)
        if (lead is not best and _is_faq(best_item) and best_item is not None and self.max_sentences > 1
                and (m := _FAQ_QUESTION_TEXT.match(best_item.text)) is not None and asks_question(question, m.group(1))
                and not AskedQuantities.of(question)):
            # an FAQ that asks what the shopper asked answers it, before the rule that shares a
            # word: "do you have gift cards?" got "We accept ... PayPal and store gift cards",
            # not "Yes, digital gift cards from $10 to $500" ("Do you sell gift cards?")
            return [best, lead]
        if wanted in REMEDIES:
            # a failure: what each policy that applies offers, in the plan's order (the warranty's
            # cover, then the return); "I bought headphones ... doesn't work" got the return
            # label alone, "my new laptop won't turn on" the laptops' returns alone
            # (not one whose period the time given has passed: "stopped working after 2 months"
            # is no case for the 30-day returns, when another offer is left)
            elapsed = asked_elapsed(question)
            offers: dict[int, ScoredSentence] = {}
            for s in relevant:
                if s.binding and ASKED_VALUE in s.shared:
                    # (of one policy, the sentence that states its period: "We offer 30-day
                    # returns ...", not "Refunds are issued within 5 business days of receiving
                    # the return" for "I got the wrong charger")
                    held = offers.get(s.number)
                    if held is None or (not _STATES_PERIOD.search(held.sentence) and _STATES_PERIOD.search(s.sentence)):
                        offers[s.number] = s
            open_offers = [o for o in offers.values() if elapsed is None or within_period(elapsed, o.sentence) is not False]
            if offers:
                return sorted(open_offers or offers.values(), key=lambda c: c.number)[: self.max_sentences]
        relevant = [lead, *(s for s in relevant if s is not lead)]
        lead_item = context.item(lead.number)
        if lead_item is not None and narrowed_listing(lead_item.evidence):
            # the listing the graph narrowed for the request is the whole answer (a 300 W
            # blender's description followed "No laptops ... at $300.00 or less"), with the
            # other kinds' listings narrowed by it ("which are waterproof?" after tents and
            # backpacks: the backpacks too)
            kinds = {lead_item.evidence.owner_id}
            chosen = [lead]
            for s in relevant:
                item = context.item(s.number)
                if (len(chosen) < self.max_sentences and item is not None and narrowed_listing(item.evidence)
                        and item.evidence.owner_id not in kinds):
                    chosen.append(s)
                    kinds.add(item.evidence.owner_id)
            return chosen
        if (lead.binding and wanted in (PRICE, MONEY) and ASKED_VALUE in lead.shared
                and not AskedQuantities.of(question) and lead_item is not None):
            # what a rule charges, asked with no amount to read it against ("how much is
            # shipping?"): its rates in the order it states them ("Express shipping costs $14.99"
            # alone answered, closest in meaning, as though every order paid it)
            # (not one that names what else was asked: "how much is express shipping?")
            rates = [s for s in relevant if s.number == lead.number and ASKED_VALUE in s.shared]
            if len(rates) > 1 and all(s.shared - _CHARGE_WORDS == lead.shared - _CHARGE_WORDS for s in rates):
                return sorted(rates, key=lambda s: lead_item.text.find(s.sentence))[: self.max_sentences]
        if lead.binding and AGAINST_THE_STANDARD.search(question):
            # "is the Orbis warranty better than the standard one?": the rule that applies, then
            # each broader one it overrides (rag.pipeline puts them in the context), with whom
            # it is for
            return [lead, *self._best_of_each(context, scored, lambda e: bool(e.overridden_by))]
        if lead.binding and ACROSS_PRODUCTS.search(question):
            # "what warranties do you offer?": the store-wide rule, then each rule for some
            # products (rag.retrieve.graph gives them all), with whom it is for
            return [lead, *self._best_of_each(context, scored, lambda e: e.source == "scoped_policy")]
        if lead.binding and self._applies_to(context, lead):
            # the policies of a model's variants, each for some of them: all of them, or the
            # answer reads as though only the first variants had one
            return self._each_variants_policy(context, relevant)
        chosen = [lead]
        covered = set(relevant[0].shared)
        thing = requested_thing(question)
        # the words of one thing asked for are one part of the question: "do you offer price
        # protection?" answered by the price match FAQ takes no "Military-grade drop protection"
        # for the other word; a sentence that names the whole thing adds it ("Arcadia Mobile
        # phones": the brand's phone listing after a phone's description)
        phrase = content_words(" ".join(thing.words)) if thing is not None and len(thing.words) > 1 else set()
        # what a question answered by the things' names asks is named by facts of that kind
        # alone: "what charger do I need for this phone?" took the phone's "made by ... has the
        # SKU ..." after its charger, for the word "phone"
        named_by = NAMED_FACTS.get(wanted) if wanted is not None and lead_item is not None and (
            lead_item.evidence.source in NAMED_FACTS.get(wanted, ())) else None
        lists = lead_item is not None and lead_item.evidence.source == "listing"
        for s in relevant[1:]:
            item = context.item(s.number)
            # (another kind's listing, when the answer lists: "a smartwatch or headphones?" got the
            # headphones alone, the word "smartwatch" being in more of the context)
            another_kind = (lists and item is not None and item.evidence.source == "listing"
                            and item.evidence.owner_id != lead_item.evidence.owner_id)
            if len(chosen) >= self.max_sentences:
                break
            if s.score < self.second_ratio * chosen[0].score and not another_kind:
                continue
            if item is not None and named_by is not None and item.evidence.source not in named_by:
                continue
            if item is not None and item.evidence.id.endswith("#about") and wanted is not MAKER:
                # who makes it, its category and SKU add nothing to another answer ("what's the
                # battery life in days?" took it after "battery life: 24 h", for "Daybreak")
                continue
            adds = s.shared - covered
            if not _asked_faq(question, context.item(s.number)):
                # an FAQ's sentences share its question's words ("card"), and answer it: "can
                # I get a refund to a different card?" took "Yes, digital gift cards from $10
                # to $500." after "... a full refund to the original payment method"
                continue
            if adds and (not adds <= phrase or phrase <= s.shared):
                chosen.append(s)
                covered |= s.shared
        return chosen

    @staticmethod
    def _is_store_range(context: Context, s: ScoredSentence) -> bool:
        item = context.item(s.number)
        return item is not None and item.evidence.id == STORE_RANGE_ID

    @staticmethod
    def _applies_to(context: Context, s: ScoredSentence) -> str | None:
        item = context.item(s.number)
        return item.evidence.applies_to if item is not None else None

    @staticmethod
    def _best_of_each(context: Context, scored: list[ScoredSentence],
                      kept: Callable[[Evidence], bool]) -> list[ScoredSentence]:
        """The best sentence of each item `kept` takes (a policy for some products only, a broader
        policy overridden), in the context's order."""
        best: dict[int, ScoredSentence] = {}
        for s in scored:
            item = context.item(s.number)
            if item is not None and kept(item.evidence) and s.number not in best:
                best[s.number] = s
        return [best[n] for n in sorted(best)]

    def _each_variants_policy(self, context: Context, relevant: list[ScoredSentence]) -> list[ScoredSentence]:
        """The best sentence of each binding policy for some variants (`Evidence.applies_to`)."""
        chosen: dict[str, ScoredSentence] = {}
        for s in relevant:
            whom = self._applies_to(context, s)
            if s.binding and whom and whom not in chosen:
                chosen[whom] = s
        return list(chosen.values())

    def answer(self, question: str, context: Context, question_vector: np.ndarray | None = None) -> str:
        chosen = self.pick(question, context, question_vector)
        if not chosen:
            return ABSTENTION
        parts: list[str] = []
        unit = asked_unit(question)
        for s in chosen:
            before = _antecedent(s.sentence, context.item(s.number), question)
            if before is not None and not any(c.sentence == before for c in chosen):
                # "They never expire." says nothing alone: the sentence it refers to, first
                parts.append(f"{_for_whom(_shorten(before), context.item(s.number))} [{s.number}].")
            item = context.item(s.number)
            whole = item is not None and item.evidence.kind == "graph_fact"
            sentence = _shorten(_without_its_reply(s.sentence, item, question), GRAPH_FACT_MAX_WORDS if whole else MAX_WORDS)
            parts.append(f"{_for_whom(with_converted(sentence, unit) if unit else sentence, context.item(s.number))} "
                         f"[{s.number}].")
        return " ".join(parts)

    def generate(self, request: GenerationRequest) -> str:
        return self.answer(request.question, request.context, request.question_vector)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        text = self.generate(request)
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word
