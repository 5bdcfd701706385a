"""Every subscription of notify, in one place, and the translation of integration events
into the domain's triggers (the only place that knows both)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from motcua_contracts.codec import UnknownVersion, decode_typed, decode_versioned
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1, clock_v2, dossiers_v1, dossiers_v2, tenants_v2
from motcua_contracts.topics import Topics
from motcua_platform.clock import Clock
from motcua_platform.messaging.inbox import Handler, PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import store
from notify.application.plan import plan_notifications
from notify.application.views import DossierView
from notify.domain.rules import Trigger


def _trigger(envelope: EventEnvelope, event: BaseModel, **extra: Any) -> Trigger:
    return Trigger(
        event_type=envelope.event_type,
        event_id=str(envelope.event_id),
        tenant_id=envelope.tenant_id,
        dossier_id=envelope.dossier_id,
        occurred_at=envelope.occurred_at,
        facts=event.model_dump(mode="json"),
        **extra,
    )


def _translate(envelope: EventEnvelope, event: BaseModel) -> Trigger:
    if isinstance(event, dossiers_v1.DossierReceived):
        return _trigger(
            envelope, event, intake_channel=event.channel.value, procedure_code=event.procedure_code
        )
    if isinstance(event, dossiers_v1.ResultReady):
        approved = event.outcome is dossiers_v1.DecisionOutcome.APPROVED
        t = _trigger(
            envelope,
            event,
            procedure_code=event.procedure_code,
            practices=frozenset(event.practices),
            approved=approved,
        )
        return Trigger(**{**vars(t), "facts": {**t.facts, "approved": approved}})
    if isinstance(event, dossiers_v1.SupplementRequested | dossiers_v2.SupplementRequested):
        # The clerk's list (v1's free text) is never kept here: read from intake at send time.
        count = (
            event.missing_count
            if isinstance(event, dossiers_v2.SupplementRequested)
            else len(event.missing_items)
        )
        facts = {
            "dossier_code": event.dossier_code,
            "requested_at": event.requested_at.isoformat(),
            "missing_count": count,
        }
        return Trigger(**{**vars(_trigger(envelope, event)), "facts": facts})
    if isinstance(event, clock_v1.EscalationRaised | clock_v1.EscalationRaisedUp):
        facts = event.model_dump(mode="json")
        facts.setdefault("reason", "raised_up")
        return Trigger(**{**vars(_trigger(envelope, event, level=event.level)), "facts": facts})
    return _trigger(envelope, event)


def subscriptions(clock: Clock, nudge: Callable[[], None]) -> list[Subscription]:
    def later() -> None:
        # The handler runs inside the consumer's transaction: wake the dispatcher just after.
        asyncio.get_running_loop().call_later(0.05, nudge)

    def planning(model: type[BaseModel] | Mapping[int, type[BaseModel]]) -> Handler:
        """`model`, or the model of each version read (by the envelope's schema_version)."""

        async def handle(session: AsyncSession, message: InboundMessage) -> None:
            if isinstance(model, Mapping):
                try:
                    envelope, event = decode_versioned(message.value, model)
                except UnknownVersion as exc:
                    raise PermanentError(str(exc)) from exc
            else:
                envelope, event = decode_typed(message.value, model)
            if await plan_notifications(session, _translate(envelope, event), now=clock.now()):
                later()

        return handle

    async def on_received(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = decode_typed(message.value, dossiers_v1.DossierReceived)
        if envelope.dossier_id:
            await store.upsert_dossier(
                session,
                DossierView(
                    dossier_id=envelope.dossier_id,
                    tenant_id=envelope.tenant_id,
                    dossier_code=event.dossier_code,
                    procedure_code=event.procedure_code,
                    procedure_version=event.procedure_version,
                    intake_channel=event.channel.value,
                    received_at=event.received_at,
                    due_at=event.due_at,
                ),
                clock.now(),
            )
        if await plan_notifications(session, _translate(envelope, event), now=clock.now()):
            later()

    async def on_apology(session: AsyncSession, message: InboundMessage) -> None:
        try:
            envelope, event = decode_versioned(
                message.value, {1: clock_v1.ApologyIssued, 2: clock_v2.ApologyIssued}
            )
        except UnknownVersion as exc:
            raise PermanentError(str(exc)) from exc
        assert isinstance(event, clock_v1.ApologyIssued | clock_v2.ApologyIssued)
        if envelope.dossier_id:
            await store.set_due(session, envelope.dossier_id, event.new_due_at, clock.now())
        if await plan_notifications(session, _translate(envelope, event), now=clock.now()):
            later()

    async def on_deadline(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = decode_typed(message.value, clock_v1.DeadlineChanged)
        if envelope.dossier_id:
            await store.set_due(session, envelope.dossier_id, event.new_due_at, clock.now())

    async def on_reassigned(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = decode_typed(message.value, dossiers_v1.DossierReassigned)
        if envelope.dossier_id:
            await store.reassign_dossier(
                session,
                envelope.dossier_id,
                receiving=event.receiving_tenant_id,
                moved_from=event.from_tenant_id,
                moved_to=event.to_tenant_id,
                now=clock.now(),
            )

    async def on_tenant(session: AsyncSession, message: InboundMessage) -> None:
        _, event = decode_typed(message.value, tenants_v2.TenantConfigured)
        await store.save_profile(
            session, event.tenant_id, event.model_dump(mode="json"), event.revision
        )

    # One consumer for the three topics: handlers are keyed by event type, unique across them.
    return [
        Subscription(
            topics=[Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS],
            handlers={
                "DossierReceived": on_received,
                "SupplementRequested": planning(
                    {1: dossiers_v1.SupplementRequested, 2: dossiers_v2.SupplementRequested}
                ),
                "DossierRefused": planning(dossiers_v1.DossierRefused),
                "ResultReady": planning(dossiers_v1.ResultReady),
                "CeremonyScheduled": planning(dossiers_v1.CeremonyScheduled),
                "ResultReturned": planning(dossiers_v1.ResultReturned),
                "ApologyIssued": on_apology,
                "DeadlineChanged": on_deadline,
                "EscalationRaised": planning(clock_v1.EscalationRaised),
                "EscalationRaisedUp": planning(clock_v1.EscalationRaisedUp),
                "MorningDigestCompiled": planning(clock_v1.MorningDigestCompiled),
                "DossierReassigned": on_reassigned,
                "TenantConfigured": on_tenant,
            },
        )
    ]
