"""The embedded FalkorDB supervisor: real redis-server + FalkorDB module processes, each test
with its own data directories (the session server of conftest.py is not touched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.falkordb_server import FalkorDBServer, FalkorDBServerError, MAX_SOCKET_PATH, _pid_alive


@pytest.fixture
def servers():
    """Servers a test starts; all stopped afterwards, even when the test fails."""
    made: list[FalkorDBServer] = []

    def make(data_dir, **kwargs) -> FalkorDBServer:
        server = FalkorDBServer(data_dir, **kwargs)
        made.append(server)
        return server

    yield make
    for server in made:
        try:
            server.stop()
        except FalkorDBServerError:
            pid = server._read_pid()
            if pid and _pid_alive(pid):
                os.kill(pid, 9)


def _count(address, graph="g") -> int:
    db = address.connect()
    try:
        return db.select_graph(graph).query("MATCH (n) RETURN count(n) AS c").result_set[0][0]
    finally:
        db.close()


def test_start_reuse_stop(tmp_path, servers):
    server = servers(tmp_path / "data")
    assert not server.is_running()
    address = server.start()
    status = server.status()
    assert status.running and status.pid and _pid_alive(status.pid)
    assert address.unix_socket and address.unix_socket.startswith(str(server.graph_dir))
    assert oct(os.stat(address.unix_socket).st_mode & 0o777) == "0o700"
    assert json.loads(server.address_file.read_text())["unix_socket"] == address.unix_socket
    # a password is required, kept owner-only, and never displayed
    assert oct(os.stat(server.address_file).st_mode & 0o777) == "0o600"
    from falkordb import FalkorDB
    from redis.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError):
        FalkorDB(unix_socket_path=address.unix_socket).connection.ping()
    assert address.password and address.password not in repr(address)
    assert address.password not in json.dumps(server.status().as_dict())
    assert address.password.encode() not in Path(f"/proc/{server.status().pid}/cmdline").read_bytes()

    # a second supervisor on the same data dir (as another command would be) reuses it
    again = servers(tmp_path / "data")
    assert again.start() == address
    assert again.status().pid == status.pid

    # ... and so does another process
    code = (
        "from kg.falkordb_server import FalkorDBServer;"
        f"s = FalkorDBServer({str(tmp_path / 'data')!r}); print(s.start().url, s.status().pid)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1].split() == [address.url, str(status.pid)]

    assert server.stop() is True
    assert not _pid_alive(status.pid)
    assert not server.is_running() and not server.pid_file.exists()
    assert server.stop() is False  # nothing to stop


def test_two_data_dirs_side_by_side(tmp_path, servers):
    a, b = servers(tmp_path / "a"), servers(tmp_path / "b")
    addr_a, addr_b = a.start(), b.start()
    assert addr_a != addr_b and a.status().pid != b.status().pid
    addr_a.connect().select_graph("g").query("UNWIND range(1, 3) AS i CREATE (:N {i: i})")
    addr_b.connect().select_graph("g").query("CREATE (:N {i: 1})")
    assert (_count(addr_a), _count(addr_b)) == (3, 1)
    a.stop()
    assert b.is_running() and _count(addr_b) == 1


def test_data_survives_a_clean_restart(tmp_path, servers):
    server = servers(tmp_path / "data")
    server.start().connect().select_graph("g").query("UNWIND range(1, 50) AS i CREATE (:N {i: i})")
    server.stop()
    assert (server.graph_dir / "dump.rdb").exists()  # SHUTDOWN SAVE wrote the snapshot
    # a long-lived client (e.g. the HTTP service) reconnects by itself after a restart
    client = server.start().connect()
    assert client.select_graph("g").query("MATCH (n) RETURN count(n)").result_set[0][0] == 50
    server.stop()
    assert _count(server.start()) == 50
    assert client.select_graph("g").query("MATCH (n) RETURN count(n)").result_set[0][0] == 50


def test_committed_graph_survives_a_crash(tmp_path, servers):
    """kill -9 right after a commit: the snapshot the commit waited for has it."""
    from kg import cypher as C
    from kg.falkordb_store import FalkorDBGraphStore

    server = servers(tmp_path / "data")
    store = FalkorDBGraphStore(server.connect())
    tx = store.begin()
    tx.write_rows(C.UPSERT_BRANDS, [{"id": f"b{i}", "name": "n", "description": "", "hash": "h"} for i in range(20)])
    ref = tx.commit()
    pid = server.status().pid
    os.kill(pid, 9)
    while _pid_alive(pid):
        pass
    assert not server.is_running()
    assert server.stop() is False  # nothing to stop; stale pid/socket files are cleaned up
    assert not server.pid_file.exists()
    store = FalkorDBGraphStore(server.connect(), graph_ref=ref)
    assert len(store.query(C.BRAND_NAMES)) == 20


def test_tcp_fallback_when_the_socket_path_is_too_long(tmp_path, servers):
    deep = tmp_path / ("d" * max(1, MAX_SOCKET_PATH - len(str(tmp_path)) + 5))
    server = servers(deep)
    address = server.start()
    assert address.unix_socket is None and address.host == "127.0.0.1" and address.port
    assert servers(deep).start() == address
    assert _count(address) == 0
    server.stop()
    assert server.start() == address  # same port and password after a restart


def test_failed_start_shows_the_server_log(tmp_path, servers):
    server = servers(tmp_path / "data", module_args=["NO_SUCH_CONFIG_OPTION", "1"])
    with pytest.raises(FalkorDBServerError) as err:
        server.start()
    message = str(err.value)
    assert "did not start" in message and "Server log" in message
    assert "Module" in message or "module" in message  # the log's own reason
    assert not server.is_running()


def test_concurrent_starts_make_one_server(tmp_path, servers):
    from concurrent.futures import ThreadPoolExecutor

    supervisors = [servers(tmp_path / "data") for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        addresses = list(pool.map(lambda s: s.start(), supervisors))
    assert len(set(addresses)) == 1
    needle = f"unixsocket:{addresses[0].unix_socket}".encode()
    running = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and needle in (proc / "cmdline").read_bytes() and _pid_alive(int(proc.name)):
                running.append(proc.name)
        except OSError:
            pass
    assert len(running) == 1
