"""Shared value types passed between the query-time stages (retrieve -> context -> generate ->
ground -> answer), the HTTP API and evaluation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EvidenceKind = Literal["graph_fact", "passage"]


#: Whom a store-wide policy is for (`Evidence.applies_to`), when it is given next to the narrower
#: one that overrides it (rag.pipeline.AnswerPipeline.context_for)
STORE_WIDE = "all products"
#: The evidence id of what the store sells, by category (rag.retrieve.graph `_q_store_range`),
#: the answer when nothing it sells is what a request asked for ("do you sell TVs?")
STORE_RANGE_ID = "store~range"
#: The owner of the store-wide product listing (rag.retrieve.graph, `GraphQuery.store_wide`):
#: its evidence ids start with "store~"
STORE_OWNER = "store"


class Evidence(BaseModel):
    """One citable item. `id` is stable across runs (graph node id or passage key)."""

    id: str
    text: str
    kind: EvidenceKind
    owner_id: str | None = None
    owner_kind: str | None = None
    source: str | None = Field(None, description="attribute|price|availability|policy|faq|review|...")
    doc_id: str | None = Field(None, description="policy or FAQ id the text comes from")
    doc_version: int | None = None
    score: float = 0.0
    retriever: str | None = Field(None, description="which retriever found it (graph|dense|bm25)")
    aliases: list[str] = Field(default_factory=list, description="other stable ids of the same text")
    applies_to: str | None = Field(
        None, description="a policy for some products only, shown next to the store-wide one: whom it "
        "applies to, by name ('Laptops')")
    overridden_by: str | None = Field(
        None, description="a broader policy that a narrower one (this id) overrides, given because the "
        "narrower one does not say what was asked ('can I pay with PayPal?' on a laptop's page, whose "
        "financing policy says nothing of PayPal)")


class Citation(BaseModel):
    number: int = Field(description="the [n] used in the answer text")
    evidence_id: str
    kind: EvidenceKind
    text: str
    doc_id: str | None = None
    doc_version: int | None = None
    applies_to: str | None = Field(None, description="a policy for some products only: whom it applies to")


class StageTimings(BaseModel):
    stages_ms: dict[str, float] = Field(default_factory=dict)
    total_ms: float = 0.0


# --- answers (generation helper) -----------------------------------------------------------
# The one answer type every front end returns (CLI, HTTP, LangChain Runnable, evaluation).
# `text` = response-policy prefix/suffix around the grounded body; `grounded` and `abstained`
# describe the body (see docs/grounding.md).


class DroppedSentence(BaseModel):
    text: str
    reason: str = Field(description="unsupported|number_not_in_evidence|negation_mismatch|no_content|comparison_contradicted|repetition|repeated|off_topic|partial|bad_citation_only|abstention")


class Answer(BaseModel):
    text: str
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = Field(False, description="every claim in the body is supported by its cited evidence")
    abstained: bool = Field(False, description="the reply declines to answer: the fixed abstention sentence (evidence does not answer) or the out-of-scope decline")
    evidence: list[Evidence] = Field(default_factory=list, description="the evidence the answer cites")
    context_evidence_ids: list[str] = Field(default_factory=list, description="all ids shown to the generator, in [n] order")
    dropped: list[DroppedSentence] = Field(default_factory=list, description="generated sentences removed by grounding")
    removed_citations: list[int] = Field(default_factory=list, description="[n] that pointed at no given evidence")
    generator: str = Field("", description="which generator produced the body (llamacpp|openai|extractive)")
    fallback_reason: str | None = Field(None, description="why the fallback answered: error|timeout|ungrounded|empty|off_topic|partial")
    intent: str | None = None
    sentiment: str | None = None
    escalate: bool = False
    handoff_message: str | None = None
    clarification_options: list[dict[str, str]] = Field(default_factory=list, description="[{id, label}] when asking which product")
    timings: StageTimings = Field(default_factory=StageTimings)
