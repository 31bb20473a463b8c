"""Evaluation suites. Each module exposes ``run(...) -> EvalResult``; `serve/commands/evaluate.py`
wires settings and CLI options into them. Shared helpers for finding data files live in
`rag/eval/suites/data.py`."""
