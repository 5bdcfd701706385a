"""Idempotent consumer: the effect and the processed event id commit together, or neither.

Two paths share the handlers, the inbox and the retry/dead-letter policy:

- `handle(message)`: one transaction per event (the LocalBus of the standalone mode, tests).
- `handle_batch(messages)`: the Kafka path. The batch runs in ONE transaction, each event in
  its own SAVEPOINT, the inbox rows of the applied events are inserted together and the
  transaction commits once; the transport then commits the offsets once. A failing event is
  rolled back alone; the batch stops there, the events before it commit, and the failing one
  takes the per-event path (retries, dead letter) before the rest of the batch goes on, so
  the order of the batch (hence per partition and key) is kept. If the batch transaction
  itself fails (commit, connection), none of it was applied and every event takes the
  per-event path. A crash anywhere loses nothing (offsets are committed after the database)
  and applies nothing twice (the inbox rows commit with the effects).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from motcua_contracts.codec import HEADER_TENANT
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from prometheus_client import Counter, Histogram
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from motcua_platform.faults import (
    FailureKind,
    PermanentError,
    RetryPolicy,
    StallTracker,
    classify,
)
from motcua_platform.logcontext import bind_log_context
from motcua_platform.logs import summarised, summarised_back
from motcua_platform.messaging.types import (
    InboundMessage,
    OutboundMessage,
    Publisher,
    dead_letter_headers,
)
from motcua_platform.messaging.types import dead_letter_topic as _dlq_topic
from motcua_platform.telemetry import extract_context

log = logging.getLogger(__name__)

__all__ = ["Handler", "IdempotentConsumer", "PermanentError", "consumer_span", "dead_letter"]

Handler = Callable[[AsyncSession, InboundMessage], Awaitable[None]]

CONSUMED = Counter(
    "motcua_consumer_messages_total", "Messages consumed", ["service", "topic", "outcome"]
)
DEAD_LETTERS = Counter(
    "motcua_dead_letters_total", "Messages sent to a dead-letter topic", ["service", "topic"]
)
PROCESSING = Histogram(
    "motcua_consumer_processing_seconds", "Time to process one message", ["service", "topic"]
)


class IdempotentConsumer:
    """Runs handlers by event type; retries with backoff, then dead-letters; never raises."""

    def __init__(
        self,
        *,
        service: str,
        consumer: str,
        session_factory: async_sessionmaker[AsyncSession],
        inbox: Table,
        handlers: Mapping[str, Handler],
        dead_letters: Publisher,
        max_attempts: int = 5,
        base_backoff_seconds: float = 0.05,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._service = service
        self._consumer = consumer
        self._sessions = session_factory
        self._inbox = inbox
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._policy = RetryPolicy(
            base_seconds=base_backoff_seconds,
            cap_seconds=max_backoff_seconds,
            unknown_max_attempts=max_attempts,
        )
        self._stall = StallTracker(service, consumer)
        self._tracer = trace.get_tracer(f"motcua.{service}.consumer")

    @property
    def service(self) -> str:
        return self._service

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def handle(self, message: InboundMessage) -> None:
        """One event in its own transaction, with retries; dead-letters rather than raise."""
        handler = self._handlers.get(message.event_type or "")
        if handler is None:
            CONSUMED.labels(self._service, message.topic, "ignored").inc()
            return
        if not message.event_id:
            await self._dead_letter(message, "missing event id header")
            return
        with self._consuming(message):
            await self._handle_with_retries(message, handler)

    async def handle_batch(self, messages: Sequence[InboundMessage]) -> None:
        """The events in order, in as few transactions as their failures allow (see the module
        docstring). Raises only if a dead-letter publish fails, like `handle`: the transport
        must then not commit the offsets (what was committed here is skipped on redelivery)."""
        rest = list(messages)
        attempt = 0
        while rest:
            try:
                done, failure = await self._apply_batch(rest)
            except Exception as exc:
                if classify(exc) is FailureKind.TRANSIENT:
                    # The infrastructure is down: nothing committed; stall and redo the batch
                    # (nothing new is taken meanwhile, nothing is dead-lettered).
                    attempt += 1
                    await self._stalled(exc, attempt)
                    continue
                # Nothing of this transaction committed: each event alone, retried as usual.
                log.warning("batch transaction failed; events go one by one", exc_info=exc)
                for message in rest:
                    await self.handle(message)
                return
            self._recovered()
            attempt = 0
            rest = rest[done:]
            if not rest:
                return
            await self._handle_failed(rest[0], failure)
            rest = rest[1:]

    async def _apply_batch(
        self, messages: Sequence[InboundMessage]
    ) -> tuple[int, Exception | None]:
        """Applies the longest head of `messages` it can in one transaction and commits it.

        Returns how many messages it finished, and the exception of the one it stopped at (None
        when that one has no event id, or when it finished them all)."""
        ids = sorted({m.event_id for m in messages if m.event_id})
        outcomes: list[tuple[str, str]] = []  # counted once the transaction has committed
        applied: list[str] = []
        done, failure = len(messages), None
        async with self._sessions() as session, session.begin():
            seen = set(
                await session.scalars(
                    select(self._inbox.c.event_id).where(
                        self._inbox.c.consumer == self._consumer,
                        self._inbox.c.event_id.in_(ids),
                    )
                )
            )
            for index, message in enumerate(messages):
                handler = self._handlers.get(message.event_type or "")
                if handler is None:
                    outcomes.append((message.topic, "ignored"))
                    continue
                event_id = message.event_id
                if not event_id:
                    done = index
                    break
                if event_id in seen:
                    outcomes.append((message.topic, "dup"))
                    continue
                with self._consuming(message, batch=len(messages)) as span:
                    failure = await self._apply_in_savepoint(session, message, handler)
                    if failure is not None:
                        span.record_exception(failure)
                        span.set_status(Status(StatusCode.ERROR, type(failure).__name__))
                if failure is not None:
                    done = index
                    break
                seen.add(event_id)
                applied.append(event_id)
                outcomes.append((message.topic, "ok"))
            if applied:
                now = datetime.now(UTC)
                await session.execute(
                    insert(self._inbox),
                    [
                        {"consumer": self._consumer, "event_id": e, "processed_at": now}
                        for e in applied
                    ],
                )
        for topic, outcome in outcomes:
            CONSUMED.labels(self._service, topic, outcome).inc()
        return done, failure

    async def _apply_in_savepoint(
        self, session: AsyncSession, message: InboundMessage, handler: Handler
    ) -> Exception | None:
        """The handler's exception, its writes rolled back; None when it succeeded. A failure
        of the savepoint itself (SAVEPOINT, ROLLBACK TO, RELEASE: a broken connection, or a
        handler that swallowed a database error) propagates: the batch transaction is then
        abandoned whole and its events go one by one."""
        savepoint = await session.begin_nested()
        try:
            await handler(session, message)
        except Exception as exc:
            await savepoint.rollback()
            return exc
        await savepoint.commit()
        return None

    async def _handle_failed(self, message: InboundMessage, failure: Exception | None) -> None:
        """The event the batch stopped at: its batch run counts as its first attempt."""
        handler = self._handlers.get(message.event_type or "")
        if failure is None or handler is None:  # no event id: `handle` dead-letters it
            await self.handle(message)
            return
        kind = classify(failure)
        if kind is FailureKind.POISON:
            await self._dead_letter(message, f"permanent: {failure!r}")
            return
        if kind is FailureKind.UNKNOWN:
            if self._max_attempts <= 1:
                await self._dead_letter(message, f"after 1 attempts: {failure!r}")
                return
            log.warning(
                "handler failed in a batch; retrying it alone",
                extra={"event_type": message.event_type, "attempt": 1},
            )
            await asyncio.sleep(self._policy.delay(1))
        else:
            await self._stalled(failure, 1)
        with self._consuming(message):
            await self._handle_with_retries(message, handler, first_attempt=2)

    def _consuming(
        self, message: InboundMessage, batch: int | None = None
    ) -> AbstractContextManager[Span]:
        return consumer_span(self._tracer, self._service, self._consumer, message, batch)

    @property
    def stall(self) -> StallTracker:
        """Since when this consumer is stalled on a transient failure (readiness, metrics)."""
        return self._stall

    async def _stalled(self, exc: BaseException, attempt: int) -> None:
        """A transient failure: mark the stall, log only when it starts, back off."""
        summarised(log, f"consumer {self._service}/{self._consumer}", exc)
        self._stall.stalled()
        await asyncio.sleep(self._policy.delay(attempt))

    def _recovered(self) -> None:
        if self._stall.since is not None:
            summarised_back(log, f"consumer {self._service}/{self._consumer}")
        self._stall.recovered()

    async def _handle_with_retries(
        self, message: InboundMessage, handler: Handler, first_attempt: int = 1
    ) -> None:
        """Poison: dead-letter at once. Transient: retry for as long as it takes (the
        partition waits, order kept). Unknown (a handler bug): `max_attempts` attempts in
        all, then dead-letter."""
        attempt = first_attempt
        unknown_attempts = first_attempt - 1
        while True:
            try:
                applied = await self._apply_once(message, handler)
            except Exception as exc:
                kind = classify(exc)
                if kind is FailureKind.POISON:
                    await self._dead_letter(message, f"permanent: {exc!r}")
                    return
                if kind is FailureKind.TRANSIENT:
                    await self._stalled(exc, attempt)
                    attempt += 1
                    continue
                unknown_attempts += 1
                if unknown_attempts >= self._max_attempts:
                    await self._dead_letter(message, f"after {unknown_attempts} attempts: {exc!r}")
                    return
                log.warning(
                    "handler failed; retrying",
                    extra={"event_type": message.event_type, "attempt": unknown_attempts},
                )
                await asyncio.sleep(self._policy.delay(attempt))
                attempt += 1
                continue
            self._recovered()
            CONSUMED.labels(self._service, message.topic, "ok" if applied else "dup").inc()
            return

    async def _apply_once(self, message: InboundMessage, handler: Handler) -> bool:
        async with self._sessions() as session, session.begin():
            seen = await session.scalar(
                select(self._inbox.c.event_id).where(
                    self._inbox.c.consumer == self._consumer,
                    self._inbox.c.event_id == message.event_id,
                )
            )
            if seen is not None:
                return False
            await session.execute(
                insert(self._inbox).values(
                    consumer=self._consumer,
                    event_id=message.event_id,
                    processed_at=datetime.now(UTC),
                )
            )
            await handler(session, message)
            return True

    async def _dead_letter(self, message: InboundMessage, reason: str) -> None:
        await dead_letter(self._dead_letters, self._service, self._consumer, message, reason)


@contextmanager
def consumer_span(
    tracer: trace.Tracer,
    service: str,
    group: str,
    message: InboundMessage,
    batch: int | None = None,
) -> Iterator[Span]:
    """Timing, log context and the consumer span continuing the producer's trace: every
    consumer path of every service (the inbox, analytics' batch projector) uses this one."""
    with (
        PROCESSING.labels(service, message.topic).time(),
        bind_log_context(
            tenant=message.headers.get(HEADER_TENANT),
            dossier_id=message.key,
            event_type=message.event_type,
        ),
        tracer.start_as_current_span(
            f"consume {message.topic} {message.event_type}",
            context=extract_context(message.headers),
            kind=SpanKind.CONSUMER,
        ) as span,
    ):
        span.set_attribute("messaging.destination.name", message.topic)
        span.set_attribute("messaging.consumer.group.name", group)
        if batch is not None:
            span.set_attribute("messaging.batch.message_count", batch)
        yield span


async def dead_letter(
    publisher: Publisher, service: str, group: str, message: InboundMessage, reason: str
) -> None:
    """Sets `message` aside on `<topic>.dlq.<group>` with why and where it came from. Raises
    if even that publish fails: the transport must then not commit the offsets."""
    headers = dict(message.headers)
    headers.update(
        dead_letter_headers(
            reason=reason, consumer=group, source=(message.topic, message.partition, message.offset)
        )
    )
    dlq = OutboundMessage(
        topic=_dlq_topic(message.topic, group),
        key=message.key or "",
        value=message.value,
        headers=headers,
    )
    log.error(
        "message dead-lettered",
        extra={"event_type": message.event_type, "reason": reason[:300]},
    )
    DEAD_LETTERS.labels(service, message.topic).inc()
    CONSUMED.labels(service, message.topic, "dead_letter").inc()
    await publisher.publish_many([dlq])
