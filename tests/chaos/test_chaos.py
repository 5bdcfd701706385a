"""The short fault campaign: one kill -9, a 60 s broker outage, a PostgreSQL restart.

0 lost, 0 duplicated, 0 dead letters, no 500: the table is printed either way (`-s` shows it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.campaign import campaign, failures, short_phases, table
from tests.chaos.servers import ChaosServers

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chaos_servers() -> Iterator[ChaosServers]:
    servers = ChaosServers()
    servers.up()
    yield servers
    servers.down()


@pytest.mark.timeout(1500)
def test_short_campaign_loses_nothing_and_does_nothing_twice(
    chaos_servers: ChaosServers, tmp_path: Path
) -> None:
    reports = asyncio.run(campaign(short_phases(), 3.0, tmp_path, chaos_servers))
    summary = table(reports)
    print(summary)
    (Path(__file__).resolve().parents[1] / "artifacts").mkdir(exist_ok=True)
    (Path(__file__).resolve().parents[1] / "artifacts" / "chaos-short.txt").write_text(summary)
    assert failures(reports) == [], summary
