"""A token bucket per client, in process. Production adds a shared limiter at the ingress:
each replica only sees its own share of a client's requests."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBucketLimiter:
    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: int,
        max_clients: int = 50_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate_per_minute / 60.0
        self._burst = float(burst)
        self._max = max_clients
        self._now = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def check(self, client: str) -> int:
        """0 if allowed (one token taken), else the seconds to wait."""
        now = self._now()
        tokens, last = self._buckets.pop(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)  # forget the least recently seen client
        return 0 if allowed else max(1, int((1.0 - tokens) / self._rate) + 1)
