"""Message value objects and the publisher port; nothing here knows a transport."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

# CloudEvents Kafka binding names: generic, so the platform can route and de-duplicate
# without decoding a payload it knows nothing about.
HEADER_EVENT_ID = "ce_id"
HEADER_EVENT_TYPE = "ce_type"
HEADER_TRACEPARENT = "traceparent"
HEADER_TENANT = "motcua_tenant"  # set by the producers' codec; only used for log context


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
