"""Redis session store: the shared store when several API replicas serve one shop
(`SHOPGRAPH_SERVER__SESSION_STORE_URL=redis://host:6379/0`). Same JSON document as the SQLite
store; Redis' own key expiry implements the TTL, refreshed on every write."""

from __future__ import annotations

from rag.understand.state import SessionState


class RedisSessionStore:
    def __init__(self, url: str, ttl_s: int = 24 * 3600, prefix: str = "shopgraph:session:"):
        import redis

        self.ttl_s = ttl_s
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def _key(self, session_id: str) -> str:
        return self.prefix + session_id

    def get(self, session_id: str) -> SessionState | None:
        data = self._redis.get(self._key(session_id))
        return SessionState.model_validate_json(data) if data else None

    def put(self, state: SessionState) -> None:
        self._redis.set(self._key(state.id), state.model_dump_json(), ex=self.ttl_s)

    def delete(self, session_id: str) -> bool:
        return bool(self._redis.delete(self._key(session_id)))

    def purge_expired(self) -> int:
        return 0  # Redis expires keys itself

    def ping(self) -> bool:
        return bool(self._redis.ping())

    def close(self) -> None:
        self._redis.close()
