"""Translate integration events into outbox rows, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_of
from motcua_platform.messaging.outbox import add_to_outbox
from motcua_platform.messaging.types import OutboundMessage
from motcua_platform.telemetry import inject_headers
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import outbox

PRODUCER = "workflow"
NATIONAL = "national"  # tenant id of events about the whole country's calendar


@dataclass(frozen=True)
class Outgoing:
    """One event to stage; event_id is deterministic when the event follows from another."""

    tenant_id: str
    dossier_id: str | None
    aggregate_version: int | None
    occurred_at: datetime
    payload: BaseModel
    event_id: uuid.UUID | None = None


def to_message(event: Outgoing) -> OutboundMessage:
    envelope = EventEnvelope(
        event_id=event.event_id or uuid.uuid4(),
        event_type=type(event.payload).__name__,
        schema_version=spec_of(type(event.payload)).schema_version,
        occurred_at=event.occurred_at,
        tenant_id=event.tenant_id,
        dossier_id=event.dossier_id,
        aggregate_version=event.aggregate_version,
        producer=PRODUCER,
        payload=event.payload.model_dump(mode="json"),
    )
    wire = encode(envelope)
    # The outbox row keeps the trace context, so the relay's send continues this trace.
    return OutboundMessage(wire.topic, wire.key, wire.value, inject_headers(dict(wire.headers)))


async def stage_events(session: AsyncSession, events: Sequence[Outgoing]) -> None:
    await add_to_outbox(session, outbox, [to_message(e) for e in events])


async def stage_event(
    session: AsyncSession,
    *,
    tenant_id: str,
    dossier_id: str | None,
    aggregate_version: int | None,
    occurred_at: datetime,
    payload: BaseModel,
    event_id: uuid.UUID | None = None,
) -> None:
    await stage_events(
        session,
        [Outgoing(tenant_id, dossier_id, aggregate_version, occurred_at, payload, event_id)],
    )
