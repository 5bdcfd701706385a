"""`motcua-notify replay-dead-letters`: give every dead letter of notify one more run.

Two kinds of dead letters: notifications nobody could deliver, not even on paper
(`motcua.notifications.v1.dlq.<group>`: re-queued from the top of their chain), and events
the consumer could not handle (`<topic>.dlq.<group>`: published again to their topic; the
inbox drops any that had in fact succeeded). Offsets are committed under `<group>.replay`,
so running the command twice replays nothing twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from motcua_contracts.topics import Topics
from motcua_platform.messaging.kafka import client_options
from motcua_platform.messaging.types import dead_letter_topic
from motcua_platform.runtime import ServiceRuntime

from notify.adapters.events import dead_letters_topic
from notify.application.replay import requeue_dead

SOURCES = (Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS)


@dataclass
class ReplayReport:
    requeued: int = 0
    skipped: int = 0
    republished: int = 0

    def __str__(self) -> str:
        return (
            f"đã gửi lại {self.requeued} thông báo, bỏ qua {self.skipped} (đã xử lý), "
            f"phát lại {self.republished} sự kiện"
        )


async def replay(runtime: ServiceRuntime) -> ReplayReport:
    settings = runtime.settings
    group = settings.group_id
    own = dead_letters_topic(group)
    by_source = {dead_letter_topic(t, group): t for t in SOURCES}
    # TLS and SASL as the service's own broker connection: a secured cluster refuses less.
    options = client_options(settings)
    consumer = AIOKafkaConsumer(group_id=f"{group}.replay", enable_auto_commit=False, **options)
    producer = AIOKafkaProducer(acks="all", enable_idempotence=True, **options)
    await consumer.start()
    await producer.start()
    report = ReplayReport()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in (own, *by_source)
            for p in sorted(await producer.partitions_for(topic))  # waits for metadata
        ]
        if not partitions:
            return report
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        while await _behind(consumer, partitions, end):
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= end[tp]:
                        continue
                    if tp.topic == own:
                        body = json.loads(record.value or b"{}")
                        async with runtime.sessions() as session, session.begin():
                            done = await requeue_dead(
                                session, str(body["notification_id"]), now=_now()
                            )
                        report.requeued += int(done)
                        report.skipped += int(not done)
                    else:
                        headers = [(k, v) for k, v in record.headers if not k.startswith("dlq_")]
                        await producer.send_and_wait(
                            by_source[tp.topic], record.value, key=record.key, headers=headers
                        )
                        report.republished += 1
                await consumer.commit({tp: records[-1].offset + 1})
        return report
    finally:
        await producer.stop()
        await consumer.stop()


async def _behind(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], end: dict[TopicPartition, int]
) -> bool:
    for tp in partitions:
        if await consumer.position(tp) < end[tp]:
            return True
    return False


def _now() -> datetime:
    return datetime.now(UTC)


async def replay_dead_letters(runtime: ServiceRuntime) -> None:
    report = await replay(runtime)
    await runtime.close()
    print(report)
