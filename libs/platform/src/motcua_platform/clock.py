"""Time as a dependency: the system clock in production, a faster one for demos and benchmarks,
and one an operator can move while the platform runs (development and tests only)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AcceleratedClock:
    """Runs `factor` times faster than real time from `start` (standalone and bench only)."""

    def __init__(self, start: datetime, factor: float) -> None:
        self._start = start.astimezone(UTC)
        self._factor = factor
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self._factor)


class FixedClock:
    """For tests: moves only when told to."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> None:
        self._moment = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._moment += delta


# How far a movable clock may be moved either way: beyond a year and a month, nothing a desk
# does is waiting (the longest procedure is weeks), and a typo of a few zeros is refused.
MAX_OFFSET = timedelta(days=400)


class OffsetOutOfRange(ValueError):
    """The requested offset is beyond `MAX_OFFSET` either way."""


class MovableClock:
    """Another clock (the system's by default) shifted by an offset that can be moved, forward
    or back, while the process runs: how a journey reaches a due moment and the next morning.

    Never in production: `ServiceSettings.dev_clock` is refused there, and without it no
    service builds one. Time keeps flowing at the base clock's pace between moves."""

    def __init__(self, base: Clock | None = None, offset: timedelta = timedelta(0)) -> None:
        self._base = base or SystemClock()
        self._check(offset)
        self._initial = offset
        self._offset = offset
        self._lock = threading.Lock()

    @staticmethod
    def _check(offset: timedelta) -> None:
        if abs(offset) > MAX_OFFSET:
            raise OffsetOutOfRange(f"offset {offset} beyond {MAX_OFFSET}")

    def now(self) -> datetime:
        return self._base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Moves by `delta` (negative: back); the new now."""
        with self._lock:
            self._check(self._offset + delta)
            self._offset += delta
        return self.now()

    def set_offset(self, offset: timedelta) -> datetime:
        """Sets the offset from the base clock (idempotent: several services sharing one clock,
        as in standalone, may each be told the same); the new now."""
        with self._lock:
            self._check(offset)
            self._offset = offset
        return self.now()

    def reset(self) -> datetime:
        """Back to the offset it started with."""
        return self.set_offset(self._initial)
