"""LangChain adapters, so LangChain users can compose shopgraph's parts:

- `ShopgraphRetriever`: the retrieval stage (graph facts + dense + BM25, fused and reranked) as
  a `BaseRetriever`; each `Document` carries the evidence fields in `metadata` (id, kind,
  source, owner, doc id/version, score, retriever), so citations survive the chain;
- `pipeline_runnable(pipeline)`: the whole answer pipeline as a `Runnable` taking a message
  (str) or {"message", "session_id", "product_id"} and returning the `Answer` (its `stream`
  yields the grounded text pieces, then the Answer).

The overhead these wrappers add over calling the library directly is measured by
benchmarks/answer_bench.py (LangChain's callback manager and config plumbing per call).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import ConfigDict

from rag.pipeline import AnswerPipeline
from rag.retrieve.base import RetrievalQuery
from rag.retrieve.hybrid import HybridRetriever
from rag.types import Answer, Evidence
from rag.understand.types import GraphQuery


def evidence_to_document(ev: Evidence) -> Document:
    meta = ev.model_dump(exclude={"text"})
    return Document(page_content=ev.text, metadata=meta, id=ev.id)


def document_to_evidence(doc: Document) -> Evidence:
    return Evidence(text=doc.page_content, **{k: v for k, v in doc.metadata.items() if k in Evidence.model_fields})


class ShopgraphRetriever(BaseRetriever):
    """The retrieval stage as a LangChain retriever.

    With an `understander`, each query goes through the understanding step (intent, entities,
    plan) like a chat message. Without one, the fields given here scope it: `product_ids`
    restricts passages to those products and adds their graph facts; `policy_kind` adds the
    applicable policy of that kind; nothing set = passages over the whole catalog.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    k: int = 8
    product_ids: list[str] = []
    policy_kind: str | None = None
    understander: Any = None

    def _query(self, text: str) -> RetrievalQuery:
        if self.understander is not None:
            u = self.understander.understand(text, product_id=self.product_ids[0] if self.product_ids else None)
            q = RetrievalQuery.from_understanding(u)
            q.k = self.k
            return q
        graph: list[GraphQuery] = []
        if self.product_ids:
            graph.append(GraphQuery(kind="product_facts", product_ids=list(self.product_ids)))
        if self.policy_kind:
            graph.append(GraphQuery(kind="policy", product_ids=list(self.product_ids), policy_kind=self.policy_kind))
        return RetrievalQuery(
            text=text, graph_queries=graph, owner_ids=list(self.product_ids) or None,
            product_ids=list(self.product_ids), policy_kind=self.policy_kind, k=self.k,
        )

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        res = self.hybrid.retrieve(self._query(query), limit=self.k)
        return [evidence_to_document(e) for e in res.evidence]


def _parse(inp: str | dict) -> dict:
    if isinstance(inp, str):
        return {"message": inp, "session_id": None, "product_id": None}
    if not isinstance(inp, dict) or not isinstance(inp.get("message"), str):
        raise TypeError("input must be a message string or a dict with a 'message' string")
    return {"message": inp["message"], "session_id": inp.get("session_id"), "product_id": inp.get("product_id")}


class PipelineRunnable(Runnable[Any, Answer]):
    """The answer pipeline as a Runnable: invoke -> Answer; stream -> grounded text pieces, then
    the Answer. Input: a message string or {"message", "session_id", "product_id"}."""

    name = "shopgraph_answer"

    def __init__(self, pipeline: AnswerPipeline):
        self.pipeline = pipeline

    def _answer(self, inp: str | dict) -> Answer:
        a = _parse(inp)
        return self.pipeline.answer(a["message"], session_id=a["session_id"], product_id=a["product_id"])

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        # _call_with_config runs LangChain's callbacks/tracing around the call, as any Runnable
        return self._call_with_config(self._answer, input, config)

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | Answer]:
        a = _parse(input)
        yield from self.pipeline.stream(a["message"], session_id=a["session_id"], product_id=a["product_id"])


def pipeline_runnable(pipeline: AnswerPipeline) -> PipelineRunnable:
    return PipelineRunnable(pipeline)
