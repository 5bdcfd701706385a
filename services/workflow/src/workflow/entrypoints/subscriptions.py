"""Every subscription of workflow, in one place.

Topics.DOSSIERS: intake's lifecycle drives each clock. Topics.TENANTS: commune settings.
Topics.CLOCK: workflow's own events read back (a no-op live; a replay restores from
them what only workflow knew, and which timers already fired).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from motcua_contracts.codec import UnknownVersion, decode_typed, decode_versioned
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events import clock_v2
from motcua_contracts.events.dossiers_v1 import DossierReassigned, DossierReceived
from motcua_contracts.events.tenants_v2 import TenantConfigured
from motcua_contracts.topics import Topics
from motcua_platform.messaging.inbox import Handler, PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import intake_events
from workflow.adapters.events import PRODUCER
from workflow.application import own_events
from workflow.application.configure_tenant import configure_tenant
from workflow.application.context import Context
from workflow.application.reassign_dossier import reassign_dossier
from workflow.application.track_dossier import track_fact, track_received
from workflow.domain.errors import DomainError


def subscriptions(ctx: Context) -> list[Subscription]:
    async def on_received(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = _decode(message, DossierReceived)
        await _guard(track_received(session, ctx, envelope, intake_events.received(event)))

    def on_lifecycle(model: type | Mapping[int, type]) -> Handler:
        async def handle(session: AsyncSession, message: InboundMessage) -> None:
            envelope, event = _decode(message, model)
            await _guard(track_fact(session, ctx, envelope, intake_events.fact(event)))

        return handle

    async def on_reassigned(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = _decode(message, DossierReassigned)
        await _guard(reassign_dossier(session, ctx, envelope, event))

    async def on_tenant(session: AsyncSession, message: InboundMessage) -> None:
        _, event = _decode(message, TenantConfigured)
        await configure_tenant(session, ctx, event)

    def on_fired(model: type, due: Callable[[object], object]) -> Handler:
        async def handle(session: AsyncSession, message: InboundMessage) -> None:
            envelope, event = _decode(message, model)
            if envelope.producer == PRODUCER:
                await own_events.timer_fired(session, envelope, event.timer_key, due(event))  # type: ignore[arg-type]

        return handle

    async def on_apology(session: AsyncSession, message: InboundMessage) -> None:
        try:
            envelope, event = decode_versioned(
                message.value, {1: ev.ApologyIssued, 2: clock_v2.ApologyIssued}
            )
        except (ValidationError, UnknownVersion) as exc:
            raise PermanentError(f"contract violation: {exc}") from exc
        await own_events.apology_known(session, ctx, envelope, event)  # type: ignore[arg-type]

    async def on_escalation(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = _decode(message, ev.EscalationRaised)
        await own_events.escalation_known(session, envelope, event)

    async def on_raised_up(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = _decode(message, ev.EscalationRaisedUp)
        await own_events.escalation_raised_up(session, envelope, event)

    async def on_ack(session: AsyncSession, message: InboundMessage) -> None:
        envelope, event = _decode(message, ev.EscalationAcknowledged)
        await own_events.escalation_acknowledged(session, envelope, event)

    async def on_calendar(session: AsyncSession, message: InboundMessage) -> None:
        _, event = _decode(message, ev.CalendarChanged)
        await _guard(own_events.calendar_known(session, ctx, event))

    dossiers: dict[str, Handler] = {
        "DossierReceived": on_received,
        "DossierReassigned": on_reassigned,
    }
    dossiers |= {name: on_lifecycle(model) for name, model in intake_events.LIFECYCLE.items()}
    clock: dict[str, Handler] = {
        "ThresholdReached": on_fired(ev.ThresholdReached, lambda e: e.reached_at),  # type: ignore[attr-defined]
        "ApologyDue": on_fired(ev.ApologyDue, lambda e: e.apology_due_at),  # type: ignore[attr-defined]
        "DeadlineBreached": on_fired(ev.DeadlineBreached, lambda e: e.due_at),  # type: ignore[attr-defined]
        "StepOverdue": on_fired(ev.StepOverdue, lambda e: e.step_due_at),  # type: ignore[attr-defined]
        "MorningDigestCompiled": on_fired(ev.MorningDigestCompiled, lambda e: e.compiled_at),  # type: ignore[attr-defined]
        "EscalationRaisedUp": on_raised_up,
        "ApologyIssued": on_apology,
        "EscalationRaised": on_escalation,
        "EscalationAcknowledged": on_ack,
        "CalendarChanged": on_calendar,
    }
    # One subscriber for the three topics: one group member per process, fewer rebalances.
    return [
        Subscription(
            topics=[Topics.DOSSIERS, Topics.TENANTS, Topics.CLOCK],
            handlers=dossiers | {"TenantConfigured": on_tenant} | clock,
        )
    ]


def _decode(message: InboundMessage, model: type | Mapping[int, type]) -> tuple:  # type: ignore[type-arg]
    try:
        if isinstance(model, Mapping):  # several versions of the event are read
            return decode_versioned(message.value, model)
        return decode_typed(message.value, model)
    except ValidationError as exc:
        raise PermanentError(f"contract violation: {exc.error_count()} errors") from exc
    except UnknownVersion as exc:
        raise PermanentError(f"contract violation: {exc}") from exc


async def _guard(work: object) -> None:
    """A broken statutory rule can never succeed on retry: dead-letter it at once."""
    try:
        await work  # type: ignore[misc]
    except DomainError as exc:
        raise PermanentError(exc.code) from exc
