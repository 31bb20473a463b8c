"""Fallback wrapper: the answer always arrives within the deadline.

The primary generator runs in a daemon worker thread. If it raises, returns nothing, or has not
finished when `timeout_s` has passed (server down, overloaded, or hung on a socket that never
answers), the extractive generator answers instead, so a request costs at most timeout_s plus
a few milliseconds. A late worker is cancelled between two tokens; one blocked inside a read is
abandoned, not killed, and ends with the HTTP client's own read timeout.

Streaming: pieces are passed through as they arrive. If the primary fails or times out before
its first piece, the extractive answer is streamed instead; if it fails after some pieces, the
stream ends there (what was sent cannot be taken back; grounding of the collected text decides
the final answer)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import structlog

from rag.generate.base import Generation, GenerationRequest, Generator
from rag.generate.extractive import ExtractiveGenerator

log = structlog.get_logger(__name__)


def _reason(exc: BaseException) -> str:
    return f"error: {type(exc).__name__}: {str(exc)[:200]}"


class GenerationStream:
    """Iterate for text pieces; afterwards `generator`, `fallback_reason` and `text` tell what
    was streamed and by whom."""

    def __init__(self, pieces: Iterator[str]):
        self._pieces = pieces
        self.text = ""
        self.generator = ""
        self.fallback_reason: str | None = None
        self.elapsed_ms = 0.0

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            self.text += piece
            yield piece

    def generation(self) -> Generation:
        return Generation(self.text, self.generator, self.fallback_reason, self.elapsed_ms)


class FallbackGenerator:
    """`primary` with a deadline; `fallback` (extractive) answers when it cannot."""

    def __init__(self, primary: Generator, fallback: ExtractiveGenerator | None = None, timeout_s: float = 20.0):
        self.primary = primary
        self.fallback = fallback or ExtractiveGenerator()
        self.timeout_s = timeout_s
        self.name = primary.name

    # --- whole answers ---------------------------------------------------------------------
    def generate_outcome(self, request: GenerationRequest) -> Generation:
        """The primary's whole answer, or the extractive one. The primary is consumed through
        its stream so that a timed-out generation is cancelled between two tokens (an embedded
        llama.cpp model is freed for the next request instead of running on unseen)."""
        start = time.perf_counter()
        done = threading.Event()
        cancel = threading.Event()
        result: dict = {}

        def work() -> None:
            it = self.primary.stream(request)
            pieces: list[str] = []
            try:
                for piece in it:
                    if cancel.is_set():
                        return
                    pieces.append(piece)
                result["text"] = "".join(pieces)
            except BaseException as exc:  # noqa: BLE001 - reported to the caller's thread
                result["error"] = exc
            finally:
                close = getattr(it, "close", None)
                if close is not None:
                    close()
                done.set()

        threading.Thread(target=work, name=f"gen-{self.primary.name}", daemon=True).start()
        if not done.wait(self.timeout_s):
            cancel.set()
            reason = "timeout"
        elif "error" in result:
            reason = _reason(result["error"])
        elif not result.get("text", "").strip():
            reason = "empty"
        else:
            return Generation(result["text"], self.primary.name, None, (time.perf_counter() - start) * 1000)
        log.warning("generator_fallback", generator=self.primary.name, reason=reason)
        text = self.fallback.generate(request)
        return Generation(text, self.fallback.name, reason, (time.perf_counter() - start) * 1000)

    def generate(self, request: GenerationRequest) -> str:
        return self.generate_outcome(request).text

    # --- streaming ---------------------------------------------------------------------------
    def stream_outcome(self, request: GenerationRequest) -> GenerationStream:
        result = GenerationStream(iter(()))
        result._pieces = self._stream(request, result)
        return result

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield from self.stream_outcome(request)

    def _stream(self, request: GenerationRequest, result: GenerationStream) -> Iterator[str]:
        start = time.perf_counter()
        deadline = start + self.timeout_s
        pieces: queue.Queue = queue.Queue()
        cancel = threading.Event()

        def work() -> None:
            it = self.primary.stream(request)
            try:
                for piece in it:
                    if cancel.is_set():
                        break
                    pieces.put(("piece", piece))
                pieces.put(("done", None))
            except BaseException as exc:  # noqa: BLE001
                pieces.put(("error", exc))
            finally:
                close = getattr(it, "close", None)
                if close is not None:
                    close()

        threading.Thread(target=work, name=f"gen-stream-{self.primary.name}", daemon=True).start()
        sent = 0
        reason: str | None = None
        try:
            while True:
                try:
                    status, value = pieces.get(timeout=max(0.0, deadline - time.perf_counter()))
                except queue.Empty:
                    reason = "timeout"
                    break
                if status == "piece":
                    sent += 1
                    yield value
                elif status == "done":
                    if sent == 0:
                        reason = "empty"
                    break
                else:
                    reason = _reason(value)
                    break
        finally:
            cancel.set()
        result.generator = self.primary.name
        if reason is not None:
            log.warning("generator_fallback", generator=self.primary.name, reason=reason, streamed_pieces=sent)
        if reason is not None and sent == 0:
            result.generator = self.fallback.name
            result.fallback_reason = reason
            yield from self.fallback.stream(request)
        elif reason is not None:
            result.fallback_reason = f"stream cut: {reason}"
        result.elapsed_ms = (time.perf_counter() - start) * 1000
