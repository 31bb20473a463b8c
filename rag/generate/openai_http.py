"""OpenAI-compatible HTTP generator: vLLM in production, llama_cpp.server in tests.

A LoRA adapter served by vLLM (`--lora-modules name=path`) is requested by sending its name as
the model name, so one base model can host several fine-tunes. Timeouts apply per request
(connect and each read); retries are bounded and only for transient failures (connection
errors, timeouts, 408/409/429/5xx), with the client's exponential backoff. The overall
deadline of an answer is enforced by FallbackGenerator, which answers extractively when this
generator is down, slow or hung."""

from __future__ import annotations

from collections.abc import Iterator

import openai

from rag.generate.base import GenerationError, GenerationRequest


class OpenAIGenerator:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "EMPTY",
        lora_adapter: str = "",
        timeout_s: float = 20.0,
        max_retries: int = 2,
        max_tokens: int = 160,
        temperature: float = 0.0,
        stop: list[str] | None = None,
    ):
        self.base_url = base_url
        self.model = lora_adapter or model  # vLLM routes a request to a LoRA by its name
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.stop = stop
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "EMPTY",
            timeout=openai.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            max_retries=max_retries,
        )

    def _params(self, request: GenerationRequest) -> dict:
        params: dict = {
            "model": self.model,
            "messages": request.messages,
            "max_tokens": request.max_tokens or self.max_tokens,
            "temperature": self.temperature,
        }
        if self.stop:
            params["stop"] = self.stop
        return params

    def generate(self, request: GenerationRequest) -> str:
        try:
            response = self._client.chat.completions.create(**self._params(request))
        except openai.OpenAIError as exc:
            raise GenerationError(f"{self.base_url}: {type(exc).__name__}: {exc}") from exc
        if not response.choices:
            raise GenerationError(f"{self.base_url}: response without choices")
        return response.choices[0].message.content or ""

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        try:
            chunks = self._client.chat.completions.create(**self._params(request), stream=True)
            with chunks:
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
        except openai.OpenAIError as exc:
            raise GenerationError(f"{self.base_url}: {type(exc).__name__}: {exc}") from exc
