"""The one retriever interface and the query every retriever reads.

A `RetrievalQuery` is built once per turn from the understanding step (`from_understanding`)
or by hand (evaluation, LangChain, tests). Every retriever returns citable `Evidence`, best
first, with its own score and its name in `Evidence.retriever`; fusion merges the lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from rag.types import Evidence
from rag.understand.types import GraphQuery, RetrievalPlan, Understanding


#: Passage sources that are store documents (owned by Policy / FAQ nodes, not by products).
DOCUMENT_SOURCES = frozenset({"policy", "faq"})


@dataclass
class RetrievalQuery:
    """What to retrieve for one message.

    `owner_ids` scopes passage search (dense and BM25) to passages owned by those nodes
    (products, policies, FAQs, brands); None searches the whole catalog. `graph_queries` are
    the plan's graph reads; `vector` is the message embedding when already computed.
    `search_passages` False reads the graph alone (a plan whose `PassageQuery.k` is 0: "what
    do you sell?" is answered by the store's range, and a gift card FAQ that shares "sell" took
    the lead).
    """

    text: str
    vector: np.ndarray | None = None
    graph_queries: list[GraphQuery] = field(default_factory=list)
    owner_ids: list[str] | None = None
    sources: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    brand_ids: list[str] = field(default_factory=list)
    category_ids: list[str] = field(default_factory=list)
    policy_kind: str | None = None
    k: int = 8
    search_passages: bool = True

    @classmethod
    def from_understanding(cls, u: Understanding) -> "RetrievalQuery":
        return cls.from_plan(
            u.question, u.plan, vector=None if u.embedding is None else u.vector(),
            product_ids=u.product_ids, brand_ids=u.brand_ids, category_ids=u.category_ids,
        )

    @classmethod
    def from_plan(
        cls,
        text: str,
        plan: RetrievalPlan,
        vector: np.ndarray | None = None,
        product_ids: list[str] | None = None,
        brand_ids: list[str] | None = None,
        category_ids: list[str] | None = None,
    ) -> "RetrievalQuery":
        pq = plan.passages
        products = list(product_ids or [])
        for gq in plan.graph_queries:
            products += [p for p in gq.product_ids if p not in products]
        owners: list[str] | None = None
        document_search = pq is not None and bool(pq.sources) and set(pq.sources) <= DOCUMENT_SOURCES
        if pq is not None and pq.owner_ids:
            owners = list(pq.owner_ids)
        elif products and not document_search:
            owners = list(products)
        # a policy/FAQ search is scoped later to the documents the graph resolves as applicable
        # (HybridRetriever), never to the product's own passages
        policy_kind = pq.policy_kind if pq is not None else None
        if policy_kind is None:
            policy_kind = next((g.policy_kind for g in plan.graph_queries if g.policy_kind), None)
        return cls(
            text=text,
            vector=vector,
            graph_queries=list(plan.graph_queries),
            owner_ids=owners,
            sources=list(pq.sources) if pq is not None else [],
            product_ids=products,
            brand_ids=list(brand_ids or []),
            category_ids=list(category_ids or []),
            policy_kind=policy_kind,
            k=pq.k if pq is not None and pq.k > 0 else 8,
            search_passages=pq is None or pq.k > 0,
        )


@runtime_checkable
class Retriever(Protocol):
    name: str

    def retrieve(self, query: RetrievalQuery) -> list[Evidence]:
        """Evidence for `query`, best first."""
        ...
