"""`shopgraph eval SUITE`: run an evaluation suite and write its report.

Suites: epqa, semipqa, hetpqa, demo (answer and retrieval suites, with baselines measured in
the same run) and intent, sentiment (classifiers). Every suite writes results.json, report.md,
PNG plots and failures.jsonl into --out; --json prints results.json. Judging rules and how to
run held-out files: docs/evaluation.md.

This module only wires settings and options into the library code under `rag/eval/`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from rag.eval.report import EvalResult, write_report
from rag.eval.suites.data import EvalDataError
from serve.cli import eval_app
from serve.settings import Settings, get_settings

err = Console(stderr=True)

DataOpt = typer.Option(None, "--data", help="data folder in the layout of ../shared/data (default: setting shared_data)")
SplitOpt = typer.Option("dev", "--split", help="split NAME: reads NAME.csv beside dev.csv in the suite's folder")
OutOpt = typer.Option(None, "--out", help="report folder (default: DATA_DIR/eval/SUITE-SPLIT)")
JsonOpt = typer.Option(False, "--json", help="print results.json to stdout")
GeneratorOpt = typer.Option(None, "--generator", help="llamacpp | openai | extractive (default: setting generator.kind)")
LimitOpt = typer.Option(None, "--limit", min=1, help="evaluate only the first N questions (quick runs)")
SeedOpt = typer.Option(0, "--seed", help="seed for anything sampled")


def _data_dir(settings: Settings, data: Optional[Path]) -> Path:
    return Path(data) if data is not None else Path(settings.shared_data)


def _out_dir(settings: Settings, out: Optional[Path], suite: str, split: str) -> Path:
    return Path(out) if out is not None else Path(settings.data_dir) / "eval" / f"{suite}-{split}"


def _finish(result: EvalResult, out_dir: Path, as_json: bool) -> None:
    payload = write_report(result, out_dir)
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    from rag.eval.report import comparison_rows, flatten

    systems, rows = comparison_rows(result.metrics)
    for name, row in rows.items():
        values = "  ".join(
            f"{s}={row[s]:.4f}" if isinstance(row.get(s), float) else f"{s}={row.get(s)}" for s in systems if s in row
        )
        err.print(f"{name}: {values}")
    for name, value in flatten({k: v for k, v in result.metrics.items()
                                if k not in ("retrieval", "answers", "baselines")}).items():
        err.print(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}")
    err.print(f"[green]report written to {out_dir}[/green] (report.md, results.json, failures.jsonl, plots)")


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2)


# ---------------------------------------------------------------- wiring


def _encoder(settings: Settings):
    from rag.encoder import shared_encoder

    return shared_encoder(settings.models.embedding_model, settings.models.embedding_batch_size, settings.models.device)


def _generator(settings: Settings, kind: Optional[str], encoder):
    from rag.generate import generator_from_settings

    cfg = settings.generator.model_copy(update={"kind": kind}) if kind else settings.generator
    return generator_from_settings(cfg, data_dir=settings.data_dir, encoder=encoder)


def _generator_config(settings: Settings, kind: Optional[str]) -> dict:
    g = settings.generator
    kind = kind or g.kind
    cfg = {"generator": kind, "max_tokens": g.max_tokens, "temperature": g.temperature,
           "context_tokens": g.context_tokens}
    if kind == "openai":
        cfg.update(base_url=g.base_url, model=g.lora_adapter or g.model)
    if kind == "llamacpp":
        from rag.generate import resolve_gguf_path

        cfg["gguf"] = str(resolve_gguf_path(g.gguf_path, settings.data_dir))
    return cfg


def _judge(encoder):
    from rag.eval.answering import Judge
    from rag.grounding import GroundingChecker

    return Judge(GroundingChecker(encoder), encoder)


def _evidence_answerers(settings: Settings, kind: Optional[str], encoder) -> dict:
    """ours = the configured generator; extractive = the extractive generator alone (baseline),
    both followed by the same grounding check."""
    from rag.eval.wiring import evidence_answerer

    kind = kind or settings.generator.kind
    ours = evidence_answerer(_generator(settings, kind, encoder), encoder, settings.generator.context_tokens)
    answerers = {"ours": ours}
    if kind != "extractive":
        answerers["extractive"] = evidence_answerer(
            _generator(settings, "extractive", encoder), encoder, settings.generator.context_tokens)
    return answerers


# ---------------------------------------------------------------- answer and retrieval suites


@eval_app.command("semipqa")
def semipqa_cmd(
    data: Optional[Path] = DataOpt, split: str = SplitOpt, out: Optional[Path] = OutOpt,
    as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt, limit: Optional[int] = LimitOpt,
    seed: int = SeedOpt,
) -> None:
    """semiPQA: attribute ranking (P@1, MRR; ours vs BM25 and dense) and data-to-text (ROUGE-L)."""
    from rag.eval.suites import semipqa
    from rag.eval.wiring import candidate_rankers

    settings = get_settings()
    try:
        data_dir = _data_dir(settings, data)
        encoder = _encoder(settings)
        corpus = semipqa.ranking_corpus(data_dir, split, limit)
        result = semipqa.run(
            data_dir, split,
            rankers=candidate_rankers(encoder, corpus),
            answerers=_evidence_answerers(settings, generator, encoder),
            limit=limit, progress=True, config=_generator_config(settings, generator), seed=seed,
            judge=_judge(encoder),
        )
        result.models["encoder"] = encoder.model_name
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "semipqa", split), as_json)


@eval_app.command("hetpqa")
def hetpqa_cmd(
    data: Optional[Path] = DataOpt, split: str = SplitOpt, out: Optional[Path] = OutOpt,
    as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt, limit: Optional[int] = LimitOpt,
    seed: int = SeedOpt,
) -> None:
    """hetPQA: answers from question + evidence (ROUGE-L, faithfulness; ours vs extractive) and,
    where the split has an evidence_ranking file, ranking (P@1, MRR; ours vs BM25 and dense)."""
    from rag.eval.suites import hetpqa
    from rag.eval.wiring import candidate_rankers

    settings = get_settings()
    try:
        data_dir = _data_dir(settings, data)
        encoder = _encoder(settings)
        result = hetpqa.run(
            data_dir, split,
            answerers=_evidence_answerers(settings, generator, encoder),
            rankers=candidate_rankers(encoder, hetpqa.ranking_corpus(data_dir, split, limit)),
            limit=limit, progress=True, config=_generator_config(settings, generator), seed=seed,
            judge=_judge(encoder),
        )
        result.models["encoder"] = encoder.model_name
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "hetpqa", split), as_json)
