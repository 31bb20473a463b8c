"""Typed results of the understanding step, consumed by retrieval, the HTTP API and `ask`.

`understand()` (see `rag/understand/pipeline.py`) reads one message in its conversation and
returns an `Understanding`: what the shopper wants (`IntentPrediction`), how they feel
(`SentimentPrediction`), what they talk about (`LinkedEntity`, resolved against the session
into `focus`), and what to do about it: a `RetrievalPlan` (which graph queries and passage
searches, how many of each) and a `ResponsePolicy` (tone, apology, escalation, handoff).

The message embedding is computed once here and handed on in `Understanding.embedding` so
retrieval never embeds the same text twice.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

#: The intent taxonomy (documented in docs/understanding.md); not a ranking. The classifier
#: predicts all but `privacy`, which a rule sets (rag.understand.pipeline.asks_about_privacy).
INTENTS: tuple[str, ...] = (
    "product_info",       # specs, attributes, materials, sizes, colours, dimensions
    "compatibility",      # does X work with Y, fits, accessory for
    "availability_price",  # in stock, price, discounts, restock
    "comparison",         # X vs Y, which is better
    "recommendation",     # suggest / best X for Y / similar products
    "return_policy",      # returns, refunds, exchanges
    "warranty",           # guarantee, repairs, defects under warranty
    "shipping",           # delivery time, cost, countries, carriers
    "payment",            # payment methods, instalments, invoices, currency
    "privacy",            # privacy policy, personal data (set by a rule: asks_about_privacy)
    "order_status",       # where is my order, tracking            (transactional -> handoff)
    "order_change",       # cancel / modify / change address        (transactional -> handoff)
    "complaint",          # something went wrong, dissatisfaction
    "account",            # login, password, profile, data deletion (transactional -> handoff)
    "human_agent",        # explicit request for a person
    "greeting_thanks",    # hello / thanks / bye
    "out_of_scope",       # anything the shop cannot help with
)
Intent = Literal[
    "product_info", "compatibility", "availability_price", "comparison", "recommendation",
    "return_policy", "warranty", "shipping", "payment", "privacy", "order_status", "order_change",
    "complaint", "account", "human_agent", "greeting_thanks", "out_of_scope",
]

#: Intents the classifier does not predict: rules set them (see the comment of each in INTENTS).
RULE_INTENTS: frozenset[str] = frozenset({"privacy"})

#: Intents that need an order/account system the assistant has no access to: always handed off.
TRANSACTIONAL_INTENTS: frozenset[str] = frozenset({"order_status", "order_change", "account"})

SentimentLabel = Literal["negative", "neutral", "positive"]
EscalationSignal = Literal["anger", "urgency", "repeated_contact", "human_request", "profanity", "order_problem"]
EntityKind = Literal["product", "brand", "category"]
#: How an entity was found: in the message by id/SKU, exact name, fuzzy name, embedding;
#: or carried over from the caller's page context or from earlier turns of the session.
#: "value": a category named by a value only its products have ("power banks": Chargers & Cables)
LinkMethod = Literal["id", "exact", "fuzzy", "value", "embedding", "context", "session", "selection"]

GraphQueryKind = Literal[
    "product_facts",      # attributes, price, availability, brand, category of products
    "product_price",      # the price fact alone (the order amount a shipping rule is conditioned on)
    "product_availability",  # that a product cannot ship now (preorder, out of stock, discontinued); nothing when in stock
    "policy",             # the policy of `policy_kind` that applies (product > brand > category > global)
    "compatibility",      # COMPATIBLE_WITH / ACCESSORY_FOR edges of products
    "comparison",         # facts of 2+ products side by side
    "similar",            # products in the same category / brand, for recommendations
    "brand_facts",        # brand description and its products
    "category_products",  # products of a category (recommendation without a product)
    "brands",             # the brands of the categories (all the store's, with none)
    "faq",                # FAQs about the products/brands/categories or global
    "category_accessories",  # products of other categories that go with a category's, by category
    "feature_search",     # the products of any category with what the message names ("anything waterproof?")
    "store_range",        # the store's categories, said when nothing it sells is what was asked ("do you sell TVs?")
]
PolicyKindName = Literal["returns", "warranty", "shipping", "payment", "privacy", "other"]
PassageSourceName = Literal[
    "description", "policy", "faq", "bullet", "review", "cqa", "attribute", "other"
]


class IntentPrediction(BaseModel):
    """The classifier's decision. `label` is `out_of_scope` when the calibrated confidence of
    the best in-scope intent is under the artifact's threshold (`raw_label` keeps that intent)."""

    label: Intent
    confidence: float = Field(ge=0.0, le=1.0)
    raw_label: Intent
    top: list[tuple[str, float]] = Field(default_factory=list, description="best 3 (label, prob)")
    threshold: float = 0.0
    reason: str | None = Field(None, description="why a rule overrode the model (empty, garbage...)")


class SentimentPrediction(BaseModel):
    label: SentimentLabel
    confidence: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float] = Field(default_factory=dict)
    escalate: bool = False
    signals: list[EscalationSignal] = Field(default_factory=list)


class LinkedEntity(BaseModel):
    """A catalog node the message (or its context) refers to, with a score in [0, 1]."""

    kind: EntityKind
    id: str
    name: str
    score: float = Field(ge=0.0, le=1.0)
    method: LinkMethod
    mention: str | None = Field(None, description="the words of the message that matched")
    brand_id: str | None = None
    category_id: str | None = None
    model_only: bool = Field(
        False, description="a product named by its model but not which variant ('the Bassline Halo 150', "
        "sold in three colours): what differs between its variants is answered for each of them")


class ClarifyingQuestion(BaseModel):
    """Asked instead of answering when the message names something ambiguous."""

    question: str
    candidates: list[LinkedEntity]


class GraphQuery(BaseModel):
    """One graph read of a plan. Ids are graph node ids; `k` bounds the rows kept."""

    kind: GraphQueryKind
    product_ids: list[str] = Field(default_factory=list)
    brand_ids: list[str] = Field(default_factory=list)
    category_ids: list[str] = Field(default_factory=list)
    policy_kind: PolicyKindName | None = None
    k: int = Field(10, ge=0)
    # product listings (category_products): the shopper's price bounds and order
    min_price: float | None = Field(None, ge=0)
    max_price: float | None = Field(None, ge=0)
    price_order: Literal["asc", "desc"] | None = None
    # a listing asked for ("I need a new tent"): a summary of its first products, even when no
    # constraint narrows it; brand_facts: the brands side by side first (compared)
    summarize: bool = False
    # compared with this product: priced below / above it ("anything cheaper than the X?"; the
    # closest in price first) or at most its price ("for the same price"), and bounded by its
    # own values of the attributes the message compares ("something lighter?", "more storage";
    # rag.understand.constraints.relative_attributes)
    compared_with: str | None = None
    price_relation: Literal["below", "above", "same"] | None = None
    # faq: only the FAQs whose question the message asks ("how do I track my order?" asks
    # "How do I track my order?"; "how do I change my shipping address?" does not)
    asked_only: bool = False
    # comparison: only the rows of these attributes, the details a message asks of the products
    # listed ("are they wireless?": connectivity)
    attribute_keys: list[str] = Field(default_factory=list)
    # policy, asked of the store at large: also the policies for some products only that speak
    # to what the store-wide one leaves out ("is there a restocking fee?"); not for a complaint,
    # whose words ask no rule ("your site is terrible" got Orbis's "on-site repair")
    scoped: bool = True
    # faq: the store-wide FAQs only when the message asks their question, the product's,
    # brand's and category's all (a product question: "does it track sleep?" about a watch was
    # answered by "How do I track my order?")
    store_wide_asked_only: bool = False
    # products among `product_ids` named by model only (`LinkedEntity.model_only`): their
    # policies are resolved for every variant, and their variants' prices stand for their own
    # (a listing compared with one is bounded by its cheapest / dearest variant)
    model_only_ids: list[str] = Field(default_factory=list)
    # product listings: earlier messages of the conversation whose conditions still narrow this
    # one ("a tent for 4 people" before "which one is the lightest?": the 4-person tents,
    # lightest first); the message's own condition on the same attribute replaces theirs
    narrowed_by: list[str] = Field(default_factory=list)
    # category_products with no category or brand: every product the store sells, under the
    # price constraint ("what's the cheapest thing you sell?" quoted a power bank's description)
    store_wide: bool = False


class PassageQuery(BaseModel):
    """The dense/BM25 passage search of a plan. Empty filter lists mean 'no filter'.
    `owner_ids` restricts to passages owned by those nodes (products, brands, policies...)."""

    sources: list[PassageSourceName] = Field(default_factory=list)
    owner_ids: list[str] = Field(default_factory=list)
    owner_kinds: list[str] = Field(default_factory=list)
    policy_kind: PolicyKindName | None = None
    #: how many passages to keep; 0 searches none (the graph's reads answer alone)
    k: int = Field(8, ge=0)


class RetrievalPlan(BaseModel):
    """What retrieval should fetch for this turn (see the routing table in docs/understanding.md).

    `retrieve` is False when nothing should be fetched (greeting, handoff, clarification,
    out of scope); then `answer_mode` tells the answering stage what to say instead.
    """

    intent: Intent
    retrieve: bool = True
    graph_queries: list[GraphQuery] = Field(default_factory=list)
    passages: PassageQuery | None = None
    answer_mode: Literal["grounded", "handoff", "clarify", "smalltalk", "decline"] = "grounded"
    handoff: bool = False
    clarify: ClarifyingQuestion | None = None
    notes: list[str] = Field(default_factory=list, description="why this plan (for --explain)")


class ResponsePolicy(BaseModel):
    tone: Literal["neutral", "friendly", "empathetic", "apologetic"] = "neutral"
    apologize: bool = False
    escalate: bool = False
    handoff_message: str | None = None
    opening: str | None = Field(None, description="a sentence the answer should start with")
    handoff_unanswered: bool = Field(
        False, description="hand off (handoff_message) instead of abstaining: an order or account "
        "question asked how, which the store's documents may or may not answer")
    decline_unanswered: bool = Field(
        False, description="decline instead of abstaining: an out-of-scope message looked up in the "
        "store's documents ('what are your store hours?'), which may or may not answer it")


class Understanding(BaseModel):
    """Everything the understanding step decided about one turn."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str
    #: What retrieval and the generator read: `text` with the catalog ids it names written as
    #: the products' names ("tell me about p000002" -> "tell me about Veltro Lite 600
    #: Smartphone, Graphite"), since no passage and no language model knows the ids. Empty
    #: means `text` (see `question`).
    query: str = ""
    #: The typos of a brand's or category's name that `text` was corrected for, as typed -> as
    #: read ("blendrs" -> "blenders"): `text` is the message as the models read it.
    spelled: dict[str, str] = Field(default_factory=dict)
    session_id: str | None = None
    turn: int = 0
    intent: IntentPrediction
    sentiment: SentimentPrediction
    #: Entities named in this message.
    entities: list[LinkedEntity] = Field(default_factory=list)
    #: The products/brands/categories the turn is about after coreference and context.
    focus: list[LinkedEntity] = Field(default_factory=list)
    focus_source: Literal["message", "context", "session", "selection", "none"] = "none"
    #: Set when a mention is ambiguous (several close candidates).
    candidates: list[LinkedEntity] = Field(default_factory=list)
    plan: RetrievalPlan
    response: ResponsePolicy
    #: L2-normalized float32 sentence embedding of `question` (the shared encoder's), reused by
    #: retrieval. Excluded from JSON dumps.
    embedding: Any = Field(default=None, exclude=True)
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def vector(self) -> np.ndarray:
        """The embedding as a float32 numpy vector."""
        return np.asarray(self.embedding, dtype=np.float32)

    @property
    def question(self) -> str:
        """The message as retrieval and the generator read it (`query`, else `text`)."""
        return self.query or self.text

    @property
    def product_ids(self) -> list[str]:
        return [e.id for e in self.focus if e.kind == "product"]

    @property
    def brand_ids(self) -> list[str]:
        return [e.id for e in self.focus if e.kind == "brand"]

    @property
    def category_ids(self) -> list[str]:
        return [e.id for e in self.focus if e.kind == "category"]
