"""Transactional outbox: rows written with the business change, then relayed with retries.

We wrote this rather than use faststream-outbox: that library is PostgreSQL-only, and the
standalone mode needs the very same outbox on SQLite, relayed to the in-process bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_of
from prometheus_client import Counter, Gauge
from pydantic import BaseModel
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from motcua_platform.logs import summarised, summarised_back
from motcua_platform.messaging.types import OutboundMessage, Publisher
from motcua_platform.telemetry import inject_headers

log = logging.getLogger(__name__)

RELAYED = Counter("motcua_outbox_relayed_total", "Outbox rows published", ["service"])
RELAY_FAILURES = Counter("motcua_outbox_relay_failures_total", "Failed relay batches", ["service"])
BACKLOG = Gauge("motcua_outbox_backlog", "Outbox rows not yet published", ["service"])
OLDEST_AGE = Gauge(
    "motcua_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)

# Any constant works: it only has to be the same for every replica of one service's relay.
_RELAY_LOCK_KEY = 7_462_001


def outbox_rows(messages: Sequence[OutboundMessage]) -> list[dict[str, object]]:
    """The outbox rows for messages, for a caller that writes them in a statement of its own
    (one round trip with its business rows); `add_to_outbox` writes exactly these."""
    now = datetime.now(UTC)
    return [
        {
            "topic": m.topic,
            "message_key": m.key,
            "value": m.value,
            "headers": json.dumps(m.headers),
            "created_at": now,
        }
        for m in messages
    ]


async def add_to_outbox(
    session: AsyncSession, table: Table, messages: Sequence[OutboundMessage]
) -> None:
    """Stage messages in the caller's transaction; nothing leaves before it commits."""
    if not messages:
        return
    await session.execute(insert(table), outbox_rows(messages))


@dataclass(frozen=True)
class Outgoing:
    """One integration event to stage. `event_id` is deterministic when the event follows from
    another (a redelivery then stages the same id); `schema_version` defaults to the version
    the payload's model is registered under (dossiers_v2.SupplementRequested: 2)."""

    tenant_id: str
    dossier_id: str | None
    aggregate_version: int | None
    occurred_at: datetime
    payload: BaseModel
    event_id: uuid.UUID | None = None
    schema_version: int | None = None


class EventStager:
    """A service's events into its outbox, in the caller's transaction: one envelope rule
    (registered schema version, producer, trace context kept in the row's headers, so the
    relay's send continues the trace) for every service. `on_staged` sees each envelope
    staged (notify counts its outcomes there)."""

    def __init__(
        self,
        *,
        producer: str,
        table: Table,
        on_staged: Callable[[EventEnvelope], None] | None = None,
    ) -> None:
        self.producer = producer
        self._table = table
        self._on_staged = on_staged

    def message(self, event: Outgoing) -> tuple[EventEnvelope, OutboundMessage]:
        payload = event.payload
        envelope = EventEnvelope(
            event_id=event.event_id or uuid.uuid4(),
            event_type=type(payload).__name__,
            schema_version=event.schema_version or spec_of(type(payload)).schema_version,
            occurred_at=event.occurred_at,
            tenant_id=event.tenant_id,
            dossier_id=event.dossier_id,
            aggregate_version=event.aggregate_version,
            producer=self.producer,
            payload=payload.model_dump(mode="json"),
        )
        wire = encode(envelope)
        headers = inject_headers(dict(wire.headers))
        return envelope, OutboundMessage(wire.topic, wire.key, wire.value, headers)

    async def stage_events(
        self, session: AsyncSession, events: Sequence[Outgoing]
    ) -> list[EventEnvelope]:
        staged = [self.message(e) for e in events]
        await add_to_outbox(session, self._table, [m for _, m in staged])
        envelopes = [envelope for envelope, _ in staged]
        if self._on_staged is not None:
            for envelope in envelopes:
                self._on_staged(envelope)
        return envelopes

    async def stage_event(
        self,
        session: AsyncSession,
        *,
        tenant_id: str,
        dossier_id: str | None,
        occurred_at: datetime,
        payload: BaseModel,
        aggregate_version: int | None = None,
        event_id: uuid.UUID | None = None,
        schema_version: int | None = None,
    ) -> EventEnvelope:
        event = Outgoing(
            tenant_id, dossier_id, aggregate_version, occurred_at, payload, event_id, schema_version
        )
        return (await self.stage_events(session, [event]))[0]

    def event_row(
        self,
        *,
        tenant_id: str,
        dossier_id: str | None,
        occurred_at: datetime,
        payload: BaseModel,
        aggregate_version: int | None = None,
        event_id: uuid.UUID | None = None,
        schema_version: int | None = None,
    ) -> dict[str, object]:
        """The outbox row `stage_event` would write, for a caller writing it with its own
        rows in one statement (`on_staged` is not called: nothing is staged yet)."""
        event = Outgoing(
            tenant_id, dossier_id, aggregate_version, occurred_at, payload, event_id, schema_version
        )
        return outbox_rows([self.message(event)[1]])[0]


class OutboxRelay:
    """Moves committed outbox rows to the transport, oldest first, at least once."""

    def __init__(
        self,
        *,
        service: str,
        session_factory: async_sessionmaker[AsyncSession],
        table: Table,
        publisher: Publisher,
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        max_backoff_seconds: float = 5.0,
        metrics_seconds: float = 5.0,
    ) -> None:
        self._service = service
        self._sessions = session_factory
        self._table = table
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._metrics_seconds = metrics_seconds
        self._wakeup = asyncio.Event()

    def nudge(self) -> None:
        """Called after a commit that wrote rows, so the relay does not wait for its poll."""
        self._wakeup.set()

    async def relay_once(self) -> int:
        """Publish one batch; returns the number of rows published (0 when idle)."""
        try:
            return await self._relay_batch()
        except _Unacknowledged as exc:
            RELAY_FAILURES.labels(self._service).inc()
            await self._record_failure(exc.ids, exc.cause)
            raise exc.cause from None

    async def _relay_batch(self) -> int:
        t = self._table
        async with self._sessions() as session, session.begin():
            postgresql = session.get_bind().dialect.name == "postgresql"
            if postgresql:
                # One relay at a time keeps the per-dossier order that Kafka keys promise.
                got = await session.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _RELAY_LOCK_KEY}
                )
                if not got:
                    return 0
            rows = (
                await session.execute(
                    select(t.c.id, t.c.topic, t.c.message_key, t.c.value, t.c.headers)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            messages = [
                OutboundMessage(r.topic, r.message_key, bytes(r.value), json.loads(r.headers))
                for r in rows
            ]
            ids = [r.id for r in rows]
            mark = update(t).where(t.c.id.in_(ids)).values(published_at=datetime.now(UTC))
            if postgresql:
                await self._publish_while(session.execute(mark), ids, messages)
                return self._relayed(len(rows))
        # SQLite has one writer per file and its transactions begin IMMEDIATE: publish between
        # the short read and a second short transaction that marks, never holding the lock.
        # A crash in between republishes the batch; consumers are idempotent.
        await self._publish(ids, messages)
        async with self._sessions() as session, session.begin():
            await session.execute(mark)
        return self._relayed(len(rows))

    async def _publish_while(
        self, marking: Awaitable[object], ids: list[int], messages: list[OutboundMessage]
    ) -> None:
        """PostgreSQL locks rows only: the mark-as-published UPDATE runs while the broker
        acknowledges, and commits only if every acknowledgement came (else _Unacknowledged
        rolls it back). Acks first, then the UPDATE, made each batch pay both in a row."""
        publishing = asyncio.ensure_future(self._publish(ids, messages))
        try:
            await marking
        except BaseException:
            publishing.cancel()
            await asyncio.gather(publishing, return_exceptions=True)
            raise
        await publishing

    async def _publish(self, ids: list[int], messages: list[OutboundMessage]) -> None:
        try:
            await self._publisher.publish_many(messages)
        except Exception as exc:  # recorded by relay_once, then re-raised for the backoff
            raise _Unacknowledged(ids, exc) from exc

    def _relayed(self, count: int) -> int:
        RELAYED.labels(self._service).inc(count)
        return count

    async def _record_failure(self, ids: list[int], exc: BaseException) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(self._table)
                .where(self._table.c.id.in_(ids))
                .values(attempts=self._table.c.attempts + 1, last_error=repr(exc)[:1000])
            )

    async def refresh_metrics(self) -> None:
        t = self._table
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
                )
            ).one()
        BACKLOG.labels(self._service).set(count)
        age = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = (datetime.now(UTC) - oldest).total_seconds()
        OLDEST_AGE.labels(self._service).set(age)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until stopped; a broker outage only delays rows, with capped backoff."""
        failures = 0
        next_metrics = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if loop.time() >= next_metrics:
                # Backlog and oldest age feed the "outbox backlog growing" alert.
                next_metrics = loop.time() + self._metrics_seconds
                try:
                    await self.refresh_metrics()
                except Exception:
                    log.warning("outbox metrics refresh failed")
            try:
                published = await self.relay_once()
                if failures:
                    summarised_back(log, f"outbox relay {self._service}")
                failures = 0
            except Exception as exc:
                failures += 1
                delay = min(self._max_backoff, 0.1 * 2 ** min(failures, 60)) * (
                    0.5 + random.random() / 2
                )
                # One line when it goes down, a count once a minute, one when it is back.
                summarised(log, f"outbox relay {self._service}", exc)
                await _sleep_or_stop(stop, delay)
                continue
            if published == self._batch_size:
                continue
            self._wakeup.clear()
            await _wait_any(stop, self._wakeup, self._poll_seconds)


class _Unacknowledged(Exception):
    def __init__(self, ids: list[int], cause: Exception) -> None:
        super().__init__(repr(cause))
        self.ids = ids
        self.cause = cause


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _wait_any(stop: asyncio.Event, wakeup: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wakeup.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
