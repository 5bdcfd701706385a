from __future__ import annotations

from motcua_platform.messaging.inbox import IdempotentConsumer, PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.testing import RecordingPublisher, scratch_schema
from sqlalchemy import func, insert, select

_, outbox, inbox, effects = scratch_schema()


def _message(event_id: str = "e1", event_type: str = "Happened") -> InboundMessage:
    return InboundMessage(
        topic="t", key="k", value=b"{}", headers={"ce_id": event_id, "ce_type": event_type}
    )


def _consumer(sessions, handler, dlq):  # type: ignore[no-untyped-def]
    return IdempotentConsumer(
        service="test",
        consumer="g",
        session_factory=sessions,
        inbox=inbox,
        handlers={"Happened": handler},
        dead_letters=dlq,
        max_attempts=3,
        base_backoff_seconds=0.001,
    )


async def _count(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(effects)) or 0)


async def test_the_same_event_twice_has_one_effect(sessions) -> None:  # type: ignore[no-untyped-def]
    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))

    consumer = _consumer(sessions, handler, RecordingPublisher())
    await consumer.handle(_message("e1"))
    await consumer.handle(_message("e1"))
    await consumer.handle(_message("e2"))
    assert await _count(sessions) == 2


async def test_a_transient_failure_is_retried_and_rolls_back_partial_effects(sessions) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    async def flaky(session, message) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        await session.execute(insert(effects).values(note="partial"))
        if calls["n"] < 3:
            raise RuntimeError("database hiccup")

    dlq = RecordingPublisher()
    await _consumer(sessions, flaky, dlq).handle(_message())
    assert calls["n"] == 3
    assert await _count(sessions) == 1
    assert dlq.sent == []


async def test_a_message_that_keeps_failing_is_dead_lettered_not_marked_processed(sessions) -> None:  # type: ignore[no-untyped-def]
    async def broken(session, message) -> None:  # type: ignore[no-untyped-def]
        raise PermanentError("contract violation")

    dlq = RecordingPublisher()
    consumer = _consumer(sessions, broken, dlq)
    await consumer.handle(_message("bad"))
    assert [m.topic for m in dlq.sent] == ["t.dlq.g"]
    assert dlq.sent[0].headers["dlq_reason"].startswith("permanent")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(inbox)) == 0


async def test_unknown_event_types_are_ignored(sessions) -> None:  # type: ignore[no-untyped-def]
    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("must not run")

    dlq = RecordingPublisher()
    await _consumer(sessions, handler, dlq).handle(_message(event_type="Other"))
    assert dlq.sent == []
