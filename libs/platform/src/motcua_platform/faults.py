"""One classification of failures and one retry policy, for every consumer path.

- POISON: the message can never succeed (bad payload, contract violation, decode error,
  `PermanentError`, a rule the handler refuses): dead-letter it alone, at once.
- TRANSIENT: the infrastructure is down (database, broker, network, timeouts, serialization
  failures and deadlocks, sqlite "database is locked"): the consumer stalls on that event,
  retrying with capped exponential backoff + jitter for as long as it takes, so nothing is
  dead-lettered and the order is kept.
- UNKNOWN: anything else, most likely a handler bug. A bug is not infrastructure: a bounded
  number of attempts, then dead-letter (so one bad handler does not stop a partition forever).
"""

from __future__ import annotations

import enum
import json
import random
import time
from dataclasses import dataclass
from typing import ClassVar

from prometheus_client import Counter, Gauge


class FailureKind(enum.Enum):
    POISON = "poison"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"


class PermanentError(Exception):
    """The message can never succeed (malformed, violates a contract): dead-letter at once."""


# Serialization failure, deadlock, server shutting down / starting, too many connections, and
# the database, login or table not there (yet: migrations still running): provisioning or
# failover, not the message's fault.
_TRANSIENT_SQLSTATES = frozenset(
    {"40001", "40P01", "57P01", "57P02", "57P03", "53300", "3D000", "28000", "28P01", "42P01"}
)
_TRANSIENT_NAMES = frozenset(
    {
        # asyncpg / aiokafka names, matched by name so this module imports neither.
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "InterfaceError",
        "InvalidCatalogNameError",
        "InvalidAuthorizationSpecificationError",
        "InvalidPasswordError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "SerializationError",
        "DeadlockDetectedError",
        "KafkaConnectionError",
        "KafkaTimeoutError",
        "NodeNotReadyError",
        "RequestTimedOutError",
        "CommitFailedError",
        "RebalanceInProgressError",
        "NotCoordinatorForGroupError",
        "CoordinatorNotAvailableError",
        "NotLeaderForPartitionError",
        "LeaderNotAvailableError",
    }
)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            current = orig
        else:
            current = current.__cause__ or current.__context__
    return seen


def _is_transient_one(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, ConnectionError, OSError)):
        return True
    try:
        from sqlalchemy import exc as sa_exc
    except ImportError:  # pragma: no cover
        sa_exc = None  # type: ignore[assignment]
    if sa_exc is not None:
        if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(
            exc,
            (
                sa_exc.OperationalError,
                sa_exc.InterfaceError,
                sa_exc.TimeoutError,
                sa_exc.DisconnectionError,
            ),
        ):
            return True
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(sqlstate, str) and (
        sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08")
    ):
        return True
    if "database is locked" in str(exc):
        return True
    return type(exc).__name__ in _TRANSIENT_NAMES


def _is_poison_one(exc: BaseException) -> bool:
    if isinstance(exc, (PermanentError, UnicodeDecodeError, json.JSONDecodeError)):
        return True
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, ValidationError):
        return True
    from motcua_platform.domain_errors import DomainError

    return isinstance(exc, DomainError)


def classify(exc: BaseException) -> FailureKind:
    """The kind of a failure; the exception chain (cause, SQLAlchemy's `orig`) is looked at."""
    chain = _chain(exc)
    if any(_is_poison_one(e) for e in chain):
        return FailureKind.POISON
    if any(_is_transient_one(e) for e in chain):
        return FailureKind.TRANSIENT
    return FailureKind.UNKNOWN


def is_transient(exc: BaseException) -> bool:
    return classify(exc) is FailureKind.TRANSIENT


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; transient failures retry forever."""

    base_seconds: float = 0.1
    cap_seconds: float = 30.0
    unknown_max_attempts: int = 5

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt `attempt` (1-based): full jitter in [d/2, d]."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** min(60, max(0, attempt - 1)))
        return ceiling * (0.5 + random.random() / 2)


STALLED = Gauge(
    "motcua_consumer_stalled",
    "1 while a consumer is stalled on a transient failure (it retries, takes nothing new)",
    ["service", "consumer"],
    multiprocess_mode="max",
)
STALL_SECONDS = Counter(
    "motcua_consumer_stall_seconds_total",
    "Seconds consumers spent stalled on transient failures",
    ["service", "consumer"],
)
TRANSIENT_FAILURES = Counter(
    "motcua_consumer_transient_failures_total",
    "Transient failures a consumer retried",
    ["service", "consumer"],
)


class StallTracker:
    """Per consumer: since when it is stalled (None when flowing), for metrics and readiness."""

    _all: ClassVar[dict[tuple[str, str], StallTracker]] = {}

    def __init__(self, service: str, consumer: str) -> None:
        self.service = service
        self.consumer = consumer
        self.since: float | None = None
        self._last: float | None = None
        StallTracker._all[(service, consumer)] = self

    def stalled(self) -> None:
        now = time.monotonic()
        if self.since is None:
            self.since = now
            STALLED.labels(self.service, self.consumer).set(1)
        elif self._last is not None:
            STALL_SECONDS.labels(self.service, self.consumer).inc(now - self._last)
        self._last = now
        TRANSIENT_FAILURES.labels(self.service, self.consumer).inc()

    def recovered(self) -> None:
        if self.since is None:
            return
        if self._last is not None:
            STALL_SECONDS.labels(self.service, self.consumer).inc(time.monotonic() - self._last)
        self.since = None
        self._last = None
        STALLED.labels(self.service, self.consumer).set(0)

    def stalled_for(self) -> float:
        return 0.0 if self.since is None else time.monotonic() - self.since

    @classmethod
    def longest_stall(cls, service: str | None = None) -> float:
        """The longest current stall in seconds (0 when none), for `/health/ready`."""
        return max(
            (t.stalled_for() for (s, _), t in cls._all.items() if service in (None, s)),
            default=0.0,
        )
