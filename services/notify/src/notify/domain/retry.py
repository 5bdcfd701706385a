"""Temporary or permanent, and how long to wait: the same rules for every provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from notify.domain.kinds import Channel


@dataclass(frozen=True)
class SendFailure:
    """Why one attempt failed. Codes are stable and carry no personal data."""

    code: str
    permanent: bool
    retry_after: float | None = None  # seconds, when the provider said (429 Retry-After)


def http_is_permanent(status: int) -> bool:
    """4xx is the request's fault (permanent) except timeouts and rate limits."""
    return 400 <= status < 500 and status not in (408, 425, 429)


def smtp_is_permanent(code: int) -> bool:
    return 500 <= code < 600


def backoff_seconds(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Exponential with 'equal jitter': half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + ceiling / 2 * min(max(jitter, 0.0), 1.0)


@dataclass(frozen=True)
class Decision:
    action: Literal["retry", "fall_back", "exhausted"]
    at: datetime | None = None
    next_channel: Channel | None = None


def after_failure(
    failure: SendFailure,
    *,
    chain: tuple[Channel, ...],
    step: int,
    attempts: int,
    max_attempts: int,
    now: datetime,
    base: float,
    cap: float,
    jitter: float,
) -> Decision:
    """Retry a temporary failure while attempts remain, else the next channel, else give up."""
    if not failure.permanent and attempts < max_attempts:
        wait = backoff_seconds(attempts, base=base, cap=cap, jitter=jitter)
        if failure.retry_after is not None:
            wait = max(wait, min(failure.retry_after, cap))
        return Decision("retry", at=now + timedelta(seconds=wait))
    if step + 1 < len(chain):
        return Decision("fall_back", at=now, next_channel=chain[step + 1])
    return Decision("exhausted")
