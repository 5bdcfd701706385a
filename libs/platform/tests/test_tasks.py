"""Background loops stop on their own first; only a stuck one is cancelled."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import pytest
from motcua_platform.db import make_engine, make_session_factory
from motcua_platform.runtime import ServiceRuntime
from motcua_platform.settings import ServiceSettings
from motcua_platform.tasks import stop_gracefully
from sqlalchemy import text


async def test_a_loop_that_watches_its_stop_event_finishes_instead_of_being_cancelled() -> None:
    stop = asyncio.Event()
    finished_cleanly: list[bool] = []

    async def loop() -> None:
        try:
            await stop.wait()
            await asyncio.sleep(0.05)  # the last statement of a batch
            finished_cleanly.append(True)
        except asyncio.CancelledError:
            finished_cleanly.append(False)
            raise

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)
    await stop_gracefully([task], stop, grace=30)
    assert finished_cleanly == [True]


async def test_a_stuck_loop_is_cancelled_after_the_grace() -> None:
    stop = asyncio.Event()

    async def stuck() -> None:
        await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await stop_gracefully([task], stop, grace=0.01)
    assert task.cancelled()


async def test_stopping_a_runtime_mid_query_logs_no_pool_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def busy(stop: asyncio.Event) -> None:
        while not stop.is_set():
            async with runtime.sessions() as session:
                await session.execute(text("SELECT 1"))
                await session.commit()

    with caplog.at_level(logging.ERROR):
        # Many stops at random moments: a cancellation lands inside a statement most times.
        for cycle in range(20):
            url = f"sqlite+aiosqlite:///{tmp_path / f'db{cycle}.sqlite'}"
            engine = make_engine(url)
            runtime = ServiceRuntime(
                settings=ServiceSettings(environment="test", database_url=url),
                engine=engine,
                sessions=make_session_factory(engine),
                migrations=tmp_path,
                timers=[busy],
            )
            runtime.start_background(frozenset({"timers"}))
            await asyncio.sleep(random.random() * 0.05)
            await runtime.stop_background()
            await runtime.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
