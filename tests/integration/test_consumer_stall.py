"""On real PostgreSQL: a consumer whose database is not there yet stalls (nothing
dead-lettered), then resumes in order once it exists. The shared server is not restarted."""

from __future__ import annotations

import asyncio
import uuid

from motcua_platform.db import make_engine, make_session_factory
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage
from motcua_testkit.platform import RecordingPublisher, scratch_schema
from sqlalchemy import insert, select

from tests.support.servers import create_database, drop_database, server_env

metadata, _outbox, inbox, effects = scratch_schema()


def _message(event_id: str) -> InboundMessage:
    return InboundMessage(
        topic="t",
        key="k",
        value=event_id.encode(),
        headers={"ce_id": event_id, "ce_type": "Happened"},
    )


async def _write(session, message) -> None:  # type: ignore[no-untyped-def]
    await session.execute(insert(effects).values(note=message.value.decode()))


async def test_a_missing_database_stalls_the_consumer_until_it_exists() -> None:
    env = server_env()
    name = f"stall_{uuid.uuid4().hex[:10]}"
    engine = make_engine(f"{env['MOTCUA_PG_DSN_BASE']}/{name}")
    dlq = RecordingPublisher()
    consumer = IdempotentConsumer(
        service="test-stall-pg",
        consumer="g",
        session_factory=make_session_factory(engine),
        inbox=inbox,
        handlers={"Happened": _write},
        dead_letters=dlq,
        max_attempts=2,
        base_backoff_seconds=0.01,
        max_backoff_seconds=0.2,
    )
    ids = [f"e{i}" for i in range(6)]
    try:
        async with asyncio.timeout(60):
            task = asyncio.create_task(consumer.handle_batch([_message(e) for e in ids]))
            while consumer.stall.since is None:
                assert not task.done(), task
                await asyncio.sleep(0.02)
            url = await create_database(env, name)
            setup = make_engine(url)
            async with setup.begin() as conn:
                await conn.run_sync(metadata.create_all)
            await setup.dispose()
            await task
        assert dlq.sent == []
        assert consumer.stall.since is None
        async with make_session_factory(engine)() as session:
            assert list(await session.scalars(select(effects.c.note).order_by(effects.c.id))) == ids
    finally:
        await engine.dispose()
        await drop_database(env, name)
