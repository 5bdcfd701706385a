"""A clock shifted by a fixed offset, for tests and demos of near deadlines (not production)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class OffsetClock:
    def __init__(self, offset_seconds: float) -> None:
        self._offset = timedelta(seconds=offset_seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset
