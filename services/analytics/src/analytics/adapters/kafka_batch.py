"""The projection consumer on Kafka: batches, one transaction per batch, then the commit.

Why not the platform's per-message consumer here: a projection of every dossier of the
province must keep up with replays of whole topics (rebuild), and one transaction per
event is two orders of magnitude slower. No inbox row per event: the batch's end offset per
partition is stored in the same transaction (`adapters/offsets.py`), so a batch seen again
is skipped; and the projection is idempotent anyway (facts are set, aggregates move by
differences), so even a replay under another group changes nothing. Offsets are committed
to Kafka only after the database, in order. Batches are pipelined: while one batch writes,
the next is fetched, decoded and computed (its own transaction, see batch_projector.py), so
Python's work and PostgreSQL's overlap; at most `depth` batches are in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from motcua_platform.faults import FailureKind, RetryPolicy, StallTracker, classify
from motcua_platform.logs import summarised, summarised_back
from motcua_platform.messaging.kafka import client_options
from motcua_platform.settings import ServiceSettings

from analytics.adapters.batch_projector import BatchProjector, Record

_log = logging.getLogger(__name__)

_FETCH_CHUNK = 2_000


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
        depth: int = 2,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._topics = list(topics)
        self._group = group
        self._projector = projector
        self._max_records = max_records
        self._wait_ms = wait_ms
        self.projected = 0
        self.first_batch_at: float | None = None  # loop time of the first non-empty poll
        self._depth = depth
        self._in_flight: deque[tuple[asyncio.Task[int], dict[TopicPartition, int]]] = deque()
        self.retry_policy = retry_policy or RetryPolicy()
        self.stall = StallTracker("analytics", group)

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self._topics,
            group_id=self._group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            max_partition_fetch_bytes=4 * 1024 * 1024,
            metadata_max_age_ms=10_000,
            **client_options(self._settings),
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until stopped. A transient fault (database or broker away, a commit refused
        by a rebalance: `CommitFailedError`) abandons the batches in flight (their offsets are
        not committed), stalls with the platform's backoff and starts over from the committed
        offsets: the batches are redone idempotently (their end offsets are stored in their
        own transaction). Anything else propagates (the runtime restarts the job)."""
        attempt = 0
        while not stop.is_set():
            consumer = self._consumer()
            try:
                await consumer.start()
                while not stop.is_set():
                    await self._poll_once(consumer)
                    if attempt:
                        attempt = 0
                        summarised_back(_log, f"analytics projection {self._group}")
                        self.stall.recovered()
                await self._finish(consumer)
                return
            except Exception as exc:
                if classify(exc) is not FailureKind.TRANSIENT:
                    raise
                attempt += 1
                summarised(_log, f"analytics projection {self._group}", exc)
                self.stall.stalled()
            finally:
                await self._abandon()
                with contextlib.suppress(Exception):
                    await consumer.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_policy.delay(attempt))

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
            await self._abandon()
            await consumer.stop()

    async def _abandon(self) -> None:
        """After a failure: batches still in flight roll back (their offsets stay uncommitted,
        so they are delivered again)."""
        for task, _ in self._in_flight:
            task.cancel()
        await asyncio.gather(*(task for task, _ in self._in_flight), return_exceptions=True)
        self._in_flight.clear()

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> int:
        records = await self._fetch(consumer, 0 if self._in_flight else self._wait_ms)
        if records and self.first_batch_at is None:
            self.first_batch_at = asyncio.get_running_loop().time()
        # decoding overlaps the transactions in flight
        prepared = await self._projector.prepare_yielding(records) if records else None
        if prepared is None:
            await self._finish(consumer)  # nothing new: let the batches in flight land
            return 0
        while len(self._in_flight) >= self._depth:
            await self._finish_oldest(consumer)
        ends = {TopicPartition(t, p): offset for (t, p), offset in prepared.ends.items()}
        self._in_flight.append((asyncio.create_task(self._projector.apply(prepared)), ends))
        return len(records)

    async def _fetch(self, consumer: AIOKafkaConsumer, wait_ms: int) -> list[Record]:
        """Up to `max_records`, taken from aiokafka a few thousand at a time with the event
        loop given back in between (unpacking 10,000 records at once held it for ~40 ms while
        the transactions in flight had their next statements to send)."""
        records: list[Record] = []
        while len(records) < self._max_records:
            batch = await consumer.getmany(
                timeout_ms=0 if records else wait_ms,
                max_records=min(_FETCH_CHUNK, self._max_records - len(records)),
            )
            got = [r for part in batch.values() for r in part]
            if not got:
                break
            records += got
            await asyncio.sleep(0)
        return records

    async def _finish_oldest(self, consumer: AIOKafkaConsumer) -> None:
        """Waits for the oldest batch in flight, then commits its offsets to Kafka."""
        task, ends = self._in_flight[0]
        try:
            self.projected += await task
        finally:
            self._in_flight.popleft()
        await consumer.commit(ends)

    async def _finish(self, consumer: AIOKafkaConsumer) -> None:
        """Waits for every batch in flight, committing each in order."""
        while self._in_flight:
            await self._finish_oldest(consumer)
