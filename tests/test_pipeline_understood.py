"""The whole pipeline with the real understanding step (shipped intent/sentiment artifacts, entity
linker over the demo graph) on the real demo store, extractive generator: messages in, grounded
answers with the expected citations out."""

from __future__ import annotations

import pytest

from rag.generate.extractive import ExtractiveGenerator
from rag.grounding import GroundingChecker
from rag.pipeline import AnswerPipeline


@pytest.fixture(scope="module")
def understood(retrieval_parts, sync_encoder, tmp_path_factory):
    from rag.understand.linker import EntityLinker
    from rag.understand.pipeline import Understander
    from rag.understand.state import SQLiteSessionStore

    sessions = SQLiteSessionStore(tmp_path_factory.mktemp("sessions") / "s.sqlite")
    u = Understander.from_artifacts(sync_encoder, linker=EntityLinker.from_graph(retrieval_parts["store"], sync_encoder),
                                    sessions=sessions)
    return AnswerPipeline(u, retrieval_parts["hybrid"], ExtractiveGenerator(encoder=sync_encoder),
                          GroundingChecker(sync_encoder), sessions=u)


def _cited(a):
    return {c.evidence_id for c in a.citations} | {c.doc_id for c in a.citations if c.doc_id}


def test_product_specific_return_policy(understood, demo_catalog):
    p = next(x for x in demo_catalog.products if x.id == "p000001")
    trace = understood.run(f"Can I return the {p.title}?")
    assert trace.understanding.intent.label == "return_policy"
    assert "returns-p000001" in _cited(trace.answer), trace.answer.text


def test_price_by_page_context(understood, demo_catalog):
    p = next(x for x in demo_catalog.products if x.category == "laptops")
    a = understood.answer("How much does this cost?", product_id=p.id)
    assert a.intent == "availability_price"
    assert f"{p.id}#price" in _cited(a), a.text


def test_greeting_needs_no_retrieval(understood):
    trace = understood.run("hi there, thanks!")
    assert trace.retrieval is None and not trace.answer.citations
