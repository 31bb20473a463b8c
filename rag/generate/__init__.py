"""Generators behind one interface (see base.py): OpenAI-compatible HTTP (vLLM), embedded
llama.cpp, extractive, and the fallback wrapper that keeps every answer within its deadline."""

from rag.generate.answerer import Answerer
from rag.generate.base import Generation, GenerationError, GenerationRequest, Generator
from rag.generate.extractive import ExtractiveGenerator
from rag.generate.factory import generator_from_settings, make_generator
from rag.generate.fallback import FallbackGenerator, GenerationStream
from rag.generate.llamacpp import LlamaCppGenerator, resolve_gguf_path, smollm2_gguf_path
from rag.generate.openai_http import OpenAIGenerator

__all__ = [
    "Answerer",
    "ExtractiveGenerator",
    "FallbackGenerator",
    "Generation",
    "GenerationError",
    "GenerationRequest",
    "GenerationStream",
    "Generator",
    "LlamaCppGenerator",
    "OpenAIGenerator",
    "generator_from_settings",
    "make_generator",
    "resolve_gguf_path",
    "smollm2_gguf_path",
]
