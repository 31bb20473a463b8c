"""`shopgraph graph start|stop|status`: the embedded FalkorDB server of SHOPGRAPH_DATA_DIR.

Other commands start the server on demand and leave it running for the next one; these
commands let an operator start it ahead of time, see where it is, and stop it (SHUTDOWN SAVE).
Exit codes: 0 ok; 1 the server failed to start or stop; 2 no embedded server in this
configuration (Neo4j backend, or SHOPGRAPH_GRAPH__FALKORDB_URL points at an external one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from serve.cli import app
from serve.settings import get_settings

graph_app = typer.Typer(help="Start, stop and inspect the embedded FalkorDB graph server.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")

console = Console(stderr=True)

DataDirOption = typer.Option(None, "--data-dir", help="Data directory (default: SHOPGRAPH_DATA_DIR).")


def _server(data_dir: Optional[Path]):
    from kg.falkordb_server import FalkorDBServer
    from serve.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)  # logs to stderr, stdout stays clean
    if settings.graph.backend != "falkordb":
        console.print(f"[yellow]graph backend is {settings.graph.backend}: no embedded server to manage[/yellow]")
        raise typer.Exit(2)
    if settings.graph.falkordb_url:
        console.print(
            f"[yellow]SHOPGRAPH_GRAPH__FALKORDB_URL is set ({settings.graph.falkordb_url}): "
            "the server is external, not managed here[/yellow]"
        )
        raise typer.Exit(2)
    return FalkorDBServer(data_dir or settings.data_dir)


@graph_app.command("start")
def start(data_dir: Optional[Path] = DataDirOption) -> None:
    """Start the data directory's server (or find the one already running)."""
    from kg.falkordb_server import FalkorDBServerError

    server = _server(data_dir)
    was_running = server.is_running()
    try:
        address = server.start()
    except FalkorDBServerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    verb = "already running" if was_running else "started"
    console.print(f"FalkorDB {verb} (pid {server.status().pid}) at {address.url}; data in {server.graph_dir}")


@graph_app.command("stop")
def stop(data_dir: Optional[Path] = DataDirOption) -> None:
    """Save and shut down the data directory's server."""
    from kg.falkordb_server import FalkorDBServerError

    server = _server(data_dir)
    try:
        stopped = server.stop()
    except FalkorDBServerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print("FalkorDB stopped (data saved)" if stopped else "FalkorDB was not running")


@graph_app.command("status")
def status(
    data_dir: Optional[Path] = DataDirOption,
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Say whether the server runs, its pid and address, and its graphs."""
    server = _server(data_dir)
    st = server.status()
    info = st.as_dict()
    if st.running and st.address:
        db = st.address.connect()
        try:
            info["graphs"] = sorted(db.list_graphs())
        finally:
            db.close()
    if as_json:
        typer.echo(json.dumps(info, indent=2, default=str))
        return
    if not st.running:
        console.print(f"FalkorDB is not running for {st.graph_dir}")
        return
    console.print(f"FalkorDB running (pid {st.pid}) at {info['url']}")
    console.print(f"data: {st.graph_dir}  log: {st.log_file}")
    console.print(f"graphs: {', '.join(info['graphs']) or '(none)'}")
