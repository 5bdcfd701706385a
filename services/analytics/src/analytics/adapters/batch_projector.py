"""Decodes a Kafka batch, projects it in one transaction with its offsets, isolates poison.

Split in two so the consumer can pipeline: `prepare` (decode, CPU only) for batch N+1 runs
while batch N's transaction is in PostgreSQL; `apply` writes. Two applies may run at once,
each in its own transaction: the later one computes from the earlier one's facts while the
earlier one writes (application/project_events.py says why that is safe). Failures follow
the platform's classification (`motcua_platform.faults.classify`), as the inbox does:
transient (database away) is retried for as long as it takes; a poison batch goes one by one
at once; anything else gets the bounded attempts first. One by one, each event in its own
transaction: poison is dead-lettered at once, unknown after its attempts, to
`<topic>.dlq.<group>` with the platform's dead-letter headers. Spans: one consumer span per
batch (linked to the producers' traces), one per event on the one-by-one path, the
platform's (`motcua_platform.messaging.inbox.consumer_span`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeAlias

from aiokafka import ConsumerRecord
from motcua_platform.faults import FailureKind, RetryPolicy, StallTracker, classify
from motcua_platform.logs import summarised, summarised_back
from motcua_platform.messaging.inbox import CONSUMED, PROCESSING, consumer_span, dead_letter
from motcua_platform.messaging.kafka import inbound_message
from motcua_platform.messaging.types import HEADER_TRACEPARENT, Publisher
from motcua_platform.telemetry import extract_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.adapters.fact_store import SqlProjectionStore
from analytics.adapters.offsets import Partition, applied_offsets, save_offsets
from analytics.application.decode import BY_HEADER, Undecodable, decode_event
from analytics.application.ports import Event, WorkingTime
from analytics.application.project_events import Ahead, BatchResult, Facts, project_events

log = logging.getLogger(__name__)
Record: TypeAlias = ConsumerRecord[bytes, bytes]
Item: TypeAlias = tuple[Event, Record]


@dataclass(frozen=True)
class Projected:
    batch: BatchResult
    skipped_below: Mapping[Partition, int]  # partitions this batch had seen before: next offset


class AheadFailed(RuntimeError):
    """The batch ahead did not commit: this one must not commit its later offsets."""


class BatchFailed(Exception):
    """The batch failed for a reason that is not the infrastructure's: it goes one by one.
    `attempts`: how many times its events were tried in it (they count for the unknown)."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"batch failed after {attempts} attempts")
        self.attempts = attempts


# Links per batch span to the producers' traces: the SDK keeps 128 by default anyway.
_MAX_LINKS = 128


@dataclass
class _Slot:
    """A batch's place in the pipeline, as the batch behind it sees it."""

    dossiers: frozenset[str]  # every dossier it may write
    facts: Facts = field(default_factory=dict)  # as it leaves them, once computed
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # facts computed (or never)
    ended: asyncio.Event = field(default_factory=asyncio.Event)  # it is over, one way or another
    committed: bool = False

    async def wait_ended(self) -> bool:
        await self.ended.wait()
        return self.committed


@dataclass
class Prepared:
    """A decoded batch: events to project, poison to set aside, the end offset per partition."""

    items: list[Item] = field(default_factory=list)
    poison: list[tuple[Record, str]] = field(default_factory=list)
    ends: dict[Partition, int] = field(default_factory=dict)
    starts: dict[Partition, int] = field(default_factory=dict)  # first offset per partition
    ignored: Counter[str] = field(default_factory=Counter)


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
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._service = service
        self._group = group
        self._sessions = sessions
        self._working_time = working_time
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self.retry_policy = retry_policy or RetryPolicy()
        self.stall = StallTracker(service, f"{group}-batch")
        self._tracer = trace.get_tracer(f"motcua.{service}.consumer")
        # The last batch to start. After a batch raised, every later one raises AheadFailed:
        # the consumer starts over from the offsets committed.
        self._last: _Slot | None = None

    @staticmethod
    def prepare(records: Sequence[Record], into: Prepared | None = None) -> Prepared:
        """Decodes `records` (into `into` when given). Runs for every record of every batch,
        hence the plain loop: the `ce_type` header decides, unprojected types stay bytes."""
        out = Prepared() if into is None else into
        items, ends, starts = out.items, out.ends, out.starts
        for record in records:
            partition = (record.topic, record.partition)
            if partition not in ends:
                starts[partition] = record.offset
            ends[partition] = record.offset + 1
            decoder, projected = None, False
            for key, value in record.headers or ():
                if key == "ce_type":
                    decoder = BY_HEADER.get(value)
                    projected = decoder is not None or value == b"TenantConfigured"
                    break
            if not projected:
                out.ignored[record.topic] += 1
                continue
            try:
                items.append((decode_event(record.value or b"", decoder), record))
            except Undecodable as exc:
                out.poison.append((record, f"permanent: {exc}"))
        return out

    @classmethod
    async def prepare_yielding(cls, records: Sequence[Record], chunk: int = 256) -> Prepared:
        """`prepare` in chunks, giving the event loop back between them, so the transactions
        in flight send their next statements while this batch decodes."""
        out = Prepared()
        for start in range(0, len(records), chunk):
            cls.prepare(records[start : start + chunk], out)
            await asyncio.sleep(0)
        return out

    async def handle(self, records: Sequence[Record]) -> int:
        return await self.apply(self.prepare(records))

    async def apply(self, prepared: Prepared) -> int:
        """Returns the number of events projected; raises only if a dead letter cannot be sent."""
        # Take this batch's place in the pipeline before anything awaits: the batches behind
        # it must see it as the batch ahead, whatever they do meanwhile.
        items, ends, starts = prepared.items, prepared.ends, prepared.starts
        dossiers = frozenset(event.dossier_id for event, _ in items if event.dossier_id)
        ahead_slot, slot = self._last, _Slot(dossiers)
        self._last = slot
        started = asyncio.get_running_loop().time()
        try:
            with self._batch_span(prepared):
                for record, reason in prepared.poison:
                    await self._dead_letter(record, reason)  # raises if not sent: no commit
                for topic, n in prepared.ignored.items():
                    CONSUMED.labels(self._service, topic, "ignored").inc(n)
                ahead = None
                if ahead_slot is not None:
                    await ahead_slot.ready.wait()
                    ahead = Ahead(ahead_slot.facts, ahead_slot.dossiers, ahead_slot.wait_ended)
                try:
                    result = await self._with_retries(items, ends, starts, slot, ahead)
                except BatchFailed as failed:
                    slot.ready.set()
                    await self._one_by_one(items, ends, ahead, failed.attempts)
                    slot.committed = True
                    return len(items)
                slot.committed = True
        finally:
            slot.ready.set()
            slot.ended.set()
        if not items:
            return 0
        elapsed = (asyncio.get_running_loop().time() - started) / len(items)
        changed, skipped = result.batch.changed, result.skipped_below
        per_topic = Counter(record.topic for _, record in items)
        dups: Counter[str] = Counter()
        if skipped or result.batch.unchanged:
            dups.update(
                record.topic
                for event, record in items
                if (event.dossier_id is not None and event.dossier_id not in changed)
                or record.offset < skipped.get((record.topic, record.partition), 0)
            )
        for topic, n in per_topic.items():
            if n - dups[topic]:
                CONSUMED.labels(self._service, topic, "ok").inc(n - dups[topic])
            if dups[topic]:
                CONSUMED.labels(self._service, topic, "dup").inc(dups[topic])
            # One observation per topic and batch (the mean per message): observing every
            # message would cost more than projecting it.
            PROCESSING.labels(self._service, topic).observe(elapsed)
        return len(items)

    async def _project(
        self,
        items: Sequence[Item],
        ends: Mapping[Partition, int],
        starts: Mapping[Partition, int] | None = None,
        slot: _Slot | None = None,
        ahead: Ahead | None = None,
    ) -> Projected:
        """One transaction. `starts`: the first offset per partition when `items` are a whole
        batch in offset order (then a batch seen before is recognised without a scan)."""

        def computed(facts: Facts) -> None:
            if slot is not None:
                slot.facts = facts
                slot.ready.set()

        async with self._sessions() as session, session.begin():
            applied = await applied_offsets(session, self._group)
            if starts is not None:
                applied = {p: o for p, o in applied.items() if o > starts.get(p, o)}
            if applied:  # some of these were applied before (a redelivery): skip them
                fresh = [
                    event
                    for event, record in items
                    if record.offset >= applied.get((record.topic, record.partition), 0)
                ]
            else:
                fresh = [event for event, _ in items]
            store = SqlProjectionStore(session)
            batch = await project_events(store, fresh, self._working_time, ahead, computed)
            await save_offsets(session, self._group, ends)
            await self._after(ahead)
            return Projected(batch, applied)

    @staticmethod
    async def _after(ahead: Ahead | None) -> None:
        """Commit only after the batch ahead did: offsets are stored per partition as the end
        of the last batch, so committing first and the batch ahead failing would mark its
        events as applied."""
        if ahead is not None and not await ahead.ended():
            raise AheadFailed("the batch ahead did not commit")

    async def _with_retries(
        self,
        items: Sequence[Item],
        ends: Mapping[Partition, int],
        starts: Mapping[Partition, int],
        slot: _Slot,
        ahead: Ahead | None,
    ) -> Projected:
        """The platform's rule (`classify`): a transient fault (database away) is retried for
        as long as it takes, stalled (metric, summarised logs), never spending the bounded
        attempts; poison goes one by one at once (retrying cannot help); anything else gets
        `max_attempts` attempts with the platform's backoff. Raises BatchFailed (one by one)
        or AheadFailed (start over from the committed offsets)."""
        attempt, transient = 0, 0
        while True:
            try:
                projected = await self._project(items, ends, starts, slot, ahead)
            except AheadFailed:
                raise
            except Exception as exc:
                kind = classify(exc)
                if kind is FailureKind.TRANSIENT:
                    transient += 1
                    summarised(log, f"analytics projection {self._group}", exc)
                    self.stall.stalled()
                    await asyncio.sleep(self.retry_policy.delay(transient))
                    continue
                attempt += 1
                if kind is FailureKind.POISON or attempt >= self._max_attempts:
                    log.warning("projection batch failed; events go one by one", exc_info=exc)
                    raise BatchFailed(attempt) from exc
                log.warning(
                    "projection batch failed; retrying", extra={"attempt": attempt}, exc_info=True
                )
                await asyncio.sleep(self.retry_policy.delay(attempt))
                continue
            if transient:
                summarised_back(log, f"analytics projection {self._group}")
                self.stall.recovered()
            return projected

    async def _one_by_one(
        self,
        items: Sequence[Item],
        ends: Mapping[Partition, int],
        ahead: Ahead | None,
        tried: int,
    ) -> None:
        """The batch failed: find the messages that fail alone and set them aside. Each goes
        in its own transaction without offsets, in its own consumer span continuing its
        producer's trace; the batch's offsets come last. `tried`: the batch's attempts, which
        count for every event in it (the inbox counts a batch run as the first attempt)."""
        await self._after(ahead)  # the batch ahead's rows first, and only if it committed
        for event, record in items:
            message = inbound_message(record)
            with consumer_span(self._tracer, self._service, self._group, message) as span:
                await self._alone(event, record, span, tried)
        async with self._sessions() as session, session.begin():
            await save_offsets(session, self._group, ends)
            await self._after(ahead)

    async def _alone(self, event: Event, record: Record, span: Span, tried: int) -> None:
        """One event in its own transaction: poison is dead-lettered at once, an unknown
        failure once it has had `max_attempts` attempts, a transient one raises (the batch is
        redone from the offsets: the infrastructure, not this event)."""
        attempts = tried
        while True:
            try:
                await self._project([(event, record)], {})
            except Exception as exc:
                kind = classify(exc)
                if kind is FailureKind.TRANSIENT:
                    raise
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                attempts += 1
                if kind is FailureKind.POISON:
                    await self._dead_letter(record, f"permanent: {exc!r}")
                    return
                if attempts >= self._max_attempts:
                    await self._dead_letter(record, f"after {attempts} attempts: {exc!r}")
                    return
                await asyncio.sleep(self.retry_policy.delay(attempts))
                continue
            CONSUMED.labels(self._service, record.topic, "ok").inc()
            return

    @contextmanager
    def _batch_span(self, prepared: Prepared) -> Iterator[Span]:
        """One consumer span per batch (a span per event would cost more than projecting
        it), linked to the traces of the events' producers when it is recorded."""
        topics = sorted({topic for topic, _ in prepared.ends})
        with self._tracer.start_as_current_span(
            f"consume {' '.join(topics)}", kind=SpanKind.CONSUMER
        ) as span:
            if span.is_recording():
                span.set_attribute("messaging.consumer.group.name", self._group)
                span.set_attribute("messaging.batch.message_count", len(prepared.items))
                if len(topics) == 1:
                    span.set_attribute("messaging.destination.name", topics[0])
                for _, record in prepared.items[:_MAX_LINKS]:
                    carrier = {
                        k: v.decode() for k, v in record.headers or () if k == HEADER_TRACEPARENT
                    }
                    if not carrier:  # else extract_context() would give this very span
                        continue
                    linked = trace.get_current_span(extract_context(carrier)).get_span_context()
                    if linked.is_valid:
                        span.add_link(linked)
            yield span

    async def _dead_letter(self, record: Record, reason: str) -> None:
        """The platform's dead letter (headers, metrics, log); raises if it cannot be sent."""
        message = inbound_message(record)
        await dead_letter(self._dead_letters, self._service, self._group, message, reason)
