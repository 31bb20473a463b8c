"""Query understanding: read a message in its conversation and decide what to retrieve.

Modules, in the order a message goes through them:
  types.py      the typed results (Understanding, RetrievalPlan, ResponsePolicy, ...)
  features.py   text features shared by the classifier heads
  intent.py     intent head on the shared sentence embedding (+ out-of-scope threshold)
  sentiment.py  sentiment head + escalation rules
  refiner.py    the encoder's top layers fine-tuned for sentiment (numpy at predict time)
  linker.py     entity linking of products, brands and categories to graph nodes
  state.py      dialogue state: SessionStore interface + SQLite store
  router.py     the routing table: intent/entities -> RetrievalPlan, sentiment -> ResponsePolicy
  pipeline.py   `Understander.understand(text, session_id, product_id, embedding, states)`
  external.py   CLINC150 / yelp checks used by `shopgraph eval intent|sentiment`
"""

from rag.understand.types import (
    INTENTS,
    TRANSACTIONAL_INTENTS,
    ClarifyingQuestion,
    GraphQuery,
    IntentPrediction,
    LinkedEntity,
    PassageQuery,
    ResponsePolicy,
    RetrievalPlan,
    SentimentPrediction,
    Understanding,
)

__all__ = [
    "INTENTS",
    "TRANSACTIONAL_INTENTS",
    "ClarifyingQuestion",
    "GraphQuery",
    "IntentPrediction",
    "LinkedEntity",
    "PassageQuery",
    "ResponsePolicy",
    "RetrievalPlan",
    "SentimentPrediction",
    "Understanding",
]
