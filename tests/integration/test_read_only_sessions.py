"""Read-only sessions on PostgreSQL (asyncpg): they read, refuse to write, and hand their
pooled connection back writable."""

from __future__ import annotations

import pytest
from motcua_platform.db import make_engine, make_read_only_session_factory, make_session_factory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.support.servers import create_database, drop_database, server_env, unique

pytestmark = pytest.mark.integration


async def test_a_read_only_session_reads_refuses_writes_and_leaves_the_pool_writable() -> None:
    env = server_env()
    name = unique("motcua_readonly")
    url = await create_database(env, name)
    engine = make_engine(url, pool_size=1)  # one connection: readers and writers share it
    try:
        writes, reads = make_session_factory(engine), make_read_only_session_factory(engine)
        async with writes() as s, s.begin():
            await s.execute(text("CREATE TABLE t (v INT)"))
            await s.execute(text("INSERT INTO t VALUES (1)"))
        async with reads() as r:
            assert await r.scalar(text("SHOW transaction_read_only")) == "on"
            assert await r.scalar(text("SELECT count(*) FROM t")) == 1
        async with reads() as r:
            with pytest.raises(DBAPIError, match="read-only transaction"):
                await r.execute(text("INSERT INTO t VALUES (2)"))
        for _ in range(3):
            async with writes() as s, s.begin():
                assert await s.scalar(text("SHOW transaction_read_only")) == "off"
                await s.execute(text("INSERT INTO t VALUES (3)"))
        async with writes() as s:
            assert await s.scalar(text("SELECT count(*) FROM t")) == 4
    finally:
        await engine.dispose()
        await drop_database(env, name)
