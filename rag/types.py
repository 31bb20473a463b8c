"""Shared value types passed between the query-time stages (retrieve -> context -> generate ->
ground -> answer), the HTTP API and evaluation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EvidenceKind = Literal["graph_fact", "passage"]


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


class Citation(BaseModel):
    number: int = Field(description="the [n] used in the answer text")
    evidence_id: str
    kind: EvidenceKind
    text: str
    doc_id: str | None = None
    doc_version: int | None = None


class StageTimings(BaseModel):
    stages_ms: dict[str, float] = Field(default_factory=dict)
    total_ms: float = 0.0
