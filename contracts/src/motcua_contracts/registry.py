"""Which payload model answers to which (event_type, schema_version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from motcua_contracts.events import (
    clock_v1,
    clock_v2,
    dossiers_v1,
    dossiers_v2,
    notifications_v1,
    tenants_v1,
    tenants_v2,
)
from motcua_contracts.topics import Topics


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    schema_version: int
    topic: str
    model: type[BaseModel]


def _spec(model: type[BaseModel], version: int, topic: str) -> EventSpec:
    return EventSpec(model.__name__, version, topic, model)


REGISTRY: dict[tuple[str, int], EventSpec] = {
    (s.event_type, s.schema_version): s
    for s in (
        _spec(dossiers_v1.DossierReceived, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DossierAccepted, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.SupplementRequested, 1, Topics.DOSSIERS),
        _spec(dossiers_v2.SupplementRequested, 2, Topics.DOSSIERS),
        _spec(dossiers_v1.SupplementReceived, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DossierRefused, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DossierTransferred, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DecisionMade, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.ResultReady, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.ResultReturned, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DossierWithdrawn, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.SatisfactionRated, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.DossierReassigned, 1, Topics.DOSSIERS),
        _spec(dossiers_v1.CeremonyScheduled, 1, Topics.DOSSIERS),
        _spec(tenants_v1.TenantConfigured, 1, Topics.TENANTS),
        _spec(tenants_v2.TenantConfigured, 2, Topics.TENANTS),
        _spec(clock_v1.ClockStarted, 1, Topics.CLOCK),
        _spec(clock_v1.ClockPaused, 1, Topics.CLOCK),
        _spec(clock_v1.ClockResumed, 1, Topics.CLOCK),
        _spec(clock_v1.ThresholdReached, 1, Topics.CLOCK),
        _spec(clock_v1.ApologyDue, 1, Topics.CLOCK),
        _spec(clock_v1.DeadlineBreached, 1, Topics.CLOCK),
        _spec(clock_v1.StepOverdue, 1, Topics.CLOCK),
        _spec(clock_v1.ApologyIssued, 1, Topics.CLOCK),
        _spec(clock_v2.ApologyIssued, 2, Topics.CLOCK),
        _spec(clock_v1.DeadlineChanged, 1, Topics.CLOCK),
        _spec(clock_v1.ClockCompleted, 1, Topics.CLOCK),
        _spec(clock_v1.EscalationRaised, 1, Topics.CLOCK),
        _spec(clock_v1.EscalationAcknowledged, 1, Topics.CLOCK),
        _spec(clock_v1.EscalationRaisedUp, 1, Topics.CLOCK),
        _spec(clock_v1.MorningDigestCompiled, 1, Topics.CLOCK),
        _spec(clock_v1.CalendarChanged, 1, Topics.CLOCK),
        _spec(notifications_v1.NotificationSent, 1, Topics.NOTIFICATIONS),
        _spec(notifications_v1.NotificationFailed, 1, Topics.NOTIFICATIONS),
        _spec(notifications_v1.NotificationPrinted, 1, Topics.NOTIFICATIONS),
    )
}


class UnknownEvent(LookupError):
    pass


def spec_for(event_type: str, schema_version: int) -> EventSpec:
    try:
        return REGISTRY[(event_type, schema_version)]
    except KeyError as exc:
        raise UnknownEvent(f"{event_type} v{schema_version}") from exc


def spec_of(model: type[BaseModel]) -> EventSpec:
    """The registration of a payload model: its event type, version and topic."""
    for spec in REGISTRY.values():
        if spec.model is model:
            return spec
    raise UnknownEvent(model.__qualname__)


def decode_payload(event_type: str, schema_version: int, payload: dict[str, Any]) -> BaseModel:
    return spec_for(event_type, schema_version).model.model_validate(payload)
