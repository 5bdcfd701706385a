"""What use cases get from the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from motcua_platform.clock import Clock
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.adapters.statutory import Statutory


def _nothing() -> None:
    return None


@dataclass
class Context:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    statutory: Statutory
    timer_batch: int = 500
    recompute_batch: int = 500
    test_delay_seconds: float = 0.0  # fault-injection tests only
    after_commit: Callable[[], None] = field(default=_nothing)
