"""`shopgraph train intent|sentiment --data FILE|clinc150|yelp [--out DIR]`: train a classifier
head on the shared sentence embedding and write a versioned artifact (model, labels, metrics)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from serve.cli import train_app
from serve.settings import get_settings

console = Console(stderr=True)

DataOpt = typer.Option(
    "default", "--data",
    help="JSONL/CSV/TSV file of (text, label); 'default' = the project's own set; "
         "intent also takes 'clinc150', sentiment 'yelp' (read from the shared data dir)")
OutOpt = typer.Option(None, "--out", help="artifact root (default: rag/artifacts, the shipped models)")


def _run(kind: str, data: str, out: Optional[Path], as_json: bool) -> None:
    from rag.encoder import shared_encoder
    from rag.understand.training import TrainingDataError, train_intent, train_sentiment

    settings = get_settings()
    root = out or Path(__file__).resolve().parents[2] / "rag" / "artifacts"
    m = settings.models
    encoder = shared_encoder(**m.encoder_options())
    train = train_intent if kind == "intent" else train_sentiment
    try:
        with console.status(f"training the {kind} head on {data} ..."):
            folder, metrics = train(data, root, encoder, shared_data=settings.shared_data)
    except TrainingDataError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"artifact": str(folder), **metrics}, indent=1))
    else:
        console.print(f"wrote {folder}")
        print(json.dumps(metrics, indent=1))


@train_app.command("intent")
def train_intent_cmd(data: str = DataOpt, out: Optional[Path] = OutOpt,
                     as_json: bool = typer.Option(False, "--json", help="Print JSON only.")) -> None:
    """Train the intent classifier (with the out-of-scope threshold chosen on validation)."""
    _run("intent", data, out, as_json)


@train_app.command("sentiment")
def train_sentiment_cmd(data: str = DataOpt, out: Optional[Path] = OutOpt,
                        as_json: bool = typer.Option(False, "--json", help="Print JSON only.")) -> None:
    """Train the sentiment classifier (negative / neutral / positive)."""
    _run("sentiment", data, out, as_json)
