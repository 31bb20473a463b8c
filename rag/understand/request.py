"""What a shopper asks the store for, read from the words of the request: "do you sell laptop
bags?" asks for bags, and "laptop" only says which kind.

Both halves of answering need the difference. The entity linker finds "laptop" (the Laptops
category) in that message, and a listing of laptops is no answer to it; the extractive generator
finds "gift" in "Do you sell gift cards? Yes, ..." for "do you offer gift wrapping?", and that
FAQ is no answer either. English puts the thing asked for last in its phrase (the *head*:
"bags", "wrapping") after the words that narrow it (the *modifiers*: "laptop", "gift"), so the
phrase after a request ("do you sell", "is there", "I need") is read up to where it ends ("for",
"under", "?", ...) and its last word is the head. Only a request's object is read this way:
"are tents waterproof?" and "do laptops come with a charger?" ask for no thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.textutil import COLOUR_NAMES, GENERIC_WORDS, content_words

# "do you sell", "does your store carry", "do you guys have", "is there", "are there any",
# "got any", "I need", "I'm looking for", "can I buy", "where can I get", "any ...?"
_ASKING = re.compile(
    r"\b(?:(?:do|does|did)\s+(?:you|u|y'all|your\s+(?:store|shop)|the\s+(?:store|shop)|this\s+(?:store|shop))"
    r"(?:\s+(?:guys|folks|all|also|still|even|currently|ever))?"
    r"\s+(?:(?P<trade>sell|carry|stock|offer|provide)|have|do|make)"
    r"|(?:is|are)\s+there|(?:have\s+)?(?:you|u)\s+got|got(?=\s+any\b)"
    # help to choose one ("i need help choosing a phone", "help me pick a laptop")
    r"|(?:(?:i|we)\s+(?:need|want|would\s+like)\s+(?:some\s+)?help\s+(?:with\s+)?|help\s+(?:me\s+|us\s+)?(?:to\s+)?)"
    r"(?:choos(?:e|ing)|pick(?:ing)?(?:\s+out)?|find(?:ing)?|select(?:ing)?|decid(?:e|ing)\s+on)"
    r"|(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+(?:just\s+|also\s+)?(?:need|want|looking\s+for|searching\s+for|shopping\s+for)"
    # for someone else ("my son wants headphones"), or said politely ("I'd like a tent")
    r"|(?:my|our)\s+(?:[a-z']+\s+){1,3}?(?:needs|wants|is\s+looking\s+for|would\s+like)"
    r"|(?:i'?d|i\s+would|we'?d|we\s+would)\s+like"
    # one more thing, of any kind: "ok what about a tent to go with it" (not "what about the X?")
    # (not "what about a 4 season one?", the same kind again)
    r"|(?:what|how)\s+about(?=\s+(?:a|an|some|any)\s(?!(?:[\w-]+\s+){0,3}ones?\b))"
    r"|(?:^|[.!?,]\s*)(?:looking|searching|shopping)\s+for"
    r"|(?:can|could|may)\s+(?:i|we)\s+(?:buy|get|order|purchase|find)"
    r"|where\s+(?:can|do)\s+(?:i|we)\s+(?:buy|get|find))\b"
    r"|^\s*(?:so\s+|and\s+|hi\s+|hey\s+)?(?=any\s)"
    # a thing named as typed in a search box: "a blender for my kitchen"
    r"|^\s*(?:so\s+|and\s+|hi\s+|hey\s+)?(?=(?:a|an)\s+[a-z0-9])",
    re.IGNORECASE,
)
_DETERMINERS = frozenset("a an any some the your you of".split())
# Where the phrase of what is asked for ends ("a tent for 4 people", "laptops under $500",
# "headphones that fold", "tents in stock") ...
_ENDS = frozenset(
    "for with without under below over above less more than that which who to in into on at from around "
    "between by near and or but if so please pls thanks thank like as is are was were can could will would about "
    "do does should i we you it they this these those when where why how what whose "
    # what a kind is rated or made for ("a sleeping bag rated below -10" asked for a "bag rated",
    # and the sleeping bags were dropped as only narrowing it)
    "rated made designed built suitable suited meant intended".split())
# ... and words that follow what is asked for without being part of it ("tents available?",
# "laptops cheaper than ...", "do you sell phones too?", "any tents left?")
_AFTER = frozenset(
    "available availability anymore still too also now today tonight currently right here there online left "
    "again yet already instock cheap cheaper cheapest expensive pricier bigger smaller larger lighter "
    "heavier better faster newer older longer shorter quieter louder stronger thinner thicker wider "
    "narrower warmer cooler softer harder nearby around though then ever at all asap soon quickly fast "
    "urgently immediately tomorrow tonite".split())
# Last words that say "something" rather than what ("do you carry apple products?", "what
# payment options do you have?": it was asked of nothing called an option, and said "I don't know")
_GENERIC_HEADS = frozenset("product products item items thing things stuff goods merchandise gear "
                           "option options choice choices".split())
_WORD = re.compile(r"[a-z0-9][a-z0-9'&.-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
MAX_WORDS = 4


@dataclass(frozen=True)
class RequestedThing:
    """The words of what a request asks for, as written (lower case): ("laptop", "bags")."""

    words: tuple[str, ...]
    #: asked with a verb of selling ("do you sell / carry / stock / offer ...?"): a question
    #: about the store's range, whatever the thing is
    trade: bool = False
    #: asked as any one of a kind ("a cold brew coffee maker", "any tents", "sleeping bags"),
    #: not as a particular one ("the Crema Brew coffee maker")
    indefinite: bool = True

    @property
    def head(self) -> str:
        return self._named[-1]

    @property
    def modifiers(self) -> tuple[str, ...]:
        return self._named[:-1]

    @property
    def generic(self) -> tuple[str, ...]:
        """A last word that says "something" rather than what: "products" in "apple products"."""
        return self.words[len(self._named):]

    @property
    def _named(self) -> tuple[str, ...]:
        """The words without a last word that names no kind of thing ("apple products", "camping
        stuff": the head is "apple", "camping")."""
        return self.words[:-1] if len(self.words) > 1 and self.words[-1] in _GENERIC_HEADS else self.words


# "what laptops do you have?", "which tents do you sell?": the thing comes before the request
_WHAT_DO_YOU_HAVE = re.compile(
    r"\b(?:what|which)\s+(?:kinds?\s+of\s+|types?\s+of\s+|sorts?\s+of\s+)?(?P<thing>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,3}?)\s+"
    r"(?:do|does)\s+(?:you|u|your\s+(?:store|shop))\s+(?:(?P<trade>sell|carry|stock|offer)|have|got)\b", re.IGNORECASE)


def requested_thing(text: str) -> RequestedThing | None:
    """The thing the message asks the store for, or None when it makes no request or the
    request's object is no short phrase ("do you have my order?" is not read: "my" ends it).
    "What laptops do you have?" asks for laptops too."""
    for m in _ASKING.finditer(text or ""):
        rest = text[m.end():]
        stop = re.search(r"[?.!,;:()\[\]\"/$€£]", rest)  # (an amount of money ends it: "backpacks $200 or less")
        phrase: list[str] = []
        definite = False
        for w in _WORD.findall(rest[: stop.start()] if stop else rest):
            w = w.lower().strip("'")
            if not phrase and w in _DETERMINERS:
                definite = definite or w in ("the", "your", "you")
                continue
            # (and a word that ends it with its verb joined: "a tent that's easy to set up")
            if (w in _ENDS or w in _AFTER or w in ("my", "our", "his", "her", "their", "me", "us", "to")
                    or w.replace("’", "'").split("'")[0] in _ENDS):
                break
            phrase.append(w)
        if 0 < len(phrase) <= MAX_WORDS:
            return RequestedThing(tuple(phrase), trade=m.group("trade") is not None, indefinite=not definite)
    m = _WHAT_DO_YOU_HAVE.search(text or "")
    if m is not None:
        phrase = [w.lower() for w in _WORD.findall(m.group("thing")) if w.lower() not in _DETERMINERS]
        if phrase and not set(phrase) & _ENDS:
            return RequestedThing(tuple(phrase), trade=m.group("trade") is not None)
    return None


def searched_thing(text: str) -> RequestedThing | None:
    """What a search typed as in a shop's search box asks for ("cold brew coffee maker"): its
    words, as a request's thing (`requested_thing`), without an article first."""
    if not is_search(text):
        return None
    said = [w.lower().strip("'") for w in _WORD.findall(text)]
    definite = bool(said) and said[0] == "the"
    said = said[1:] if said and said[0] in _DETERMINERS else said
    return RequestedThing(tuple(said), indefinite=not definite) if 0 < len(said) <= MAX_WORDS else None


# what a kind asked for does or is for: "a blender *that* can crush ice", "a tent *for* the beach"
_WHAT_IT_DOES = re.compile(r"\b(?:that|which|to|for|so)\b", re.IGNORECASE)


def says_what_it_does(text: str, candidate_mention: str) -> bool:
    """Whether a loose match of a product's name is a category asked for and a word of what it
    should do, split by a clause: "blender crush" in "a blender that can crush ice" asks for a
    blender that crushes, not which Crush blender (NutriMix Crush 780, ...) was meant."""
    found = [m for w in candidate_mention.lower().split()
             if (m := re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text.lower()))]
    if len(found) < 2:
        return False
    first, last = min(m.start() for m in found), max(m.end() for m in found)
    return bool(_WHAT_IT_DOES.search(text[first:last]))


def asks_for_a_kind(thing: RequestedThing | None, candidate_mention: str, category_mentions: list[str]) -> bool:
    """Whether a name that matches several products loosely is only words of a kind of thing
    asked for: "do you have a cold brew coffee maker?" asks for a coffee maker that makes cold
    brew, not which of the Crema Brew 360, Kettleworks Brew 430, ... was meant. The request is
    indefinite ("a", "any", none), the mention lies within what is asked for, and a category
    named in the message is its head; "do you sell the Crema Brew coffee maker?" still asks
    which."""
    if thing is None or not thing.indefinite or not candidate_mention:
        return False
    asked = set(thing.words)
    return (set(w.lower() for w in _WORD.findall(candidate_mention)) <= asked
            and any(content_words(thing.head) & content_words(m) for m in category_mentions))


def narrows_only(thing: RequestedThing, named: str) -> bool:
    """Whether a name found in the request (a category's mention, or its name when it was found
    by meaning) is only one of the words that narrow what is asked for: "laptop" in "do you
    sell laptop bags?", "Coffee Makers" for "do you sell coffee beans?". Not when it names the
    head too ("phone cases", "2-person tent")."""
    words = content_words(named)
    return bool(words & content_words(" ".join(thing.modifiers))) and not words & content_words(thing.head)


#: Words of a sentence rather than of a search ("blue headphones", "sleeping bag for winter"):
#: questions, verbs that carry one, and people.
_SENTENCE_WORDS = frozenset(
    "what whats how why when where who whom whose which can could would should will shall may might must do does "
    "did done is are was were be been being am has have had i im me my mine we us our you your u it its "
    "he she him her his they them their there this that these those not no dont doesnt didnt isnt "
    "arent wont cant cannot if then than because so".split())
#: The most words a search typed in a shop's search box has ("sleeping bag for winter").
SEARCH_WORDS = 8


_FOR_MY = re.compile(r"\b(for|with)\s+my\b", re.IGNORECASE)


def is_search(text: str, max_words: int = SEARCH_WORDS) -> bool:
    """The text is a search, as typed in a shop's search box, not a sentence: a few words, none
    of a question, a verb that carries one, or a person ("blue headphones", "sleeping bag for
    winter", "headphones for my commute"; not "my headphones broke", "is it waterproof")."""
    text = _FOR_MY.sub(r"\1", text or "")  # (what it is for is no person: "for my commute")
    said = [w.replace("'", "") for w in re.findall(r"[\w'$.-]+", text.lower())]
    return len(said) <= max_words and not any(w.strip(".") in _SENTENCE_WORDS for w in said)


# What a yes/no question asks of a rule, beyond the rule's own action: the phrase after a
# preposition ("ship *on weekends*", "pay *with Apple Pay*", "return *without a receipt*") or
# after a verb that takes what a rule covers ("accept *bitcoin*", "cover *theft*"), asks for
# ("do I need *the receipt*").
_COMPLEMENT_START = re.compile(
    r"\b(?:on|to|with|without|for|in|into|via|by|outside|from|through|"
    r"accepts?|takes?|covers?|includes?|allows?|supports?|honou?rs?"
    # (asked, not told: "I need a gift for ..." is a request, its thing read apart)
    r"|(?:do|does|will|would|can|could|should|must)\s+(?:i|we|it|you|they)\s+(?:still\s+|also\s+)?(?:need|require))\s+",
    re.IGNORECASE)
# where such a phrase ends: another phrase, a clause, punctuation
_COMPLEMENT_ENDS = frozenset(
    "on to with without for in into via by outside from through under over below above than at of and or but "
    "if because since when unless "
    "once so that which who while after before as is are was were do does did can could will would".split())
# a clause that gives the shopper's circumstances, not what is asked of the rule ("can I
# return it *if it doesn't fit*?"): a rule answers it whatever the reason
_CIRCUMSTANCE = re.compile(r"\b(?:if|because|since|when|unless|once|in case|after|before)\b.*$", re.IGNORECASE | re.DOTALL)


# "to" begins a place or a recipient after these ("ship *to Mexico*", "a refund *to a different
# card*"); after others it begins a verb ("is it possible *to track* ...")
_TO_AFTER = frozenset("ship ships shipping shipped deliver delivers delivery delivered send sent mail post refund "
                      "refunds refunded transfer transferred apply applies extend extended".split())
# a phrase about someone ("a gift *for my dad*", "*for me*"), not about what is asked for; not
# one of the shopper's own things asked with ("will it work *with my iphone*?")
_SOMEONE = frozenset("me him them us someone somebody myself".split())
_WHOSE = frozenset("my his her our their your".split())
_PEOPLE = frozenset(
    "dad father mom mum mother wife husband son daughter kid kids child children baby friend friends boss brother "
    "sister girlfriend boyfriend partner family parents grandma grandpa grandmother grandfather wifey hubby "
    "nephew niece uncle aunt colleague coworker teacher team".split())


def asked_complements(text: str) -> str:
    """The phrases a question asks about beyond its action, as written: "weekends" for "do you
    ship on weekends?", "a different size" for "can I exchange for a different size?",
    "theft" for "does the warranty cover theft?", "a warranty" for "does it come with a
    warranty?" (not its verb), "my iphone" for "will it work with my iphone?", and nothing for
    "can I return it if it doesn't fit?" (a circumstance), nor "my dad" in "a gift for my dad"
    (whom it is for)."""
    text = _CIRCUMSTANCE.sub("", text or "")
    phrases = []
    for m in _COMPLEMENT_START.finditer(text):
        before = _WORD.findall(text[: m.start()])
        if m.group(0).strip().lower() == "to" and not (before and before[-1].lower() in _TO_AFTER):
            continue
        phrase = []
        for w in _WORD.findall(text[m.end():].split("?")[0].split(",")[0]):
            if w.lower() in _COMPLEMENT_ENDS:
                break
            phrase.append(w)
        # (the shopper's own thing is what "with" asks about: "work with my iphone"; after "for"
        # it is whom or what for: "for my dad", "a blender for my kitchen")
        if phrase and phrase[0].lower() not in _SOMEONE and not (
                phrase[0].lower() in _WHOSE and (m.group(0).strip().lower() != "with" or len(phrase) < 2
                                                 or phrase[1].lower() in _PEOPLE)):
            phrases.append(" ".join(phrase))
    return " ".join(p for p in phrases if p)


# "what do you sell?", "what kind of products do you have?", "what can I buy here?",
# "recommend me something": what the store carries, asked of nothing in particular
_ASKS_FOR_THE_RANGE = re.compile(
    r"^\W*(?:(?:so|and|ok|okay|hi|hey|hello)\W+)*(?:"
    r"(?:what|which)\s+(?:(?:kinds?|sorts?|types?)\s+of\s+)?(?:products?\s+|things\s+|items\s+|stuff\s+|categories\s+)?"
    r"(?:do|does|can)\s+(?:you|u|y'all|your\s+(?:store|shop))\s+(?:guys\s+)?(?:sell|carry|stock|have|offer)"
    r"|what\s+(?:can|could)\s+i\s+(?:buy|get|find|order)(?:\s+(?:here|from\s+you))?"
    r"|(?:can\s+you\s+)?(?:recommend|suggest)\s+(?:me\s+)?(?:something|anything)(?:\s+(?:good|nice))?"
    # "what are your best sellers?", "what's popular?": the range, and that the details do not
    # say which (it was declined)
    r"|(?:what(?:'s|\s+is|\s+are)\s+)?(?:your\s+|the\s+)?(?:best[\s-]+sellers?"
    r"|best[\s-]+selling(?:\s+(?:products?|items?|things?))?"
    r"|most\s+popular(?:\s+(?:products?|items?|things?))?|popular(?:\s+(?:right\s+)?now)?|trending(?:\s+now)?)"
    # "I'm looking for a present for my wife": a gift for someone, of no kind named
    r"|(?:(?:i'?m\s+|i\s+am\s+)?(?:looking\s+for|i\s+need|i\s+want|need|want|any\s+ideas\s+for)\s+"
    # ("what's a good gift for a runner?" said "I don't know")
    r"|what(?:'s|\s+is|\s+would\s+be)\s+(?:a\s+)?(?:good|nice|great)\s+)?(?:a\s+|some\s+)?"
    r"(?:gift|present)s?(?:\s+(?:idea|ideas))?\s+for\s+(?:my|a|an|the|our)\s+[\w'-]+(?:\s+[\w'-]+)?"
    # "looking for a gift", "I need a present" (it said "I don't know")
    r"|(?:i'?m\s+|i\s+am\s+)?(?:looking\s+for|i\s+need|i\s+want|need|want)\s+(?:a\s+|some\s+)?(?:gift|present)s?"
    r"(?:\s+(?:idea|ideas))?"
    # "I'm shopping for my dad's birthday"
    r"|(?:i'?m\s+|i\s+am\s+|we'?re\s+)?(?:shopping|looking)\s+for\s+(?:my|a|our)\s+[\w'-]+\s+"
    r"(?:birthday|bday|anniversary|graduation|christmas|xmas)(?:\s+(?:gift|present))?"
    r")(?:\s+(?:here|in\s+(?:the|your)\s+(?:store|shop)|at\s+all|please|then|anyway|exactly))?\W*$", re.IGNORECASE)


def asks_for_the_range(text: str) -> bool:
    """The message asks what the store carries, of nothing in particular ("what do you sell?",
    "recommend me something"): the store's range, by category, answers it (it said "I don't
    know", or was declined as out of scope)."""
    return bool(_ASKS_FOR_THE_RANGE.match(text or ""))


# "which one would you recommend?", "which is better?", "which should I buy?"
_WHICH_TO_CHOOSE = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|hmm)\W+)*(?:which(?:\s+one|\s+of\s+(?:them|the\s+two|these|those))?\s+"
    r"(?:would|do|should|could|will)\s+(?:you|i|u)\s+(?:recommend|suggest|buy|get|choose|pick|go\s+for|take)"
    r"|which(?:\s+one|\s+of\s+(?:them|the\s+two|these|those))?\s+(?:is|'s)\s+(?:better|best|the\s+better|the\s+best)"
    r"(?:\s+(?:one|choice|buy|deal|option))?)"
    # what for ("which should I get for winter camping?")
    r"(?:\s+for\s+(?:a\s+|an\s+|my\s+)?[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})?\W*$", re.IGNORECASE)


def asks_which_to_choose(text: str) -> bool:
    """The message asks for a judgement between products and nothing else ("which one would
    you recommend?", "which is better?", "which should I buy?", also for some purpose: "which
    should I get for winter camping?"): the store states facts, not preferences, so the answer
    is how they differ."""
    return bool(_WHICH_TO_CHOOSE.match(text or ""))


#: Words that ask for things of any kind ("anything", "products"): a request named by a feature
#: alone ("do you have anything waterproof?")
_ANY_KIND = frozenset({"anything", "something", "products", "product", "items", "item", "stuff", "things"})
_ONE = frozenset({"one", "ones", "another"})
_COLOUR_WORDS = frozenset(w for name in COLOUR_NAMES for w in name.split())
_ONE_WITH = re.compile(r"\b(?:one|ones|another)\s+(?:that|which|with|for|rated|made)\b", re.IGNORECASE)
_STARTS_WITH_ANY = re.compile(r"^\W*(?:and\s+)?(?:anything|something)\b", re.IGNORECASE)


def asks_for_anything(text: str) -> bool:
    """The message asks for things of any kind that have a feature, naming no kind: "do you
    have anything waterproof?", "what waterproof products do you have?", "anything with GPS?",
    "do you sell anything in goose down?". (Whether the feature is one the catalog has, the
    graph reads: rag.retrieve.graph `_q_feature_search`.)"""
    thing = requested_thing(text)
    if thing is not None:
        # ("do you have one that sleeps 4?", "is there a waterproof one like it?": another of the
        # kind in focus, with a feature; not "do you have one?")
        # (a colour asks for the model in it: "is there a blue one?")
        another = thing.head in _ONE and (bool(set(thing.modifiers) - _COLOUR_WORDS) or _ONE_WITH.search(text or "") is not None)
        return bool(set(thing.words) & _ANY_KIND) or another
    return is_search(text) and bool(_STARTS_WITH_ANY.match(text or ""))


#: Words that ask what a thing is and nothing in particular about it
_OVERVIEW_ONLY = GENERIC_WORDS | content_words(
    "describe description detail details info information overview summary one")


_ASKS = re.compile(r"\b(?:tell|describe|what|details?|info|information|more|explain|overview|summary)\b", re.IGNORECASE)


def asks_for_an_overview(text: str) -> bool:
    """"Tell me about it", "what is this?", "describe it", "more details?", "tell me more":
    what the thing referred to is, nothing in particular about it (not "ok" or "hmm")."""
    return bool(_ASKS.search(text)) and not (content_words(text) - _OVERVIEW_ONLY)


# The store's own services and whereabouts, asked of it ("do you have student discounts?",
# "what are your customer service hours?", "do you charge sales tax?")
#: An order taken by phone ("can I order by phone?", "do you take phone orders?"), a service of
#: the store's (the shipping and payment rules were quoted, for "order")
ORDERS_BY_PHONE = re.compile(r"\b(?:order|buy|purchase)\w*\s+(?:by|over\s+the|via|on\s+the)\s+(?:phone|telephone)\b"
                             r"|\b(?:phone|telephone)\s+orders?\b|\bcall\s+(?:in\s+)?(?:an?\s+|my\s+)?order\b", re.IGNORECASE)
#: The words of the store's offers ("what discounts do you have?", "any deals on laptops?")
STORE_OFFERS = re.compile(r"\b(?:discounts?|deals|promotions?|coupons?|promo|vouchers?)\b", re.IGNORECASE)
_ABOUT_THE_STORE = re.compile(
    r"\b(?:(?:student|military|senior|teacher|employee|first[- ]time|bulk|volume|loyalty|member)\s+discounts?"
    r"|(?:discount|coupon|promo|promotion|voucher)\s*codes?|loyalty|rewards?\s+program"
    # ("ok then what discounts do you have?" asked which product)
    rf"|(?:any|what|which|your)\s+{STORE_OFFERS.pattern}"
    r"|membership|black\s+friday|cyber\s+monday|sales\s+tax|vat|tax[- ]free|(?:charge|collect|add)\s+tax"
    r"|refurbished|second[- ]hand|open[- ]box|wholesale|business\s+accounts?"
    # ("do you give store credit?" was declined as though about something else)
    r"|store\s+credit|gift[- ]?wrap\w*|layaway|trade[- ]?ins?|rain\s*checks?|curbside|in[- ]store\s+pick[- ]?up"
    r"|customer\s+(?:service|support|care)|(?:opening|business|store|support|office)\s+hours"
    rf"|{ORDERS_BY_PHONE.pattern}"
    r"|(?:your|the\s+store'?s?|the\s+shop'?s?)\s+(?:hours|phone(?:\s+number)?|number|address|email|location|locations"
    r"|warehouses?|stores?|shops?|showroom|office|offices|headquarters)"
    r"|(?:do|does)\s+(?:you|u|the\s+store)\s+have\s+(?:a\s+|any\s+)?(?:physical\s+|retail\s+)?(?:stores?|shops?|"
    r"warehouses?|showrooms?|locations?|outlets?))\b", re.IGNORECASE)
# ... asked of the store, not of the assistant ("what's your name?") nor the shopper's own
_ASKED_OF_THE_STORE = re.compile(r"\b(?:you|your|u|ur|the\s+store|the\s+shop|this\s+store|this\s+shop)\b"
                                 r"|^\W*(?:can|could|may)\s+i\b|^\W*(?:is|are)\s+there\b"
                                 # ("any discount codes?": of the store, with nothing else asked of)
                                 r"|^\W*(?:(?:and|so|ok|okay|hi|hey)\W+)?(?:got\s+)?any\b", re.IGNORECASE)


def asks_about_the_store(text: str) -> bool:
    """A question about the store's own services, offers or whereabouts ("do you have student
    discounts?", "what are your customer service hours?", "do you sell refurbished laptops?"):
    the store's documents may answer it, and when they do not, "I don't know", not the decline
    that it asked about something other than the store (which it said)."""
    head = (text or "")[:2000]
    # (not the shopper's own: "my rewards card", "my taxes")
    return bool(_ABOUT_THE_STORE.search(head) and _ASKED_OF_THE_STORE.search(head)) and not _MY.search(head)


_MY = re.compile(r"\bmy\b", re.IGNORECASE)


_WHAT_TO_GET = re.compile(r"\bwhat\s+(?:else\s+)?(?:do|should|would|will|must)\s+(?:i|we)\s+(?:need|bring|get|buy|pack)\b"
                          # "my son is starting college, what laptop should I get?" ("I don't know")
                          # (not "what day do I need to pay my phone bill by", "what size do I need")
                          r"|\b(?:what|which)\s+(?!(?:day|days|time|date|size|info|information|documents?|number)\b)"
                          r"(?:[a-z-]+\s+){1,3}?(?:do|should|would|must)\s+(?:i|we)\s+(?:need|get|buy|choose|pick)\b(?!\s+to\b)"
                          r"|\bwhat\s+(?:would|do|can|could|will)\s+(?:you|u)\s+(?:recommend|suggest)\b", re.IGNORECASE)


def asks_what_to_get(text: str) -> bool:
    """"What do I need?", "what should we bring?", "what would you recommend for a beginner
    camper?", "she likes coffee" (`tells_what_someone_likes`): what to get from the store, a
    request for its products as much as "I need a tent" is ("I'm going camping, what do I
    need?")."""
    return bool(_WHAT_TO_GET.search(text or "")) or tells_what_someone_likes(text)


#: What someone likes, said of them ("she likes coffee", "my dad loves camping")
_THEY_LIKE = re.compile(r"^\W*(?:(?:and|ok|well|so)[\s,]+)?(?:she|he|they|my\s+[\w'-]+)\s+(?:really\s+)?"
                        r"(?:likes?|loves?|enjoys?|(?:is|are)\s+into|(?:is|are)\s+a\s+(?:big\s+)?fan\s+of)\s+"
                        r"(?!it\b|them\b|this\b|that\b)[\w' -]{2,40}?\W*$", re.IGNORECASE)


def tells_what_someone_likes(text: str) -> bool:
    """"She likes coffee", "my dad loves camping" (after "looking for a gift": declined): what to
    get them is of the kind those words name. Not "she likes it"."""
    return bool(_THEY_LIKE.match(text or ""))


#: What a thing is wanted for ("anything for making smoothies?", "something to charge my
#: phone"): the doing, as the stem of a verb, and what it is done to
_FOR_A_USE = re.compile(r"\b(?:something|anything|stuff|things?|products?|gear)\s+(?:good\s+)?(?:to|for|that\s+(?:can|will))\s+"
                        r"(?!(?:do|be|know|say|ask|worry|add|see|go|get|buy|have|use|read|eat|drink)\b)"
                        r"(?P<verb>[a-z]{3,}?)(?:ing|e)?\b(?:\s+(?P<done_to>(?:(?:my|a|an|the|your|some|our|his|her|their)\s+)?"
                        r"(?P<object>[a-z]+)))?", re.IGNORECASE)


@dataclass(frozen=True)
class AskedUse:
    """A use asked for: `doer` names what does it ("charger", "maker"), `object` what it is
    done to ("phone", "smoothies"), when said. `start`, `done_to` and `end` are where the ask
    ("something to charge"), what it is done to ("my phone") and the use end in the text."""

    doer: str
    object: str | None
    start: int
    done_to: int
    end: int

    def named(self, text: str, kind: str, with_object: bool) -> str:
        """`text` with the use written as the kind it names: "i need something to charge my
        phone" -> "i need a charger for my phone" (`with_object` False), "anything for making
        smoothies" -> "a smoothie maker" (`with_object` True)."""
        if with_object or self.object is None:
            return f"{text[:self.start]}a {kind}{text[self.end:]}"
        return f"{text[:self.start]}a {kind} for {text[self.done_to:]}"


def asked_use(text: str) -> AskedUse | None:
    """"Do you have anything for making smoothies?", "something to charge my phone": the use a
    thing is wanted for, which names its kind ("smoothie maker", "charger"); the store's
    categories are often named so (declined, or the phones listed)."""
    m = _FOR_A_USE.search(text or "")
    if m is None:
        return None
    verb = m.group("verb").lower()
    said = m.group("object")
    return AskedUse(doer=verb + "er", object=said.lower() if said else None, start=m.start(),
                    done_to=m.start("done_to") if said else m.end(), end=m.end())


def asks_for_a_use(text: str) -> bool:
    """Whether the message asks for something by its use (`asked_use`), whatever it names."""
    return asked_use(text) is not None


# "anything from Apple?", "something by Bose", "Sony products": a maker named with a capital,
# after what it makes
_FROM_A_MAKER = re.compile(r"\b(?:anything|something|any(?:thing)?\s+products?|products?|stuff|items?|gear)\s+"
                           r"(?:from|by|made\s+by|of)\s+(?P<maker>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*)?)")


def maker_not_carried(text: str) -> str | None:
    """The maker a request for anything names with a capital ("do you have anything from
    Apple?", "anything by Bose?"), for a message that links no brand or product: one the store
    does not carry."""
    m = _FROM_A_MAKER.search(text or "")
    return m.group("maker") if m else None
