"""Transport-neutral messaging: outbox, relay, idempotent consumer, Kafka and local transports."""

from motcua_platform.messaging.types import (
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    InboundMessage,
    OutboundMessage,
    Publisher,
)

__all__ = [
    "HEADER_EVENT_ID",
    "HEADER_EVENT_TYPE",
    "InboundMessage",
    "OutboundMessage",
    "Publisher",
]
