"""Wire form of an envelope: topic, key, bytes and CloudEvents-style headers. No business rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_for
from motcua_contracts.topics import partition_key

P = TypeVar("P", bound=BaseModel)

# CloudEvents Kafka-binding header names, which the platform reads without knowing envelopes.
HEADER_EVENT_ID = "ce_id"
HEADER_EVENT_TYPE = "ce_type"
HEADER_SCHEMA_VERSION = "ce_dataschemaversion"
HEADER_TENANT = "motcua_tenant"


@dataclass(frozen=True)
class WireMessage:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str]


def encode(envelope: EventEnvelope) -> WireMessage:
    """Validates the payload against its registered model, then serialises."""
    spec = spec_for(envelope.event_type, envelope.schema_version)
    spec.model.model_validate(envelope.payload)
    return WireMessage(
        topic=spec.topic,
        key=partition_key(dossier_id=envelope.dossier_id, tenant_id=envelope.tenant_id),
        value=envelope.to_bytes(),
        headers={
            HEADER_EVENT_ID: str(envelope.event_id),
            HEADER_EVENT_TYPE: envelope.event_type,
            HEADER_SCHEMA_VERSION: str(envelope.schema_version),
            HEADER_TENANT: envelope.tenant_id,
        },
    )


def decode(value: bytes) -> EventEnvelope:
    return EventEnvelope.from_bytes(value)


def decode_typed(value: bytes, model: type[P]) -> tuple[EventEnvelope, P]:
    """Envelope and its payload validated against the consumer's expected model."""
    envelope = decode(value)
    return envelope, model.model_validate(envelope.payload)


def decode_versioned(
    value: bytes, models: Mapping[int, type[BaseModel]]
) -> tuple[EventEnvelope, BaseModel]:
    """Envelope and payload validated against the model of the envelope's schema version,
    for consumers that read several versions of one event. An unknown version is refused."""
    envelope = decode(value)
    model = models.get(envelope.schema_version)
    if model is None:
        raise UnknownVersion(f"{envelope.event_type} v{envelope.schema_version}")
    return envelope, model.model_validate(envelope.payload)


class UnknownVersion(ValueError):
    """A version of the event this consumer cannot read (poison for it)."""
