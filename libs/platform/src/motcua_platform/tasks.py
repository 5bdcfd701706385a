"""Stopping background loops without cutting a database statement in half."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

# Long enough for one batch or one poll to finish; the loops check their stop event between them.
STOP_GRACE_SECONDS = 5.0


async def stop_gracefully(
    tasks: Sequence[asyncio.Task[None]], stop: asyncio.Event, grace: float = STOP_GRACE_SECONDS
) -> None:
    """Ask the loops to stop, give them `grace` seconds, then cancel what is still running.

    Cancelling a task in the middle of a statement makes SQLAlchemy's pool log the interrupted
    connection reset as an error; a loop that leaves on its own closes its session cleanly.
    """
    stop.set()
    pending = [t for t in tasks if not t.done()]
    if pending:
        _, still_running = await asyncio.wait(pending, timeout=grace)
        for task in still_running:
            task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
