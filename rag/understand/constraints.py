"""Constraints a shopper states in words: prices ("under $100", "between 50 and 80 dollars",
"the cheapest tent", "your most expensive laptop") and attributes ("a tent for 4 people",
"waterproof backpacks", see `attribute_constraint`).

They narrow and order a product listing (the graph's category/brand listings, see
kg.cypher.PRODUCTS_IN_CATEGORY); a message without one reads as no constraint. Amounts are in
the store's currency: a bare number counts only next to a currency sign or word, or after a
price word ("under 100" is a price only in "... under 100 dollars" or "priced under 100"), so
"a tent for under 4 people" or "the X100" never become prices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rag.textutil import AMOUNT, COLOUR_NAMES, FOR_CARRYING, MONEY, UNITS, content_words
from rag.units import canonical, spellings

_PRICE_WORD = r"(?:price[ds]?|cost(?:s|ing)?|budget|pay|spend)"

_MAX = re.compile(rf"\b(?:under|below|less than|cheaper than|at most|up to|no more than|max(?:imum)?|within)\s+{MONEY}"
                  rf"|{_PRICE_WORD}\s+(?:of\s+)?(?:under|below|less than|at most|up to)\s+\$?\s?{AMOUNT}\b"
                  rf"|\bbudget\s+(?:is\s+|of\s+)?{MONEY}"
                  # "$500 or less", "$500 max", "$500 tops"
                  rf"|(?<![\w$]){MONEY}\s+(?:or\s+(?:less|under|below|cheaper)|max(?:imum)?|tops|at\s+most)\b"
                  # "budget 700", "my budget is 700": a bare amount after it is money too (it
                  # listed the cheapest first, unbounded)
                  r"|\bbudget\s*(?:is\s+|of\s+|:\s*)?(?:about\s+|max\s+|up\s+to\s+)?(\d{2,}(?:\.\d+)?)(?![\w.%-])"
                  r"(?!\s*(?:persons?|people|seasons?|l|w|gb|tb|mm|cm|m|kg|g|in|inch(?:es)?|mah|h|hours?)\b)", re.IGNORECASE)
_MIN = re.compile(rf"\b(?:over|above|(?<!\bno\s)(?<!\bnot\s)more than|at least|from)\s+{MONEY}"
                  rf"|(?<![\w$]){MONEY}\s+(?:or\s+(?:more|over|above|higher)|and\s+(?:up|above|over))\b", re.IGNORECASE)
# as typed in a shop's search box, a bare number that ends the message ("headphones under 100",
# "under 300" after a listing): a price, from 20 up ("a tent for under 4 people" is no price:
# its number has a unit; "laptops under 15" could be inches); other numbers may come before it
# ("a 4 season tent under 500")
_BARE_MAX = re.compile(r"^\W*(?:[a-z0-9][\w'.-]*\s+){0,12}?(?:under|below|less than|up to)\s+(\d{2,}(?:\.\d+)?)"
                       r"(?:(?:\s+(?:please|pls|thanks|then|each|apiece|tops|max|ideally|preferably|if\s+possible|or\s+so|"
                       r"or\s+less))?\W*$"
                       # or before what else the search asks: "phones under 300 with 128gb"
                       r"|\s+(?:with|and|that|in|if|or|but|ideally|preferably)\s)",  # "under 500 if possible"
                       re.IGNORECASE)
_BARE_MIN_AMOUNT = 20.0
# "I don't want to spend more than 800", "I can pay up to 500": a bound on what the shopper
# spends, a price with or without its sign (read as no price, the message as a return question)
_SPENDS = re.compile(rf"^\W*(?:(?:i|we)\s+)?(?:(?:don'?t|do\s+not|not|won'?t|can'?t|cannot)\s+"
                     rf"(?:really\s+)?(?:want\s+to\s+|wanna\s+|going\s+to\s+|able\s+to\s+)?(?:spend|pay)\s+"
                     rf"(?:more\s+than|over|above|much\s+more\s+than)"
                     rf"|(?:(?:want\s+to|wanna|can|could|would\s+like\s+to|will)\s+)?(?:spend|pay)\s+"
                     rf"(?:at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|less\s+than|under|max(?:imum)?)"
                     rf"|(?:not|no)\s+more\s+than)\s*\$?\s?{AMOUNT}(?:\s?(?:dollars?|bucks|usd))?\b", re.IGNORECASE)
# A negation earlier in the clause turns a floor into a ceiling: "nothing over $200", "I don't
# want a tent over 3 kg" (both listed the ones above it)
_NEGATION = re.compile(r"(?:\b(?:not|no|nothing|none|never|without)|n't)\b", re.IGNORECASE)


def negated_floor(before: str) -> bool:
    """Whether the clause that ends `before` (the text before "over 3 kg") negates it."""
    return _NEGATION.search(re.split(r"[,.;:!?]", before)[-1]) is not None


# "around $50", "about 100 dollars": a price near it, within AROUND_SHARE either way
_AROUND = re.compile(rf"\b(?:around|about|approximately|approx\.?|roughly|~)\s*{MONEY}", re.IGNORECASE)
AROUND_SHARE = 0.2
# "my budget is around 100": a bare amount near a budget is money (it listed the cheapest first)
_BUDGET_WORD = re.compile(r"\bbudget\b", re.IGNORECASE)
_BUDGET_AROUND = re.compile(rf"\bbudget\s+(?:is\s+|of\s+)?(?:around|about|approximately|roughly|~)\s*\$?\s?{AMOUNT}\b",
                            re.IGNORECASE)
# "$1k", "under 1.5k": thousands, written as shoppers write them ("blenders under $1k" was read
# as $1); only after a currency sign or a word that bounds a price
_THOUSANDS = re.compile(r"([$€£]\s?|\b(?:under|below|over|above|than|to|budget|around|about|of|is)\s+)"
                        r"(\d+(?:\.\d+)?)\s?k\b", re.IGNORECASE)
_BETWEEN = re.compile(rf"\bbetween\s+\$?\s?{AMOUNT}\s*(?:\$|usd|dollars?)?\s+and\s+{MONEY}", re.IGNORECASE)
# ("cheap" before what is asked for, "cheap blender", "affordable laptops", or added after a
# comma, "headphones for running, cheap"; not a judgement: "it feels cheap", "cheap plastic")
_CHEAPEST = re.compile(r"\b(?:cheapest|cheepest|chepest|cheapist|cheapst|least expensive|lowest[- ]priced|lowest price|most affordable|budget"
                       r"|(?:cheap|inexpensive|affordable|low[- ]cost)(?=\s+(?!(?:and|or|but|plastic|material|"
                       r"materials|quality|build|feel|looking|made)\b)[a-z]))\b"
                       r"|,\s*(?:and\s+|but\s+)?(?:cheap|inexpensive|affordable)\W*$"
                       # the whole message, after a listing: "something cheap", "cheap ones please"
                       r"|^\W*(?:(?:and|but|ok|okay|so|maybe|preferably|ideally)\W+)?(?:(?:something|anything|one|ones|"
                       r"the\s+ones?|a)\s+)?(?:cheap|inexpensive|affordable|low[- ]cost)(?:\s+(?:ones?|please|pls))?\W*$"
                       # "not too expensive", "nothing too pricey"
                       r"|(?<!\bis\s)(?<!'s\s)(?<!\bare\s)(?<!\bwas\s)\b(?:not|nothing|without\s+being)\s+(?:too|very|that|so|overly|super)\s+"
                       r"(?:expensive|pricey|costly|spendy)\b",
                       re.IGNORECASE)
_DEAREST = re.compile(r"\b(?:most expensive|priciest|highest[- ]priced|highest price|top[- ]of[- ]the[- ]line)\b",
                      re.IGNORECASE)
# relative to the product in focus: "anything cheaper than the X?", "like the X but cheaper"
_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower[- ]priced|more affordable|for less"
                      # (what the shopper finds too dear asks for cheaper: "those are too expensive"
                      # after tents quoted the first tent's price)
                      r"|too\s+(?:expensive|pricey|costly|much\s+money)|out\s+of\s+my\s+(?:budget|price\s+range)"
                      r"|can['’]?t\s+afford)\b", re.IGNORECASE)
_DEARER = re.compile(r"\b(?:more expensive|pricier|higher[- ]priced|higher[- ]end)\b", re.IGNORECASE)
# "more storage for the same price?", "at a similar price": priced at most the product in focus
_SAME_PRICE = re.compile(r"\b(?:(?:for|at)\s+(?:the\s+same|a\s+similar|that|this)\s+price|same\s+price|"
                         r"(?:for|at)\s+the\s+price|(?:not|no)\s+more\s+expensive|same\s+budget)\b", re.IGNORECASE)


_MONEY_RE = re.compile(MONEY, re.IGNORECASE)
# colours of one model compared ("is the silver one cheaper than the black one?", "is there a
# cheaper colour?"): its variants' prices answer it, not a listing of what costs less than the
# product in focus
_COLOURS_COMPARED = re.compile(rf"\b(?:{'|'.join(COLOUR_NAMES)})\b.*\bthan\b.*\b(?:{'|'.join(COLOUR_NAMES)})\b"
                               r"|\bcolou?rs?\b", re.IGNORECASE)

_NOT_SUPERLATIVES = frozenset("forest interest request rest test guest chest west nest vest quest contest protest "
                              "suggest digest harvest arrest invest honest modest".split())
_SUPERLATIVE = re.compile(r"\b(?:the|your|ur|their|its)\s+(?:(\w+est)|best|most\s+\w+|least\s+\w+)\b", re.IGNORECASE)


#: A superlative without its "the", after what it picks from ("(which sleeping bag) is warmest",
#: "(which espresso machine) is easiest to use"): a pattern to follow the words that say from what
IS_MOST = (r"\s+(?:is|are|has|have)\s+(?:the\s+)?"
           rf"(?P<most>(?!(?:{'|'.join(sorted(_NOT_SUPERLATIVES))})\b)[a-z]+est|most\s+[a-z]+|least\s+[a-z]+)\b")


#: "which espresso machine is easiest to use?", "which tent is lightest": a superlative after
#: "which <thing> is", with no "the" before it
WHICH_THING_IS_MOST = re.compile(r"\bwhich(?:\s+[a-z-]+){1,3}?" + IS_MOST, re.IGNORECASE)


_FIRST_SUPERLATIVE = re.compile(r"^\W*(?:(\w+est)|best|most\s+\w+|least\s+\w+)\b", re.IGNORECASE)


def superlatives(text: str, first_word: bool = False) -> list[re.Match[str]]:
    """"the cheapest", "the best", "the most expensive" in the text ("the forest" is none).
    `first_word`: also one that begins the message, as typed in a search box ("quietest
    blender?")."""
    found = [*_SUPERLATIVE.finditer(text or ""), *([m] if first_word and (m := _FIRST_SUPERLATIVE.match(text or "")) else [])]
    return [m for m in found if m.group(1) is None or m.group(1).lower() not in _NOT_SUPERLATIVES]


# what is left of a message that only states a condition once its amounts and superlatives go
_CONDITION_WORDS = re.compile(r"\b(?:the|a|an|one|ones|and|or|only|just|please|pls|max|maximum|min|minimum|less|"
                              r"more|at|most|least|under|below|over|above|up|to|for|ok|okay|then|thanks|"
                              r"each|apiece|tops|if|possible|ideally|preferably|so|"
                              # ("and my budget is 700" after phones: declined)
                              r"my|budget|is|around|about|roughly|approximately)\b",  # "under 200 each"
                              re.IGNORECASE)
_ANY_SUPERLATIVE = re.compile(r"\b[a-z]+est\b", re.IGNORECASE)


# "not too heavy", "nothing too big": the least of it, as a filter
_NOT_TOO_MUCH = re.compile(r"^\W*(?:(?:and|but|ok|okay|so)\W+)?(?:(?:something|one|ones|preferably)\s+)?"
                           r"(?:not|nothing)\s+(?:too|very|that|so|overly)\s+[a-z]+(?:\s+(?:please|pls))?\W*$",
                           re.IGNORECASE)


#: Words that change the condition just given ("what about 4 people", "make that 4 people",
#: "actually 4 people", "4 people instead"): the rest is the condition (each was declined)
_CHANGED_TO = re.compile(r"^(?:(?:actually|ok|okay|hmm+|no|sorry|oh|wait|well)[\s,!.]+)*"
                         r"(?:(?:what|how)\s+about|make\s+(?:it|that)|change\s+(?:it|that)\s+to|let'?s\s+say|say)\s+"
                         r"|^(?:(?:actually|ok|okay|hmm+|no|sorry|oh|wait|well)[\s,!.]+)+|\s+(?:instead|then)\W*$",
                         re.IGNORECASE)


def only_a_condition(text: str) -> bool:
    """The message is nothing but a condition on what was just listed, as a shop's filters
    take it: an amount with its unit or a price ("4 person", "under 300", "$500 max", "2 kg
    or less"), a superlative ("lightest", "the warmest"), cheap ("something cheap", "not
    too expensive"), or not too much of something ("not too heavy"). "4 person" alone read as a request
    for a person, "lightest" as out of scope."""
    text = _CHANGED_TO.sub(" ", text or "")
    superlative = has_superlative(text)
    amount = bool(_QUANTITY_RE.search(text) or _MONEY_RE.search(text) or price_constraint(text).max_price)
    cheap = bool(_CHEAPEST.search(text))  # "something cheap", "not too expensive"
    if _NOT_TOO_MUCH.match(text):  # "not too heavy"
        return True
    if not (superlative or amount or cheap):
        return False
    rest = without_quantities(without_prices(_CHEAPEST.sub(" ", _SPENDS.sub(" ", text))))
    rest = _ANY_SUPERLATIVE.sub(lambda m: m.group(0) if m.group(0).lower() in _NOT_SUPERLATIVES else " ", rest)
    rest = _CONDITION_WORDS.sub(" ", rest)
    return not re.search(r"[a-z]", rest, re.IGNORECASE)


def asks_an_order(text: str) -> bool:
    """Whether the message asks for the most or least of something: a superlative, or a word an
    order is read from ("a fast one", "something light", "a big one", "a warm one")."""
    return has_superlative(text) or any(p.search(text or "") for p in (_FAST, _LIGHT, _SIZE, _WARMTH, _COOL))


def has_superlative(text: str) -> bool:
    """Whether the text asks for the most of something, with or without "the" ("lightest",
    "tents lightest", "the cheapest"; "forest" is none)."""
    return any(m.group(0).lower() not in _NOT_SUPERLATIVES for m in _ANY_SUPERLATIVE.finditer(text or ""))


def without_prices(text: str) -> str:
    """`text` with its amounts of money blanked, for matching product names: in "any Northpeak
    tents under $200?" the 200 is a price, not the Alpine 200's model number."""
    return _MONEY_RE.sub(" ", text)


@dataclass(frozen=True)
class PriceConstraint:
    min_price: float | None = None
    max_price: float | None = None
    order: Literal["asc", "desc"] | None = None  # cheapest first / dearest first
    #: priced below / above the product in focus ("anything cheaper than the X?"), or at most
    #: its price ("more storage for the same price?"), with no amount
    relative: Literal["below", "above", "same"] | None = None

    def __bool__(self) -> bool:
        return (self.min_price is not None or self.max_price is not None or self.order is not None
                or self.relative is not None)

    @property
    def price_range(self) -> str:
        """"$100.00 or less", "$50.00 to $80.00", "$200.00 or more", or "" (the store's
        prices are shown in dollars, as rag.retrieve.graph shows them)."""
        if self.min_price is not None and self.max_price is not None:
            return f"${self.min_price:,.2f} to ${self.max_price:,.2f}"
        if self.max_price is not None:
            return f"${self.max_price:,.2f} or less"
        return f"${self.min_price:,.2f} or more" if self.min_price is not None else ""

    @property
    def ordering(self) -> str:
        return {"asc": "cheapest first", "desc": "most expensive first"}.get(self.order or "", "")

    def describe(self) -> str:
        """How a listing under this constraint is labelled ("$100.00 or less, cheapest first")."""
        return ", ".join(filter(None, [self.price_range, self.ordering]))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _amount(match: re.Match[str]) -> float:
    return _number(next(g for g in match.groups() if g is not None))


def price_constraint(text: str) -> PriceConstraint:
    """The price bounds and order `text` asks for; an empty constraint when it states none."""
    low = high = None
    text = _THOUSANDS.sub(lambda m: m.group(1) + f"{float(m.group(2)) * 1000:g}", text)
    if m := _BETWEEN.search(text):
        a, b = (_number(g) for g in m.groups() if g is not None)
        low, high = min(a, b), max(a, b)
    else:
        if m := _MAX.search(text):
            high = _amount(m)
        elif (m := _BARE_MAX.match(text)) and _number(m.group(1)) >= _BARE_MIN_AMOUNT:
            high = _number(m.group(1))
        elif m := _SPENDS.search(text):
            high = _number(m.group(1))
        spent = _SPENDS.sub(" ", text)  # ("don't want to pay more than $300" is no floor)
        if (m := _MIN.search(spent)) and negated_floor(spent[:m.start()]):
            high = _amount(m) if high is None else high
        elif m:
            low = _amount(m)
        if low is None and high is None and (m := _AROUND.search(text) or _BUDGET_AROUND.search(text)):
            low, high = round(_amount(m) * (1 - AROUND_SHARE), 2), round(_amount(m) * (1 + AROUND_SHARE), 2)
    order: Literal["asc", "desc"] | None = None
    if _DEAREST.search(text):
        order = "desc"
    elif _CHEAPEST.search(text) and not ((low is not None or high is not None) and _BUDGET_WORD.search(text)):
        order = "asc"  # (a budget with its amount is a bound, not a wish for the cheapest)
    relative: Literal["below", "above", "same"] | None = None
    if low is None and high is None and order is None and not _COLOURS_COMPARED.search(text):
        relative = ("below" if _CHEAPER.search(text) else "above" if _DEARER.search(text)
                    else "same" if _SAME_PRICE.search(text) else None)
    return PriceConstraint(low, high, order, relative)


#: Only what can be bought now: "tents in stock", "any available now?", "which of those are in
#: stock?" (not "not in stock", nor "back in stock": when it will be)
_IN_STOCK = re.compile(r"(?<!\bnot\s)(?<!\bback\s)\bin[- ]stock\b|\bavailable\s+(?:now|today|right\s+now)\b"
                       r"|\bready\s+to\s+ship\b", re.IGNORECASE)


def asks_in_stock(text: str) -> bool:
    """Whether a listing is asked of the products in stock alone ("do you have tents in
    stock?", "which of those are in stock?")."""
    return bool(_IN_STOCK.search(text or ""))


# --------------------------------------------------------------------------------------------
# Attribute constraints: "a tent for 4 people", "waterproof backpacks", "goose down sleeping
# bags", "a laptop under 1.5 kg". Unlike prices they need the catalog: which attributes the
# listed products have, in which units, with which values (`AttributeKey`, read from the graph
# per category and store version by rag.retrieve.graph).

# Units that follow an amount of a product's attribute ("800 g", "16GB", "65 W", "4 people"):
# the units of measure (rag.units), less the ones that are more often words or no attribute's
# ("is the Roast 900 in stock?", "$", "usd").
_NOT_QUANTITY_UNITS = frozenset({"in", "p", "c", "f", '"', "%", "percent", "pct", "min", "usd", "eur", "gbp",
                                 "dollar", "dollars"})
_QUANTITY_UNITS = sorted(set(UNITS) - _NOT_QUANTITY_UNITS, key=len, reverse=True)
_QUANTITY_RE = re.compile(rf"(?<![\w.,])\d+(?:\.\d+)?\s?-?\s?(?:{'|'.join(map(re.escape, _QUANTITY_UNITS))})(?![\w])",
                          re.IGNORECASE)


def without_quantities(text: str) -> str:
    """`text` with its amounts of an attribute blanked ("a sleeping bag under 800 g": the 800 is
    a weight, not the Ember 800's model number)."""
    return _QUANTITY_RE.sub(" ", text)


# A unit shoppers write for an attribute stored in another: (written, stored) -> factor
# ("at least 1TB of storage" over storage in GB; storage is sold in binary sizes, 1024 GB).
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("tb", "gb"): 1024.0, ("gb", "tb"): 1 / 1024, ("kg", "g"): 1000.0, ("g", "kg"): 0.001,
    ("l", "ml"): 1000.0, ("ml", "l"): 0.001,
    # (how long it lasts: "is the battery life more than 3 days?" of a watch's 24 h)
    ("day", "h"): 24.0, ("h", "min"): 60.0, ("min", "h"): 1 / 60,
}
_BOOLEAN_VALUES = frozenset({"yes", "no", "true", "false"})
_NUMBER_UNIT = re.compile(r"(?<![\w$.,])(-?\d+(?:\.\d+)?)\s*-?\s*(°c|\"|[a-z]+)", re.IGNORECASE)
_AT_MOST = re.compile(r"\b(?:under|below|less than|at most|up to|no more than|max(?:imum)?|lighter than|smaller than)\s*$",
                      re.IGNORECASE)
_AT_LEAST = re.compile(r"\b(?:over|above|more than|at least|higher than|min(?:imum)?)\s*$", re.IGNORECASE)
_EXACTLY = re.compile(r"\bexactly\s*$", re.IGNORECASE)
#: The lower end of a range before its upper end and unit ("between 30 and", "from 4 to", "30-")
_RANGE_FROM = re.compile(r"(?<![\w$.,])(-?\d+(?:\.\d+)?)\s*(?:and|to|-|–)\s*$", re.IGNORECASE)
#: A temperature a thing is rated for, written without its unit: "rated for -10", "comfortable
#: down to 0" (the unit is added: "-10" alone is no temperature)
_RATED_FOR = re.compile(r"\b(?:rated|rating|comfortable|good|warm enough)\s+(?:for|to|at|of|down\s+to|below|under|"
                        r"above|over)\s+-?\d+(?:\.\d+)?(?!\.?\d|\s*(?:°|[a-z]))", re.IGNORECASE)
#: A number below zero written alone ("sleeping bag -10"): only a temperature is below zero
_BELOW_ZERO = re.compile(r"(?<![\w.-])-\d+(?:\.\d+)?(?!\.?\d|\s*(?:°|[a-z%]|-|–))", re.IGNORECASE)
#: A temperature in Fahrenheit ("0 degrees fahrenheit", "20°F"), read in Celsius where the
#: catalog rates in it (it was read as 0 °C)
_FAHRENHEIT = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°\s*f|deg(?:rees?)?\s+f(?:ahrenheit)?|fahrenheit|f)\b", re.IGNORECASE)
#: Words that ask for the least of an attribute named without a number: "the lightest
#: sleeping bag" lists the lightest first, "the longest battery life" the longest.
_LEAST = re.compile(r"\b(?:(?:not|nothing)\s+(?:too\s+|very\s+|that\s+|so\s+|overly\s+)?(?:heavy|big|bulky|large|long)"
                    r"|lightest|lighter|lightweight|ultra-?light|smallest|smaller|small(?=\s+(?:ones?|1)\b)|compact|shortest|shorter|lowest|lower|(?<!at )least|fewest|thinnest|"
                    r"slimmest|narrowest|quietest|minimum|min)\b", re.IGNORECASE)


#: Words that ask for warmth, which a temperature rating measures the other way round: the
#: lower a sleeping bag is rated, the warmer it keeps ("the warmest", "for cold weather").
_LASTS = re.compile(r"\blasts?\s+(?:the\s+)?long(?:est|er)\b|\blong(?:est|er)[- ]lasting\b", re.IGNORECASE)
_WARMTH = re.compile(r"\b(?:warm|warmer|warmest|cold|colder|coldest|winter|freezing)\b", re.IGNORECASE)
#: ... and for warm nights, rated highest first ("which sleeping bags are good for summer?")
_COOL = re.compile(r"\b(?:summer|hot\s+(?:weather|nights?|climates?)|warm\s+(?:weather|nights?|climates?))\b",
                   re.IGNORECASE)


def rated_temperature(key: "AttributeKey") -> bool:
    """A temperature rating, which measures the other way round: a sleeping bag rated for
    -10 °C keeps one warm at -10 °C, so "rated for -10 °C" asks for -10 °C or lower (it listed
    the bags rated -9 °C, "-10 °C or more")."""
    return "temperature" in key.words.split()


#: Words that ask for the size of a thing named without a measure, and the keys that measure it,
#: the first a category has: "the biggest backpack" (capacity: 30 L), "the largest laptop"
#: (screen size), "the smallest smartwatch" (case size).
_SIZE = re.compile(r"\b(?:biggest|bigger|largest|larger|roomiest|roomier|most spacious|smallest|smaller|"
                   r"most compact|more compact"
                   # "a big one" after backpacks (it could not tell which)
                   # (written "a big 1" by then: number words are digits)
                   r"|(?<!not\s)(?<!too\s)(?:big|large|small|compact)(?=\s+(?:one|ones|1)\b)"
                   # "which coffee maker makes the most coffee?", "which tent fits the most people?"
                   r"|(?:holds?|fits?|sleeps?|carries|carry)\s+(?:the\s+)?most"
                   r"|(?:makes?|brews?)\s+(?:the\s+)?most\s+(?:coffee|cups?|drinks?|servings?|smoothies?))\b",
                   re.IGNORECASE)
_SIZE_KEYS = ("capacity", "screen_size", "case_size", "volume", "size")


@dataclass(frozen=True)
class AttributeKey:
    """An attribute the listed products have: its key, unit and (some of) its values."""

    key: str
    unit: str | None
    values: tuple[str, ...]  # distinct values, lower case

    @property
    def kind(self) -> Literal["boolean", "numeric", "text"]:
        """yes/no values; numbers (a value may repeat the unit: "4 persons", "4.5 kg"); text."""
        if self.values and set(self.values) <= _BOOLEAN_VALUES:
            return "boolean"
        unit = (self.unit or "").lower()
        try:
            [float(v.removesuffix(unit).strip() if unit else v) for v in self.values]
        except ValueError:
            return "text"
        return "numeric" if self.values else "text"

    @property
    def words(self) -> str:
        return self.key.replace("_", " ")

    def has_number(self, number: float) -> bool:
        """Whether one of the values read is `number` ("16" or "16 gb" for 16)."""
        unit = (self.unit or "").lower()
        for v in self.values:
            try:
                if float(v.removesuffix(unit).strip() if unit else v) == number:
                    return True
            except ValueError:
                continue
        return False

    def counted_by(self, word: str) -> bool:
        """Whether a number followed by `word` counts this unitless attribute ("10 speeds", "a
        3-speed blender" of `speeds`)."""
        last = self.words.split()[-1].lower() if self.words.split() else ""
        return not self.unit and self.kind == "numeric" and bool(last) and \
            word.lower().removesuffix("s") == last.removesuffix("s")

    def unit_named(self, word: str) -> bool:
        unit = (self.unit or "").lower()
        return bool(unit) and (word.lower() in spellings(unit) or word.lower() == unit)


@dataclass(frozen=True)
class AttributeConstraint:
    """One attribute condition on a listing: equal to `value`, or within [min_value, max_value]."""

    key: str
    unit: str | None = None
    value: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    #: named without a bound by a word that asks for the least of it ("the lightest")
    lowest_first: bool = False
    #: the bound as the shopper wrote it, when in another unit than the stored one ("1 kg")
    said: str | None = None
    #: asked for by size ("the biggest backpack"): ordered largest or smallest first
    by_size: bool = False
    #: bounded by the value of a product compared with ("something lighter?"), which the
    #: listing names instead of the bound
    relative: bool = False

    @property
    def narrows(self) -> bool:
        """Whether the condition keeps only some products (an order alone keeps all)."""
        return self.value is not None or self.min_value is not None or self.max_value is not None

    @property
    def value_order(self) -> int:
        """How the listing is ordered by the attribute's number: a bound lists the closest or
        smallest first (1: "a tent for 2 people" shows the 2-person tents before the 8-person
        ones; "under 2 kg" the lightest first); an attribute named without a bound, highest
        first (-1: "the longest battery life"), or lowest first when asked so ("the lightest");
        an equality, not at all (0)."""
        if self.value is not None:
            return 0
        if self.min_value is None and self.max_value is None:
            return 1 if self.lowest_first else -1
        return 1

    def describe(self) -> str:
        """How a listing under this constraint is labelled: "capacity: 4 persons or more",
        "capacity: 30 to 40 L", "waterproof: yes", "season: 4-season", "waterproof rating,
        highest first"."""
        name = self.key.replace("_", " ")
        if self.value is not None:
            return f"{name}: {self.value}"
        unit = f" {self.unit}" if self.unit else ""
        if self.min_value is None and self.max_value is None:
            if self.by_size:
                return f"{name}, {'smallest' if self.lowest_first else 'largest'} first"
            return f"{name}, {'lowest' if self.lowest_first else 'highest'} first"
        said = f" ({self.said})" if self.said else ""
        if self.min_value is not None and self.max_value is not None and self.min_value == self.max_value:
            return f"{name}: {_plain(self.min_value)}{unit}{said}"
        if self.min_value is not None and self.max_value is not None:  # "capacity: 30 to 40 L"
            return f"{name}: {_plain(self.min_value)} to {_plain(self.max_value)}{unit}{said}"
        if self.max_value is not None:
            return f"{name}: {_plain(self.max_value)}{unit}{said} or less"
        return f"{name}: {_plain(self.min_value or 0)}{unit}{said} or more"


def _plain(x: float) -> str:
    return f"{x:g}"


NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12}
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE)


def _written_out(value: str, lower: str) -> bool:
    """Whether the message `lower` writes a text value: its words joined by spaces, hyphens or
    nothing, the last one maybe plural ("4-season" in "tents with 4 seasons", "4 season tents")."""
    parts = [p for p in re.split(r"[-\s]+", value) if p]
    return bool(parts) and parts[0] in lower and _written_out_pattern(tuple(parts)).search(lower) is not None


def _written_at(value: str, lower: str) -> int:
    """Where the message first writes a text value (`_written_out`)."""
    m = _written_out_pattern(tuple(p for p in re.split(r"[-\s]+", value) if p)).search(lower)
    return m.start() if m else len(lower)


@lru_cache(maxsize=4096)
def _written_out_pattern(parts: tuple[str, ...]) -> re.Pattern[str]:
    # (cached here: a catalog has more values than re's own cache of 512 patterns holds)
    joined = r"[-\s]*".join(map(re.escape, parts))
    return re.compile(rf"(?<![\w-]){joined}(?:e?s)?(?![\w-])")


def attribute_constraint(text: str, keys: list[AttributeKey]) -> AttributeConstraint | None:
    """The first attribute condition `text` states about the listed products (see
    `attribute_constraints`), or None."""
    found = attribute_constraints(text, keys)
    return found[0] if found else None


# "sleeps 4": the number after the word that says what it counts
_SLEEPS = re.compile(r"\bsleeps?\s+(\d+)\b", re.IGNORECASE)
# "a family of 4", "a group of 6", "the 3 of us": that many people
_PARTY = re.compile(r"\b(?:(?:for\s+)?(?:a\s+|the\s+|my\s+|our\s+)?(?:family|group|party)\s+of\s+(\d+)"
                    r"|(?:for\s+)?(?:the\s+)?(\d+)\s+of\s+us)\b", re.IGNORECASE)


def attribute_constraints(text: str, keys: list[AttributeKey]) -> list[AttributeConstraint]:
    """The attribute conditions `text` states about the listed products, one per attribute (one
    per value written of an attribute a product lists several of: "with gps and ecg"):
    first each number with a unit one numeric attribute is stored in ("for 4 people" ->
    capacity >= 4 persons; "under 2 kg" -> weight <= 2 kg; "a 2-person tent" -> capacity = 2
    persons; when several attributes share the unit, the one the text names: "a 4-person tent
    under 3 kg" states two), then the conditions of other kinds (`_other_conditions`: "the
    lightest 4-person tent" orders by weight) on an attribute no number named. Amounts of money
    are never attribute values (see `price_constraint`)."""
    plain = _NUMBER_WORD.sub(lambda m: str(NUMBER_WORDS[m.group(0).lower()]), without_prices(text))  # "four season"
    plain = _SLEEPS.sub(r"for \1 people", plain)  # "a tent that sleeps 4"
    plain = _PARTY.sub(lambda m: f"for {m.group(1) or m.group(2)} people", plain)  # "for a family of 4"
    numeric = [k for k in keys if k.kind == "numeric" and k.unit]
    rated = [k for k in numeric if rated_temperature(k)]
    if len(rated) == 1 and (rated[0].unit or "").lower() == "°c":  # "0 degrees fahrenheit": -18 °C
        plain = _FAHRENHEIT.sub(lambda m: f"{round((float(m.group(1)) - 32) * 5 / 9):g} °c", plain)
    if len(rated) == 1:  # "rated for -10", "sleeping bag -10": in the rating's unit
        plain = _RATED_FOR.sub(lambda m: f"{m.group(0)} {rated[0].unit}", plain)
        plain = _BELOW_ZERO.sub(lambda m: f"{m.group(0)} {rated[0].unit}", plain)
    plain = _FOR_A_COUNT.sub(lambda m: f"{m.group(0)} people", plain) if _counts_people(numeric) else plain
    asked = content_words(plain)
    found: dict[str | tuple[str, str], AttributeConstraint] = {}
    counted = [k for k in keys if k.kind == "numeric" and not k.unit]
    for c in _amounts(_without_numbered_values(plain, keys), asked, numeric, counted):
        found.setdefault(c.key, c)
    for other in _other_conditions(plain.lower(), asked, keys, numeric + counted):
        # (one per attribute, but for each value of one a product lists several of: "gps and ecg")
        same = found.get(other.key)
        found.setdefault(other.key if same is None or same.value is None or other.value is None
                         else (other.key, other.value), other)
    return list(found.values())


# "a tent for 2", "a tent for 2 under $300": a count of people, when the category counts them
_FOR_A_COUNT = re.compile(r"\bfor\s+\d{1,2}(?=\s*(?:$|[,.!?;]|\s(?:under|below|over|above|at|with|that|and|or|"
                          r"in|please|pls|max)\b))", re.IGNORECASE)


# "the fastest charger", "a fast charger for my phone": the most watts (it said "I don't know")
_FAST = re.compile(r"\b(?:fast|fastest|faster|quickest|quicker)\b(?!\s+(?:shipping|delivery))", re.IGNORECASE)
# "a phone for photos", "good for taking pictures": its camera (the listing was unordered)
_PHOTOS = re.compile(r"\b(?:photos?|photography|pictures?|pics)\b", re.IGNORECASE)
# "something light", "a light tent": light in weight (not "light grey", "the light", "light bulbs")
_LIGHT = re.compile(r"(?<!\bthe\s)\blight\b(?!\s*-?\s*(?:grey|gray|blue|green|brown|pink|purple|yellow|"
                    r"colou?r\w*|weight\w*|bulbs?|up|on|off)\b)", re.IGNORECASE)


def _counts_people(numeric: list[AttributeKey]) -> bool:
    return any(k.unit_named("people") for k in numeric)


def _without_numbered_values(plain: str, keys: list[AttributeKey]) -> str:
    """`plain` with the text values written with a number blanked: "5G" is a network, not 5 g
    of weight ("the cheapest 5g phone" listed phones of 5 g or more); "a 3.5mm jack" is a
    connection, not a 3.5 mm driver."""
    lower = plain.lower()
    spans = [m.span() for k in keys if k.kind == "text" for v in {i.lower() for x in k.values for i in x.split(", ")}
             if any(c.isdigit() for c in v) and _written_out(v, lower)
             for m in _written_out_pattern(tuple(p for p in re.split(r"[-\s]+", v) if p)).finditer(lower)]
    for start, end in spans:  # (blanked in place, as written: "1 TB" stays "1 TB")
        plain = plain[:start] + " " * (end - start) + plain[end:]
    return plain


def _amounts(plain: str, asked: set[str], numeric: list[AttributeKey],
             counted: list[AttributeKey] = []) -> Iterator[AttributeConstraint]:
    """The conditions of the numbers with a unit in `plain`, in order, and of the numbers that
    count an attribute without one (`counted`: "a blender with 10 speeds")."""
    for m in _NUMBER_UNIT.finditer(plain):
        number, unit_word = float(m.group(1)), m.group(2)
        fits = [k for k in numeric if k.unit_named(unit_word)] or [k for k in counted if k.counted_by(unit_word)]
        said = None
        if not fits:  # "1TB" of storage kept in GB: the number in the stored unit
            written = canonical(unit_word)
            fits = [k for k in numeric if (written, (k.unit or "").lower()) in UNIT_FACTORS]
            if fits and len({(k.unit or "").lower() for k in fits}) == 1:
                said = f"{_plain(number)} {unit_word}"
                number *= UNIT_FACTORS[(written, (fits[0].unit or "").lower())]
        named = [k for k in fits if content_words(k.words) <= asked]
        # (two attributes in the unit and neither named: the one that has the amount, "16GB
        # laptop" is RAM, storage starts at 128 GB)
        having = [k for k in fits if k.has_number(number)]
        chosen = (named or (having if len(having) == 1 else [])) if len(fits) > 1 else fits
        if len(chosen) > 1:
            # both named: the one named next to the amount ("16gb ram and 1tb storage" named
            # both, and neither condition was kept)
            chosen = [k for k in chosen if _named_next_to(k, plain[: m.start()], plain[m.end():])] or chosen
        if len(chosen) != 1:
            continue
        before = plain[: m.start()]
        joined = "-" in m.group(0)[m.end(1) - m.start():]  # "a 2-person tent", not "-18 °C"
        if (low := _RANGE_FROM.search(before)) is not None and float(low.group(1)) < number:
            # "between 30 and 40 liters", "30-40 L", "for 4 to 6 people" (it was "40 L or more")
            lowest = float(low.group(1)) * (number / float(m.group(1)) if said else 1.0)
            yield AttributeConstraint(chosen[0].key, chosen[0].unit, min_value=lowest, max_value=number,
                                      said=f"{low.group(1)} to {said}" if said else None)
        elif _EXACTLY.search(before) or joined:  # "exactly 2 persons", "a 2-person tent"
            yield AttributeConstraint(chosen[0].key, chosen[0].unit, min_value=number, max_value=number, said=said)
        elif (least := _AT_LEAST.search(before)) is not None and negated_floor(before[:least.start()]):
            # "I don't want one over 3 kg", "nothing above 2 kg"
            yield AttributeConstraint(chosen[0].key, chosen[0].unit, max_value=number, said=said)
        elif _AT_MOST.search(before) or (rated_temperature(chosen[0]) and not _AT_LEAST.search(before)):
            # (a rating for a temperature is one for it or colder: "a -10 °C sleeping bag")
            yield AttributeConstraint(chosen[0].key, chosen[0].unit, max_value=number, said=said)
        else:
            yield AttributeConstraint(chosen[0].key, chosen[0].unit, min_value=number, said=said)


def names_another_measure(text: str, key: AttributeKey) -> bool:
    """Whether an amount in the key's unit is said of something else, by the word after it:
    "at least 8gb of ram" of a phone whose only key in GB is its storage, "2 liters of water"
    of a backpack's capacity (read alone, either is the key's: fine for narrowing a listing by
    the one measure it has, not for telling whether a product has what was asked)."""
    words = content_words(key.words) | {key.key.lower()}
    for m in _NUMBER_UNIT.finditer(text):
        if not (key.unit_named(m.group(2)) or key.counted_by(m.group(2))):
            continue
        after = re.match(r"\s*(?:of\s+)?(?:the\s+|its\s+)?([a-z]+)", text[m.end():].lower())
        said = content_words(after.group(1)) if after else set()
        # (a unit is no other thing: "0 degrees fahrenheit")
        if said and not said & words and canonical(after.group(1)) is None:
            return True
    return False


def _named_next_to(key: AttributeKey, before: str, after: str) -> bool:
    """Whether the key's words come right after an amount ("16gb ram", "16 GB of RAM") or right
    before it ("ram of 16gb", "storage: at least 1tb")."""
    words = r"\s+".join(map(re.escape, key.words.lower().split()))
    return bool(re.match(rf"\s*(?:of\s+)?{words}\b", after.lower())
                or re.search(rf"\b{words}\s*(?:of|:|is|=)?\s*(?:at\s+least|at\s+most|over|under|above|below)?\s*$",
                             before.lower()))


def _negated(word: str, lower: str) -> bool:
    """The attribute's word is negated ("a tent that is not waterproof", "non-waterproof"): the
    least of it first (its highest rating first listed the most waterproof tents)."""
    return bool(re.search(rf"(?:\b(?:not|non|without)|n't)[\s-]+(?:(?:very|so|too|that|really)\s+)?{re.escape(word)}",
                          lower))


def _other_conditions(lower: str, asked: set[str], keys: list[AttributeKey],
                      numeric: list[AttributeKey]) -> list[AttributeConstraint]:
    """The conditions stated without an amount: each yes/no attribute the text names
    ("waterproof", "with a laptop sleeve"; "without ..." asks for no) and each text attribute
    with a value written out ("goose down", "4-season", "in-ear"), so "in-ear headphones with
    noise cancelling" states two (it kept the noise cancelling alone); then an order the text
    asks for (`_ordering`: "the warmest", "the best camera")."""
    found = [c for k in keys if (c := _yes_or_no(k, lower, asked)) is not None]
    found += [c for k in keys for c in _written_values(k, lower)]
    if not any(c.key == k.key for c in found for k in keys if k.kind == "text") and not any(map(rated_temperature, keys)):
        # (not where a temperature rating says how warm: "camping in winter, what do I need?"
        # of the outdoor gear asked for 4-season sleeping bags, which no product is)
        found += [c for k in keys if (c := _season_named(k, lower)) is not None][:1]
    # (of the attributes no value was found of: "a blue smartwatch with gps" is navy blue)
    found += [c for c in [_value_by_its_last_word([k for k in keys if all(c.key != k.key for c in found)], lower)]
              if c is not None]
    # (not by the words of a value found: "power" of "power bank" names no wattage)
    taken = content_words(" ".join(str(c.value) for c in found if c.value not in (None, "yes", "no")))
    ordering = _ordering(lower, asked - taken, numeric)
    if ordering is not None and all(c.key != ordering.key for c in found):
        found.append(ordering)
    return found


#: Last words of a yes/no key that say nothing of what it is: "wireless charging compatible" is
#: named by "works with wireless charging"
_QUALIFIER_WORDS = frozenset({"compatible", "included", "enabled", "supported", "support", "available"})


def _yes_or_no(k: AttributeKey, lower: str, asked: set[str]) -> AttributeConstraint | None:
    """A yes/no attribute the text names, "yes" unless it says without it."""
    if k.kind != "boolean":
        return None
    words = content_words(k.words)
    named = words <= asked or (len(k.words.split()) >= 3 and k.words.split()[-1] in _QUALIFIER_WORDS
                               and content_words(" ".join(k.words.split()[:-1])) <= asked)
    if not named and len(k.words.split()) >= 2:
        # what a holder is for, named by its first word: "a backpack for my laptop", "something
        # to carry my laptop" ask for a laptop sleeve (it listed every backpack, or laptops)
        # (of a size too: "a backpack that fits a 15 inch laptop")
        named = re.search(rf"\b(?:for|carry|carrying|hold|holds|fit|fits|store|take)\s+(?:my|a|an|the|your|his|her|our)?"
                          rf"\s*(?:\d+(?:\.\d+)?\s*-?\s*(?:inch(?:es)?|in|\"|”|cm)\s+)?"
                          rf"{re.escape(k.words.split()[0])}s?\b", lower) is not None
    if not named:
        return None
    first = re.escape(k.words.split()[0])
    wanted = "no" if re.search(rf"\b(?:without|no|not)\s+(?:an?\s+)?{first}", lower) or _negated(first, lower) \
        else "yes"
    return AttributeConstraint(k.key, value=wanted)


def _written_values(k: AttributeKey, lower: str) -> list[AttributeConstraint]:
    """A value of a text attribute written out: the longest; of two as long, the one written
    first ("the difference between a 3-season and a 4-season tent" read either, by the order a
    set of strings happened to take). A value may list several ("heart rate, ecg, gps" has
    "gps"): of such an attribute, each value written, in the order written, unless the text asks
    for either ("a smartwatch with gps and ecg" asks for both: it listed the ones with GPS)."""
    if k.kind != "text":
        return []
    written = [v for v in {i for x in k.values for i in x.split(", ")} if v and _written_out(v, lower)]
    if not written:
        return []
    first = max(written, key=lambda v: (len(v), -_written_at(v, lower), v))
    if lists_values(k) and not _EITHER.search(lower):
        each = sorted({v for v in written if not any(v != w and v in w for w in written)},
                      key=lambda v: (_written_at(v, lower), v))
        return [AttributeConstraint(k.key, value=v) for v in each]
    return [AttributeConstraint(k.key, value=first)]


def lists_values(k: AttributeKey) -> bool:
    """Whether a product may have several values of the attribute ("heart rate, ecg, gps")."""
    return any(", " in x for x in k.values)


_EITHER = re.compile(r"\b(?:or|either)\b", re.IGNORECASE)


# the seasons a shelter is rated for, named by when it is used: "a tent for winter" is a
# 4-season tent (it listed every tent), "for summer" a 3-season one
_FOUR_SEASONS = re.compile(r"\b(?:winter|snow|snowy|mountaineering|freezing)\b", re.IGNORECASE)
_THREE_SEASONS = re.compile(r"\b(?:summer|spring|autumn)\b", re.IGNORECASE)


def _season_named(k: AttributeKey, lower: str) -> AttributeConstraint | None:
    if k.kind != "text":
        return None
    values = {i for x in k.values for i in x.split(", ")}
    for pattern, value in ((_FOUR_SEASONS, "4-season"), (_THREE_SEASONS, "3-season")):
        if value in values and pattern.search(lower):
            return AttributeConstraint(k.key, value=value)
    return None


def _value_by_its_last_word(keys: list[AttributeKey], lower: str) -> AttributeConstraint | None:
    """A value of several words named by its last alone, when it is the only one so named ("blue
    headphones": navy blue; not "down" of duck down and goose down), or a name with its version
    by the name ("laptops with windows": Windows 11; it said "I don't know")."""
    heads: dict[str, list[tuple[AttributeKey, str]]] = {}
    for k in keys:
        if k.kind == "text":
            for v in {i for x in k.values for i in x.split(", ")}:
                if len(v.split()) > 1 and len(v.split()[-1]) >= 3:
                    heads.setdefault(v.split()[-1], []).append((k, v))
                if len(v.split()) == 2 and re.fullmatch(r"v?\d+(?:\.\d+)*", v.split()[1]) and len(v.split()[0]) >= 3:
                    heads.setdefault(v.split()[0], []).append((k, v))
    named_heads = [found[0] for head, found in heads.items()
                   if len(found) == 1 and re.search(rf"(?<![\w-]){re.escape(head)}(?![\w-])", lower)]
    if len(named_heads) == 1:
        k, v = named_heads[0]
        return AttributeConstraint(k.key, value=v)
    return None


def _ordering(lower: str, asked: set[str], numeric: list[AttributeKey]) -> AttributeConstraint | None:
    """An order on a numeric attribute, the first of: warmth asked for, as the one temperature
    rating lowest first ("the warmest", "for cold weather"); a numeric attribute named without a
    number, by its key's first word or its only key's last ("waterproof tents", "the best
    camera": no bound, the listing shows each product's value); a size ("the biggest")."""
    if _LASTS.search(lower):  # "which lasts longest": the one battery life, highest first
        lasting = [k for k in numeric if "battery" in k.words.split() and (k.unit or "").lower() in ("h", "hours")]
        if len(lasting) == 1:
            return AttributeConstraint(lasting[0].key, lasting[0].unit)
    if _COOL.search(lower):  # "good for summer": the one temperature rating, highest first
        rated = [k for k in numeric if "temperature" in k.words.split()]
        if len(rated) == 1:
            return AttributeConstraint(rated[0].key, rated[0].unit)
    if _WARMTH.search(lower):  # "the warmest sleeping bag", "for cold weather": rated lowest first
        rated = [k for k in numeric if "temperature" in k.words.split()]
        if len(rated) == 1:
            return AttributeConstraint(rated[0].key, rated[0].unit, lowest_first=True)
    for k in numeric:  # named without a number ("waterproof tents"): no bound, the values shown
        if content_words(k.words.split()[0]) <= asked or _head_named(k, numeric, asked):
            return AttributeConstraint(k.key, k.unit, lowest_first=bool(_LEAST.search(lower))
                                       or _negated(k.words.split()[0], lower))
    if _FAST.search(lower):  # "the fastest charger": the one wattage, highest first
        powered = [k for k in numeric if (k.unit or "").lower() == "w"]
        if len(powered) == 1:
            return AttributeConstraint(powered[0].key, powered[0].unit)
    if _PHOTOS.search(lower):  # "the best phone for photos": the one camera, highest first
        cameras = [k for k in numeric if "camera" in k.words.split()]
        if len(cameras) == 1:
            return AttributeConstraint(cameras[0].key, cameras[0].unit)
    # "something light": the one weight, lightest first; so is a choice made for carrying it
    # ("which is better for backpacking?" of two-person tents, "which would you recommend for
    # travel?" of two laptops: "I don't know", or the listing again)
    if _LIGHT.search(lower) or FOR_CARRYING.search(lower):
        weighed = [k for k in numeric if content_words(k.words.split()[0]) == content_words("weight")]
        if len(weighed) == 1:
            return AttributeConstraint(weighed[0].key, weighed[0].unit, lowest_first=True)
    for k in numeric:  # or by a word made from its first ("waterproof" for water_resistance)
        first = k.words.split()[0]
        if len(first) >= 5 and sum(w.startswith(first) for w in asked) == 1 and first not in asked:
            return AttributeConstraint(k.key, k.unit, lowest_first=bool(_LEAST.search(lower)) or _negated(first, lower))
    if _SIZE.search(lower):  # "the biggest backpack": its capacity; "the largest laptop": its screen
        sized = next((k for name in _SIZE_KEYS for k in numeric if k.key == name), None)
        if sized is not None:
            return AttributeConstraint(sized.key, sized.unit, lowest_first=bool(_LEAST.search(lower)), by_size=True)
    return None


#: Last words of keys that say what kind of measure, not of what: "what size tent?" asks for
#: no packed_size, "what type" for no driver_type.
_GENERIC_HEADS = frozenset({"size", "type", "rating", "limit", "level", "range", "number"})


def _head_named(key: AttributeKey, keys: list[AttributeKey], asked: set[str]) -> bool:
    """The last word of a key of several words names it when no other key ends in that word:
    "the best camera" names main_camera; "size" names neither screen_size nor packed_size."""
    words = key.words.split()
    if len(words) < 2 or words[-1] in _GENERIC_HEADS:
        return False
    head = content_words(words[-1])
    return bool(head) and head <= asked and sum(content_words(k.words.split()[-1]) == head for k in keys) == 1


# --------------------------------------------------------------------------------------------
# Conditions relative to the product in focus, on one of its attributes: "something lighter?",
# "is there a bigger one?", "more storage for the same price?", "cheaper, with the same RAM".
# The product's own value is the bound (rag.retrieve.graph reads it); here only which
# attribute, and which way.

Direction = Literal["less", "more", "same"]

#: Comparatives that name their measure: (words of the keys it may be, way)
MEASURED_COMPARATIVES: dict[str, tuple[tuple[str, ...], Direction]] = {
    "lighter": (("weight",), "less"), "heavier": (("weight",), "more"),
    "bigger": (_SIZE_KEYS, "more"), "larger": (_SIZE_KEYS, "more"), "roomier": (_SIZE_KEYS, "more"),
    "smaller": (_SIZE_KEYS, "less"), "compact": (_SIZE_KEYS, "less"),
    "warmer": (("temperature",), "less"),  # a lower rating keeps warmer
}
#: How a comparison of two products names the one a comparative asks for ("which is lighter?":
#: "(the lightest is ...)"), by the comparative or its superlative
MEASURED_SUPERLATIVES = {"lighter": "lightest", "heavier": "heaviest", "bigger": "biggest", "larger": "largest",
                         "roomier": "roomiest", "smaller": "smallest", "warmer": "warmest"}
_MEASURED_ASKED = re.compile(r"\b(?:" + "|".join([*MEASURED_SUPERLATIVES, *MEASURED_SUPERLATIVES.values()]) + r")\b",
                             re.IGNORECASE)


_BETTER_FOR_COLD = re.compile(r"\b(?:better|best)\b.*\bfor\s+(?:the\s+)?(?:winter|cold|colder|freezing|snow)\b",
                              re.IGNORECASE)


#: How much it holds, compared: "which holds more?", "which one fits the most?" (its size)
_HOLDS_MORE = re.compile(r"\b(?:holds?|fits?|carr(?:y|ies)|stores?)\s+(?:the\s+)?(?P<way>more|most|less|least)\b\W*$",
                         re.IGNORECASE)


def measured_comparative(text: str) -> tuple[tuple[str, ...], Direction, str] | None:
    """(attribute names, direction, superlative) of the first measured comparative or
    superlative `text` asks ("which is lighter?", "which is the lightest?", "which holds
    more?"), else None."""
    if (holds := _HOLDS_MORE.search(text or "")) is not None:
        # "which holds more?" of two blenders compared said "I don't know": the bigger
        comparative = "bigger" if holds.group("way").lower() in ("more", "most") else "smaller"
        return (*MEASURED_COMPARATIVES[comparative], MEASURED_SUPERLATIVES[comparative])
    m = _MEASURED_ASKED.search(text or "")
    if m is None and _BETTER_FOR_COLD.search(text or ""):
        # "which is better for winter?" of two sleeping bags: the warmer (it said it depends)
        return MEASURED_COMPARATIVES["warmer"][0], MEASURED_COMPARATIVES["warmer"][1], "warmest"
    if m is None and FOR_CARRYING.search(text or ""):
        # "which would you recommend for travel?" of two laptops: the lighter
        return MEASURED_COMPARATIVES["lighter"][0], MEASURED_COMPARATIVES["lighter"][1], "lightest"
    if m is None:
        return None
    word = m.group(0).lower()
    comparative = next((c for c, sup in MEASURED_SUPERLATIVES.items() if word in (c, sup)))
    names, way = MEASURED_COMPARATIVES[comparative]
    return names, way, MEASURED_SUPERLATIVES[comparative]


_MORE = {"more": "more", "higher": "more", "bigger": "more", "larger": "more", "longer": "more", "greater": "more",
         "better": "more", "less": "less", "fewer": "less", "lower": "less", "smaller": "less", "shorter": "less"}
_MEASURE = r"[a-z][\w-]*(?:\s+(?!(?:and|or|but|for|than|at|with|as|in)\b)[a-z][\w-]*)?"
_COMPARED = re.compile(rf"\b(?:(?P<way>{'|'.join(_MORE)})\s+(?P<what>{_MEASURE})"
                       rf"|(?:the\s+)?same\s+(?:amount\s+of\s+)?(?P<same>{_MEASURE})"
                       rf"|(?P<measured>{'|'.join(MEASURED_COMPARATIVES)}))\b", re.IGNORECASE)
# another product asked for ("something lighter?", "is there a bigger one?", "any with more
# storage?"), or the comparative alone ("lighter?"); not the product's own measure ("is it
# lighter than 2 kg?" has a number; "does it have more storage than X?" names two)
_ANOTHER = re.compile(r"\b(?:something|anything|any|another|other|others|one|ones|alternatives?|options?|models?|"
                      r"versions?|else|there|choices?)\b|^\W*(?:and\s+)?(?:a\s+|an\s+)?(?:with\s+)?(?:" +
                      "|".join([*_MORE, *MEASURED_COMPARATIVES, "same"]) + r")\b", re.IGNORECASE)
_NOT_MEASURES = frozenset("about info information details detail than of like expensive affordable pricey price "
                          "reviews pictures photos colors colours options choices products items ones".split())


def _measured_by(names: tuple[str, ...], numeric: list[AttributeKey]) -> AttributeKey | None:
    """The first numeric key that is, or has a word, one of `names` (in their order)."""
    return next((k for name in names for k in numeric if k.key == name or name in k.words.split()), None)


def compares_with_it(text: str) -> bool:
    """The message asks for another product than the one in focus that has more or less of some
    attribute, or the same ("something lighter?", "any with more storage for the same price?"):
    its category's listing bounded by the product's own values (`relative_attributes` says which,
    given the category's attributes). "Tell me more about it" asks for nothing of the kind."""
    text = text or ""
    if not _ANOTHER.search(text) or _NUMBER_UNIT.search(without_prices(text)):
        return False
    for m in _COMPARED.finditer(text):
        if m.group("measured"):
            return True
        what = (m.group("what") or m.group("same") or "").lower().split()
        if what and what[0] not in _NOT_MEASURES:
            return True
    return False


def compared_amount(text: str) -> tuple[frozenset[str], Direction, str] | None:
    """(the content words of the measure, direction, the word that said it) of the first amount
    `text` compares ("which one has more RAM?": ram, more; "fewer speeds"), else None. A
    measured comparative ("lighter") is `measured_comparative`'s."""
    for m in _COMPARED.finditer(text or ""):
        if m.group("way") and m.group("what") and m.group("what").lower().split()[0] not in _NOT_MEASURES:
            way = m.group("way").lower()
            return frozenset(content_words(m.group("what"))), _MORE[way], way  # type: ignore[return-value]
    return None


def relative_attributes(text: str, keys: list[AttributeKey]) -> list[tuple[AttributeKey, Direction, str]]:
    """The numeric attributes of `keys` the message compares with the product in focus, one
    each: (key, way, the words that said it). "Lighter" is the weight, less; "more storage" the
    storage, more; "a longer battery life" battery_life; "the same RAM" ram; "bigger" the first
    size key the category has (`_SIZE_KEYS`: capacity, screen size, ...)."""
    numeric = [k for k in keys if k.kind == "numeric"]
    found: dict[str, tuple[AttributeKey, Direction, str]] = {}
    for m in _COMPARED.finditer(text or ""):
        said = m.group(0)
        if m.group("measured"):
            names, way = MEASURED_COMPARATIVES[m.group("measured").lower()]
            key = _measured_by(names, numeric)
        else:
            way = "same" if m.group("same") else _MORE[m.group("way").lower()]  # type: ignore[assignment]
            asked = content_words(m.group("what") or m.group("same"))
            key = next((k for k in numeric if content_words(k.words.split()[0]) <= asked or _head_named(k, numeric, asked)),
                       None)
            measured = MEASURED_COMPARATIVES.get(m.group("way").lower()) if m.group("way") else None
            if key is None and measured is not None:  # "a bigger one": bigger names its measure
                names, way = measured
                key = _measured_by(names, numeric)
                said = m.group("way")
        if key is not None and key.key not in found:
            found[key.key] = (key, way, said)
    return list(found.values())
