"""`shopgraph train reranker`: LoRA fine-tuning of the cross-encoder reranker
(rag/train/reranker.py) on hetPQA + semiPQA, optionally continued on ePQA dev k-fold
(`--epqa-folds k --epqa-fold f`: out-of-fold models for honest ePQA numbers; `--epqa-fold -1`:
all of it, the shipped model); `--ship` installs the result as rag/artifacts/reranker.

The shipped artifact was made in two steps (see its meta.json; the first, like the fold models,
was stopped by the time budget, which `--stop-after` replays):
    shopgraph train reranker --out out/reranker_v1 --steps 450 --stop-after 369
    shopgraph train reranker --init out/reranker_v1 --epqa-folds 2 --epqa-fold -1 \\
        --base-groups 600 --steps 170 --lr 5e-4 --out out/reranker --ship
and its out-of-fold twins with `--epqa-fold 0` / `--epqa-fold 1 --steps 220 --stop-after 164|162`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer

from serve.cli import train_app
from serve.settings import get_settings


@train_app.command("reranker")
def train_reranker_command(
    data: Path = typer.Option(None, help="shared data folder (hetPQA/semiPQA files); default: settings"),
    out: Path = typer.Option(Path("out/reranker"), help="where the artifact (adapter/, head, meta.json) goes"),
    seed: int = typer.Option(0),
    steps: int = typer.Option(450, min=1, help="optimizer steps (the learning rate decays to 0 at the last)"),
    lr: float = typer.Option(1e-3),
    rank: int = typer.Option(8, min=1, help="LoRA rank"),
    negatives: int = typer.Option(3, min=1, help="irrelevant candidates per relevant one"),
    groups_per_batch: int = typer.Option(4, min=1),
    max_length: int = typer.Option(96, min=16, help="tokens per (question, candidate) pair"),
    max_minutes: float = typer.Option(15.0, help="wall-clock budget; training stops early but still writes"),
    stop_after: int = typer.Option(0, min=0, help="stop after N steps, schedule unchanged (replays a timed-out run)"),
    threads: int = typer.Option(1, min=1, help="torch threads (1 is fastest on a shared 2-core machine)"),
    limit: int = typer.Option(0, min=0, help="use only the first N groups of each source (0 = all)"),
    init: Path = typer.Option(None, help="continue training from this artifact folder (warm start)"),
    epqa_folds: int = typer.Option(0, min=0, help="also train on ePQA dev, split into this many product folds"),
    epqa_fold: int = typer.Option(-1, min=-1, help="the ePQA fold to hold out (-1 = none: train on all of it)"),
    base_groups: int = typer.Option(0, min=0, help="with ePQA: non-ePQA groups to mix in (0 = all)"),
    epqa_groups: str = typer.Option("pairs", help="with ePQA: 'pairs' (each answer vs --negatives others) or "
                                                  "'lists' (each question's whole candidate list)"),
    ship: bool = typer.Option(False, help="also install the result as rag/artifacts/reranker"),
) -> None:
    """Fine-tune the cross-encoder reranker on hetPQA and semiPQA; with --epqa-folds also on ePQA dev
    (hold a fold out with --epqa-fold to measure it honestly)."""
    from rag.retrieve.cross_encoder import SHIPPED_DIR
    from rag.train.reranker import TRAIN_FILES, RerankerTrainConfig, train_reranker

    data_dir = data or get_settings().shared_data
    missing = [str(data_dir / rel) for rel in TRAIN_FILES.values() if not (data_dir / rel).is_file()]
    if missing:
        typer.echo(f"error: reranker training data not found: {', '.join(missing)}; pass --data", err=True)
        raise typer.Exit(2)
    if init is not None and not (init / "adapter" / "adapter_config.json").is_file():
        typer.echo(f"error: --init {init} is not a reranker artifact (no adapter/adapter_config.json)", err=True)
        raise typer.Exit(2)
    if epqa_folds and epqa_fold >= epqa_folds:
        typer.echo(f"error: --epqa-fold {epqa_fold} must be below --epqa-folds {epqa_folds}", err=True)
        raise typer.Exit(2)
    if epqa_groups not in ("pairs", "lists"):
        typer.echo(f"error: --epqa-groups must be 'pairs' or 'lists', not {epqa_groups!r}", err=True)
        raise typer.Exit(2)
    meta = train_reranker(RerankerTrainConfig(
        data_dir=data_dir, out=out, seed=seed, max_steps=steps, epochs=100.0, lr=lr, rank=rank, alpha=2 * rank,
        negatives=negatives, groups_per_batch=groups_per_batch, max_length=max_length, max_minutes=max_minutes,
        stop_after=stop_after, threads=threads, limit=limit, init=init, epqa_folds=epqa_folds, epqa_fold=epqa_fold,
        base_groups=base_groups, epqa_groups=epqa_groups,
    ))
    if ship:
        tmp = SHIPPED_DIR.with_name(SHIPPED_DIR.name + ".new")
        if tmp.exists():
            shutil.rmtree(tmp)
        shutil.copytree(out, tmp)
        if SHIPPED_DIR.exists():
            shutil.rmtree(SHIPPED_DIR)
        tmp.rename(SHIPPED_DIR)
    typer.echo(json.dumps(meta, indent=2))
