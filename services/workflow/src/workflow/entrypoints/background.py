"""The `timers` role: the firing loop and the recompute loop, on every replica."""

from __future__ import annotations

import asyncio
import contextlib

from motcua_platform.runtime import Background

from workflow.application.check_catalogue import check_catalogue
from workflow.application.context import Context
from workflow.application.fire_timers import fire_due
from workflow.application.recompute_deadlines import recompute_batch


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def timer_jobs(ctx: Context, *, poll_seconds: float) -> list[Background]:
    async def fire_loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            if await fire_due(ctx) < ctx.timer_batch:
                await _pause(stop, poll_seconds)

    async def recompute_loop(stop: asyncio.Event) -> None:
        await check_catalogue(ctx)
        while not stop.is_set():
            if await recompute_batch(ctx) is None:
                await _pause(stop, 1.0)

    return [fire_loop, recompute_loop]
