from __future__ import annotations

import pytest
from motcua_platform.messaging.outbox import OutboxRelay, add_to_outbox
from motcua_platform.messaging.types import OutboundMessage
from motcua_testkit.platform import RecordingPublisher, scratch_schema
from sqlalchemy import func, select

_, outbox, inbox, effects = scratch_schema()


def _msg(i: int) -> OutboundMessage:
    return OutboundMessage("t", f"k{i % 3}", f"v{i}".encode(), {"ce_id": str(i)})


def _relay(sessions, publisher, batch: int = 500) -> OutboxRelay:  # type: ignore[no-untyped-def]
    return OutboxRelay(
        service="test",
        session_factory=sessions,
        table=outbox,
        publisher=publisher,
        batch_size=batch,
    )


async def test_only_committed_rows_leave_and_in_order(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s, s.begin():
        await add_to_outbox(s, outbox, [_msg(i) for i in range(5)])
    async with sessions() as s, s.begin():
        await add_to_outbox(s, outbox, [_msg(99)])
        await s.rollback()
    publisher = RecordingPublisher()
    relay = _relay(sessions, publisher, batch=2)
    while await relay.relay_once():
        pass
    assert [m.value for m in publisher.sent] == [f"v{i}".encode() for i in range(5)]
    assert publisher.sent[0].headers == {"ce_id": "0"}


async def test_a_failed_publish_keeps_rows_and_the_next_run_sends_them(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s, s.begin():
        await add_to_outbox(s, outbox, [_msg(1), _msg(2)])
    publisher = RecordingPublisher()
    publisher.fail_times = 2
    relay = _relay(sessions, publisher)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await relay.relay_once()
    async with sessions() as s:
        attempts = await s.scalar(select(func.max(outbox.c.attempts)))
        unsent = await s.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    assert attempts == 2 and unsent == 2
    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    assert len(publisher.sent) == 2


async def test_metrics_report_the_backlog(sessions) -> None:  # type: ignore[no-untyped-def]
    from motcua_platform.messaging.outbox import BACKLOG

    async with sessions() as s, s.begin():
        await add_to_outbox(s, outbox, [_msg(1), _msg(2), _msg(3)])
    relay = _relay(sessions, RecordingPublisher())
    await relay.refresh_metrics()
    assert BACKLOG.labels("test")._value.get() == 3
    await relay.relay_once()
    await relay.refresh_metrics()
    assert BACKLOG.labels("test")._value.get() == 0


async def test_the_running_relay_keeps_the_backlog_gauge_current(sessions) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from motcua_platform.messaging.outbox import BACKLOG

    async with sessions() as s, s.begin():
        await add_to_outbox(s, outbox, [_msg(1), _msg(2)])
    publisher = RecordingPublisher()
    publisher.fail_times = 10**6  # the broker stays down: the backlog must show it
    relay = OutboxRelay(
        service="gauge",
        session_factory=sessions,
        table=outbox,
        publisher=publisher,
        max_backoff_seconds=0.05,
        metrics_seconds=0.01,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.3)
    stop.set()
    await task
    assert BACKLOG.labels("gauge")._value.get() == 2
