"""LangChain adapters over the real demo store: the retrieval stage as a BaseRetriever (evidence
fields survive as Document metadata; usable inside an LCEL chain) and the whole pipeline as a
Runnable (invoke -> Answer, stream -> grounded pieces then the Answer)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda

from rag.generate.extractive import ExtractiveGenerator
from rag.grounding import GroundingChecker
from rag.langchain import ShopgraphRetriever, document_to_evidence, pipeline_runnable
from rag.pipeline import AnswerPipeline
from rag.types import Answer
from rag.understand.types import (
    GraphQuery,
    IntentPrediction,
    PassageQuery,
    ResponsePolicy,
    RetrievalPlan,
    SentimentPrediction,
    Understanding,
)


def test_retriever_returns_citable_documents(retrieval_parts, demo_catalog):
    p = next(x for x in demo_catalog.products if x.category == "laptops")
    r = ShopgraphRetriever(hybrid=retrieval_parts["hybrid"], k=5, product_ids=[p.id], policy_kind="returns")
    assert isinstance(r, BaseRetriever)
    docs = r.invoke("what is the return window and how much RAM does it have?")
    assert docs and all(isinstance(d, Document) for d in docs)
    ids = [d.metadata["id"] for d in docs]
    assert any(d.metadata["source"] == "policy" for d in docs)
    assert f"{p.id}#price" in ids or any(i.startswith(f"{p.id}#attr:") for i in ids)
    ev = document_to_evidence(docs[0])
    assert ev.id == docs[0].metadata["id"] and ev.text == docs[0].page_content


def test_retriever_composes_in_a_chain(retrieval_parts):
    r = ShopgraphRetriever(hybrid=retrieval_parts["hybrid"], k=3)
    chain = r | RunnableLambda(lambda docs: [d.metadata["id"] for d in docs])
    ids = chain.invoke("can I pay for a laptop in monthly installments?")
    assert 0 < len(ids) <= 3
    assert any(i.startswith("policy:payment-laptops") for i in ids)


class _Fixed:
    """The understanding step as one fixed plan (see tests/test_pipeline.py for why)."""

    def __init__(self, encoder, plan):
        self.encoder, self.plan = encoder, plan

    def understand(self, text, session_id=None, product_id=None):
        return Understanding(text=text, intent=IntentPrediction(label=self.plan.intent, confidence=1.0,
                                                                raw_label=self.plan.intent),
                             sentiment=SentimentPrediction(label="neutral", confidence=1.0), plan=self.plan,
                             response=ResponsePolicy(), embedding=self.encoder.encode_one(text))


@pytest.fixture(scope="module")
def runnable(retrieval_parts, sync_encoder, demo_catalog):
    p = next(x for x in demo_catalog.products if x.category == "headphones")
    plan = RetrievalPlan(intent="product_info", graph_queries=[GraphQuery(kind="product_facts", product_ids=[p.id])],
                         passages=PassageQuery(owner_ids=[p.id], k=4))
    pipe = AnswerPipeline(_Fixed(sync_encoder, plan), retrieval_parts["hybrid"],
                          ExtractiveGenerator(encoder=sync_encoder), GroundingChecker(sync_encoder))
    return pipeline_runnable(pipe), p


def test_pipeline_runnable_invoke_and_stream(runnable):
    r, p = runnable
    assert isinstance(r, Runnable)
    q = f"How long does the battery of the {p.title} last?"
    a = r.invoke(q)
    assert isinstance(a, Answer) and a.grounded and a.citations
    b = r.invoke({"message": q, "session_id": None, "product_id": p.id})
    assert b.text == a.text
    pieces = list(r.stream(q))
    assert isinstance(pieces[-1], Answer) and "".join(pieces[:-1]).strip() == pieces[-1].text.strip()
    with pytest.raises(TypeError):
        r.invoke({"question": q})
