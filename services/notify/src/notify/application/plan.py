"""Use case: an event arrived; queue the messages the commune's rules ask for.

Idempotent twice over: the platform's inbox drops a redelivered event, and the unique
(source event, kind, recipient) and once-per-dossier keys drop a re-published one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from motcua_platform.telemetry import inject_headers
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import store
from notify.domain.kinds import Channel, NotificationStatus
from notify.domain.rules import DEFAULT_RULES, Trigger, apply_overrides, plan_messages


async def plan_notifications(session: AsyncSession, trigger: Trigger, *, now: datetime) -> int:
    """Returns how many new messages were queued."""
    # The producer names the unit accountable for the event; once that unit has been merged,
    # its successor speaks for it. Never another commune's rules for this dossier.
    tenant = await store.resolve_tenant(session, trigger.tenant_id)
    if tenant.tenant_id != trigger.tenant_id:
        trigger = replace(trigger, tenant_id=tenant.tenant_id)
    dossier = await store.get_dossier(session, trigger.dossier_id)
    rules = apply_overrides(DEFAULT_RULES, tenant.settings.overrides())
    if trigger.intake_channel is None and dossier is not None:
        trigger = replace(trigger, intake_channel=dossier.intake_channel)
    settings = tenant.send_settings
    planned = plan_messages(
        trigger,
        rules,
        preferred=dossier.preferred_channel if dossier else None,
        available=frozenset(c for c in Channel if settings.configured(c)),
    )
    queued = 0
    trace_context = inject_headers({}) or None  # the consumer's span, if tracing is on
    for message in planned:
        notification_id = str(uuid.uuid4())
        inserted = await store.insert_notification(
            session,
            {
                "notification_id": notification_id,
                "tenant_id": trigger.tenant_id,
                "dossier_id": trigger.dossier_id,
                "source_event_id": trigger.event_id,
                "source_event_type": trigger.event_type,
                "kind": message.kind.value,
                "recipient": message.recipient.value,
                "status": NotificationStatus.QUEUED.value,
                "chain": [c.value for c in message.chain],
                "best_effort": message.best_effort,
                "once_key": message.once_key,
                "facts": dict(trigger.facts),
                "trace_context": trace_context,
                "created_at": now,
                "updated_at": now,
            },
        )
        if inserted:
            await store.add_delivery(
                session,
                notification_id=notification_id,
                tenant_id=trigger.tenant_id,
                channel=message.chain[0],
                step=0,
                at=now,
            )
            queued += 1
    return queued
