from __future__ import annotations

from datetime import UTC, datetime

from motcua_platform.messaging.inbox import IdempotentConsumer, PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_testkit.platform import RecordingPublisher, scratch_schema
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


def _keyed(event_id: str, key: str = "k", event_type: str = "Happened") -> InboundMessage:
    return InboundMessage(
        topic="t", key=key, value=b"{}", headers={"ce_id": event_id, "ce_type": event_type}
    )


async def _notes(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(effects.c.note).order_by(effects.c.id))).all())


async def _inboxed(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return sorted((await s.scalars(select(inbox.c.event_id))).all())


async def test_a_batch_with_a_poison_event_dead_letters_only_it_and_keeps_the_order(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    runs: list[str] = []

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        runs.append(message.event_id)
        await session.execute(insert(effects).values(note=message.event_id))
        if message.event_id == "poison":
            raise PermanentError("contract violation")  # after a write: it must be undone

    dlq = RecordingPublisher()
    batch = [_keyed("a1", "a"), _keyed("b1", "b"), _keyed("poison", "a"), _keyed("a2", "a")]
    await _consumer(sessions, handler, dlq).handle_batch(batch)
    assert [m.headers["ce_id"] for m in dlq.sent] == ["poison"]
    assert dlq.sent[0].headers["dlq_reason"].startswith("permanent")
    assert await _notes(sessions) == ["a1", "b1", "a2"]  # the rest applied once, in order
    assert await _inboxed(sessions) == ["a1", "a2", "b1"]
    assert runs == ["a1", "b1", "poison", "a2"]


async def test_a_transient_failure_in_a_batch_is_retried_before_the_events_after_it(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    failures = {"flaky": 2}  # the batch run and the first retry fail; the second retry works

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))
        if failures.get(message.event_id, 0) > 0:
            failures[message.event_id] -= 1
            raise RuntimeError("database hiccup")

    dlq = RecordingPublisher()
    batch = [_keyed("e1"), _keyed("flaky"), _keyed("e2"), _keyed("e3")]
    await _consumer(sessions, handler, dlq).handle_batch(batch)
    assert dlq.sent == []
    assert await _notes(sessions) == ["e1", "flaky", "e2", "e3"]


async def test_an_event_failing_every_attempt_in_a_batch_is_dead_lettered_after_max_attempts(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    attempts = {"n": 0}

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        if message.event_id == "bad":
            attempts["n"] += 1
            raise RuntimeError("always")
        await session.execute(insert(effects).values(note=message.event_id))

    dlq = RecordingPublisher()
    await _consumer(sessions, handler, dlq).handle_batch([_keyed("bad"), _keyed("ok")])
    assert attempts["n"] == 3  # max_attempts, the batch run counted as the first
    assert [m.headers["dlq_reason"] for m in dlq.sent] == [
        "after 3 attempts: RuntimeError('always')"
    ]
    assert await _notes(sessions) == ["ok"]
    assert await _inboxed(sessions) == ["ok"]


async def test_a_redelivered_batch_applies_nothing_twice(sessions) -> None:  # type: ignore[no-untyped-def]
    runs: list[str] = []

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        runs.append(message.event_id)
        await session.execute(insert(effects).values(note=message.event_id))

    consumer = _consumer(sessions, handler, RecordingPublisher())
    first = [_keyed("e1"), _keyed("e2"), _keyed("e1")]  # a duplicate inside the batch too
    await consumer.handle_batch(first)
    assert await _notes(sessions) == ["e1", "e2"]
    # The offsets never committed (a crash after the database commit): the same records and
    # one new one come again, one already handled on the per-event path too.
    await consumer.handle(_keyed("e3"))
    await consumer.handle_batch([_keyed("e1"), _keyed("e2"), _keyed("e3"), _keyed("e4")])
    assert runs == ["e1", "e2", "e3", "e4"]  # the inbox skips them: no handler runs again
    assert await _notes(sessions) == ["e1", "e2", "e3", "e4"]
    assert await _inboxed(sessions) == ["e1", "e2", "e3", "e4"]


async def test_a_crash_before_the_batch_commits_applies_nothing_and_the_retry_applies_all(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    class Crash(BaseException):
        """Stands for the process dying: not an Exception, so nothing catches it."""

    crash = {"at": "e3"}

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))
        if crash["at"] == message.event_id:
            raise Crash

    consumer = _consumer(sessions, handler, RecordingPublisher())
    batch = [_keyed("e1"), _keyed("e2"), _keyed("e3")]
    try:
        await consumer.handle_batch(batch)
    except Crash:
        pass
    else:
        raise AssertionError("the crash must propagate")
    assert await _notes(sessions) == []
    assert await _inboxed(sessions) == []
    crash["at"] = ""
    await consumer.handle_batch(batch)
    assert await _notes(sessions) == ["e1", "e2", "e3"]


async def test_a_failed_batch_transaction_falls_back_to_one_transaction_per_event(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    sabotage = {"left": 1}

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))
        if message.event_id == "e1" and sabotage["left"]:
            sabotage["left"] -= 1
            # e2's inbox row appears in the transaction (as if another member had just
            # processed it): the batch's inbox insert fails on the key, all of it rolls back.
            await session.execute(
                insert(inbox).values(consumer="g", event_id="e2", processed_at=datetime.now(UTC))
            )

    await _consumer(sessions, handler, RecordingPublisher()).handle_batch(
        [_keyed("e1"), _keyed("e2"), _keyed("e3")]
    )
    assert sabotage["left"] == 0
    assert await _notes(sessions) == ["e1", "e2", "e3"]  # e1's first run was rolled back
    assert await _inboxed(sessions) == ["e1", "e2", "e3"]


async def test_a_batch_without_an_event_id_dead_letters_that_one_and_ignores_unknown_types(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.event_id))

    dlq = RecordingPublisher()
    nameless = InboundMessage(topic="t", key="k", value=b"{}", headers={"ce_type": "Happened"})
    batch = [_keyed("e1"), _keyed("x", event_type="Other"), nameless, _keyed("e2")]
    await _consumer(sessions, handler, dlq).handle_batch(batch)
    assert [m.headers["dlq_reason"] for m in dlq.sent] == ["missing event id header"]
    assert await _notes(sessions) == ["e1", "e2"]
