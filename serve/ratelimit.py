"""Per-key rate limits: a token bucket per API key, refilled continuously.

A key may burst up to its per-minute allowance and is then held to the steady rate. The state
is in process memory: with several server processes each enforces the limit on its own share,
which is the usual trade-off for a limiter without a shared store.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float


class RateLimiter:
    def __init__(self, default_per_minute: int, clock=time.monotonic):
        self.default_per_minute = default_per_minute
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key_name: str, per_minute: int | None = None) -> Decision:
        """Take one token for `key_name`; says whether the request may go on."""
        limit = per_minute or self.default_per_minute
        rate = limit / 60.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key_name)
            if bucket is None:
                bucket = self._buckets[key_name] = _Bucket(tokens=float(limit), updated=now)
            bucket.tokens = min(float(limit), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return Decision(True, limit, int(bucket.tokens), 0.0)
            wait = (1.0 - bucket.tokens) / rate
            return Decision(False, limit, 0, wait)

    @staticmethod
    def retry_after_header(decision: Decision) -> str:
        return str(max(1, math.ceil(decision.retry_after_s)))
