"""The Kafka subscriber hands each poll's records to the idempotent consumer as one batch."""

from __future__ import annotations

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker, TestKafkaBroker
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.kafka import subscribe
from motcua_platform.messaging.types import InboundMessage
from motcua_testkit.platform import RecordingPublisher, scratch_schema
from sqlalchemy import event, insert, select

_, _outbox, inbox, effects = scratch_schema()


def _consumer(service: str, sessions, handler) -> IdempotentConsumer:  # type: ignore[no-untyped-def]
    """Group "g", event type "Happened" to `handler`, dead letters recorded."""
    return IdempotentConsumer(
        service=service,
        consumer="g",
        session_factory=sessions,
        inbox=inbox,
        handlers={"Happened": handler},
        dead_letters=RecordingPublisher(),
    )


async def test_a_published_batch_reaches_the_handlers_once_in_order_with_raw_values(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    seen: list[InboundMessage] = []

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        seen.append(message)
        await session.execute(insert(effects).values(note=message.value.decode()))

    consumer = _consumer("test-kafka", sessions, handler)
    broker = KafkaBroker("127.0.0.1:1")
    subscribe(broker, group="g", topics=["t"], consumer=consumer)
    async with TestKafkaBroker(broker) as test_broker:
        for i in range(3):
            await test_broker.publish(
                f"not json {i}".encode(),
                "t",
                key=b"dossier-1",
                headers={"ce_id": f"e{i}", "ce_type": "Happened"},
            )
        await test_broker.publish(  # a redelivery
            b"not json 1", "t", key=b"dossier-1", headers={"ce_id": "e1", "ce_type": "Happened"}
        )
    async with sessions() as s:
        notes = list((await s.scalars(select(effects.c.note).order_by(effects.c.id))).all())
    assert notes == ["not json 0", "not json 1", "not json 2"]
    assert [(m.topic, m.key, m.event_id) for m in seen] == [
        ("t", "dossier-1", f"e{i}") for i in range(3)
    ]


def _record(partition: int, offset: int, event_id: str, key: str) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="t",
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key.encode(),
        value=event_id.encode(),  # no content-type header: as any non-FastStream producer
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(event_id),
        headers=[("ce_id", event_id.encode()), ("ce_type", b"Happened")],
    )


async def test_one_poll_of_records_commits_in_one_database_transaction(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        await session.execute(insert(effects).values(note=message.value.decode()))

    consumer = _consumer("test-kafka-poll", sessions, handler)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "commit", committed)
    broker = KafkaBroker("127.0.0.1:1")
    subscribe(broker, group="g", topics=["t"], consumer=consumer)
    # What getmany returns for one poll: several partitions, each in offset order.
    records = (
        _record(0, 10, "a1", "a"),
        _record(0, 11, "a2", "a"),
        _record(1, 7, "b1", "b"),
        _record(1, 8, "b2", "b"),
    )
    async with TestKafkaBroker(broker):
        [subscriber] = broker.subscribers
        await subscriber.process_message(records)  # type: ignore[arg-type]
    event.remove(engine, "commit", committed)
    async with sessions() as s:
        notes = list((await s.scalars(select(effects.c.note).order_by(effects.c.id))).all())
    assert notes == ["a1", "a2", "b1", "b2"]
    assert len(commits) == 1  # one transaction for the poll, not one per record
