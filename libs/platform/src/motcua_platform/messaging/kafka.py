"""Kafka transport on FastStream: an idempotent producer for the relay, subscribers per group."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.security import BaseSecurity, SASLScram512

from motcua_platform.messaging import lag
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage, OutboundMessage
from motcua_platform.settings import ServiceSettings

log = logging.getLogger(__name__)


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """acks=all + idempotence: a retried send never duplicates or reorders within a partition."""
    return KafkaBroker(
        settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        client_id=settings.service_name,
        security=_security(settings),
        logger=None,
    )


def ssl_context(settings: ServiceSettings) -> ssl.SSLContext:
    """Verifies the brokers against `kafka_ssl_cafile`, else the system trust store (which
    honours SSL_CERT_FILE). A missing or unreadable CA file fails the start, loudly. Any
    other Kafka client of a service (raw aiokafka) should take its context from here."""
    return ssl.create_default_context(cafile=settings.kafka_ssl_cafile)


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka's connection options for a raw client (a batch consumer, a replay command):
    the same bootstrap, TLS trust and SCRAM secret as the FastStream broker, so no raw client
    can fall back to plaintext on a secured cluster."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap}
    if settings.kafka_security_protocol == "PLAINTEXT":
        return options
    options["ssl_context"] = ssl_context(settings)
    options["security_protocol"] = settings.kafka_security_protocol
    if settings.kafka_security_protocol == "SASL_SSL":
        username, password = _sasl_credentials(settings)
        options |= {
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": username,
            "sasl_plain_password": password,
        }
    return options


def _sasl_credentials(settings: ServiceSettings) -> tuple[str, str]:
    if not settings.kafka_sasl_username or not settings.kafka_sasl_password_file:
        raise ValueError("SASL_SSL needs kafka_sasl_username and kafka_sasl_password_file")
    password = Path(settings.kafka_sasl_password_file).read_text(encoding="utf-8").strip()
    return settings.kafka_sasl_username, password


def _security(settings: ServiceSettings) -> BaseSecurity | None:
    """TLS for SSL; SCRAM-SHA-512 over TLS for SASL_SSL; nothing for PLAINTEXT (loopback)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    context = ssl_context(settings)
    if settings.kafka_security_protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    username, password = _sasl_credentials(settings)
    return SASLScram512(username, password, ssl_context=context, use_ssl=True)


_NO_CONTENT_TYPE = ("content-type", b"")  # what FastStream writes for a bytes body


class KafkaPublisher:
    """Sends a batch without waiting per message, then waits for every acknowledgement.

    After a failed batch the next one starts a new idempotent session (a new producer id):
    aiokafka does not reset its sequence numbers when batches expire during an outage, and the
    broker then refuses every later batch with OutOfOrderSequenceNumber until the process
    restarts (aio-libs/aiokafka#1017; seen in the chaos suite after a 60 s broker stop). The
    retried batch may then land twice; consumers are idempotent."""

    RENEW_STOP_SECONDS = 10.0

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker
        self._renew = False

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
        if self._renew:
            await self._renew_session()  # raises while the broker is still away: retried later
            self._renew = False
        try:
            await self._send_all(messages)
        except Exception:
            self._renew = self._aiokafka_producer() is not None
            raise

    async def _send_all(self, messages: Sequence[OutboundMessage]) -> None:
        producer = self._aiokafka_producer()
        if producer is None:
            futures = [
                await self._broker.publish(
                    m.value, m.topic, key=m.key.encode(), headers=m.headers, no_confirm=True
                )
                for m in messages
            ]
        else:
            # Straight to the broker's own aiokafka producer (same acks, idempotence, linger):
            # FastStream's per-message command building cost the relay as much as the send
            # itself (bench/bench_relay.py). The records carry the same headers FastStream
            # would write, bar its random correlation id, which nothing reads.
            futures = [
                await producer.send(
                    m.topic,
                    m.value,
                    key=m.key.encode(),
                    headers=[_NO_CONTENT_TYPE, *((k, v.encode()) for k, v in m.headers.items())],
                )
                for m in messages
            ]
        await asyncio.gather(*futures)

    async def _renew_session(self) -> None:
        """Replace the broker's producer with a new one built from the same settings."""
        state: Any = self._broker.config.producer  # FastStream's producer holder
        old = self._aiokafka_producer()
        if old is not None:
            # stop() flushes what is still queued; an unreachable broker must not hang us.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.stop(), timeout=self.RENEW_STOP_SECONDS)
        fresh = AIOKafkaProducer(**self._broker._connection_kwargs)
        try:
            await state.connect(
                fresh,
                serializer=self._broker.config.fd_config._serializer,
                codec=getattr(self._broker.config, "broker_codec", None),
            )
        except Exception:
            with contextlib.suppress(Exception):
                await fresh.stop()
            raise
        log.info("kafka producer: new idempotent session after a failed batch")

    def _aiokafka_producer(self) -> Any | None:
        """The started broker's AIOKafkaProducer (FastStream 0.6 layout), else None."""
        config = getattr(self._broker, "config", None)
        state = getattr(getattr(config, "producer", None), "_producer", None)
        producer = getattr(state, "producer", None)
        return producer if hasattr(producer, "send") else None


BATCH_MAX_RECORDS = 200
"""Records per batch: one database transaction and one offset commit for up to this many."""
BATCH_TIMEOUT_MS = 100
"""How long an idle poll waits for records (FastStream then pauses as long again)."""


async def _raw_records(message: Any) -> None:
    """The decoder: the handler reads the raw records, so FastStream's decoding is skipped
    (it would try `json.loads` on every value without a content-type header, i.e. from any
    non-FastStream producer, only for the handlers to decode it again)."""
    return None


def subscribe(
    broker: KafkaBroker,
    *,
    group: str,
    topics: Sequence[str],
    consumer: IdempotentConsumer,
    max_records: int = BATCH_MAX_RECORDS,
) -> None:
    """Register one batch subscriber: each poll's records go through the consumer in one
    database transaction (`IdempotentConsumer.handle_batch`), then the offsets of the whole
    batch commit once. Offsets commit only after the consumer has finished every record of
    the batch; if it raises, the batch's partitions are rewound to its first records."""
    progress = lag.KafkaLag()
    lag.track(consumer.service, group, progress)

    @broker.subscriber(
        *topics,
        group_id=group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
        max_poll_records=max_records,
        decoder=_raw_records,
    )
    async def _on_batch(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message  # a tuple of records (a list from FastStream's test client)
        records = tuple(raw) if isinstance(raw, tuple | list) else (raw,)
        if not records:
            return
        first: dict[TopicPartition, int] = {}
        last: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            first.setdefault(tp, record.offset)
            last[tp] = record.offset
        for tp, offset in first.items():
            progress.started(message.consumer, tp, offset)
        await consumer.handle_batch([inbound_message(record) for record in records])
        for tp, offset in last.items():  # handle_batch() raises only if nothing may commit
            progress.finished(tp, offset)


def inbound_message(record: Any) -> InboundMessage:
    """An aiokafka record as the platform's message (also for consumers of their own)."""
    return InboundMessage(
        topic=record.topic,
        key=record.key.decode() if record.key else None,
        value=record.value or b"",
        headers={k: v.decode() for k, v in (record.headers or ())},
        partition=record.partition,
        offset=record.offset,
    )
