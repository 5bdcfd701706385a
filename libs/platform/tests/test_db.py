"""SQLite engines: concurrent read-then-write transactions neither fail nor lose an update."""

from __future__ import annotations

import asyncio
import contextlib
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), timeout=0.05)
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


async def test_a_reader_holds_no_lock_and_never_waits_for_a_writer(tmp_path: Path) -> None:
    """A read-only session left open (a request composing a letter) and a writer meanwhile:
    neither waits for the other. With BEGIN IMMEDIATE for both, the writer waited out the
    busy timeout and failed with "database is locked"."""
    from motcua_platform.db import make_read_only_session_factory, make_session_factory

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (v INT)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        reads, writes = make_read_only_session_factory(engine), make_session_factory(engine)
        async with reads() as reader:
            assert await reader.scalar(text("SELECT count(*) FROM t")) == 1
            async with writes() as writer, writer.begin():  # while the reader is open
                await asyncio.wait_for(writer.execute(text("INSERT INTO t VALUES (2)")), timeout=10)
                async with reads() as second:  # and a reader while the writer holds the lock
                    assert (
                        await asyncio.wait_for(
                            second.scalar(text("SELECT count(*) FROM t")), timeout=10
                        )
                        == 1
                    )
            assert await reader.scalar(text("SELECT count(*) FROM t")) == 1  # its snapshot
        async with reads() as reader:
            assert await reader.scalar(text("SELECT count(*) FROM t")) == 2
    finally:
        await engine.dispose()


async def test_a_reader_cannot_write_and_its_connection_writes_again_afterwards(
    tmp_path: Path,
) -> None:
    from motcua_platform.db import make_read_only_session_factory, make_session_factory
    from sqlalchemy.exc import OperationalError

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (v INT)"))
        reads, writes = make_read_only_session_factory(engine), make_session_factory(engine)
        async with reads() as reader:
            try:
                await reader.execute(text("INSERT INTO t VALUES (1)"))
            except OperationalError as exc:
                assert "readonly" in str(exc) or "read-only" in str(exc)
            else:
                raise AssertionError("a read-only session wrote")
        for _ in range(3):  # the pool hands the same connection back: writable again
            async with writes() as writer, writer.begin():
                await writer.execute(text("INSERT INTO t VALUES (1)"))
            async with reads() as reader:
                await reader.scalar(text("SELECT count(*) FROM t"))
        async with writes() as writer:
            assert await writer.scalar(text("SELECT count(*) FROM t")) == 3
    finally:
        await engine.dispose()
