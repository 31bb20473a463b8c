"""`shopgraph`: the one command line. Each area registers its commands from its own module in
`serve/commands/`, so this file only assembles the groups."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Optional

import typer

from serve.settings import get_settings

app = typer.Typer(
    name="shopgraph",
    help="Grounded shopping Q&A over a product knowledge graph and a vector index.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
train_app = typer.Typer(help="Train the intent/sentiment heads and the generator.", no_args_is_help=True)
eval_app = typer.Typer(help="Run evaluation suites and write reports.", no_args_is_help=True)


@app.callback()
def _global_options(
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="The store's data directory (overrides SHOPGRAPH_DATA_DIR)."
    ),
) -> None:
    """Options for every command; they override the environment through the one settings object."""
    if data_dir is not None:
        os.environ["SHOPGRAPH_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()


app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")

# Modules that add commands to `app`, `train_app` or `eval_app` when imported.
COMMAND_MODULES = (
    "serve.commands.data",        # ingest, demo, stats
    "serve.commands.understand",  # train intent|sentiment
    "serve.commands.ask",         # ask [--explain]
    "serve.commands.evaluate",    # eval ...
    "serve.commands.generator",   # train generator
    "serve.commands.reranker",    # train reranker
    "serve.commands.http",        # serve
    "serve.commands.graph",       # graph start|stop|status
)

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a module not written yet; a typo elsewhere still fails
        if exc.name != _name:
            raise

if __name__ == "__main__":
    app()
