"""Small, dependency-free text helpers shared by the context builder, the extractive generator
and the grounding check: sentence splitting, content words, numbers with units, and a
tokenizer-free token estimate. Kept in one place so all three judge text the same way."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from rag.units import UNITS_OF_MEASURE

# Function words that carry no product fact; anything else counts as a content word.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else ever
    few for from further get gets got had has have having he her here hers herself him himself his
    how i if in into is it its itself just let lets like may me might more most much must my myself
    no nor not now of off on once one only or other ought our ours ourselves out over own per please
    same shall she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up upon us very was we were what when where which
    while who whom whose why will with within without would yes yet you your yours yourself
    yourselves im ive id youre dont doesnt didnt isnt arent wasnt cant wont its tell know want need
    thanks thank hi hello hey ok okay there's what's it's i'm i'd i've don't doesn't can't won't
    that's how's where's who's here's actually maybe perhaps um uh hmm even
    """.replace("'", "").split()  # compared after apostrophes are dropped: "what's" -> "whats"
)

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# A number, optionally with thousands separators and decimals; currency and unit handled apart.
# (a minus not after a letter or digit is the value's sign, "-18 °C", not "3-5 days"'s dash;
# a degree sign is part of its unit: "10 °C" and "50 °F" are different temperatures)
_NUMBER = re.compile(r"(?<![\w.])(-(?=\d))?([$€£]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
                     r"\s*(%|°\s?[a-zA-Z]{1,12}|[a-zA-Z]{1,12})?")
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")

# Units whose mismatch makes a number claim different ("30 days" is not "30%", "2 kg" not
# "2 lb"): every unit of measure under its stored name (rag.units), percentages and currencies.
UNITS = {**{spelled: unit.name for unit in UNITS_OF_MEASURE for spelled in unit.spellings},
         "%": "%", "percent": "%", "pct": "%",
         "usd": "$", "eur": "€", "gbp": "£", "dollars": "$", "dollar": "$"}


def stem(word: str) -> str:
    """A deliberately light suffix stripper ("returns"/"returned" -> "return") so lexical
    overlap survives inflection without a stemming dependency. A final y that inflection turns
    into ie has the stem of its y form: "batteries", "battery" -> "battery"; "carried" -> "carry";
    "cookie", "cookies" -> "cooky"."""
    if len(word) >= 5 and word.endswith(("ies", "ied")):
        return stem(word[:-3] + "y")
    if len(word) >= 5 and word.endswith("ie"):
        return stem(word[:-2] + "y")
    for suffix in ("ing", "edly", "ed", "es", "s", "ly"):
        if suffix == "s" and word.endswith("ss"):  # "glass", "address": no plural
            return word
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            # "boxes", "glasses", "watches": -es; "cases", "sizes", "phones": -s
            if suffix == "es" and not word.endswith(("sses", "xes", "zzes", "ches", "shes")):
                return word[:-1]
            return word[: -len(suffix)]
    return word


# An amount of money as shoppers and catalogs write it: "$14.99", "1,299.99 USD", "100 dollars"
# (the amount is the first group that matched; thousands separators allowed).
AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
MONEY = rf"(?:[$€£]\s?{AMOUNT}|{AMOUNT}\s?(?:\$|€|£|usd|eur|gbp|dollars?|bucks|euros?)\b)"


_AMOUNT_OF = re.compile(MONEY, re.IGNORECASE)
# a rule's money condition: "on orders over $50", "orders under $50", "at least $75"
_CONDITION = re.compile(rf"\b(over|above|more than|at least|under|below|less than)\s+(?:{MONEY})", re.IGNORECASE)
_MEETS = {"over": float.__gt__, "above": float.__gt__, "more than": float.__gt__, "at least": float.__ge__,
          "under": float.__lt__, "below": float.__lt__, "less than": float.__lt__}


def _money(match: re.Match[str], skip: int = 0) -> float:
    """The amount a MONEY match holds (its groups after the first `skip`)."""
    return float(next(g for g in match.groups()[skip:] if g).replace(",", ""))


#: Which products of a kind the product in focus goes with: "what phone is it for?", "which
#: phones does it fit?", "what phones is this case for?" (not "what temperature is it good for?")
ASKS_WHAT_IT_FITS = re.compile(
    r"\b(?:which|what)\s+(?:[a-z]+\s+){1,2}?(?:does|do|will|would|can|is|are)\s+(?:it|this|these|they|that)"
    r"(?:\s+(?:one|ones|case|cases|charger|chargers|cable|cables|cover|band|strap|adapter|accessory))?"
    r"\s+(?:fit|fits|work\s+with|go\s+with|for)\b", re.IGNORECASE)


#: A question about what something costs: "how much is shipping?", "is shipping free?", "any fee?"
ASKS_COST = re.compile(r"\b(?:how\s+much|costs?|costing|pric(?:e|es|ed|ing)|free|charges?|charged|fees?|pay)\b",
                       re.IGNORECASE)


def asked_amount(question: str) -> float | None:
    """The one amount of money a question is about ("how much is shipping for a $30 order?"),
    unless it states a condition itself ("is shipping free on orders over $50?" asks about the
    rule, not about an order)."""
    amounts = list(_AMOUNT_OF.finditer(question))
    if len(amounts) != 1 or _CONDITION.search(question):
        return None
    return _money(amounts[0])


def meets_conditions(amount: float, sentence: str) -> bool | None:
    """Whether `amount` meets every money condition the sentence states (None: it states none):
    a $30 order meets "Orders under $50 ship for $5.99" and fails "free shipping on orders over
    $50"."""
    conditions = list(_CONDITION.finditer(sentence))
    if not conditions:
        return None
    return all(_MEETS[" ".join(m.group(1).lower().split())](amount, _money(m, skip=1)) for m in conditions)


_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_HOW_MANY = {"a": 1, "an": 1, "one": 1, "last": 1, "couple": 2,
             "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_N = r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT_OF_TIME = r"(day|week|month|year)s?"
# how long ago something began: "after 2 months", "3 weeks ago", "I've had it for a year"
_ELAPSED = re.compile(rf"\b(?:after|for)\s+(?:about\s+|almost\s+|nearly\s+|over\s+)?{_N}\s+{_UNIT_OF_TIME}\b"
                      rf"|\b{_N}\s+{_UNIT_OF_TIME}\s+(?:ago|later|old)\b"
                      # "it's been 10 days", "been over 2 weeks"
                      rf"|\bbeen\s+(?:about\s+|almost\s+|nearly\s+|over\s+|only\s+|just\s+)?{_N}\s+{_UNIT_OF_TIME}\b"
                      # "i bought them last month" (it said "I don't know"), "a couple of weeks ago"
                      rf"|\b(?:bought|got|ordered|received|had|delivered|arrived)\b[^.?!]*?\b(last)\s+{_UNIT_OF_TIME}\b"
                      rf"|\ba\s+(couple)\s+(?:of\s+)?{_UNIT_OF_TIME}\s+ago\b",
                      re.IGNORECASE)
# a rule's period: "within 30 days", "30-day returns", "a 2-year warranty", "covered for 1 year"
_PERIOD = re.compile(rf"\bwithin\s+{_N}\s+{_UNIT_OF_TIME}\b"
                     rf"|\b{_N}[- ]{_UNIT_OF_TIME}\s+(?:returns?|return window|warranty|guarantee)\b"
                     rf"|\bfor\s+(?:the\s+first\s+)?{_N}\s+{_UNIT_OF_TIME}\b", re.IGNORECASE)


def _days(number: str, unit: str) -> float:
    return float(_HOW_MANY.get(number.lower()) or number) * _DAYS[unit.lower()]


def _first_days(match: re.Match[str]) -> float:
    number, unit = [g for g in match.groups() if g][:2]
    return _days(number, unit)


#: Colours a shopper names ("does it come in red?", "do you have the X in silver?")
COLOUR_NAMES = ("black", "white", "silver", "red", "blue", "navy", "navy blue", "green", "forest green", "grey",
                "gray", "graphite", "sand", "pink", "purple", "yellow", "orange", "gold", "brown", "beige", "rose")
#: All of a product's details asked for ("what are its specs?", "what features does it have?",
#: "full specifications")
ASKS_SPECS = re.compile(r"\b(?:specs|spec\s+sheet|specifications?|tech(?:nical)?\s+(?:details|data)|features)\b"
                        r"|\b(?:all|full|more)\s+(?:the\s+|its\s+|their\s+)?details\b", re.IGNORECASE)
#: A choice made for carrying it ("which is better for travel?", "which one for backpacking?"),
#: which the lighter one answers
_CARRYING_PURPOSES = (r"(?:travel\w*|commut\w*|backpacking|trekking|hiking|carrying(?:\s+(?:it\s+|them\s+)?around)?"
                      r"|(?:a|my)\s+(?:trip|hike|flight|commute))\b")
FOR_CARRYING = re.compile(rf"^\W*which\b[^?]*\bfor\s+{_CARRYING_PURPOSES}", re.IGNORECASE)
#: Whether one suits a purpose its weight tells ("is it good for hiking?", "easy to carry?"),
#: of the same purposes
GOOD_FOR_CARRYING = re.compile(r"\b(?:good|ok|okay|suitable|great|fine|ideal|right|light\s+enough|too\s+heavy)\s+"
                               rf"(?:\w+\s+)?for\s+{_CARRYING_PURPOSES}|\b(?:easy|hard)\s+to\s+carry\b|\bportable\b",
                               re.IGNORECASE)
#: A colour asked for ("... in silver?"), not one a product's title ends with (", Silver")
IN_A_COLOUR = re.compile(r"\bin\s+(?:a\s+|an\s+)?(?:" + "|".join(COLOUR_NAMES) + r")\b", re.IGNORECASE)

#: A policy question about the rules of a kind across the store's products, not the store-wide
#: one alone: in the plural ("your warranties", "return policies", "return windows"), or how
#: they differ by product ("does the warranty vary by brand?", "different products"); not a
#: different thing of the shopper's ("a refund to a different card", "a different size")
_BY_PRODUCT = r"(?:products?|items?|brands?|categor(?:y|ies)|kinds?|types?|models?)"
ACROSS_PRODUCTS = re.compile(rf"\b(?:warranties|guarantees|return\s+(?:policies|windows|periods)"
                             rf"|(?:polic(?:y|ies)|rules?)\s+(?:for|on)\s+(?:different|each|all|every)\b"
                             rf"|(?:different|each|every|all)\s+{_BY_PRODUCT}"
                             rf"|(?:differ|differs|vary|varies|depends?)\s+(?:by|between|across|per|on(?:\s+the)?)\s+{_BY_PRODUCT})\b",
                             re.IGNORECASE)

_STANDARD = r"(?:standard|regular|normal|usual|default|basic|general|store(?:'s|-wide)?|store\s+wide)"
_RULE = r"(?:one|warrant(?:y|ies)|polic(?:y|ies)|returns?|return\s+polic(?:y|ies)|shipping|rules?)"
# (a rule, or nothing after it: "better than usual"; not "vs standard packaging", a product's)
_AGAINST = rf"\b(?:than|to|with|from|vs\.?|versus)\s+(?:the\s+|your\s+|a\s+)?{_STANDARD}(?=\s+{_RULE}\b|\s*(?:[?.!,]|$))"
# ("standard shipping" is a kind of shipping, named so by the rules)
_THE_STANDARD_ONE = r"\b(?:standard|regular|normal|usual)\s+(?:one|warrant(?:y|ies)|polic(?:y|ies)|returns?|rules?)\b"

#: A policy question that weighs a brand's, category's or product's rule against the store's
#: usual one: "is the Orbis warranty better than the standard one?", "how does it compare to
#: your regular return policy?", "longer than usual?", "the standard warranty vs Orbis's"
AGAINST_THE_STANDARD = re.compile(f"{_AGAINST}|{_THE_STANDARD_ONE}", re.IGNORECASE)

# the weighing itself, with its comparative: "better than the standard one", "the standard
# warranty vs"
_WEIGHING = re.compile(
    rf"\s*\b(?:(?:any\s+)?(?:better|worse|longer|shorter|bigger|smaller|more|less|different|differ|same"
    rf"|compare[sd]?)\s+)?"
    rf"{_AGAINST}(?:\s+{_RULE})*"
    rf"|\b(?:the\s+|your\s+)?{_THE_STANDARD_ONE}\s+(?:vs\.?|versus|or|and|compared\s+(?:to|with))\s*",
    re.IGNORECASE)


_ASKS_YES_OR_NO = re.compile(r"^\W*(?:how\s+)?(?:is|are|does|do|will|would)\b", re.IGNORECASE)


def without_the_standard(question: str) -> str:
    """The question less its weighing against the store's usual rule, whose words no rule
    says ("better", "standard"), asked as what the rule is: "is the Orbis warranty better than
    the standard one?" asks what the Orbis warranty is, and the usual one is given beside it."""
    rest = _WEIGHING.sub("", question)
    return _ASKS_YES_OR_NO.sub("what is", rest, count=1) if rest != question else question


#: A period written as the store's rules write it: "3-year", "60-day"
NAMED_PERIOD = re.compile(r"\b\d+-(?:year|month|week|day)\b")


def asked_elapsed(question: str) -> float | None:
    """How long ago, in days, what the question is about began: "my headphones stopped working
    after 2 months" -> 60, "can I return a laptop after 20 days?" -> 20 (None: it says not)."""
    m = _ELAPSED.search(question)
    return _first_days(m) if m else None


def within_period(days: float, sentence: str) -> bool | None:
    """Whether `days` is inside every period the sentence gives (None: it gives none): 60 days
    fail "return most items within 30 days" and meet "a 2-year warranty"."""
    periods = [_first_days(m) for m in _PERIOD.finditer(sentence)]
    return all(days <= p for p in periods) if periods else None


def past_every_period(days: float, text: str) -> bool:
    """Whether `days` is longer than every period the text gives (False when it gives none):
    two years are past "a 1-year warranty" and "within 30 days" both."""
    periods = [_first_days(m) for m in _PERIOD.finditer(text)]
    return bool(periods) and all(days > p for p in periods)


@dataclass(frozen=True)
class AskedQuantities:
    """The amount of money and the time (in days) a question gives, read once per question:
    "shipping for a $30 order?" -> money 30; "stopped working after 2 months" -> days 60."""

    money: float | None
    days: float | None

    @classmethod
    def of(cls, question: str) -> "AskedQuantities":
        return cls(asked_amount(question), asked_elapsed(question))

    def __bool__(self) -> bool:
        return self.money is not None or self.days is not None

    def or_order_of(self, price_facts: list[str]) -> "AskedQuantities":
        """The question's own amount, else the price of the one product the context prices
        ("how much is shipping for it?" about a $486.99 laptop meets "free standard shipping on
        orders over $50"); a model priced from one colour to another gives no one amount."""
        if self.money is not None or len(price_facts) != 1:
            return self
        return AskedQuantities(asked_amount(price_facts[0]), self.days)

    def met_by(self, sentence: str) -> bool | None:
        """Whether the sentence's conditions hold for them (meets_conditions, within_period);
        None when it states none for them."""
        met = [m for m in (meets_conditions(self.money, sentence) if self.money is not None else None,
                           within_period(self.days, sentence) if self.days is not None else None)
               if m is not None]
        return all(met) if met else None


# a thing that has failed: "stopped working", "arrived broken", "won't charge"
FAILURE = re.compile(
    r"\b(?:stopped working|quit working|broke|broken|not working|isn['’]?t working|doesn['’]?t work|does not work"
    r"|won['’]?t (?:turn on|charge|work|start)|defective|faulty|cracked|damaged|malfunction\w*"
    # what breaks in outdoor gear and appliances ("my tent leaks": it was read as an order status)
    r"|leaks|leaking|leaked|torn|ripped|snapped|shattered|(?:a|with\s+a)\s+hole\s+in"
    # what stops in electronics and appliances ("my smartwatch stopped charging", "they died")
    r"|stopped\s+(?:charging|turning\s+on|holding\s+(?:a\s+)?charge|connecting|pairing|heating|brewing|blending"
    r"|syncing|tracking|playing)|(?:won['’]?t|doesn['’]?t|does\s+not|can['’]?t|will\s+not)\s+(?:charge|turn\s+on"
    r"|connect|pair|hold\s+(?:a\s+)?charge|heat(?:\s+up)?|blend|sync)|died|(?:is|are)\s+dead"
    # half working, or unsafe ("my headphones only work on one side" was declined; "the blender
    # smells like burning" said "I don't know")
    r"|only\s+works?\s+(?:on\s+)?(?:one|the\s+(?:left|right))\s+(?:side|ear)|no\s+sound"
    r"|smells?\s+(?:like\s+)?(?:burn\w*|smoke|plastic)|smok(?:es|ing)|overheat\w*|sparks?|sparking"
    # what it does that it should not ("my blender is making a weird noise" was declined, "my
    # headphones keep disconnecting" said "I don't know")
    r"|(?:weird|strange|loud|funny|odd|grinding|rattling|clicking|buzzing|squeaking|squealing|whining)\s+"
    r"(?:(?:grinding|rattling|clicking|buzzing|squeaking|whining)\s+)?(?:noises?|sounds?)"
    r"|keeps?\s+(?:disconnecting|turning\s+off|shutting\s+(?:off|down)|restarting|rebooting|cutting\s+out|freezing"
    r"|crashing|dropping\s+(?:the\s+)?(?:connection|signal))|(?:randomly\s+)?(?:shuts|turns)\s+off\s+(?:by\s+itself|randomly|on\s+its\s+own)"
    # ("my laptop screen flickers" was declined)
    r"|flicker(?:s|ing|ed)?|glitch(?:es|ing|y)|dead\s+pixels?|won['’]?t\s+(?:boot|load|zip|close|lock))\b",
    re.IGNORECASE)

#: A shopper unhappy with what they bought ("I'm not happy with my laptop, it's too slow"): what
#: the store offers (the return) answers, as it does for a failure
DISSATISFIED = re.compile(r"\b(?:not\s+(?:happy|satisfied|pleased)|unhappy|disappointed|dissatisfied"
                          r"|(?:don't|do not|didn't|did not)\s+(?:like|want|need)\s+(?:it|them|this|my)\b)", re.IGNORECASE)
# an accident told ("i dropped it", "i spilled coffee on it", "it fell in the pool"): what the
# warranty calls accidental damage, which it does not cover
ACCIDENT = re.compile(r"\b(?:dropp(?:ed|ing)|spill(?:ed|t)|fell\s+(?:off|in|into|down|on|from)"
                      r"|knocked\s+(?:it|them)\s+over"
                      r"|sat\s+on|stepped\s+on|ran\s+over|got\s+(?:it\s+|them\s+)?(?:wet|soaked)"
                      r"|(?:in|into)\s+the\s+(?:pool|bath|bathtub|toilet|sink|washing\s+machine|washer))\b",
                      re.IGNORECASE)
# the wrong one bought ("I ordered the wrong size backpack", "they're too tight"): a return (it
# said "I don't know", or quoted the warranty against defects)
WRONG_PICK = re.compile(r"\b(?:ordered|bought|got|received|sent|picked)\s+(?:me\s+)?(?:the\s+|a\s+)?wrong\b"
                        r"|\bwrong\s+(?:size|colou?r|model|item|product|one)\b"
                        # not what was shown ("the product I received is different from the picture")
                        r"|\b(?:different|differs)\s+from\s+(?:the\s+|what\s+)?(?:picture|photo|image|description|listing|"
                        r"website|site|ad|i\s+ordered)|\bnot\s+(?:as\s+described|what\s+i\s+ordered)"
                        r"|(?:doesn't|don't|does not|do not|didn't|did not)\s+fit\b"
                        r"|(?:it's|its|it is|they're|they are|it was|they were|is|are)\s+(?:way\s+|a\s+bit\s+|much\s+)?"
                        r"too\s+(?:small|big|large|tight|loose|short|long|narrow|wide)\b", re.IGNORECASE)


# Shop vocabulary that says the same thing with different words, folded onto one form (after
# stemming) so "What does it cost?" meets "price: 79.99 USD". Kept short and literal on purpose.
CANONICAL = {
    "cost": "price", "pric": "price", "deliver": "ship", "delivery": "ship", "shipp": "ship",
    "guarantee": "warranty", "guarante": "warranty", "colour": "color", "weight": "weigh",
    "instock": "stock", "available": "availab", "availability": "availab",
    # what a comparison asks ("which is more powerful / lighter / bigger / cheaper?") and the
    # attribute that answers it (wattage, weight, dimensions, price)
    "powerful": "power", "wattage": "power", "watt": "power",
    "heavy": "weigh", "heavier": "weigh", "lighter": "weigh", "heaviest": "weigh", "lightest": "weigh",
    "lightweight": "weigh", "ultralight": "weigh",  # "an ultralight tent": weight, lowest first
    "bigger": "size", "larger": "size", "smaller": "size", "dimension": "size",
    "biggest": "largest", "roomiest": "largest",  # "the biggest backpack": "capacity, largest first"
    "waterproof": "water",  # "a waterproof smartwatch": "water resistance: 50 m"
    "swim": "water", "swimm": "water",  # "a smartwatch for swimming", "can I swim with it?"
    "cheaper": "price", "expensive": "price", "pricier": "price",
    "people": "person",  # "a tent for 4 people" and "capacity: 4 persons"
    # what a thing is made of ("made of" reads "material"): a sleeping bag's "fill: duck down"
    # ("what's it made of?" said "I don't know"), a bag's fabric
    "fill": "material", "fabric": "material",
    # a rule for what is unopened answers what was opened ("i opened them already" after "i want
    # to return my headphones": "Yes, if the ear tips are unopened and sealed"; "I don't know")
    "unopen": "open",
    # an accident told ("i dropped it", "i spilled water on it") is what the warranty calls
    # accidental damage (it quoted the warranty's cover as though it applied); "drops" a case is
    # tested for stay drops
    "dropp": "accidental", "spill": "accidental",
    "timer": "programmable",  # "a coffee maker with a timer" and "programmable: yes"
    # "noise cancellation" and "noise cancelling: yes" (it listed all headphones, "I can't tell")
    "cancell": "cancel", "cancellation": "cancel", "cancelation": "cancel",
    # a card's network is a credit card ("can I use my credit card?" said "I don't know" to "We
    # accept Visa, Mastercard, ...")
    "visa": "creditcard", "mastercard": "creditcard", "amex": "creditcard",
}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def content_words(text: str) -> set[str]:
    """Stemmed non-stopwords of length >= 2 (numbers included), citation markers removed,
    shop synonyms folded onto one form (CANONICAL), a compound such as "gift card" one word,
    "made of" read as "material", "send it back" as "return". A fresh set each call (callers may change
    it); the work is cached per text, because the same evidence texts come back in every
    answer (context, extractive generator and grounding check all read them)."""
    return set(_content_words(text))


# a number written together with its unit: "16gb", "1tb", "65w" (not an ordinal: "3rd")
_NUMBER_WITH_UNIT = re.compile(r"(\d+)(?!st$|nd$|rd$|th$)([a-z]+)")


def is_quantity(token: str) -> bool:
    """A number written together with its unit ("16GB", "65W,"), as the shopper typed it."""
    return bool(_NUMBER_WITH_UNIT.fullmatch(token.strip(".,;:!?()").lower()))


# Two words that name one thing in a shop, read as one word: "Gift cards cannot be returned"
# says nothing about returning a gift, "debit card" nothing about store gift cards, nor "final
# sale" (no returns) about sales.
_COMPOUND = re.compile(r"\b(gift|credit|debit)[\s-]+(card)s?\b|\b(final)[\s-]+(sale)s?\b", re.IGNORECASE)


def _one_word(m: re.Match[str]) -> str:
    return "".join(g for g in m.groups() if g)


def compound_words(text: str) -> frozenset[str]:
    """The words of `text` that are part of a name of two ("sale" of "final sale", "card" of
    "gift card"): a question that has such a word alone asks for something else ("what's on
    sale?" is no question about final sale)."""
    return frozenset(g.lower() for m in _COMPOUND.finditer(text or "") for g in m.groups() if g)


# "what's it made of?" asks its material, which "material: polyester" and "Built from glass"
# state, and "X is made by Summit Gear" does not
_MADE_OF = re.compile(r"\b(?:made|built|constructed)\s+(?:out\s+of|of|from)\b", re.IGNORECASE)
# "how do I send it back?" asks how to return it (it got "Gift cards ... cannot be returned")
_SEND_BACK = re.compile(r"\b(?:send|ship|mail|take|bring)(?:ing)?\s+(?:it|them|this|that|these|those|the\s+\w+)?\s*back\b",
                        re.IGNORECASE)


@lru_cache(maxsize=16384)
def _content_words(text: str) -> frozenset[str]:
    out: set[str] = set()
    for w in words(_SEND_BACK.sub("return", _MADE_OF.sub("material", _COMPOUND.sub(_one_word, strip_citations(text))))):
        # a possessive is its noun ("the Phone Case's packaging": case, not "cases")
        w = w[:-2] if w.endswith("'s") else w.replace("'", "")
        # "16GB" is also "16 GB", as catalogs write it ("ram: 16 GB")
        m = _NUMBER_WITH_UNIT.fullmatch(w)
        for part in (w, *m.groups()) if m else (w,):
            if part in STOPWORDS or len(part) < 2:
                continue
            part = stem(part)
            out.add(CANONICAL.get(part, part))
    return frozenset(out)


# "your store", "a physical store", "in store", "my order": the shop itself and the shopper's
# order, which every rule of the store is about.
_SELF_REFERENCE = re.compile(
    r"\b(?:your|the|a|an|in|my|our|this)\s+(?:(?:physical|retail|online|local|nearest|real)\s+)?"
    r"(store|shop|order)s?\b", re.IGNORECASE)


def self_reference_words(text: str) -> set[str]:
    """The content words of `text` that name the store itself or the shopper's order ("your
    store", "in store", "my order"). They name no fact: "can I pick up my order in store?" is
    not answered by "Orders under $50 ship for $5.99", nor "do you have a physical store?" by
    "... PayPal and store gift cards". ("Stores 5000 mAh" and "the minimum order for free
    shipping" keep their word: no determiner before it, or another word between.)"""
    return content_words(" ".join(m.group(1) for m in _SELF_REFERENCE.finditer(text)))


# "is it ...", "do you ...", "can I ...": a question answered yes or no
# (after a joining word too: "and do you ship on weekends?" is asked as "do you ship ...")
# (after a greeting too: "hi can i pay with paypal?")
_YES_NO_QUESTION = re.compile(r"^\W*(?:(?:hi|hello|hey|and|but|so|ok|okay|also)[\s,!.]+)?"
                              r"(is|are|does|do|did|will|would|can|could|should|has|have|was|were)\b", re.IGNORECASE)


def is_yes_no_question(text: str) -> bool:
    """The text opens as a question answered yes or no ("do you ship on weekends?")."""
    return bool(_YES_NO_QUESTION.match(text or ""))


# what a shopper calls the order an FAQ's "my order" is about
_ORDER_WORDS = "order orders package parcel shipment purchase"


_HAS_IT_WORDS = "sell sells carry carries stock offer offers have has"


def asks_question(message: str, question: str) -> bool:
    """The message asks an FAQ's question: it has all of its content words, less those that
    name the store or the shopper's order ("how can I track a package?" asks "How do I track my
    order?"); a question about an order needs a message about one ("does it track heart rate?"
    does not ask it)."""
    own = self_reference_words(question)
    # (what the store has, in any of its verbs: "do you have gift cards?" asks "Do you sell gift
    # cards?")
    wanted = content_words(question) - own - content_words(_HAS_IT_WORDS)
    said = content_words(message)
    order_words = _content_words(_ORDER_WORDS)
    if own & order_words and not said & order_words:
        return False
    return bool(wanted) and wanted <= said


def asks_only(message: str, question: str) -> bool:
    """The message asks an FAQ's question (`asks_question`) and nothing more, so the FAQ's "Yes"
    or "No" answers it: "do you have gift cards?" asks only "Do you sell gift cards?", "do gift
    cards expire?" asks more."""
    more = content_words(message) - content_words(question) - self_reference_words(message) - content_words(_HAS_IT_WORDS)
    return asks_question(message, question) and not more


# A name written in full: two to four capitalized words ("American Express", "Federal Express")
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}\b")


def _shortens(short: str, name: list[str]) -> bool:
    """Whether `short` is made of the beginnings of each word of `name`, in order: two letters or
    more each ("amex": AMerican EXpress, "fedex": FEDeral EXpress)."""
    if not name:
        return not short
    first = name[0]
    return any(first[:k] == short[:k] and _shortens(short[k:], name[1:])
               for k in range(min(len(first), len(short) - 2 * (len(name) - 1)), 1, -1))


def spelled_out(question: str, texts: list[str], english: Collection[str] = ()) -> str:
    """`question` with a short form of a name written as the texts write it in full: "do you
    take Amex?" over "We accept Visa, Mastercard, American Express, ..." reads "do you take
    American Express?". A short form is a word of four letters or more that no text has and
    that begins each word of a name the texts write capitalized ("Am" + "ex"), and is no word of
    `english` ("note" is no short form of "No Tears"); nothing else is read as one, so "do you
    take Discover?" stays as it is."""
    known: set[str] = set().union(*(words(t) for t in texts))
    unknown = {w for w in words(question) if len(w) >= 4 and w.isalpha() and w not in known and w not in english}
    if not unknown:
        return question
    full: dict[str, str] = {}
    for name in {m.group(0) for t in texts for m in _FULL_NAME.finditer(t)}:
        parts = name.lower().split()
        for w in unknown:
            if w[:2] == parts[0][:2] and w not in full and _shortens(w, parts):
                full[w] = name
    if not full:
        return question
    return re.sub(r"[A-Za-z]+", lambda m: full.get(m.group(0).lower(), m.group(0)), question)


#: Words of a document's title that say it is a document, not what it is about
_DOCUMENT_WORDS = "store shop policy policies information info details terms faq faqs our us general"


def names_title(message: str, title: str) -> bool:
    """The message names what a document is titled by: one of its title's content words but
    those that say it is a document ("what are your hours?" and "how can I contact you?" name
    "Store hours & contact"; "do you charge sales tax?" names "Sales tax"; "what's the
    weather?" names neither; "Store information" names nothing)."""
    return bool((content_words(title) - _content_words(_DOCUMENT_WORDS)) & content_words(message))


def numbers(text: str) -> list[tuple[str, str | None]]:
    """(value, unit) pairs: "$19.99" -> ("19.99", "$"), "30 days" -> ("30", "day"),
    "90% off" -> ("90", "%"). Values are normalized (no separators, no trailing zero decimals)."""
    found: list[tuple[str, str | None]] = []
    for m in _NUMBER.finditer(strip_citations(text)):
        sign, currency, whole, frac, unit = m.groups()
        value = (sign or "") + whole.replace(",", "")
        unit = unit.replace(" ", "") if unit else unit
        if frac and frac.strip("0"):
            value = f"{value}.{frac.rstrip('0')}"
        unit_norm = UNITS.get((unit or "").lower()) or (currency or None)
        if currency and not unit_norm:
            unit_norm = currency
        found.append((value, unit_norm))
    return found


def strip_citations(text: str) -> str:
    return _CITATION.sub(" ", text)


def citation_numbers(text: str) -> list[int]:
    return [int(n) for m in _CITATION.finditer(text) for n in re.findall(r"\d+", m.group(0))]


SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])*\s+(?=(?:[-*•]\s+)?[\"'(A-Z0-9])|\n+")


def split_sentences(text: str) -> list[str]:
    """Split on sentence punctuation followed by whitespace and an upper-case start (a list
    item's "- " or "* " before it, as a policy's bullets read once its lines are joined), or on
    line breaks. A citation right after the period ("... days. [2] Next") stays with its sentence.
    Decimals ("19.99") never split because no whitespace follows the point."""
    parts: list[str] = []
    start = 0
    for m in SENTENCE_BOUNDARY.finditer(text):
        end = m.end()
        chunk = text[start:end]
        # keep trailing citation markers attached to the sentence they follow
        parts.append(chunk)
        start = end
    parts.append(text[start:])
    out = []
    for p in parts:
        p = re.sub(r"\s+", " ", p).strip(" -*•\t")
        if p:
            out.append(p)
    return out


# Tokenizer-free budget estimate. Byte-pair tokenizers of small English models (SmolLM2, Llama,
# GPT-2 family) average ~4 characters per token on product text; dividing by 3.5 and counting
# each word-like symbol run errs on the high side so the real prompt never overflows the budget.
CHARS_PER_TOKEN = 3.5


def capitalized(sentence: str) -> str:
    """`sentence` starting upper case when its first word is written all in lower-case letters
    ("every 2 months", "i'm happy"), so answer sentences split back apart at their boundaries
    (split_sentences); a first word with capitals or digits inside stays as written ("iPad",
    "p000646")."""
    first = re.sub(r"[^\w]", "", sentence.split(" ", 1)[0])
    return sentence[:1].upper() + sentence[1:] if first.isalpha() and first.islower() else sentence


def estimate_tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def search_before(prefix: re.Pattern[str], text: str, name: str) -> re.Match[str] | None:
    """The match of `prefix` that ends where `name` starts (case-insensitively), leftmost first:
    what `re.search(prefix.pattern + re.escape(name), text, re.I)` finds, without compiling a
    pattern per product name (a catalog's names overflow re's cache of 512, and each compile costs
    about as much as the search it serves). `prefix` must not look past its own end."""
    if not name:
        return None
    lowered, needle = text.lower(), name.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer ("İ"): offsets differ
        return re.search(prefix.pattern.removesuffix(r"\Z") + re.escape(name), text, prefix.flags)
    ends: list[int] = []
    at = lowered.find(needle)
    while at >= 0:
        ends.append(at)
        at = lowered.find(needle, at + 1)
    found = [m for end in ends if (m := prefix.search(text, 0, end)) is not None]
    return min(found, key=lambda m: m.start(), default=None)


#: Words that name any product at all ("products", "items"): they say which thing is meant by
#: nothing ("are your products eco friendly?" was answered by a laptop's "This product is sold
#: as final sale", by "product" alone)
GENERIC_WORDS = frozenset(_content_words("product products item items thing things stuff merchandise"))
