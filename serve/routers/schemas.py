"""Request and response bodies of the HTTP API. Every field carries a description and an example,
because the OpenAPI spec generated from these models is the API's reference documentation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.models import ID_PATTERN, PolicyKind, Scope

SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
MAX_MESSAGE_CHARS = 4000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------- errors
class ErrorDetail(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is: body/query/path and the field", examples=[["body", "message"]])
    msg: str = Field(description="What is wrong", examples=["String should have at least 1 character"])
    type: str = Field(description="Machine-readable kind of problem", examples=["string_too_short"])


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable error code: unauthorized, forbidden, not_found, invalid_request, conflict, "
        "payload_too_large, rate_limited, unsupported_media_type, method_not_allowed, unavailable, internal_error",
        examples=["invalid_request"],
    )
    message: str = Field(description="Human-readable explanation", examples=["request body is invalid"])
    request_id: str | None = Field(None, description="The X-Request-ID of the request, for support", examples=["8f14e45fceea167a"])
    details: list[ErrorDetail] = Field(default_factory=list, description="Field-level problems, if any")


class ErrorResponse(BaseModel):
    error: ErrorBody


# ------------------------------------------------------------------------------------------ chat
class ChatRequest(_Strict):
    session_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN,
        description="Conversation id from an earlier response; omit to start a new conversation",
        examples=["s-5b1c0a9e"],
    )
    message: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, description="The shopper's message",
        examples=["What is the return window for the Aurora X2 headphones?"],
    )
    product_id: str | None = Field(
        None, pattern=ID_PATTERN,
        description="Product page the shopper is on; takes precedence over products named earlier",
        examples=["p-000123"],
    )
    stream: bool = Field(False, description="Answer as server-sent events (delta events, then a done event)")


class CitationOut(BaseModel):
    number: int = Field(description="The [n] marker used in the answer text", examples=[1])
    id: str = Field(description="Stable evidence id (graph node or passage key)", examples=["policy:returns-global#2"])
    kind: Literal["graph_fact", "passage"] = Field(description="Source kind of the evidence", examples=["passage"])
    source: str | None = Field(None, description="attribute|price|availability|policy|faq|review|...", examples=["policy"])
    text: str = Field(description="The cited text", examples=["Items can be returned within 30 days of delivery."])
    doc_id: str | None = Field(None, description="Policy or FAQ id the text comes from", examples=["returns-global"])
    doc_version: int | None = Field(None, description="Version of that document", examples=[2])
    applies_to: str | None = Field(None, description="For a policy that applies to some products only (shown "
                                   "next to the store-wide one, or one colour of a model): whom", examples=["Laptops"])


class IntentOut(BaseModel):
    label: str = Field(description="Intent of the message", examples=["return_policy"])
    confidence: float | None = Field(None, description="Classifier confidence, 0..1", examples=[0.93])


class SentimentOut(BaseModel):
    label: str = Field(description="negative | neutral | positive", examples=["neutral"])
    score: float | None = Field(None, description="Confidence of the label, 0..1", examples=[0.81])


class ClarificationOption(BaseModel):
    id: str = Field(description="Entity id to send back as product_id", examples=["p-000123"])
    label: str = Field(description="What to show the shopper", examples=["Aurora X2 Headphones (black)"])


class Clarification(BaseModel):
    question: str = Field(description="The clarifying question asked", examples=["Which one do you mean?"])
    options: list[ClarificationOption] = Field(default_factory=list, description="Candidates to choose from")


class Timings(BaseModel):
    stages_ms: dict[str, float] = Field(
        default_factory=dict, description="Milliseconds per pipeline stage",
        examples=[{"understand": 4.1, "retrieve": 7.9, "generate": 0.4, "ground": 0.6}],
    )
    total_ms: float = Field(0.0, description="Milliseconds for the whole answer", examples=[13.2])


class ChatResponse(BaseModel):
    session_id: str = Field(description="Conversation id; send it with the next message", examples=["s-5b1c0a9e"])
    answer: str = Field(description="The answer, with [n] citation markers", examples=["You can return it within 30 days [1]."])
    citations: list[CitationOut] = Field(default_factory=list, description="Evidence cited by the answer")
    intent: IntentOut
    sentiment: SentimentOut
    escalate: bool = Field(False, description="True when the conversation should go to a person")
    handoff_message: str | None = Field(None, description="Message for the shopper when handing off", examples=[None])
    clarification: Clarification | None = Field(None, description="Set when the answer asks the shopper to choose")
    abstained: bool = Field(False, description="True when the store's data does not answer the question")
    grounded: bool = Field(True, description="Every sentence of the answer is supported by its citations")
    generator: str = Field("", description="Which generator wrote the answer", examples=["extractive"])
    fallback: bool = Field(False, description="The configured generator failed and the extractive one answered")
    timings: Timings = Field(default_factory=Timings)


# --------------------------------------------------------------------------------- OpenAI facade
class OAMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"] = Field(description="Who wrote the message", examples=["user"])
    content: str | list[dict[str, Any]] | None = Field(
        None, description="Text, or a list of content parts of which the text parts are used",
        examples=["Does the Aurora X2 come in blue?"],
    )


class OAChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field("shopgraph", description="Ignored; the service answers with its configured pipeline", examples=["shopgraph"])
    messages: list[OAMessage] = Field(min_length=1, description="The conversation; the last user message is answered")
    stream: bool = Field(False, description="Stream chat.completion.chunk events, ending with [DONE]")
    session_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN,
        description="Extra field: conversation id to continue (see shopgraph.session_id in responses)",
        examples=["s-5b1c0a9e"],
    )
    product_id: str | None = Field(None, pattern=ID_PATTERN, description="Extra field: product page context", examples=["p-000123"])


class OAChoiceMessage(BaseModel):
    role: Literal["assistant"] = Field("assistant", description="Always assistant")
    content: str = Field(description="The answer", examples=["You can return it within 30 days [1]."])


class OAChoice(BaseModel):
    index: int = Field(0, description="Always 0: one choice")
    message: OAChoiceMessage
    finish_reason: Literal["stop"] = Field("stop", description="Always stop")


class OAUsage(BaseModel):
    prompt_tokens: int = Field(description="Approximate prompt size in words", examples=[9])
    completion_tokens: int = Field(description="Approximate answer size in words", examples=[12])
    total_tokens: int = Field(description="Sum of the two", examples=[21])


class OAChatResponse(BaseModel):
    id: str = Field(description="Completion id", examples=["chatcmpl-3f2a"])
    object: Literal["chat.completion"] = Field("chat.completion", description="Object type, as OpenAI")
    created: int = Field(description="Unix time", examples=[1763900000])
    model: str = Field(description="Model name echoed back", examples=["shopgraph"])
    choices: list[OAChoice] = Field(description="Exactly one choice")
    usage: OAUsage
    citations: list[CitationOut] = Field(default_factory=list, description="Extra field: evidence cited by the answer")
    shopgraph: ChatResponse = Field(description="Extra field: the full shopgraph answer (intent, sentiment, timings...)")


# -------------------------------------------------------------------------------------- sessions
class TurnOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str = Field(description="user | assistant", examples=["user"])
    text: str = Field(description="What was said", examples=["And the warranty?"])
    at: datetime | None = Field(None, description="When (UTC)")
    intent: str | None = Field(None, description="Intent of a user turn", examples=["warranty"])
    entities: list[str] = Field(default_factory=list, description="Entity ids linked in the turn", examples=[["p-000123"]])


class SessionOut(BaseModel):
    session_id: str = Field(description="Conversation id", examples=["s-5b1c0a9e"])
    turns: list[TurnOut] = Field(default_factory=list, description="The conversation so far, oldest first")
    state: dict[str, Any] = Field(default_factory=dict, description="Dialogue state (entities in focus, last intent)")


# -------------------------------------------------------------------------------------- policies
PolicyFormat = Literal["markdown", "html", "pdf"]


class PolicyInput(_Strict):
    kind: PolicyKind | None = Field(None, description="returns | warranty | shipping | payment | privacy | other; "
                                    "may come from YAML front matter instead", examples=["returns"])
    scope: Scope | None = Field(None, description="global | brand | category | product; default global or front matter", examples=["global"])
    target: str | None = Field(None, pattern=ID_PATTERN, description="Brand/category/product id for a non-global scope", examples=[None])
    title: str | None = Field(None, min_length=1, max_length=300, description="Title; default: front matter, first heading, or the id",
                              examples=["Returns policy"])
    format: PolicyFormat = Field("markdown", description="Format of `content` (pdf: send content_base64)", examples=["markdown"])
    content: str | None = Field(None, min_length=1, max_length=500_000, description="Document text (Markdown or HTML, "
                                "optionally with YAML front matter)", examples=["# Returns\n\nItems can be returned within 30 days."])
    content_base64: str | None = Field(None, min_length=4, max_length=2_000_000, description="Base64 document bytes (for PDF)")
    effective_date: date | None = Field(None, description="When the policy takes effect", examples=["2026-01-01"])
    comment: str | None = Field(None, max_length=500, description="Why the change was made (kept in the audit log)",
                                examples=["extend window for holidays"])


class PolicyCreate(PolicyInput):
    id: str = Field(pattern=ID_PATTERN, description="Policy id (stable across versions)", examples=["returns-global"])


class PolicyOut(BaseModel):
    id: str = Field(description="Policy id", examples=["returns-global"])
    version: int = Field(description="Current version number", examples=[2])
    kind: PolicyKind
    scope: Scope
    target: str | None = Field(None, description="Brand/category/product id for a non-global scope")
    title: str = Field(description="Title", examples=["Returns policy"])
    body: str = Field(description="Markdown body", examples=["Items can be returned within 30 days."])
    source_format: str = Field(description="markdown | html | pdf | ingest", examples=["markdown"])
    effective_date: date | None = Field(None, description="When the policy takes effect", examples=["2026-01-01"])
    deleted: bool = Field(False, description="True when this version removed the policy")
    updated_at: datetime = Field(description="When this version was made (UTC)")
    updated_by: str = Field(description="Name of the API key (or 'ingest') that made it", examples=["merch-team"])
    live: bool = Field(True, description="This version is what answers use now")


class PolicyList(BaseModel):
    policies: list[PolicyOut] = Field(description="Current version of every live policy, by id")


class PolicyHistory(BaseModel):
    id: str = Field(description="Policy id", examples=["returns-global"])
    versions: list[PolicyOut] = Field(description="Every version, oldest first")


class RollbackRequest(_Strict):
    version: int = Field(ge=1, le=2_147_483_647, description="Version whose content becomes the new current version", examples=[1])
    comment: str | None = Field(None, max_length=500, description="Why (kept in the audit log)")


class AuditEntry(BaseModel):
    seq: int = Field(description="Order of the change", examples=[7])
    at: datetime = Field(description="When (UTC)")
    actor: str = Field(description="Name of the API key that made the change", examples=["merch-team"])
    action: str = Field(description="create | replace | delete | rollback | import", examples=["replace"])
    policy_id: str = Field(description="Policy changed", examples=["returns-global"])
    version: int = Field(description="Version made by the change", examples=[2])
    comment: str | None = Field(None, description="Comment given with the change")
    store_version: str | None = Field(None, description="Published store version that carries the change")


class AuditLog(BaseModel):
    entries: list[AuditEntry] = Field(description="Changes, newest first")


# --------------------------------------------------------------------------------------- catalog
class CatalogSyncResult(BaseModel):
    received: dict[str, int] = Field(description="Records received, by type", examples=[{"product": 2}])
    store_version: str | None = Field(None, description="Published store version after the sync", examples=["v000012"])
    stats: dict[str, Any] = Field(default_factory=dict, description="What the sync wrote (counts from ingestion)")


# ------------------------------------------------------------------------------------------- ops
class Health(BaseModel):
    status: Literal["ok"] = Field("ok", description="Always ok when the process answers")


class CheckOut(BaseModel):
    ok: bool = Field(description="Component is usable")
    detail: str = Field("", description="Version, size or the error", examples=["1000 products"])
    required: bool = Field(True, description="False for advisory checks (the generator: when it is down "
                           "the extractive fallback answers), which do not make the instance unready")


class Readiness(BaseModel):
    ready: bool = Field(description="All required checks pass")
    checks: dict[str, CheckOut] = Field(description="graph, index, generator (and sessions)")
