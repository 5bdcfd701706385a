from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from motcua_platform.db import make_engine, make_session_factory
from motcua_testkit.platform import scratch_schema
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

metadata, outbox, inbox, effects = scratch_schema()


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    await engine.dispose()
