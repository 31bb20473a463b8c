"""Routing: intent + entities -> RetrievalPlan, sentiment -> ResponsePolicy.

The table below is the documented contract (docs/understanding.md renders the same table).
Each row says which graph queries run (with k, the rows kept) and which passages are searched
(sources, k). `{P}` = the focus products, `{B}` = brands, `{C}` = categories.

| intent             | graph queries                                          | passages (sources, k)            |
|--------------------|--------------------------------------------------------|----------------------------------|
| product_info       | product_facts{P} k10, faq{P} k3                        | description/bullet/attribute/review/cqa of {P}, 8 |
| compatibility      | compatibility{P} k10, product_facts{P} k10             | description/bullet/cqa/faq/attribute/review of {P}, 6 |
|   (no product)     | one category, no brand: category_products{C} k8, summarized ("smartwatches with ECG") | description/cqa/faq, 6 |
| availability_price | product_facts{P} k5                                    | none                              |
| comparison         | comparison{P} k20 (2+ products), product_facts{P} k10  | description/review of {P}, 6     |
| recommendation     | similar{P} k8 or category_products{C}/brand_facts{B} k8| description/review, 6            |
| (accessories)      | asked for accessories of {C}, or compatibility of 2 {C}: category_accessories{C} k5 first | as its intent |
| return_policy      | policy(returns){P,B,C} k3, faq k3                      | policy/faq, 5                    |
| warranty           | policy(warranty){P,B,C} k3, faq k3                     | policy/faq, 5                    |
| shipping           | policy(shipping) k3, faq k3; one P: + product_availability{P}, with cost + product_price{P} | policy/faq, 5 |
| payment            | policy(payment) k3, faq k3                             | policy/faq, 5                    |
| privacy            | policy(privacy) k3, faq k3                             | policy/faq, 5                    |
| complaint          | policy(returns) k2, policy(warranty) k2                | policy/faq, 4                    |
| order_status, order_change, account | none: handoff (no order system access); asked *how* ("how do I track my order?"): the FAQ it asks, else handoff | that FAQ, 3 |
| human_agent        | none: handoff                                          |                                  |
| greeting_thanks    | none: smalltalk                                        |                                  |
| out_of_scope       | the FAQ that asks it, the "other" policy its title names; else decline | none |

Product-specific intents with no product in focus and an ambiguous mention -> clarify (no
retrieval); a comparison or compatibility question also when its other side is named well.
One that refers to a product ("is it waterproof?") with nothing named, in the conversation or
on the page -> clarify, asking for the product's name (WHICH_PRODUCT). Without any product
they fall back to brand/category/store-wide retrieval (product_info also reads the brand's or
category's FAQs: "Do laptops come with a charger?"); an answer that then rests on some
unnamed product's texts only asks which product too (rag.respond.asks_which_product).
A brand and a category together ("any Arcadia phones?") read the category's listing of that
brand, not the brand's description. A price constraint in the message ("under $100", "the
cheapest", rag.understand.constraints) narrows and orders the plan's product listing
(category_products; a brand_facts read becomes the brand's listing; with no product, brand
or category in focus, the store's products: "what's the cheapest thing you sell?"). A category listing read
without a product in focus is summarized even without one ("I need a new tent", "do you have
any rucksacks?"). A message that asks which
brands ("what brands of laptops do you carry?"), with no product or brand in focus, reads the
brands of its categories (of the store, with none) first. "Anything cheaper than the X?" lists
X's category below X's price instead of X's own facts; "something lighter?" (with X in focus)
lists it below X's weight. "Anything waterproof?", naming no kind of product, reads the
categories whose products have it first (feature_search).
"""

from __future__ import annotations

import re

from rag.understand.constraints import PriceConstraint
from rag.understand.types import (
    TRANSACTIONAL_INTENTS,
    ClarifyingQuestion,
    GraphQuery,
    LinkedEntity,
    PassageQuery,
    ResponsePolicy,
    RetrievalPlan,
    SentimentPrediction,
)

HANDOFF_MESSAGE = (
    "I can't see orders or accounts from here, so I'm passing this to a member of our support "
    "team who can. They will reply in this conversation."
)
CLAIM_MESSAGE = ("A warranty claim is opened by our support team, who can see your order: I'm passing this "
                 "conversation to them, and they will reply here.")
WHICH_PRODUCT = "Which product do you mean? Tell me its name, or ask from the product's page."
HUMAN_MESSAGE = "I'm connecting you with a member of our support team; they will reply here shortly."
ESCALATION_MESSAGE = (
    "I'm sorry about this. I've flagged the conversation for a member of our support team, who "
    "will follow up with you."
)

POLICY_INTENTS = {"return_policy": "returns", "warranty": "warranty", "shipping": "shipping", "payment": "payment",
                  "privacy": "privacy"}
PRODUCT_INTENTS = {"product_info", "compatibility", "availability_price", "comparison"}


def _ids(entities: list[LinkedEntity], kind: str) -> list[str]:
    return [e.id for e in entities if e.kind == kind]


_BRANDS = re.compile(
    r"\b(?:brands?|manufacturers?)\b"
    # who makes them: "who makes the headphones?" (declined), "who made this?"
    r"|\bwho\s+(?:makes?|made|manufactures?|produces?|builds?)\b|\bmade\s+by\s+(?:who|whom|which|what)\b"
    r"|\bwhat\s+company\b", re.IGNORECASE)


def asks_for_brands(text: str) -> bool:
    """"What brands of laptops do you carry?", "which manufacturers do you sell?", "who makes
    the headphones?" ("maker" is no such word: "what coffee maker is easiest to clean?")."""
    return bool(_BRANDS.search(text or ""))


_ACCESSORIES = re.compile(r"\baccessor(?:y|ies)\b", re.IGNORECASE)


def asks_for_accessories(text: str) -> bool:
    """"What accessories do you have for phones?", "any tent accessories?"."""
    return bool(_ACCESSORIES.search(text or ""))


# "how do I track my order?", "how can I change my password?", "what's the way to ...":
# how something is done in general, not the state of one order or account
_HOW_TO = re.compile(
    r"\bhow\s+(?:do|can|could|would|should|does\s+one)\s+(?:i|we|one|you)\b|\bhow\s+to\b"
    r"|\bwhat(?:['’]s|\s+is)\s+the\s+(?:best\s+|easiest\s+|right\s+)?way\s+to\b"
    # whether it can be done asks how too: "can I track my order?"
    r"|^\W*(?:can|could|may)\s+(?:i|we)\b|\bis\s+(?:it\s+possible|there\s+(?:a|any)\s+way)\s+to\b", re.IGNORECASE)


def asks_how_to(text: str) -> bool:
    """The message asks how something is done ("how do I track my order?", "can I track my
    order?"), which the store's FAQs may answer, rather than where one order is ("where is my
    order?"), which only a person with the order system can."""
    return bool(_HOW_TO.search(text or ""))


#: "how do I make a claim?", "I want to file a warranty claim", "can I claim on the warranty?"
#: (an insurance claim is no warranty one)
_CLAIM = re.compile(
    r"\b(?:make|making|file|filing|start|starting|submit|submitting|open|opening|lodge|raise|put\s+in|register)"
    r"\s+(?:a\s+|an\s+|my\s+|the\s+)?(?:warranty\s+|guarantee\s+)?claims?\b"
    r"|\b(?:warranty|guarantee)\s+claims?\b"
    r"|\bclaim\s+(?:on\s+|under\s+)?(?:the\s+|my\s+|its\s+|this\s+|a\s+)?(?:warranty|guarantee)\b"
    # "whats the warranty on it?" then "how do I claim it?" ("I don't know")
    r"|\bhow\s+(?:do|can|would|should)\s+(?:i|we)\s+claim\s+(?:it|this|that|on\s+it)\b", re.IGNORECASE)
_INSURANCE = re.compile(r"\binsur", re.IGNORECASE)


def asks_to_claim(text: str) -> bool:
    """The message asks to make a warranty claim, which support opens (they have the order):
    the warranty that applies, then the handoff. "How do I make a claim?" after a broken
    blender was declined, and "how do I file a warranty claim?" got the warranty's exclusions."""
    return bool(_CLAIM.search(text or "")) and not _INSURANCE.search(text or "")


def plan_for(intent: str, focus: list[LinkedEntity], candidates: list[LinkedEntity],
             escalate: bool = False, price: PriceConstraint | None = None, brands: bool = False,
             how_to: bool = False, accessories: bool = False, refers_to_one: bool = False,
             compares: bool = False, store_documents: bool = False, any_kind: bool = False,
             asks_the_range: bool = False, asks_cost: bool = False, whole_range: bool = False) -> RetrievalPlan:
    """The plan of one turn (the table above). `price`: the message's price constraint;
    `brands`: the message asks which brands (`asks_for_brands`); `how_to`: it asks how
    something is done (`asks_how_to`); `accessories`: it asks for accessories
    (`asks_for_accessories`); `refers_to_one`: it refers to one product without naming it ("is
    it waterproof?", "does this ...?", "what's the price?"): a product question with nothing in
    focus then asks which product. `compares`: it asks for another product with more or less of
    an attribute than the one in focus (`constraints.compares_with_it`: "something lighter?").
    `store_documents`: an out-of-scope message is looked up in the store's documents that ask
    it before it is declined (not one that is unreadable or not in English). `any_kind`: it asks
    for things of any kind with a feature (`request.asks_for_anything`: "anything waterproof?").
    `asks_the_range`: it asks whether the store sells a thing none of its names links ("do you
    sell TVs?"): what the store sells comes last, the answer when nothing else is. `asks_cost`:
    it asks what something costs (`textutil.ASKS_COST`: "how much is shipping for it?").
    `whole_range`: it asks what the store carries, of nothing in particular
    (`request.asks_for_the_range`: "what do you sell?"): the store's range is the plan."""
    P, B, C = _ids(focus, "product"), _ids(focus, "brand"), _ids(focus, "category")
    # brands/categories implied by the focus products also scope policies
    B_all = list(dict.fromkeys(B + [e.brand_id for e in focus if e.kind == "product" and e.brand_id]))
    C_all = list(dict.fromkeys(C + [e.category_id for e in focus if e.kind == "product" and e.category_id]))
    notes: list[str] = []

    if intent in TRANSACTIONAL_INTENTS and how_to:
        # "how do I track my order?": the store's FAQ says how; when nothing answers, the
        # shopper is handed off as before (ResponsePolicy.handoff_unanswered)
        return RetrievalPlan(intent=intent, graph_queries=[GraphQuery(kind="faq", k=3, asked_only=True)],
                             passages=PassageQuery(sources=["faq"], k=3), answer_mode="grounded",
                             notes=[f"{intent}, asked how: the FAQ that asks it, else handoff"])
    if intent in TRANSACTIONAL_INTENTS:
        return RetrievalPlan(intent=intent, retrieve=False, answer_mode="handoff", handoff=True,
                             notes=[f"{intent} needs the order/account system: handoff, never an invented status"])
    if intent == "human_agent":
        return RetrievalPlan(intent=intent, retrieve=False, answer_mode="handoff", handoff=True,
                             notes=["explicit request for a person"])
    if whole_range:
        return RetrievalPlan(intent=intent, graph_queries=[GraphQuery(kind="store_range", k=1)],
                             passages=PassageQuery(k=0), answer_mode="grounded",
                             notes=["what the store carries, by category (no passages)"])
    if intent == "greeting_thanks":
        return RetrievalPlan(intent=intent, retrieve=False, answer_mode="smalltalk", notes=["no retrieval"])
    if intent == "out_of_scope" and store_documents:
        # "what are your store hours?", "do you charge sales tax?": no intent of ours, but the
        # store's own documents may say (an FAQ that asks it, a policy of another kind titled
        # by it); declined when none does (ResponsePolicy.decline_unanswered)
        return RetrievalPlan(intent=intent, graph_queries=[GraphQuery(kind="faq", k=3, asked_only=True),
                                                           GraphQuery(kind="policy", policy_kind="other", k=3,
                                                                      asked_only=True)],
                             passages=PassageQuery(sources=["faq", "policy"], k=3), answer_mode="grounded",
                             notes=["out of scope: the store's FAQ or document that asks it, else decline"])
    if intent == "out_of_scope":
        return RetrievalPlan(intent=intent, retrieve=False, answer_mode="decline",
                             notes=["not a shopping question this store can answer"])

    if candidates and intent in PRODUCT_INTENTS | {"recommendation", *POLICY_INTENTS} and (
            not P or intent in ("comparison", "compatibility")):
        # (one side of a comparison named well and the other ambiguous: "what's the difference
        # between the Veltro Mini 50 and the Zenfone Labs Lite 630?", a store without a Lite
        # 630, was answered with a look-alike of the Veltro; the pick completes the pair)
        names = "; ".join(f"{i + 1}. {c.name}" for i, c in enumerate(candidates))
        return RetrievalPlan(
            intent=intent, retrieve=False, answer_mode="clarify",
            clarify=ClarifyingQuestion(question=f"Which one do you mean? {names}", candidates=candidates),
            notes=["the product name matches several products"],
        )

    if refers_to_one and intent in PRODUCT_INTENTS and not focus and not candidates:
        # "is it waterproof?" with no product named, none in the conversation and no page: it was
        # answered from whichever product's text matched best ("The fabric is water-resistant",
        # a backpack's), which reads as an answer about the shopper's own product
        return RetrievalPlan(intent=intent, retrieve=False, answer_mode="clarify",
                             clarify=ClarifyingQuestion(question=WHICH_PRODUCT, candidates=[]),
                             notes=["a product referred to, none named or in focus: ask which"])

    gq: list[GraphQuery] = []
    passages: PassageQuery | None = None
    if intent == "product_info":
        if P:
            gq += [GraphQuery(kind="product_facts", product_ids=P, k=10),
                   GraphQuery(kind="faq", product_ids=P, k=3, store_wide_asked_only=True)]
            passages = PassageQuery(sources=["description", "bullet", "attribute", "review", "cqa"], owner_ids=P, k=8)
        else:
            notes.append("no product in focus: store-wide passage search")
            if B or C:
                gq += [GraphQuery(kind="brand_facts" if B and not C else "category_products", brand_ids=B, category_ids=C, k=8,
                                  summarize=True),
                       GraphQuery(kind="faq", brand_ids=B, category_ids=C, k=3)]
            passages = PassageQuery(k=8)
    elif intent == "compatibility":
        if P:
            # the kinds asked for, if any ("what chargers work with the X?"): only their products
            # answer (it answered with headphones made for the phone)
            # (named in this message: a kind carried from the last turn is no kind asked for, as
            # "what about a case for it?" after chargers is not about chargers)
            own = {e.category_id for e in focus if e.kind == "product"}
            asked = [e.id for e in focus if e.kind == "category" and e.method != "session" and e.id not in own]
            gq += [GraphQuery(kind="compatibility", product_ids=P, category_ids=asked, k=10),
                   GraphQuery(kind="product_facts", product_ids=P, k=10)]
            passages = PassageQuery(sources=["description", "bullet", "cqa", "faq", "attribute", "review"], owner_ids=P, k=6)
        else:
            notes.append("no product in focus")
            if len(C) == 1 and not B and not accessories:
                # "smartwatches with ECG", "a laptop with ChromeOS": a category's products with a
                # feature (the classifier reads "with" as going together): its listing, narrowed
                # by the feature when the catalog has it
                gq.append(GraphQuery(kind="category_products", category_ids=C, k=8, summarize=True))
            passages = PassageQuery(sources=["description", "cqa", "faq"], k=6)
    elif intent == "availability_price":
        if P:
            # (and an FAQ the message asks: "do you price match?" on a product's page got its price)
            gq += [GraphQuery(kind="product_facts", product_ids=P, k=5),
                   GraphQuery(kind="faq", product_ids=P, k=3, store_wide_asked_only=True)]
        else:
            notes.append("no product in focus")
            if B or C:  # "do you have any rucksacks?": a summary of the listing answers it
                gq.append(GraphQuery(kind="brand_facts" if B and not C else "category_products", brand_ids=B, category_ids=C, k=8,
                                     summarize=True))
            passages = PassageQuery(k=4)
    elif intent == "comparison":
        if len(P) >= 2:
            gq += [GraphQuery(kind="comparison", product_ids=P, k=20),
                   GraphQuery(kind="product_facts", product_ids=P, k=10)]
        elif P:
            notes.append("one product named: compare with similar ones")
            gq += [GraphQuery(kind="product_facts", product_ids=P, k=10), GraphQuery(kind="similar", product_ids=P, k=3)]
        else:  # (brands compared: side by side first; a kind's products: their listing)
            gq.append(GraphQuery(kind="brand_facts" if B and not C else "category_products", brand_ids=B, category_ids=C, k=8,
                                 summarize=bool(C) or len(B) > 1))
        passages = PassageQuery(sources=["description", "review"], owner_ids=P, k=6)
    elif intent == "recommendation":
        if P:
            gq.append(GraphQuery(kind="similar", product_ids=P, k=8))
        if C or C_all:
            gq.append(GraphQuery(kind="category_products", category_ids=C or C_all, brand_ids=B, k=8, summarize=True))
        elif B:
            # what the brand is, then its products ("show me everything from Voltix" got its
            # product count alone)
            gq += [GraphQuery(kind="brand_facts", brand_ids=B, k=8),
                   GraphQuery(kind="category_products", brand_ids=B, k=8, summarize=True)]
        passages = PassageQuery(sources=["description", "review"], k=6)
    elif intent in POLICY_INTENTS:
        kind = POLICY_INTENTS[intent]
        gq += [GraphQuery(kind="policy", policy_kind=kind, product_ids=P, brand_ids=B_all, category_ids=C_all, k=3),
               GraphQuery(kind="faq", product_ids=P, brand_ids=B_all, category_ids=C_all, k=3)]
        if kind == "shipping" and len(P) == 1 and asks_cost:
            # its price is the order amount the rules are conditioned on ("how much is shipping
            # for it?" about a $486.99 laptop got the express price: free over $50 answers it)
            gq.append(GraphQuery(kind="product_price", product_ids=P, k=1))
        if kind == "shipping" and len(P) == 1:
            # (a preorder or an out-of-stock product does not ship in the rule's days)
            gq.append(GraphQuery(kind="product_availability", product_ids=P, k=1))
        passages = PassageQuery(sources=["policy", "faq"], policy_kind=kind, k=5)
        notes.append(f"policy kind {kind}; narrowest scope wins (product > brand > category > global)")
    elif intent == "complaint":
        # (the warranty first: it covers what broke; "my new laptop won't turn on" got the
        # laptops' "Opened laptops carry a 10% restocking fee")
        gq += [GraphQuery(kind="policy", policy_kind="warranty", product_ids=P, brand_ids=B_all, category_ids=C_all, k=2,
                          scoped=False),
               GraphQuery(kind="policy", policy_kind="returns", product_ids=P, brand_ids=B_all, category_ids=C_all, k=2,
                          scoped=False)]
        passages = PassageQuery(sources=["policy", "faq"], k=4)
        notes.append("complaint: what the shopper can do (returns, warranty)")
    if brands and not P and not B and intent in PRODUCT_INTENTS | {"recommendation"}:
        # "what brands of laptops do you carry?": the brands of the category (of the store,
        # with none) answer it; a listing of laptops only names them in passing. Only a
        # category the message names: "what brands do you carry?" is near backpacks by meaning
        named = [e.id for e in focus if e.kind == "category" and e.method != "embedding"]
        gq.insert(0, GraphQuery(kind="brands", category_ids=named, k=12))
        notes.append("the brands of " + (", ".join(named) if named else "the store"))
    if any_kind and not P and not B and not C and intent in PRODUCT_INTENTS | {"recommendation"}:
        # "do you have anything waterproof?": the categories whose products have it, first (it
        # asked which product was meant, or quoted one backpack's "water-resistant")
        gq.insert(0, GraphQuery(kind="feature_search", k=3))
        notes.append("any kind of product with the feature named")
    if asks_the_range and not P and not B and not C and intent in PRODUCT_INTENTS | {"recommendation"}:
        gq.append(GraphQuery(kind="store_range", k=1))
        notes.append("nothing the store sells named: its range, last")
    if not P and C and intent in PRODUCT_INTENTS | {"recommendation"} and (
            accessories or (intent == "compatibility" and len(C) >= 2)):
        # "what accessories do you have for phones?", "what chargers work with phones?": the
        # products of other categories made for or compatible with the category's, by category;
        # the last category named is the one they go with
        gq.insert(0, GraphQuery(kind="category_accessories", category_ids=C, k=5))
        notes.append("what goes with " + C[-1])
    relation = price.relative if price else None
    if (relation or compares or any_kind) and len(P) == 1 and C_all and intent not in {*POLICY_INTENTS, "complaint"}:
        # "anything cheaper than the X?", "something lighter?": the products of X's category
        # priced below it (lighter than it), which take the place of X's own facts (the listing
        # states X's price and values) and of X's look-alikes; "anything with noise
        # cancelling?" about X: those of its category with it, when the catalog says (else
        # X's look-alikes, "anything similar?")
        listing = GraphQuery(kind="category_products", category_ids=C_all[:1], compared_with=P[0],
                             price_relation=relation, price_order=price.order if price else None, k=8, summarize=True)
        gq = [listing, *(q for q in gq if q.kind not in ("product_facts", "similar", "faq"))] if relation or compares \
            else [listing, *(q for q in gq if q.kind not in ("product_facts", "faq"))]
        notes.append(f"products of {C_all[0]} compared with {P[0]}" + (f", priced {relation}" if relation else ""))
    elif price:
        # "a blender under $100", "the cheapest tent": the listing is narrowed and ordered
        # (a brand's facts become a listing of its products, which the constraint can narrow);
        # "cheaper tents", with no product to compare with: cheapest first
        order = price.order or {"below": "asc", "above": "desc"}.get(price.relative or "")
        bounds = {"min_price": price.min_price, "max_price": price.max_price, "price_order": order}
        gq = [q.model_copy(update={"kind": "category_products", **bounds}) if q.kind in ("category_products", "brand_facts")
              else q.model_copy(update=bounds) if q.kind == "category_accessories" else q for q in gq]
        # (a brand's facts and its listing become one listing)
        gq = [q for i, q in enumerate(gq) if q.kind != "category_products" or not any(
            o.kind == q.kind and (o.brand_ids, o.category_ids) == (q.brand_ids, q.category_ids) for o in gq[:i])]
        listed = [q for q in gq if q.kind == "category_products"]
        if (not listed and not (P or B or C_all) and (price.order or price.price_range)
                and intent in PRODUCT_INTENTS | {"recommendation"}):
            # "what's the cheapest thing you sell?", "anything under $20?": nothing named to
            # list, so the store's products are (it quoted a power bank's description)
            listed = [GraphQuery(kind="category_products", store_wide=True, k=8, summarize=True, **bounds)]
            gq = [*gq, *listed]
        if listed:
            # the priced listing is what was asked: before the look-alikes of the products in
            # focus ("which is better, A or B?" then "and the cheapest?" filled the context
            # with A's and B's similar products and abstained)
            # (what goes with a category stays first: "accessories for laptops under $50")
            first = [q for q in gq if q.kind == "category_accessories"]
            gq = [*first, *listed, *(q for q in gq if q.kind not in ("category_accessories", "category_products"))]
            notes.append(f"product listing priced {price.describe()}")
    model_only = [e.id for e in focus if e.kind == "product" and e.model_only]
    if model_only:
        # "the warranty on the Bassline Halo 150", sold in three colours: each colour's policy
        # and price, not the one colour the linker happened to pick
        gq = [q.model_copy(update={"model_only_ids": [i for i in model_only if i in q.product_ids]})
              if q.kind in ("policy", "product_facts")
              else q.model_copy(update={"model_only_ids": [q.compared_with]}) if q.compared_with in model_only
              else q for q in gq]
        notes.append("named by model only: " + ", ".join(model_only))
    return RetrievalPlan(intent=intent, graph_queries=gq, passages=passages, notes=notes,
                         handoff=escalate, answer_mode="grounded")


def response_policy(intent: str, sentiment: SentimentPrediction, how_to: bool = False,
                    store_documents: bool = False, claim: bool = False) -> ResponsePolicy:
    """Tone, apology and handoff from the sentiment and escalation signals. An order or account
    question that asks how something is done is answered when the store's documents say how,
    and handed off when they do not (`handoff_unanswered`); an out-of-scope one looked up in the
    store's documents (`store_documents`) is declined when they do not answer it. A warranty
    claim (`claim`, asks_to_claim) is answered with the warranty, then handed to support."""
    if claim:
        return response_policy(intent, sentiment).model_copy(update={"escalate": True, "handoff_message": CLAIM_MESSAGE})
    if intent == "out_of_scope" and store_documents:
        return response_policy("product_info", sentiment).model_copy(update={"decline_unanswered": True})
    if intent in TRANSACTIONAL_INTENTS and how_to:
        policy = response_policy("product_info", sentiment)
        return policy.model_copy(update={"handoff_unanswered": True,
                                         "handoff_message": policy.handoff_message or HANDOFF_MESSAGE})
    handoff: str | None = None
    if intent in TRANSACTIONAL_INTENTS:
        handoff = HANDOFF_MESSAGE
    elif intent == "human_agent" or "human_request" in sentiment.signals:
        handoff = HUMAN_MESSAGE
    elif sentiment.escalate:
        handoff = ESCALATION_MESSAGE
    if sentiment.label == "negative" or intent == "complaint" or "order_problem" in sentiment.signals:
        apologize = intent == "complaint" or sentiment.escalate or sentiment.confidence >= 0.6
        return ResponsePolicy(
            tone="apologetic" if apologize else "empathetic",
            apologize=apologize,
            escalate=sentiment.escalate,
            handoff_message=handoff,
            opening="I'm sorry about the trouble." if apologize else None,
        )
    if sentiment.label == "positive" or intent == "greeting_thanks":
        return ResponsePolicy(tone="friendly", escalate=sentiment.escalate, handoff_message=handoff)
    return ResponsePolicy(tone="neutral", escalate=sentiment.escalate, handoff_message=handoff)
