"""Idempotent consumer: the effect and the processed event id commit together, or neither."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Histogram
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from motcua_platform.logcontext import bind_log_context
from motcua_platform.messaging.types import (
    HEADER_TENANT,
    InboundMessage,
    OutboundMessage,
    Publisher,
)
from motcua_platform.messaging.types import dead_letter_topic as _dlq_topic
from motcua_platform.telemetry import extract_context

log = logging.getLogger(__name__)

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


class PermanentError(Exception):
    """The message can never succeed (malformed, violates a contract): dead-letter at once."""


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
    ) -> None:
        self._service = service
        self._consumer = consumer
        self._sessions = session_factory
        self._inbox = inbox
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff_seconds
        self._tracer = trace.get_tracer(f"motcua.{service}.consumer")

    @property
    def service(self) -> str:
        return self._service

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def handle(self, message: InboundMessage) -> None:
        handler = self._handlers.get(message.event_type or "")
        if handler is None:
            CONSUMED.labels(self._service, message.topic, "ignored").inc()
            return
        if not message.event_id:
            await self._dead_letter(message, "missing event id header")
            return
        with (
            PROCESSING.labels(self._service, message.topic).time(),
            bind_log_context(
                tenant=message.headers.get(HEADER_TENANT),
                dossier_id=message.key,
                event_type=message.event_type,
            ),
            self._tracer.start_as_current_span(
                f"consume {message.topic} {message.event_type}",
                context=extract_context(message.headers),
                kind=SpanKind.CONSUMER,
            ) as span,
        ):
            span.set_attribute("messaging.destination.name", message.topic)
            span.set_attribute("messaging.consumer.group.name", self._consumer)
            await self._handle_with_retries(message, handler)

    async def _handle_with_retries(self, message: InboundMessage, handler: Handler) -> None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                applied = await self._apply_once(message, handler)
            except PermanentError as exc:
                await self._dead_letter(message, f"permanent: {exc!r}")
                return
            except Exception as exc:
                if attempt == self._max_attempts:
                    await self._dead_letter(message, f"after {attempt} attempts: {exc!r}")
                    return
                delay = self._base_backoff * 2**attempt * (0.5 + random.random() / 2)
                log.warning(
                    "handler failed; retrying",
                    extra={"event_type": message.event_type, "attempt": attempt},
                )
                await asyncio.sleep(delay)
                continue
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
        headers = dict(message.headers)
        headers.update(
            {
                "dlq_reason": reason[:500],
                "dlq_source_topic": message.topic,
                "dlq_source_partition": str(message.partition),
                "dlq_source_offset": str(message.offset),
                "dlq_consumer": self._consumer,
            }
        )
        dlq = OutboundMessage(
            topic=_dlq_topic(message.topic, self._consumer),
            key=message.key or "",
            value=message.value,
            headers=headers,
        )
        log.error("message dead-lettered", extra={"event_type": message.event_type})
        DEAD_LETTERS.labels(self._service, message.topic).inc()
        CONSUMED.labels(self._service, message.topic, "dead_letter").inc()
        # If even the dead-letter publish fails, raise: the transport must not commit.
        await self._dead_letters.publish_many([dlq])
