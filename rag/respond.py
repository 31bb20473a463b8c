"""Response policy: how the grounded answer is said, decided by the understanding layer.

Applied after grounding, around the grounded body (the body itself is never rewritten, so its
citations and `grounded`/`abstained` flags stay true):
- clarify: when the product is ambiguous, the reply is a question listing the candidates
  (`clarification_options`), and no facts are asserted;
- handoff: transactional requests (orders, accounts) and explicit requests for a person get the
  handoff message instead of an answer; one that asks how something is done ("how do I track
  my order?") gets the FAQ's answer, and the handoff when there is none (`handoff_unanswered`);
- smalltalk / decline: fixed replies for greetings, thanks, goodbyes and out-of-scope requests;
- not mentioned: a yes/no question about something no retrieved item mentions ("do you ship on
  weekends?") that the store's own documents answer with their nearest rule is told so first
  (`NOT_MENTIONED`): the rule is no yes or no; a request for a thing narrowed by what no item
  shows ("I need waterproof headphones") that a listing answers is told that the listing does
  not say which (`NOT_SHOWN`); a question whether a product works with something no item
  names ("is it compatible with iphone?") that its links answer is told they do not say
  (`NOT_LINKED`: "is compatible with the Zenfone ..." read as the answer); a yes/no question
  that a product's price, stock or maker answers without saying what was asked ("is it on
  sale?") is told that its details do not say (`NOT_STATED`);
- a bound asked: a yes/no question that states a bound on one measure of one product ("does it
  fit 4 people?", "is it under $500?") opens with the yes or no its cited value gives
  (`rag.verdict`);
- periods passed: a complaint or a policy question that gives a time longer than every period
  the quoted rules give ("had it for 2 years") is told so first (`PERIODS_PASSED`);
- not carried: a request for something nothing the store sells is ("do you sell TVs?") gets
  `NOT_CARRIED` and what the store sells, by category (it said "I don't know");
- some products only: a store-wide question answered only by rules for some products ("do
  you offer exchanges?" -> one laptop's "no returns and no exchanges") is told that the
  store-wide policies do not say (`SOME_PRODUCTS_ONLY`);
- which to choose: "which one would you recommend?" answered by how the products compared
  differ opens with `DEPENDS`: the store states facts, not preferences;
- tone: negative sentiment (policy.apologize or an apologetic/empathetic tone) prefixes an
  apology, or the policy's own opening sentence;
- escalation: when due, the handoff message is appended to the answer and `escalate` is set;
  an abstention is then left out (the apology and the handoff say all there is to say).
A reply apologizes once: when it already opened with an apology, an apology that starts the
appended handoff message is left out of the text (`handoff_message` keeps it whole).
All texts here are fixed strings of ours; nothing from the shopper is echoed except candidate
product names, which come from the catalog.
"""

from __future__ import annotations

import re
from typing import Literal

from rag.generate.extractive import (
    BEST_WORDS,
    COMPATIBILITY_SOURCES,
    PRAISE_WORDS,
    STORE_SOURCES,
    is_applicable_policy,
    narrowed_listing,
    picked_by,
)
from rag.prompt import ABSTENTION
from rag.textutil import asked_elapsed, content_words, is_yes_no_question, past_every_period
from rag.types import STORE_RANGE_ID, Answer
from rag.understand.request import asks_which_to_choose, is_search, requested_thing
from rag.understand.router import PRODUCT_INTENTS, WHICH_PRODUCT
from rag.understand.types import ClarifyingQuestion, ResponsePolicy, Understanding
from rag.verdict import bound_asked, bound_verdict, compared_verdict

AnswerMode = Literal["grounded", "handoff", "clarify", "smalltalk", "decline"]

APOLOGY = "I'm sorry about the trouble."
HANDOFF_MESSAGE = "I'm passing this conversation to a member of our support team, who will get back to you shortly."
SMALLTALK_REPLY = "Hello! I can help with questions about our products, brands and store policies."
THANKS_REPLY = "You're welcome! Anything else I can help with?"
PURCHASE_REPLY = "I can't place orders in this chat: you can buy it from its page in our store. Anything else I can help with?"
GOODBYE_REPLY = "Thanks for stopping by. Goodbye!"
_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|thx|ty|cheers|appreciated?|much obliged)\b", re.IGNORECASE)
_GOODBYE = re.compile(r"\b(?:bye|goodbye|see\s+(?:you|ya)|good\s*night|have\s+a\s+(?:good|nice|great)\s+(?:day|one|night|evening))\b",
                      re.IGNORECASE)
NOT_MENTIONED = "I can't find that exact case in our store policies. Here is what they say:"
NOT_CARRIED = "I can't find that in our store."
SOME_PRODUCTS_ONLY = "Our store-wide policies don't say; only the rules for some products do:"
NOT_SHOWN = "I can't tell from our product details which ones match that. Here is what we have:"
NOT_LINKED = "Our product details don't say whether it works with that. Here is what they list:"
PERIODS_PASSED = "That is longer than the periods our policies give:"
NOT_STATED = "Our product details don't say. Here is what they list:"
#: What a shopper may do to a product, which its details never state
_CHANGES_TO_IT = frozenset(content_words("upgrade upgradable upgradeable expand expandable replace replaceable repair "
                                         "repairable swap swappable removable remove"))
DEPENDS = "Which one suits you best depends on what matters most to you. Here is how they differ:"
DECLINE_REPLY = "Sorry, I can only help with questions about our products, brands and store policies."
NOT_ENGLISH_REPLY = "Sorry, I can only answer in English for now. Could you ask again in English?"
MAX_CLARIFY_OPTIONS = 5
# "I'm sorry about this." / "Sorry for the wait!" at the start of a text
_APOLOGY_SENTENCE = re.compile(r"^\s*(?:(?:i['’]m|i am|we['’]re|we are)\s+)?sorry\b[^.!?]*[.!?]\s*", re.IGNORECASE)


def clarifying_question(clarify: ClarifyingQuestion) -> tuple[str, list[dict[str, str]]]:
    """The question to ask and the options (id, label) a client can render as buttons."""
    options = [{"id": c.id, "label": c.name} for c in clarify.candidates[:MAX_CLARIFY_OPTIONS]]
    question = clarify.question.strip()
    if not question:
        names = [o["label"] for o in options]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
        question = f"Which product do you mean: {listed}?" if names else "Which product do you mean?"
    return question, options


def smalltalk_reply(message: str, reason: str | None = None) -> str:
    """A goodbye for a goodbye, "you're welcome" for thanks, else the greeting: "thanks" after
    an answer is not answered "Hello!". A purchase announced ("ok I'll take it": reason
    `purchase`) is told where to buy: no order is taken in the chat."""
    if reason == "purchase":  # "ok I'll take it" (a decision), "can I buy it here?" (a question)
        return PURCHASE_REPLY if message.rstrip().endswith("?") else f"Great choice! {PURCHASE_REPLY}"
    if _GOODBYE.search(message):
        return GOODBYE_REPLY
    if _THANKS.search(message):
        return THANKS_REPLY
    return SMALLTALK_REPLY


_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|thx|ty|cheers|appreciate\s+it)\b", re.IGNORECASE)


def _apologetic(policy: ResponsePolicy) -> bool:
    return policy.apologize or policy.tone in {"apologetic", "empathetic"}


def apply_response_policy(
    answer: Answer,
    policy: ResponsePolicy | None = None,
    mode: AnswerMode = "grounded",
    clarify: ClarifyingQuestion | None = None,
    intent: str | None = None,
    sentiment: str | None = None,
    message: str = "",
    reason: str | None = None,
    unmentioned: bool | frozenset[str] = False,
    asked: str | None = None,
) -> Answer:
    """A copy of `answer` with the reply shaped by `policy` and `mode` (see module docstring);
    `message`, the shopper's, picks the small-talk reply; `reason`, why the intent was set
    (IntentPrediction.reason), the decline's: a message not in English is asked again in English;
    `unmentioned`: the question asks about something no retrieved item mentions
    (ExtractiveGenerator.unmentioned); `asked`, the question a bound is read from (`message`
    unless given: "what about -15?" after "will it keep me warm at -5?" asks it of -15)."""
    policy = policy or ResponsePolicy()
    out = answer.model_copy(deep=True)
    out.intent = intent if intent is not None else out.intent
    out.sentiment = sentiment if sentiment is not None else out.sentiment
    handoff = policy.handoff_message or HANDOFF_MESSAGE

    if mode == "clarify" and clarify is not None and (clarify.candidates or clarify.question.strip()):
        # (with no candidates: "Which product do you mean? Tell me its name ...")
        out.text, out.clarification_options = clarifying_question(clarify)
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, False
        return out
    if mode == "handoff":
        body, out.escalate, out.handoff_message = handoff, True, handoff
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, False
    elif mode == "smalltalk":
        body = smalltalk_reply(message, reason)
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, False
    elif mode == "decline":
        body = NOT_ENGLISH_REPLY if reason == "not_english" else DECLINE_REPLY
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, True
    elif policy.decline_unanswered and out.abstained:
        # "what's the weather like?": no document of the store asks it
        body = DECLINE_REPLY
        out.citations, out.evidence, out.grounded = [], [], False
    elif policy.handoff_unanswered and out.abstained:
        # "how do I change my delivery address?" and no FAQ says how: a person can
        body, out.escalate, out.handoff_message = handoff, True, handoff
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, False
    elif policy.escalate and out.abstained:
        # "my order arrived broken and I'm furious": a person takes it from here, and "I don't
        # know: ..." between the apology and the handoff answers nothing the shopper asked
        body = ""
    elif not out.abstained and (verdict := bound_verdict(asked or message, out.evidence)
                                or compared_verdict(message, out.evidence)) is not None:
        # "does it fit 4 people?" of a 2-person tent: "capacity: 2 persons", and the shopper
        # worked out the no (rag.verdict); so "is it cheaper than the X?" of the two prices
        body = f"{verdict}. {out.text}"
    elif asks_which_to_choose(message) and out.evidence and all(e.id.endswith("#differences") for e in out.evidence):
        # "which one would you recommend?" after a comparison: facts, not a preference
        body = f"{DEPENDS} {out.text}"
    elif out.evidence and all(e.source == "scoped_policy" for e in out.evidence):
        # "do you offer exchanges?": only one laptop's final sale speaks of exchanges ("no
        # returns and no exchanges"); quoted alone, that read as the store's answer (and before
        # "I can't find that exact case ...", as the store's rule: "can I exchange for a
        # different color?")
        body = f"{SOME_PRODUCTS_ONLY} {out.text}"
    elif (unmentioned and intent in PRODUCT_INTENTS and out.evidence and {e.source for e in out.evidence} <= STORE_SOURCES
          and not any(is_applicable_policy(e) for e in out.evidence)):
        # a question of products that only a store document came near, by a word, and that
        # does not say what was asked: "do prices include tax?" quoted the price match FAQ, "is
        # the price on the website the final price?" the express shipping rate; nothing answers
        body = ABSTENTION
        out.citations, out.evidence, out.grounded, out.abstained = [], [], False, True
    elif (unmentioned and (reason != "store_range" or picked_by(message))
          and (note := not_mentioned_note(out, message, unmentioned if isinstance(unmentioned, frozenset)
                                          else frozenset()))):
        # "do you ship on weekends?" -> the shipping policy, which does not say: quoted alone,
        # its rule reads as a yes; "I need waterproof headphones" -> the headphones' listing,
        # which reads as a list of waterproof ones (and the store's range, for "what are your
        # best sellers?", not for "what do you sell?")
        body = f"{note} {out.text}"
    elif (intent in ("complaint", "warranty", "return_policy") and (elapsed := asked_elapsed(message)) is not None
          and out.evidence and {e.source for e in out.evidence} <= STORE_SOURCES and past_every_period(elapsed, out.text)):
        # "my blender stopped working", then "had it for 2 years": the 1-year warranty and the
        # 30-day returns quoted as though they still applied
        body = f"{PERIODS_PASSED} {out.text}"
    elif out.evidence and all(e.id == STORE_RANGE_ID for e in out.evidence) and reason != "store_range":
        # "do you sell TVs?": nothing it sells is that, and what it sells (what was asked is
        # not answered: an abstention, with the store's range cited); "what do you sell?" asked
        # for the range itself (`intent.reason = "store_range"`)
        body = f"{NOT_CARRIED} {out.text}"
        out.abstained = True
    else:
        body = out.text

    parts = []
    if policy.opening:
        parts.append(policy.opening.strip())
    elif (_apologetic(policy) and not _APOLOGY_SENTENCE.match(body)
          and not (mode == "smalltalk" and _THANKS.search(message))):
        # (not to thanks: "ok thanks, bye", read as negative at 0.54, got "I'm sorry about the
        # trouble. Thanks for stopping by.")
        parts.append(APOLOGY)
    parts.append(body)
    if policy.escalate and mode != "handoff" and body != handoff:
        out.escalate, out.handoff_message = True, handoff
        apologized = any(_APOLOGY_SENTENCE.match(p) for p in parts if p)
        parts.append(_APOLOGY_SENTENCE.sub("", handoff, count=1) if apologized else handoff)
    out.text = " ".join(p for p in parts if p)
    return out


#: A feature asked of what is listed, by name ("espresso machines with a milk frother")
_WITH_A_FEATURE = re.compile(r"\b(?:with|has|have|having|including|featuring)\s+(?:(?:a|an|the|some|any|built-in)\s+)?"
                             r"(?!(?:at\s+(?:least|most)|more|less|fewer|under|over|up\s+to|about)\b)"  # (an amount)
                             r"(?P<feature>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})", re.IGNORECASE)


def _feature_words(feature: str) -> set[str]:
    """The words that name a feature ("milk frother"), less praise and amounts ("good", "16gb")."""
    return {w for w in content_words(feature) - PRAISE_WORDS if not any(c.isdigit() for c in w)}


#: What the store says of any product it sells: its price, its stock, who makes it
_TRADE_FACTS = frozenset({"price", "availability", "product"})
#: A listing in an order ("Chargers ... (wattage, highest first): ...", "Tents, cheapest first: ...")
_ORDERED = re.compile(r"\w first(?:\)|:)")
# (the order of a look-alike listing, which no pick asked for: "which is the best seller?" after
# "do you have a cheaper one?" read the cheaper ones as ordered by sales)
_CLOSEST_IN_PRICE = "closest in price first"


def not_mentioned_note(answer: Answer, message: str = "", unmentioned: frozenset[str] = frozenset()) -> str | None:
    """What to say before an answer that does not say what was asked: `NOT_MENTIONED` before
    the store's own documents (policies, FAQs), `NOT_SHOWN` before a listing of a whole kind of
    products, `NOT_LINKED` before the products a product is linked to; none before an
    abstention, a product's own facts, or a listing the graph
    narrowed by the request ("a sleeping bag for cold weather" -> lowest temperature rating
    first; "at least 1TB storage"), unless a feature named with it is among the `unmentioned`
    words ("espresso machines with a milk frother")."""
    sources = {e.source for e in answer.evidence}
    if answer.abstained or not sources:
        return None
    if sources <= STORE_SOURCES:
        return NOT_MENTIONED
    if sources == {"listing"} and not any(narrowed_listing(e) for e in answer.evidence):
        return NOT_SHOWN
    if sources == {"listing"} and any((named := _feature_words(m.group("feature"))) and named <= unmentioned
                                      for m in _WITH_A_FEATURE.finditer(message)):
        # narrowed by another condition, and a feature named that no detail states, none of its
        # words: "espresso machines with a milk frother" listed the espresso makers as though
        # each had one (not "with at least 16gb ram", "a heart rate monitor", "the longest
        # battery", whose listing names the RAM, the heart rate, the battery)
        return NOT_SHOWN
    # ("best" is no detail: "which one is the best seller?" picks by "seller")
    if (sources == {"listing"} and (picks := content_words(picked_by(message)) - BEST_WORDS) and picks <= unmentioned
            and not any(_ORDERED.search(e.text) and _CLOSEST_IN_PRICE not in e.text for e in answer.evidence)):
        # narrowed by another condition, and picked by what no detail states: "which espresso
        # machine is easiest to use?" listed the espresso makers as though ordered by it (not
        # a listing in an order the pick asked for: "the fastest one", "(wattage, highest first)")
        return NOT_SHOWN
    if sources <= _TRADE_FACTS and is_yes_no_question(message):
        # a yes or no asked of a product that its price, stock or make do not state: "is it on
        # sale?" quoted its price, "is there a newer model?" its maker, as though they said
        # yes (not an attribute's value, which often answers by itself: "is it good for
        # winter?" -> "season: 4-season")
        return NOT_STATED
    if sources == {"attribute"} and unmentioned & _CHANGES_TO_IT and is_yes_no_question(message):
        # what the shopper may do to it, which no detail states: "can I upgrade it?" quoted a
        # laptop's "ram: 32 GB" as though it said yes
        return NOT_STATED
    if (sources == {"attribute"} and unmentioned and is_yes_no_question(message)
            and all("," in (listed := e.text.rpartition(": ")[2]) and not content_words(listed) & content_words(message)
                    for e in answer.evidence)):
        # a yes or no asked of a thing its details list, no word of it among them: "does it
        # track sleep?" quoted a watch's "sensors: GPS, ECG, temperature, heart rate" as though
        # it said yes (not "does it have a heart rate monitor?"; nor one value, which often
        # answers by itself: "is it good for winter?" -> "season: 4-season")
        return NOT_STATED
    if sources <= COMPATIBILITY_SOURCES:
        # (a request for a thing that fits, "a clear case for the X", is told which it cannot
        # tell, as a listing is)
        return NOT_SHOWN if requested_thing(message) is not None or is_search(message) else NOT_LINKED
    return None


def respond(answer: Answer, understanding: Understanding, unmentioned: bool = False) -> Answer:
    """apply_response_policy with everything taken from the turn's Understanding; "which
    product do you mean?" instead of an answer about a product the shopper never named
    (`asks_which_product`). `unmentioned`: see apply_response_policy."""
    if asks_which_product(answer, understanding):
        return which_product_reply(understanding)
    return apply_response_policy(
        answer,
        understanding.response,
        mode=understanding.plan.answer_mode,
        clarify=understanding.plan.clarify,
        intent=understanding.intent.label,
        sentiment=understanding.sentiment.label,
        message=understanding.text,
        reason=understanding.intent.reason,
        unmentioned=unmentioned,
        asked=bound_asked(understanding.text, understanding.question),
    )


def product_unknown(understanding: Understanding) -> bool:
    """A product question with no product named, in the conversation, on the page or in the plan."""
    plan = understanding.plan
    known = bool(understanding.focus or understanding.candidates or any(q.product_ids for q in plan.graph_queries)
                 or (plan.passages is not None and plan.passages.owner_ids))
    return understanding.intent.label in PRODUCT_INTENTS and not known


def asks_which_product(answer: Answer, understanding: Understanding) -> bool:
    """The answer to a product question whose product is unknown rests on products' own texts
    only: whichever product matched best is not the shopper's ("how long is the battery life?"
    was answered with one smartwatch's, "what sizes do you have?" with a tent's pack size). The
    store's own documents (an FAQ, a policy) or a brand's or category's listing still answer,
    and an abstention stays one."""
    return (product_unknown(understanding) and not answer.abstained and bool(answer.evidence)
            and all(e.owner_kind == "product" for e in answer.evidence))


def which_product_reply(understanding: Understanding) -> Answer:
    """"Which product do you mean? ...": the clarifying question with nothing to pick from."""
    return apply_response_policy(Answer(text=""), understanding.response, mode="clarify",
                                 clarify=ClarifyingQuestion(question=WHICH_PRODUCT, candidates=[]),
                                 intent=understanding.intent.label, sentiment=understanding.sentiment.label,
                                 message=understanding.text)


def reply_without_retrieval(understanding: Understanding) -> Answer:
    """The reply for turns whose plan retrieves nothing (handoff, clarify, smalltalk, decline)."""
    return respond(Answer(text=""), understanding)
