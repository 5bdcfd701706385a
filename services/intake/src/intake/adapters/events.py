"""Translate integration events into outbox rows, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_of
from motcua_platform.messaging.outbox import add_to_outbox, outbox_rows
from motcua_platform.messaging.types import OutboundMessage
from motcua_platform.telemetry import inject_headers
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import outbox

PRODUCER = "intake"


def _message(
    *,
    tenant_id: str,
    dossier_id: str | None,
    aggregate_version: int | None,
    occurred_at: datetime,
    payload: BaseModel,
    schema_version: int | None,
) -> tuple[EventEnvelope, OutboundMessage]:
    # The version the payload's model is registered under (dossiers_v2.SupplementRequested: 2).
    version = schema_version or spec_of(type(payload)).schema_version
    envelope = EventEnvelope(
        event_type=type(payload).__name__,
        schema_version=version,
        occurred_at=occurred_at,
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        aggregate_version=aggregate_version,
        producer=PRODUCER,
        payload=payload.model_dump(mode="json"),
    )
    wire = encode(envelope)
    # The outbox row keeps the trace context, so the relay's send continues this trace.
    headers = inject_headers(dict(wire.headers))
    return envelope, OutboundMessage(wire.topic, wire.key, wire.value, headers)


async def stage_event(
    session: AsyncSession,
    *,
    tenant_id: str,
    dossier_id: str | None,
    aggregate_version: int | None,
    occurred_at: datetime,
    payload: BaseModel,
    schema_version: int | None = None,
) -> EventEnvelope:
    envelope, message = _message(
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        aggregate_version=aggregate_version,
        occurred_at=occurred_at,
        payload=payload,
        schema_version=schema_version,
    )
    await add_to_outbox(session, outbox, [message])
    return envelope


def event_row(
    *,
    tenant_id: str,
    dossier_id: str | None,
    aggregate_version: int | None,
    occurred_at: datetime,
    payload: BaseModel,
    schema_version: int | None = None,
) -> dict[str, Any]:
    """The outbox row `stage_event` would write, for a caller writing it with its own rows."""
    _, message = _message(
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        aggregate_version=aggregate_version,
        occurred_at=occurred_at,
        payload=payload,
        schema_version=schema_version,
    )
    return outbox_rows([message])[0]
