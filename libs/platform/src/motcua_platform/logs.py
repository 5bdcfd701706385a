"""Structured JSON logs with personal data masked before anything is written."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from motcua_platform.logcontext import current_log_context

# 12-digit personal ID numbers, Vietnamese phone numbers and e-mail addresses.
_PATTERNS = (
    re.compile(r"(?<!\d)\d{12}(?!\d)"),
    re.compile(r"(?<![\d+])(?:\+?84|0)(?:3|5|7|8|9)\d{8}(?!\d)"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
)
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("***", text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(current_log_context())
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return mask(json.dumps(entry, ensure_ascii=False))


def configure_logging(service: str, *, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stdout)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Database drivers log bound parameters (personal data) at DEBUG: never below WARNING.
    for noisy in ("aiokafka", "faststream", "uvicorn.access", "aiosqlite", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel("WARNING")
    for name in (
        "aiokafka",
        "aiokafka.conn",
        "aiokafka.client",
        "aiokafka.consumer.group_coordinator",
    ):
        logging.getLogger(name).addFilter(CONNECTION_FLOOD_FILTER)


class FaultSummary:
    """Repeated connection failures as few lines: one when a fault starts ("down"), one when
    it ends ("back"), and in between one count per `interval` seconds, not one per attempt."""

    def __init__(self, interval: float = 60.0, clock: Any = None) -> None:
        import time

        self._interval = interval
        self._clock = clock or time.monotonic
        self._state: dict[str, tuple[float, int, float]] = {}  # since, count, last report

    def failed(self, key: str) -> tuple[str, int] | None:
        """What to log for this failure: ("down", 1), ("still", n) once an interval, or None."""
        now = self._clock()
        if key not in self._state:
            self._state[key] = (now, 1, now)
            return ("down", 1)
        since, count, last = self._state[key]
        count += 1
        if now - last >= self._interval:
            self._state[key] = (since, count, now)
            return ("still", count)
        self._state[key] = (since, count, last)
        return None

    def recovered(self, key: str) -> tuple[float, int] | None:
        """(seconds down, failures) when `key` was down; None when it was not."""
        state = self._state.pop(key, None)
        if state is None:
            return None
        return (self._clock() - state[0], state[1])


_SUMMARY = FaultSummary()


def summarised(logger: logging.Logger, key: str, exc: BaseException) -> None:
    """Log a repeated infrastructure failure through the shared summary."""
    report = _SUMMARY.failed(key)
    if report is None:
        return
    kind, count = report
    if kind == "down":
        logger.warning("%s: down (%s: %s)", key, type(exc).__name__, exc)
    else:
        logger.warning("%s: still down, %d failures so far", key, count)


def summarised_back(logger: logging.Logger, key: str) -> None:
    back = _SUMMARY.recovered(key)
    if back is not None:
        logger.warning("%s: back after %.1f s (%d failures)", key, back[0], back[1])


class ConnectionFloodFilter(logging.Filter):
    """aiokafka logs "Unable connect to node ..." on every attempt while a broker is away:
    the first of a kind passes, then one summary per `interval` seconds with the count."""

    _FLOOD = ("Unable connect to node", "Unable to update metadata", "Connection at ")

    def __init__(self, interval: float = 60.0, clock: Any = None) -> None:
        super().__init__()
        self._summary = FaultSummary(interval, clock)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        flood = next((f for f in self._FLOOD if text.startswith(f)), None)
        if flood is None:
            return True
        report = self._summary.failed(f"{record.name}:{flood}")
        if report is None:
            return False
        kind, count = report
        if kind == "still":
            record.msg = f"{flood}... repeated: {count} times so far (summarised)"
            record.args = ()
        return True


CONNECTION_FLOOD_FILTER = ConnectionFloodFilter()
