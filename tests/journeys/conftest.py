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


# Moves the platform's clock days ahead (and back): run last in each mode, after every story
# that reads dates or counts.
LAST = "test_escalation.py"


@pytest.hookimpl(trylast=True)  # after pytest grouped the items by mode (its own reordering)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A journey's first test also waits for its mode's platform to start (minutes on a loaded
    machine): a longer bound on a hang than the suite's 300 s. Never a speed check.
    Within each mode's run, the escalation story goes last."""
    here = Path(__file__).parent
    slots = [i for i, item in enumerate(items) if here in Path(str(item.fspath)).parents]
    for i in slots:
        items[i].add_marker(pytest.mark.timeout(900))
    journeys = [items[i] for i in slots]
    first_of_mode: dict[str, int] = {}
    for n, item in enumerate(journeys):
        first_of_mode.setdefault(_mode(item), n)
    journeys.sort(key=lambda it: (first_of_mode[_mode(it)], Path(str(it.fspath)).name == LAST))
    for i, item in zip(slots, journeys, strict=True):
        items[i] = item


def _mode(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("platform", "")) if callspec is not None else ""
