"""Poison vs transient: a database outage stalls the consumer (nothing dead-lettered, order
kept, stall metric set then cleared); a poison message is dead-lettered alone, at once."""

from __future__ import annotations

import asyncio
import json

import pytest
from motcua_platform.faults import (
    STALLED,
    FailureKind,
    PermanentError,
    RetryPolicy,
    classify,
)
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage
from motcua_testkit.platform import RecordingPublisher, scratch_schema
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select

_, _outbox, inbox, effects = scratch_schema()


def _operational() -> sa_exc.OperationalError:
    return sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


class _Outage:
    """A session factory that fails like an unreachable database `failures` times, then works."""

    def __init__(self, sessions, failures: int) -> None:  # type: ignore[no-untyped-def]
        self._sessions = sessions
        self.left = failures
        self.calls = 0

    def __call__(self):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.left > 0:
            self.left -= 1
            raise _operational()
        return self._sessions()


def _message(event_id: str) -> InboundMessage:
    return InboundMessage(
        topic="t",
        key="k",
        value=event_id.encode(),
        headers={"ce_id": event_id, "ce_type": "Happened"},
    )


def _consumer(sessions, handler, dlq, consumer: str) -> IdempotentConsumer:  # type: ignore[no-untyped-def]
    return IdempotentConsumer(
        service="test-faults",
        consumer=consumer,
        session_factory=sessions,
        inbox=inbox,
        handlers={"Happened": handler},
        dead_letters=dlq,
        max_attempts=3,
        base_backoff_seconds=0.001,
        max_backoff_seconds=0.005,
    )


async def _notes(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list(await s.scalars(select(effects.c.note).order_by(effects.c.id)))


async def _write(session, message) -> None:  # type: ignore[no-untyped-def]
    await session.execute(insert(effects).values(note=message.value.decode()))


@pytest.mark.parametrize("path", ["handle", "handle_batch"])
async def test_a_database_outage_stalls_then_resumes_in_order_without_dead_letters(
    sessions,  # type: ignore[no-untyped-def]
    path: str,
) -> None:
    # Far more failures than max_attempts (3): the old policy dead-lettered here.
    outage = _Outage(sessions, failures=20)
    dlq = RecordingPublisher()
    consumer = _consumer(outage, _write, dlq, f"g-{path}")
    gauge = STALLED.labels("test-faults", f"g-{path}")
    stalled_seen: list[float] = []

    async def watch() -> None:
        while True:
            stalled_seen.append(gauge._value.get())
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    ids = [f"e{i}" for i in range(5)]
    try:
        async with asyncio.timeout(30):
            if path == "handle":
                for event_id in ids:
                    await consumer.handle(_message(event_id))
            else:
                await consumer.handle_batch([_message(e) for e in ids])
    finally:
        watcher.cancel()
    assert dlq.sent == []
    assert await _notes(sessions) == ids
    assert 1.0 in stalled_seen
    assert gauge._value.get() == 0.0
    assert consumer.stall.since is None


async def test_a_poison_message_is_dead_lettered_at_once_and_the_rest_goes_on(sessions) -> None:  # type: ignore[no-untyped-def]
    calls: dict[str, int] = {}

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        calls[message.event_id] = calls.get(message.event_id, 0) + 1
        if message.event_id == "bad":
            json.loads(b"{not json")
        await _write(session, message)

    dlq = RecordingPublisher()
    consumer = _consumer(sessions, handler, dlq, "g-poison")
    await consumer.handle_batch([_message("a"), _message("bad"), _message("c")])
    assert [m.headers["ce_id"] for m in dlq.sent] == ["bad"]
    assert dlq.sent[0].headers["dlq_reason"].startswith("permanent")
    assert calls["bad"] == 1
    assert await _notes(sessions) == ["a", "c"]


async def test_an_unknown_error_gets_a_bounded_number_of_attempts(sessions) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    async def buggy(session, message) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise KeyError("handler bug")

    dlq = RecordingPublisher()
    await _consumer(sessions, buggy, dlq, "g-bug").handle(_message("x"))
    assert calls["n"] == 3
    assert dlq.sent[0].headers["dlq_reason"].startswith("after 3 attempts")


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (PermanentError("contract"), FailureKind.POISON),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), FailureKind.POISON),
        (_operational(), FailureKind.TRANSIENT),
        (sa_exc.OperationalError("x", {}, Exception("database is locked")), FailureKind.TRANSIENT),
        (sa_exc.DBAPIError("x", {}, _PgError("40001")), FailureKind.TRANSIENT),
        (_PgError("40P01"), FailureKind.TRANSIENT),
        (ConnectionResetError(), FailureKind.TRANSIENT),
        (TimeoutError(), FailureKind.TRANSIENT),
        (type("CommitFailedError", (Exception,), {})(), FailureKind.TRANSIENT),
        (KeyError("bug"), FailureKind.UNKNOWN),
    ],
)
def test_classify(error: BaseException, kind: FailureKind) -> None:
    assert classify(error) is kind


def test_the_backoff_is_capped() -> None:
    policy = RetryPolicy(base_seconds=0.1, cap_seconds=30.0)
    assert 0.05 <= policy.delay(1) <= 0.1
    assert all(15.0 <= policy.delay(n) <= 30.0 for n in range(10, 5000, 7))


def test_a_database_not_there_yet_is_transient() -> None:
    # asyncpg's InvalidCatalogNameError carries SQLSTATE 3D000 (found by the PostgreSQL test).
    assert classify(_PgError("3D000")) is FailureKind.TRANSIENT


def test_a_table_not_there_yet_is_transient() -> None:
    # UndefinedTableError (42P01): the database exists but its migrations have not run yet;
    # dead-lettering would lose the message, waiting loses nothing (found by a fresh clone's
    # consumer-stall test).
    assert classify(_PgError("42P01")) is FailureKind.TRANSIENT
