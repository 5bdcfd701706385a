"""A failed batch makes the relay's next batch start a new idempotent producer session.

aiokafka keeps the old session's sequence numbers after batches expire in an outage, and the
broker then refuses every later batch (OutOfOrderSequenceNumber) until a restart: the chaos suite
saw the outbox stuck for ten minutes after a 60 s broker stop. A record the broker refuses
(larger than its limit) is the reproducible failure here; what matters is that the next batch
goes out on a fresh producer and arrives.
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from motcua_platform.messaging.kafka import KafkaPublisher, make_broker
from motcua_platform.messaging.types import OutboundMessage
from motcua_platform.settings import ServiceSettings


async def test_the_batch_after_a_failed_one_goes_out_on_a_new_session(kafka_bootstrap: str) -> None:
    topic = f"it-relay-session-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "20000"})]
        )
    finally:
        await admin.close()
    broker = make_broker(
        ServiceSettings(
            service_name="it-relay", kafka_bootstrap=kafka_bootstrap, environment="test"
        )
    )
    await broker.start()
    try:
        publisher = KafkaPublisher(broker)
        first = publisher._aiokafka_producer()
        too_big = OutboundMessage(topic, "k", b"x" * 200_000, {"ce_type": "Big"})
        with pytest.raises(KafkaError):
            await publisher.publish_many([too_big])
        await publisher.publish_many([OutboundMessage(topic, "k", b"ok", {"ce_type": "Small"})])
        assert publisher._aiokafka_producer() is not first
    finally:
        await broker.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        got = await consumer.getmany(timeout_ms=10_000)
    finally:
        await consumer.stop()
    assert [r.value for records in got.values() for r in records] == [b"ok"]
