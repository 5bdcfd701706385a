"""The journeys run against both modes; each mode starts once for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.journeys import platforms
from tests.journeys.browser import chromium
from tests.journeys.desk import Desk
from tests.journeys.platforms import RunningPlatform


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("standalone"),
        pytest.param("kafka", marks=pytest.mark.integration),
    ],
)
def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPlatform]:
    tmp: Path = tmp_path_factory.mktemp(f"journey-{request.param}")
    start = platforms.standalone if request.param == "standalone" else platforms.kafka
    with start(tmp) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def desk(platform: RunningPlatform) -> Desk:
    return Desk(platform)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A journey's first test also waits for its mode's platform to start (minutes on a loaded
    machine): a longer bound on a hang than the suite's 300 s. Never a speed check."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(900))
