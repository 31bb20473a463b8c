"""The one generator interface. Every generator (vLLM over HTTP, embedded llama.cpp,
extractive) takes a `GenerationRequest` (question + numbered context + the chat messages of
rag/prompt.py) and returns the raw answer text, or streams it as text pieces. Grounding
(rag/grounding.py) runs afterwards on whatever a generator wrote."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from rag.context import Context
from rag.prompt import ChatMessage, build_messages


class GenerationError(RuntimeError):
    """A generator could not produce an answer (server down, bad response, model error)."""


@dataclass(frozen=True)
class GenerationRequest:
    question: str
    context: Context
    messages: list[ChatMessage]
    max_tokens: int | None = None  # None = the generator's own default
    #: The question's embedding when the caller has it (the understanding step computed it):
    #: the extractive generator's semantic fallback then need not embed the question again.
    question_vector: Any = None

    @classmethod
    def build(
        cls,
        question: str,
        context: Context,
        history: Sequence[tuple[str, str]] = (),
        max_tokens: int | None = None,
    ) -> GenerationRequest:
        """The request for `question` over `context` in the service's prompt format."""
        return cls(question, context, build_messages(question, context, history), max_tokens)


@dataclass
class Generation:
    """What a generator produced and who produced it (the fallback wrapper may substitute)."""

    text: str
    generator: str
    fallback_reason: str | None = None  # "error: ..." or "timeout" when the fallback answered
    elapsed_ms: float = 0.0
    errors: list[str] = field(default_factory=list)


@runtime_checkable
class Generator(Protocol):
    name: str

    def generate(self, request: GenerationRequest) -> str:
        """The whole answer text. Raises GenerationError when no answer can be produced."""
        ...

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """The answer as text pieces in order (concatenated = generate()'s text)."""
        ...
