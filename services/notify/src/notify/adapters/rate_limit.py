"""Token buckets per provider. Per process: each dispatcher replica gets its share."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)

    def acquire(self, key: str, rate: float) -> float:
        """Takes a token (returns 0) or says how long until one is free."""
        burst = max(1.0, rate)
        now = self._now()
        tokens, updated = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - updated) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate
