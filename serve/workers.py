"""Several uvicorn worker processes, each with its own listening socket on the same port
(SO_REUSEPORT), so the kernel spreads connections over the workers.

Why not uvicorn's own `--workers`: there all workers accept from one shared socket, and the
first event loop to wake accepts every pending connection in one go. A client with a pool of
keep-alive connections (a chatbot backend, or wrk) then often lands entirely on one worker
while the others idle: on the 2-core dev machine (load ~4-7), 8 wrk connections put all the
work on one of two workers in 2 of 3 runs. With one socket per worker the kernel hashes each
new connection onto a worker (a hash, not a race: with few connections the split can still
be uneven, but no worker's readiness decides it).

The parent only supervises: it starts the workers (spawned, each builds the app from the
environment), restarts one that dies, and on SIGINT/SIGTERM stops them all gracefully.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

import structlog

log = structlog.get_logger("shopgraph.workers")


def reuseport_supported() -> bool:
    """Linux spreads connections over SO_REUSEPORT sockets; other systems do not balance."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // workers)


APP_FACTORY = "serve.wiring:app_from_environment"


def _worker(host: str, port: int, workers: int, options: dict[str, Any], ready: Any, app: str) -> None:
    # Math libraries: the cores are shared by the workers (set before torch/numpy load).
    threads = str(_threads_per_worker(workers))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                ready.send(True)  # the parent's sign that this worker serves
                ready.close()

    sock = _bind(host, port)
    config = uvicorn.Config(app, factory=True, **options)
    Server(config).run(sockets=[sock])


def _served(ready: Any) -> bool:
    """Whether a worker said it was serving (EOF without that word: it died starting)."""
    try:
        return bool(ready.poll() and ready.recv())
    except (EOFError, OSError):
        return False


class WorkerStartupFailed(RuntimeError):
    """A worker exited before it served: the app cannot start (its log says why)."""


def serve_workers(host: str, port: int, workers: int, options: dict[str, Any], restart_delay_s: float = 1.0,
                  app: str = APP_FACTORY) -> None:
    """Run `workers` worker processes on host:port until SIGINT/SIGTERM, each serving the app
    that the factory `app` ("module:function") builds. A worker that dies
    after it started serving is restarted; one that dies during startup stops the whole server
    (a broken configuration would fail the same way in every restart)."""
    _bind(host, port).close()  # fail here, clearly, when the address is taken
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[multiprocessing.process.BaseProcess, Any]:
        ready, told = ctx.Pipe(duplex=False)  # a pipe, not an Event: nothing for the resource tracker
        p = ctx.Process(target=_worker, args=(host, port, workers, options, told, app), name="shopgraph-worker")
        p.start()
        told.close()
        return p, ready

    def stop(_sig: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for i, (p, ready) in enumerate(procs):
                if p.is_alive() or stopping:
                    continue
                if not _served(ready):
                    raise WorkerStartupFailed(f"a worker exited during startup (exit code {p.exitcode})")
                log.warning("worker_exited", pid=p.pid, exitcode=p.exitcode)
                time.sleep(restart_delay_s)
                procs[i] = start()
    finally:
        for p, _ in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes requests in flight
        grace = time.monotonic() + float(options.get("timeout_graceful_shutdown") or 10) + 5
        for p, _ in procs:
            p.join(max(0.1, grace - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
