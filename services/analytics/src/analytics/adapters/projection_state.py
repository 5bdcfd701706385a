"""Which consumer group feeds the current build of the projections (changed by a rebuild)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.adapters.tables import projection_state

_GROUP = "consumer_group"


async def consumer_group(sessions: async_sessionmaker[AsyncSession], default: str) -> str:
    async with sessions() as session:
        value = await session.scalar(
            select(projection_state.c.value).where(projection_state.c.key == _GROUP)
        )
    return value or default


async def set_consumer_group(session: AsyncSession, group: str) -> None:
    await session.execute(delete(projection_state).where(projection_state.c.key == _GROUP))
    await session.execute(insert(projection_state).values(key=_GROUP, value=group))
