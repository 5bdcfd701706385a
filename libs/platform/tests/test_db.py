"""SQLite engines: concurrent read-then-write transactions neither fail nor lose an update."""

from __future__ import annotations

import asyncio
from pathlib import Path

from motcua_platform.db import make_engine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

WRITERS = 24


async def _increment(engine: AsyncEngine, arrived: asyncio.Barrier) -> None:
    async with engine.begin() as conn:
        value = await conn.scalar(text("SELECT value FROM counter WHERE id = 1"))
        # Every writer has read before any writes: the worst interleaving, every time.
        # (A write lock taken at BEGIN serializes them instead: each waits at BEGIN.)
        try:
            await asyncio.wait_for(arrived.wait(), timeout=0.05)
        except TimeoutError:
            pass
        await conn.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})


async def test_concurrent_writers_on_one_file_wait_for_each_other(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    # Two engines (two pools, as two services of one process would have) on the same file.
    engines = [make_engine(url), make_engine(url)]
    try:
        async with engines[0].begin() as conn:
            await conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INT)"))
            await conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
        arrived = asyncio.Barrier(WRITERS)
        results = await asyncio.gather(
            *(_increment(engines[i % 2], arrived) for i in range(WRITERS)),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []  # no "database is locked" escapes
        async with engines[1].connect() as conn:
            assert await conn.scalar(text("SELECT value FROM counter")) == WRITERS  # none lost
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_rolled_back_transaction_leaves_nothing_and_releases_the_lock(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (v INT)"))
        try:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t VALUES (2)"))
            async with conn.begin_nested() as nested:
                await conn.execute(text("INSERT INTO t VALUES (3)"))
                await nested.rollback()
        async with engine.connect() as conn:
            assert (await conn.scalars(text("SELECT v FROM t"))).all() == [2]
    finally:
        await engine.dispose()


def test_postgresql_engines_keep_their_own_transactions() -> None:
    postgresql = make_engine("postgresql+asyncpg://u:p@localhost:1/db")
    assert len(postgresql.sync_engine.dispatch.begin) == 0  # the driver's BEGIN, unchanged
    sqlite = make_engine("sqlite+aiosqlite:///:memory:")
    assert len(sqlite.sync_engine.dispatch.begin) == 1
