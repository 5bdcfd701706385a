"""Integration events and dead letters into the outbox, in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

from motcua_contracts.codec import HEADER_EVENT_ID, HEADER_EVENT_TYPE, HEADER_TENANT
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.topics import Topics
from motcua_platform.messaging.outbox import EventStager, add_to_outbox
from motcua_platform.messaging.types import (
    OutboundMessage,
    dead_letter_headers,
    dead_letter_topic,
)
from prometheus_client import Counter
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


def _count(envelope: EventEnvelope) -> None:
    outcome = _OUTCOMES.get(envelope.event_type)
    if outcome is not None:
        channel = str(envelope.payload.get("channel") or "letter")
        NOTIFICATIONS.labels(channel, outcome).inc()


EVENTS = EventStager(producer=PRODUCER, table=outbox, on_staged=_count)
stage_event = EVENTS.stage_event


def dead_letters_topic(group: str) -> str:
    return dead_letter_topic(Topics.NOTIFICATIONS, group)


async def stage_dead_letter(
    session: AsyncSession, *, group: str, record: dict[str, Any], reason: str
) -> None:
    """A notification nobody could deliver, not even on paper: replayable, no personal data."""
    body = {**record, "reason": reason}
    key = str(record.get("dossier_id") or record["tenant_id"])
    headers = {
        HEADER_EVENT_ID: str(uuid.uuid4()),
        HEADER_EVENT_TYPE: DEAD_LETTER_TYPE,
        HEADER_TENANT: str(record["tenant_id"]),
        **dead_letter_headers(reason=reason, consumer=group),
    }
    await add_to_outbox(
        session,
        outbox,
        [OutboundMessage(dead_letters_topic(group), key, json.dumps(body).encode(), headers)],
    )
