"""Build the configured generator. `serve/` passes its `GeneratorSettings`; library code and
tests may call `make_generator` with plain arguments instead."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from rag.generate.extractive import ExtractiveGenerator, TextEncoder
from rag.generate.fallback import FallbackGenerator
from rag.generate.llamacpp import LlamaCppGenerator, resolve_gguf_path, resolve_lora_path, smollm2_gguf_path
from rag.generate.openai_http import OpenAIGenerator

if TYPE_CHECKING:
    from serve.settings import GeneratorSettings

GeneratorKind = Literal["llamacpp", "openai", "extractive"]


def make_generator(
    kind: GeneratorKind,
    *,
    base_url: str = "http://localhost:8000/v1",
    model: str = "shopgraph",
    lora_adapter: str = "",
    api_key: str = "EMPTY",
    timeout_s: float = 20.0,
    max_retries: int = 2,
    gguf_path: str = "",
    lora_path: str = "",
    data_dir: str | os.PathLike | None = None,
    max_tokens: int = 160,
    temperature: float = 0.0,
    encoder: TextEncoder | None = None,
) -> FallbackGenerator | ExtractiveGenerator:
    """A model generator wrapped in the extractive fallback, or the extractive one alone."""
    extractive = ExtractiveGenerator(encoder=encoder)
    if kind == "extractive":
        return extractive
    if kind == "openai":
        primary = OpenAIGenerator(
            base_url=base_url,
            model=model,
            api_key=api_key,
            lora_adapter=lora_adapter,
            timeout_s=timeout_s,
            max_retries=max_retries,
            max_tokens=max_tokens,
            temperature=temperature,
        )
    elif kind == "llamacpp":
        gguf = resolve_gguf_path(gguf_path, data_dir)
        base_is_default = gguf == smollm2_gguf_path()
        primary = LlamaCppGenerator(
            gguf_path=gguf,
            lora_path=resolve_lora_path(lora_path, None if base_is_default else gguf),
            max_tokens=max_tokens,
            temperature=temperature,
        )
    else:
        raise ValueError(f"unknown generator kind {kind!r} (setting generator.kind): use llamacpp, openai or extractive")
    return FallbackGenerator(primary, extractive, timeout_s=timeout_s)


def generator_from_settings(
    settings: GeneratorSettings, data_dir: str | os.PathLike | None = None, encoder: TextEncoder | None = None
) -> FallbackGenerator | ExtractiveGenerator:
    return make_generator(
        settings.kind,
        base_url=settings.base_url,
        model=settings.model,
        lora_adapter=settings.lora_adapter,
        api_key=settings.api_key.get_secret_value(),
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
        gguf_path=settings.gguf_path,
        lora_path=settings.lora_path,
        data_dir=data_dir,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        encoder=encoder,
    )
