"""The projection consumer on Kafka: batches, one transaction per batch, then the commit.

Why not the platform's per-message consumer here: a projection of every dossier of the
province must keep up with replays of whole topics (rebuild), and one transaction per
event is two orders of magnitude slower. Idempotence comes from the projection itself
(facts are set, aggregates move by differences), so no inbox row is needed per event.
Failures keep the platform's rules: retry with backoff, then isolate the poison message
and dead-letter it to `<topic>.dlq.<group>`; offsets are committed only after the database.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from motcua_platform.messaging.inbox import CONSUMED, DEAD_LETTERS, PROCESSING
from motcua_platform.messaging.types import OutboundMessage, Publisher, dead_letter_topic
from motcua_platform.settings import ServiceSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.adapters.fact_store import SqlProjectionStore
from analytics.application.decode import PROJECTED, Undecodable, decode_event
from analytics.application.ports import Event, WorkingTime
from analytics.application.project_events import BatchResult, project_events

log = logging.getLogger(__name__)


def kafka_options(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka's connection options from the platform settings (same secrets, same rules)."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap}
    if settings.kafka_security_protocol == "PLAINTEXT":
        return options
    options["ssl_context"] = ssl.create_default_context()
    options["security_protocol"] = settings.kafka_security_protocol
    if settings.kafka_security_protocol == "SASL_SSL":
        if not settings.kafka_sasl_username or not settings.kafka_sasl_password_file:
            raise ValueError("SASL_SSL needs kafka_sasl_username and kafka_sasl_password_file")
        password = Path(settings.kafka_sasl_password_file).read_text(encoding="utf-8").strip()
        options |= {
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": password,
        }
    return options


class BatchProjector:
    """Decodes, projects in one transaction, retries, isolates and dead-letters poison."""

    def __init__(
        self,
        *,
        service: str,
        group: str,
        sessions: async_sessionmaker[AsyncSession],
        working_time: WorkingTime,
        dead_letters: Publisher,
        max_attempts: int = 5,
        base_backoff_seconds: float = 0.05,
    ) -> None:
        self._service = service
        self._group = group
        self._sessions = sessions
        self._working_time = working_time
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._backoff = base_backoff_seconds

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> int:
        """Returns the number of events projected; raises only if a dead letter cannot be sent."""
        events: list[tuple[Event, ConsumerRecord[bytes, bytes]]] = []
        ignored: Counter[str] = Counter()
        for record in records:
            headers = {k: v.decode() for k, v in (record.headers or ())}
            if headers.get("ce_type") not in PROJECTED:
                ignored[record.topic] += 1
                continue
            try:
                events.append((decode_event(record.value or b""), record))
            except Undecodable as exc:
                await self._dead_letter(record, f"permanent: {exc}")
        for topic, n in ignored.items():
            CONSUMED.labels(self._service, topic, "ignored").inc(n)
        if not events:
            return 0
        started = asyncio.get_running_loop().time()
        try:
            result = await self._with_retries([e for e, _ in events])
        except Exception:
            await self._one_by_one(events)
            return len(events)
        elapsed = (asyncio.get_running_loop().time() - started) / len(events)
        outcomes: Counter[tuple[str, str]] = Counter()
        for event, record in events:
            new = event.dossier_id in result.changed or event.dossier_id is None
            outcomes[(record.topic, "ok" if new else "dup")] += 1
            PROCESSING.labels(self._service, record.topic).observe(elapsed)
        for (topic, outcome), n in outcomes.items():
            CONSUMED.labels(self._service, topic, outcome).inc(n)
        return len(events)

    async def _project(self, events: Sequence[Event]) -> BatchResult:
        async with self._sessions() as session, session.begin():
            return await project_events(SqlProjectionStore(session), events, self._working_time)

    async def _with_retries(self, events: Sequence[Event]) -> BatchResult:
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await self._project(events)
            except Exception:
                if attempt == self._max_attempts:
                    raise
                log.warning("projection batch failed; retrying", extra={"attempt": attempt})
                await asyncio.sleep(self._backoff * 2**attempt * (0.5 + random.random() / 2))
        raise AssertionError("unreachable")

    async def _one_by_one(
        self, events: Sequence[tuple[Event, ConsumerRecord[bytes, bytes]]]
    ) -> None:
        """The batch keeps failing: find the messages that fail alone and set them aside."""
        for event, record in events:
            try:
                await self._project([event])
                CONSUMED.labels(self._service, record.topic, "ok").inc()
            except Exception as exc:
                await self._dead_letter(record, f"after {self._max_attempts} attempts: {exc!r}")

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        headers = {k: v.decode() for k, v in (record.headers or ())}
        headers |= {
            "dlq_reason": reason[:500],
            "dlq_source_topic": record.topic,
            "dlq_source_partition": str(record.partition),
            "dlq_source_offset": str(record.offset),
            "dlq_consumer": self._group,
        }
        message = OutboundMessage(
            topic=dead_letter_topic(record.topic, self._group),
            key=(record.key or b"").decode(),
            value=record.value or b"",
            headers=headers,
        )
        log.error("message dead-lettered", extra={"event_type": headers.get("ce_type")})
        DEAD_LETTERS.labels(self._service, record.topic).inc()
        CONSUMED.labels(self._service, record.topic, "dead_letter").inc()
        await self._dead_letters.publish_many([message])


class KafkaBatchConsumer:
    """Polls batches, projects them, commits offsets; stops when told or when caught up."""

    def __init__(
        self,
        *,
        settings: ServiceSettings,
        topics: Sequence[str],
        group: str,
        projector: BatchProjector,
        max_records: int,
        wait_ms: int,
    ) -> None:
        self._settings = settings
        self._topics = list(topics)
        self._group = group
        self._projector = projector
        self._max_records = max_records
        self._wait_ms = wait_ms
        self.projected = 0

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self._topics,
            group_id=self._group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            max_partition_fetch_bytes=4 * 1024 * 1024,
            metadata_max_age_ms=10_000,
            **kafka_options(self._settings),
        )

    async def run(self, stop: asyncio.Event) -> None:
        consumer = self._consumer()
        await consumer.start()
        try:
            while not stop.is_set():
                await self._poll_once(consumer)
        finally:
            await consumer.stop()

    async def run_until_caught_up(self, idle_seconds: float = 3.0) -> int:
        """For rebuilds and benchmarks: consume to the end offsets seen once assigned."""
        consumer = self._consumer()
        await consumer.start()
        try:
            while not consumer.assignment():
                await self._poll_once(consumer)
            parts = list(consumer.assignment())
            ends: dict[TopicPartition, int] = await consumer.end_offsets(parts)
            idle_since = asyncio.get_running_loop().time()
            while True:
                got = await self._poll_once(consumer)
                positions = [await consumer.position(tp) for tp in parts]
                if all(pos >= ends[tp] for pos, tp in zip(positions, parts, strict=True)):
                    return self.projected
                now = asyncio.get_running_loop().time()
                if got:
                    idle_since = now
                elif now - idle_since > idle_seconds * 10:
                    raise TimeoutError("the consumer stopped progressing before the end offsets")
        finally:
            await consumer.stop()

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> int:
        batch = await consumer.getmany(timeout_ms=self._wait_ms, max_records=self._max_records)
        records = [r for part in batch.values() for r in part]
        if not records:
            return 0
        self.projected += await self._projector.handle(records)
        await consumer.commit()
        return len(records)
