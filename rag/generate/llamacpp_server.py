"""Run `llama_cpp.server` (an OpenAI-compatible HTTP server) with the same loading rules as the
embedded generator (no weight repacking, see llamacpp.disable_weight_repack). A local stand-in
for vLLM, used by the tests and for development:

    python -m rag.generate.llamacpp_server --model PATH.gguf --host 127.0.0.1 --port 8001

All arguments are llama_cpp.server's own; `--model` defaults to the SmolLM2 GGUF."""

from __future__ import annotations

import sys

from rag.generate.llamacpp import disable_weight_repack, smollm2_gguf_path


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--model" not in argv and not any(a.startswith("--model=") for a in argv):
        argv = ["--model", str(smollm2_gguf_path()), *argv]
    disable_weight_repack()
    from llama_cpp.server.__main__ import main as server_main

    sys.argv = ["llama_cpp.server", *argv]
    server_main()


if __name__ == "__main__":
    main()
