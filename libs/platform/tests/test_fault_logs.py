"""Many connection failures, few log lines: down, a count per interval, back."""

from __future__ import annotations

import logging

import pytest
from motcua_platform.logs import ConnectionFloodFilter, FaultSummary


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_thousand_failures_over_five_minutes_give_a_handful_of_reports() -> None:
    clock = _Clock()
    summary = FaultSummary(interval=60.0, clock=clock)
    reports = []
    for _ in range(1000):
        clock.now += 0.3
        report = summary.failed("db")
        if report is not None:
            reports.append(report)
    assert reports[0] == ("down", 1)
    assert 4 <= len(reports) <= 6
    assert reports[-1][0] == "still"
    assert summary.recovered("db") == (pytest.approx(299.7), 1000)
    assert summary.recovered("db") is None


def test_aiokafka_connection_flood_is_filtered(caplog: pytest.LogCaptureFixture) -> None:
    clock = _Clock()
    logger = logging.getLogger("aiokafka.conn.test-flood")
    flood = ConnectionFloodFilter(interval=60.0, clock=clock)
    logger.addFilter(flood)
    try:
        with caplog.at_level(logging.ERROR, logger=logger.name):
            for _ in range(500):
                clock.now += 0.5
                logger.error("Unable connect to node with id %s: %s", 1, "refused")
            logger.error("something else entirely")
    finally:
        logger.removeFilter(flood)
    lines = [r.getMessage() for r in caplog.records if r.name == logger.name]
    assert len(lines) <= 7
    assert lines[0].startswith("Unable connect to node with id 1")
    assert "repeated" in lines[1]
    assert lines[-1] == "something else entirely"
