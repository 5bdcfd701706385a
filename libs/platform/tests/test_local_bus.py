from __future__ import annotations

import asyncio
from pathlib import Path

from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.local_bus import LocalBus
from motcua_platform.messaging.types import OutboundMessage
from motcua_testkit.platform import scratch_schema
from sqlalchemy import insert, select

_, outbox, inbox, effects = scratch_schema()


def _msg(i: int) -> OutboundMessage:
    return OutboundMessage("t", f"d{i % 2}", b"", {"ce_id": f"e{i}", "ce_type": "Happened"})


async def _run_until(bus, consumer, sessions, expected: int) -> list[str]:  # type: ignore[no-untyped-def]
    stop = asyncio.Event()
    task = asyncio.create_task(bus.consume(group="g", topics=["t"], consumer=consumer, stop=stop))
    for _ in range(200):
        async with sessions() as s:
            notes = list((await s.scalars(select(effects.c.note).order_by(effects.c.id))).all())
        if len(notes) >= expected:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await task
    return notes


async def test_in_order_once_and_a_restart_resumes_without_duplicates(
    sessions,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))

    consumer = IdempotentConsumer(
        service="test",
        consumer="g",
        session_factory=sessions,
        inbox=inbox,
        handlers={"Happened": handler},
        dead_letters=None,  # type: ignore[arg-type]
    )
    bus = LocalBus(tmp_path / "bus.db")
    await bus.start()
    await bus.publish_many([_msg(i) for i in range(5)])
    assert await _run_until(bus, consumer, sessions, 5) == [f"e{i}" for i in range(5)]
    await bus.close()

    # A new process: same files, new bus object; more messages, plus a redelivered one.
    bus = LocalBus(tmp_path / "bus.db")
    await bus.start()
    await bus.publish_many([_msg(5), _msg(3), _msg(6)])
    notes = await _run_until(bus, consumer, sessions, 7)
    await bus.close()
    assert notes == [f"e{i}" for i in range(7)]
