"""The generation half of answering, in one call: evidence -> numbered context -> prompt ->
generator (with its extractive fallback and deadline) -> grounding check -> Answer.

Retrieval and the response policy sit on either side (rag/retrieve, rag/respond.py); this
class is what they call in between. Stage timings are recorded in `Answer.timings`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence

from rag.context import Context, build_context
from rag.generate.base import GenerationRequest, Generator
from rag.generate.extractive import ExtractiveGenerator
from rag.generate.fallback import FallbackGenerator
from rag.grounding import GroundedStream, GroundingChecker
from rag.types import Answer, Evidence


class Answerer:
    def __init__(
        self,
        generator: Generator | FallbackGenerator | ExtractiveGenerator,
        checker: GroundingChecker | None = None,
        extractive: ExtractiveGenerator | None = None,
        context_tokens: int = 1500,
        max_items: int = 12,
    ):
        self.generator = generator
        self.checker = checker or GroundingChecker()
        fallback = getattr(generator, "fallback", None)
        self.extractive = extractive or (fallback if isinstance(fallback, ExtractiveGenerator) else None)
        if self.extractive is None:
            self.extractive = generator if isinstance(generator, ExtractiveGenerator) else ExtractiveGenerator()
        self.context_tokens = context_tokens
        self.max_items = max_items

    def context(self, evidence: Iterable[Evidence], entity_names: Sequence[str] = ()) -> Context:
        return build_context(
            evidence, budget_tokens=self.context_tokens, max_items=self.max_items, entity_names=entity_names
        )

    def answer(
        self,
        question: str,
        evidence: Iterable[Evidence],
        history: Sequence[tuple[str, str]] = (),
        entity_names: Sequence[str] = (),
    ) -> Answer:
        """`entity_names`: the linked products/brands (Understanding.focus names), see build_context."""
        t0 = time.perf_counter()
        context = self.context(evidence, entity_names)
        request = GenerationRequest.build(question, context, history)
        t1 = time.perf_counter()
        if isinstance(self.generator, FallbackGenerator):
            outcome = self.generator.generate_outcome(request)
            text, name, reason = outcome.text, outcome.generator, outcome.fallback_reason
        else:
            text, name, reason = self.generator.generate(request), self.generator.name, None
        t2 = time.perf_counter()
        answer = self.checker.ground(text, context, question, self.extractive, name, reason)
        t3 = time.perf_counter()
        answer.timings.stages_ms.update(
            {"context": (t1 - t0) * 1000, "generate": (t2 - t1) * 1000, "ground": (t3 - t2) * 1000}
        )
        answer.timings.total_ms = (t3 - t0) * 1000
        return answer

    def stream(
        self,
        question: str,
        evidence: Iterable[Evidence],
        history: Sequence[tuple[str, str]] = (),
        entity_names: Sequence[str] = (),
    ) -> GroundedStream:
        """Grounded text pieces (whole sentences) as they pass the check; `.answer` afterwards."""
        context = self.context(evidence, entity_names)
        request = GenerationRequest.build(question, context, history)
        if isinstance(self.generator, FallbackGenerator):
            pieces: Iterable[str] | Iterator[str] = self.generator.stream_outcome(request)
        else:
            pieces = self.generator.stream(request)
        return self.checker.stream(pieces, context, question, self.extractive, self.generator.name)
