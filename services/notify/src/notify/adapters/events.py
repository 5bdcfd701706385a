"""Integration events and dead letters into the outbox, in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.topics import Topics
from motcua_platform.messaging.outbox import add_to_outbox
from motcua_platform.messaging.types import OutboundMessage, dead_letter_topic
from motcua_platform.telemetry import inject_headers
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.tables import outbox

PRODUCER = "notify"
_OUTCOMES = {
    "NotificationSent": "sent",
    "NotificationFailed": "failed",
    "NotificationPrinted": "printed",
}
NOTIFICATIONS = Counter(
    "motcua_notifications_total",
    "Notification outcomes by channel (counted when the outcome is recorded)",
    ["channel", "status"],
)
DEAD_LETTER_TYPE = "NotificationDeadLettered"


async def stage_event(
    session: AsyncSession,
    *,
    tenant_id: str,
    dossier_id: str | None,
    occurred_at: datetime,
    payload: BaseModel,
) -> EventEnvelope:
    envelope = EventEnvelope(
        event_type=type(payload).__name__,
        schema_version=1,
        occurred_at=occurred_at,
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        producer=PRODUCER,
        payload=payload.model_dump(mode="json"),
    )
    wire = encode(envelope)
    headers = inject_headers(dict(wire.headers))
    await add_to_outbox(
        session, outbox, [OutboundMessage(wire.topic, wire.key, wire.value, headers)]
    )
    outcome = _OUTCOMES.get(envelope.event_type)
    if outcome is not None:
        channel = str(envelope.payload.get("channel") or "letter")
        NOTIFICATIONS.labels(channel, outcome).inc()
    return envelope


def dead_letters_topic(group: str) -> str:
    return dead_letter_topic(Topics.NOTIFICATIONS, group)


async def stage_dead_letter(
    session: AsyncSession, *, group: str, record: dict[str, Any], reason: str
) -> None:
    """A notification nobody could deliver, not even on paper: replayable, no personal data."""
    body = {**record, "reason": reason}
    key = str(record.get("dossier_id") or record["tenant_id"])
    headers = {
        "ce_id": str(uuid.uuid4()),
        "ce_type": DEAD_LETTER_TYPE,
        "motcua_tenant": str(record["tenant_id"]),
        "dlq_reason": reason[:500],
        "dlq_consumer": group,
    }
    await add_to_outbox(
        session,
        outbox,
        [OutboundMessage(dead_letters_topic(group), key, json.dumps(body).encode(), headers)],
    )
