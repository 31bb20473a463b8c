"""`shopgraph serve`: the HTTP API and web console on uvicorn."""

from __future__ import annotations

import os
import secrets

import typer

from serve.cli import app


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface to bind (default: settings, 127.0.0.1)"),
    port: int = typer.Option(None, help="Port (default: settings, 8080)"),
    workers: int = typer.Option(1, min=1, help="Worker processes (each loads the model; use the cores)"),
) -> None:
    """Serve the chat API, the OpenAI-compatible facade, policy management and the console."""
    import uvicorn
    from pydantic import SecretStr

    from serve.logging import configure_logging
    from serve.settings import get_settings
    from serve.wiring import build_app

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    server = settings.server
    if not server.api_keys.get_secret_value() and not server.keys_file:
        # No keys configured: make a one-off admin key for this run rather than serve unprotected.
        key = secrets.token_urlsafe(24)
        settings.server.api_keys = SecretStr(f"{key}:admin:console")
        os.environ["SHOPGRAPH_SERVER__API_KEYS"] = f"{key}:admin:console"  # for worker processes
        typer.echo(f"No API keys configured (SHOPGRAPH_SERVER__API_KEYS or __KEYS_FILE); admin key for this run:\n  {key}")
    host = host or server.host
    port = port or server.port
    # httptools + uvloop when installed (uvicorn's "auto"), no access log (our middleware logs
    # one line per request), no per-request Server/Date header work beyond uvicorn's defaults.
    options = dict(host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
    if workers > 1:
        from serve.workers import WorkerStartupFailed, reuseport_supported, serve_workers

        typer.echo(f"shopgraph serving on http://{host}:{port} with {workers} workers (console: /console/)")
        if reuseport_supported():
            try:
                serve_workers(host, port, workers, options)
            except WorkerStartupFailed as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(1) from None
        else:  # one shared socket (uvicorn's supervisor): connections may pile onto one worker
            uvicorn.run("serve.wiring:app_from_environment", factory=True, workers=workers, **options)
        return
    application = build_app(settings)
    typer.echo(f"shopgraph serving on http://{host}:{port} (console: http://{host}:{port}/console/)")
    uvicorn.run(application, **options)
