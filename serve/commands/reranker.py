"""`shopgraph train reranker`: LoRA fine-tuning of the cross-encoder reranker
(rag/train/reranker.py) on hetPQA + semiPQA; `--ship` installs it as rag/artifacts/reranker."""

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
    threads: int = typer.Option(1, min=1, help="torch threads (1 is fastest on a shared 2-core machine)"),
    limit: int = typer.Option(0, min=0, help="use only the first N groups of each source (0 = all)"),
    ship: bool = typer.Option(False, help="also install the result as rag/artifacts/reranker"),
) -> None:
    """Fine-tune the cross-encoder reranker (never on ePQA, the evaluation set)."""
    from rag.retrieve.cross_encoder import SHIPPED_DIR
    from rag.train.reranker import TRAIN_FILES, RerankerTrainConfig, train_reranker

    data_dir = data or get_settings().shared_data
    missing = [str(data_dir / rel) for rel in TRAIN_FILES.values() if not (data_dir / rel).is_file()]
    if missing:
        typer.echo(f"error: reranker training data not found: {', '.join(missing)}; pass --data", err=True)
        raise typer.Exit(2)
    meta = train_reranker(RerankerTrainConfig(
        data_dir=data_dir, out=out, seed=seed, max_steps=steps, epochs=100.0, lr=lr, rank=rank, alpha=2 * rank,
        negatives=negatives, groups_per_batch=groups_per_batch, max_length=max_length, max_minutes=max_minutes,
        threads=threads, limit=limit,
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
