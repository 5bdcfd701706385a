"""Message value objects and the publisher port; nothing here knows a transport."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

# The wire's header names are the contracts' (CloudEvents Kafka binding): generic, so the
# platform can route and de-duplicate without decoding a payload it knows nothing about.
from motcua_contracts.codec import HEADER_EVENT_ID, HEADER_EVENT_TYPE

# What a dead letter carries besides the original headers: why, from where, for which group.
HEADER_DLQ_REASON = "dlq_reason"
HEADER_DLQ_SOURCE_TOPIC = "dlq_source_topic"
HEADER_DLQ_SOURCE_PARTITION = "dlq_source_partition"
HEADER_DLQ_SOURCE_OFFSET = "dlq_source_offset"
HEADER_DLQ_CONSUMER = "dlq_consumer"
# W3C trace context, as the OpenTelemetry propagator writes it (telemetry.inject_context).
HEADER_TRACEPARENT = "traceparent"


@dataclass(frozen=True)
class OutboundMessage:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundMessage:
    topic: str
    key: str | None
    value: bytes
    headers: dict[str, str]
    partition: int = 0
    offset: int = 0

    @property
    def event_id(self) -> str | None:
        return self.headers.get(HEADER_EVENT_ID)

    @property
    def event_type(self) -> str | None:
        return self.headers.get(HEADER_EVENT_TYPE)


class Publisher(Protocol):
    """Publishes a batch; returns only when every message is acknowledged, else raises."""

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None: ...


def dead_letter_topic(topic: str, group: str) -> str:
    """Dead letters are kept per consumer group so a replay targets only the one that failed."""
    return f"{topic}.dlq.{group}"


def dead_letter_headers(
    *,
    reason: str,
    consumer: str,
    source: tuple[str, int, int] | None = None,
) -> dict[str, str]:
    """The dead-letter headers: the reason (cut to 500 characters), the consumer group and,
    for a record that came off a topic, its (topic, partition, offset)."""
    headers = {HEADER_DLQ_REASON: reason[:500]}
    if source is not None:
        topic, partition, offset = source
        headers |= {
            HEADER_DLQ_SOURCE_TOPIC: topic,
            HEADER_DLQ_SOURCE_PARTITION: str(partition),
            HEADER_DLQ_SOURCE_OFFSET: str(offset),
        }
    headers[HEADER_DLQ_CONSUMER] = consumer
    return headers
