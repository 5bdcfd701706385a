"""The connection pool pings only connections that sat idle, and replaces a dead one."""

from __future__ import annotations

import asyncio

import pytest
from motcua_platform.db import make_engine
from sqlalchemy import text

from tests.support.servers import server_env

pytestmark = pytest.mark.integration


async def test_a_recent_connection_is_reused_and_a_dead_idle_one_replaced() -> None:
    url = server_env()["MOTCUA_PG_DSN_BASE"] + "/postgres"
    engine = make_engine(url, pool_size=1, ping_after_idle_seconds=0.3)
    admin = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) == first
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        await asyncio.sleep(0.5)  # idle longer than the threshold: checked out with a ping
        async with engine.connect() as conn:
            replaced = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert replaced != first
    finally:
        await engine.dispose()
        await admin.dispose()
