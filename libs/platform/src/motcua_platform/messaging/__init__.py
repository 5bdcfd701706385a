"""Transport-neutral messaging: outbox, relay, idempotent consumer, Kafka and local transports."""

from motcua_contracts.codec import HEADER_EVENT_ID, HEADER_EVENT_TYPE

from motcua_platform.messaging.types import (
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
