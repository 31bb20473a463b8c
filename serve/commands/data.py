"""Data commands: `shopgraph demo`, `shopgraph ingest PATH|epqa`, `shopgraph stats`.

Exit codes: 0 ok; 2 bad input (nothing written; the errors are listed); 3 another ingest holds
the data dir's lock; 1 anything else.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from serve.cli import app
from serve.settings import get_settings

console = Console(stderr=True)
out = Console()


def _container():
    from serve.container import Container
    from serve.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)  # to stderr: stdout stays data
    return Container(settings)


def _sync(catalog, *, prune: bool, label: str) -> dict:
    """Ingest `catalog` into the configured data dir and print what happened."""
    from ingest.publish import IngestLocked
    from ingest.sync import sync

    c = _container()
    try:
        t0 = time.perf_counter()
        with console.status("starting the graph server"):
            store, encoder = c.graph_store, c.lazy_encoder()
        try:
            report = sync(
                catalog, store, encoder, c.data_dir, prune=prune, chunk=c.chunk_config,
                index=c.index_config, write_batch_size=c.settings.graph.write_batch_size, progress=True,
            )
        except IngestLocked as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(3) from None
        if report.version:
            # the version's BM25 index, saved beside it: servers load it instead of building it
            with console.status("building the BM25 index"):
                c.lexical.ensure_saved()
        total = time.perf_counter() - t0
    finally:
        c.close()
    counts = catalog.counts()
    what = "published version" if report.published else "unchanged, still version"
    console.print(
        f"[green]{label}[/green]: {what} {report.version} in {total:.1f} s "
        f"(sync {report.elapsed_s:.1f} s; graph rows written {report.graph_rows_written}, "
        f"texts embedded {report.embedded}, vectors {report.vectors}, index {report.index_kind})",
        soft_wrap=True,
    )
    table = Table("item", "in catalog", "added", "changed", "removed")
    kinds = {"products": "product", "brands": "brand", "categories": "category", "policies": "policy",
             "faqs": "faq", "passages": "passage"}
    for name, kind in kinds.items():
        table.add_row(name, str(counts.get(name, 0)), str(report.added.get(kind, 0)),
                      str(report.changed.get(kind, 0)), str(report.removed.get(kind, 0)))
    table.add_row("attribute facts", str(counts.get("attribute_facts", 0)), "", "", "")
    console.print(table)
    return {"report": report.to_dict(), "counts": counts, "elapsed_s": round(total, 3)}


@app.command()
def demo(
    products: int = typer.Option(1000, "--products", min=1, help="Number of products to generate."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same store)."),
    prune: bool = typer.Option(True, "--prune/--no-prune", help="Remove what the demo no longer has."),
) -> None:
    """Generate the deterministic demo store and ingest it (graph + vector index)."""
    from ingest.demo import generate_demo_store

    t0 = time.perf_counter()
    with console.status(f"generating {products} demo products"):
        catalog = generate_demo_store(products=products, seed=seed)
    console.print(f"generated the demo store in {time.perf_counter() - t0:.1f} s")
    _sync(catalog, prune=prune, label="demo")


@app.command()
def ingest(
    path: str = typer.Argument(..., help="A catalog file or folder (JSONL, products CSV, policy "
                               "Markdown/HTML), or the word 'epqa' for the ePQA catalog."),
    prune: bool = typer.Option(False, "--prune", help="Also delete what the source no longer has."),
    on_error: str = typer.Option("raise", "--on-error", help="raise: stop on bad input and write "
                                 "nothing (exit 2); report: skip bad items and list them in --report."),
    report: Optional[Path] = typer.Option(None, "--report", help="Where to write the bad-item report "
                                          "(JSON lines; default <data_dir>/ingest-errors.jsonl)."),
    data: Optional[Path] = typer.Option(None, "--data", help="ePQA only: the shared data folder "
                                        "(default: the shared_data setting)."),
) -> None:
    """Ingest a catalog. Validation runs before anything is written."""
    from ingest.validation import CatalogValidationError, render_errors, validate_catalog, write_error_report

    if on_error not in ("raise", "report"):
        console.print(f"[red]error:[/red] --on-error must be 'raise' or 'report', not {on_error!r}")
        raise typer.Exit(2)
    settings = get_settings()
    if path == "epqa" and not Path(path).exists():
        from ingest.epqa import load_epqa

        folder = data or settings.shared_data
        try:
            catalog = load_epqa(folder)
        except (FileNotFoundError, ValueError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        errors = validate_catalog(catalog, source=str(folder))
        if errors:
            console.print(f"[red]the ePQA catalog has {len(errors)} problem(s); nothing was written[/red]")
            console.print(render_errors(errors, limit=50))
            raise typer.Exit(2)
        _sync(catalog, prune=prune, label="epqa")
        return

    from ingest.readers import load_catalog

    source = Path(path)
    if not source.exists():
        console.print(f"[red]error:[/red] {source}: no such file or folder")
        raise typer.Exit(2)
    try:
        loaded = load_catalog(source, on_error=on_error)  # type: ignore[arg-type]
        catalog, errors = loaded.catalog, loaded.errors
    except CatalogValidationError as exc:
        console.print(f"[red]{source}: bad input; nothing was written[/red]")
        console.print(render_errors(exc.errors, limit=100))
        if report:
            write_error_report(exc.errors, report)
            console.print(f"all {len(exc.errors)} error(s) written to {report}")
        raise typer.Exit(2) from None
    if errors:
        target = report or Path(settings.data_dir) / "ingest-errors.jsonl"
        write_error_report(errors, target)
        console.print(f"[yellow]skipped {len(errors)} bad item(s); listed in {target}[/yellow]")
        console.print(render_errors(errors, limit=20))
    _sync(catalog, prune=prune, label=str(source))


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of what the data dir holds and whether graph, index and metadata agree."""
    from ingest.stats import store_stats

    c = _container()
    try:
        if c.published() is None:
            result = {"consistent": False, "version": None,
                      "problems": [f"nothing ingested in {c.data_dir}; run `shopgraph demo`"]}
        else:
            result = store_stats(c.graph_store, c.data_dir)
    finally:
        c.close()
    if as_json:
        out.print_json(json.dumps(result))
    else:
        table = Table("what", "count", title=f"shopgraph store {c.data_dir} (version {result.get('version')})")
        for key in ("products", "brands", "categories", "policies", "faqs", "passages", "attribute_facts",
                    "vectors", "omitted_snippets"):
            if key in result:
                table.add_row(key.replace("_", " "), str(result[key]))
        for rel, n in sorted(result.get("relationships", {}).items()):
            table.add_row(f"  :{rel}", str(n))
        out.print(table)
        colour = "green" if result["consistent"] else "red"
        out.print(f"consistent: [{colour}]{str(result['consistent']).lower()}[/{colour}]")
        for problem in result.get("problems", []):
            out.print(f"  - {problem}")
    if not result["consistent"]:
        raise typer.Exit(1)
