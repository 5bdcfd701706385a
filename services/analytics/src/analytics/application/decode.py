"""Wire bytes to `Event`: the envelope and the payload validated against our models."""

from __future__ import annotations

from motcua_contracts.codec import decode as decode_envelope
from motcua_contracts.events.tenants_v1 import TenantConfigured
from pydantic import BaseModel

from analytics.application.handlers import HANDLERS
from analytics.application.ports import Event

PROJECTED = frozenset(HANDLERS) | {"TenantConfigured"}


class Undecodable(ValueError):
    """The message breaks the contract: it can never be projected (dead-letter it)."""


def decode_event(value: bytes) -> Event:
    try:
        envelope = decode_envelope(value)
        if envelope.event_type == "TenantConfigured":
            model: type[BaseModel] = TenantConfigured
        else:
            model = HANDLERS[envelope.event_type][0]
        payload = model.model_validate(envelope.payload)
    except (ValueError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
        raise Undecodable(str(exc)[:300]) from exc
    return Event(
        event_id=str(envelope.event_id),
        event_type=envelope.event_type,
        tenant_id=envelope.tenant_id,
        dossier_id=envelope.dossier_id,
        aggregate_version=envelope.aggregate_version or 0,
        occurred_at=envelope.occurred_at,
        payload=payload,
    )
