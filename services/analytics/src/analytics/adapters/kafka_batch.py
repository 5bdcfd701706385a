"""The projection consumer on Kafka: batches, one transaction per batch, then the commit.

Why not the platform's per-message consumer here: a projection of every dossier of the
province must keep up with replays of whole topics (rebuild), and one transaction per
event is two orders of magnitude slower. No inbox row per event: the batch's end offset per
partition is stored in the same transaction (`adapters/offsets.py`), so a batch seen again
is skipped; and the projection is idempotent anyway (facts are set, aggregates move by
differences), so even a replay under another group changes nothing. Offsets are committed
to Kafka only after the database. Batches are pipelined: the next one is fetched and
decoded while the previous one is in PostgreSQL (never two transactions at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from motcua_platform.messaging.kafka import ssl_context
from motcua_platform.settings import ServiceSettings

from analytics.adapters.batch_projector import BatchProjector


def kafka_options(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka's connection options from the platform settings (same secrets, same rules)."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap}
    if settings.kafka_security_protocol == "PLAINTEXT":
        return options
    options["ssl_context"] = ssl_context(settings)  # the platform's CA rule
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
        self.first_batch_at: float | None = None  # loop time of the first non-empty poll
        self._pending: asyncio.Task[int] | None = None
        self._pending_ends: dict[TopicPartition, int] = {}

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
            await self._finish(consumer)
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
                    await self._finish(consumer)
                    return self.projected
                now = asyncio.get_running_loop().time()
                if got:
                    idle_since = now
                elif now - idle_since > idle_seconds * 10:
                    raise TimeoutError("the consumer stopped progressing before the end offsets")
        finally:
            await consumer.stop()

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> int:
        wait = 0 if self._pending is not None else self._wait_ms
        batch = await consumer.getmany(timeout_ms=wait, max_records=self._max_records)
        records = [r for part in batch.values() for r in part]
        if records and self.first_batch_at is None:
            self.first_batch_at = asyncio.get_running_loop().time()
        # decoding overlaps the previous batch's transaction
        prepared = await self._projector.prepare_yielding(records) if records else None
        await self._finish(consumer)
        if prepared is not None:
            self._pending = asyncio.create_task(self._projector.apply(prepared))
            self._pending_ends = {
                TopicPartition(topic, partition): offset
                for (topic, partition), offset in prepared.ends.items()
            }
        return len(records)

    async def _finish(self, consumer: AIOKafkaConsumer) -> None:
        """Waits for the batch in flight, then commits its offsets to Kafka."""
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        self.projected += await pending
        await consumer.commit(self._pending_ends)
