"""One projection handler per event type: each sets the fields its event owns.

Handlers are pure functions on the fact. Intake's events carry intake's per-dossier
sequence, workflow's carry workflow's; the due moment is the only field both set, and
workflow's clock wins once it has spoken.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from motcua_contracts.events import clock_v1 as clock
from motcua_contracts.events import dossiers_v1 as dossiers
from pydantic import BaseModel

from analytics.application.ports import Event
from analytics.domain.facts import DossierFact

Apply = Callable[[DossierFact, Event], None]


def _earliest(current: datetime | None, moment: datetime) -> datetime:
    return moment if current is None or moment < current else current


def _due_from_intake(fact: DossierFact, event: Event, due_at: datetime) -> None:
    if not fact.due_from_clock and event.aggregate_version >= fact.due_version:
        fact.due_at = due_at
        fact.due_version = event.aggregate_version


def _due_from_clock(fact: DossierFact, event: Event, due_at: datetime) -> None:
    if not fact.due_from_clock or event.aggregate_version >= fact.due_version:
        fact.due_at = due_at
        fact.due_version = event.aggregate_version
        fact.due_from_clock = True


# --- intake: Topics.DOSSIERS -------------------------------------------------------


def dossier_received(fact: DossierFact, event: Event) -> None:
    p: dossiers.DossierReceived = event.payload
    fact.dossier_code = p.dossier_code
    fact.procedure_code = p.procedure_code
    fact.field_code = p.field_code
    fact.channel = p.channel.value
    fact.received_at = p.received_at
    fact.resolving_tenant_id = p.resolving_tenant_id
    fact.receiving_tenant_id = p.receiving_tenant_id
    _due_from_intake(fact, event, p.due_at)


def dossier_accepted(fact: DossierFact, event: Event) -> None:
    p: dossiers.DossierAccepted = event.payload
    _due_from_intake(fact, event, p.due_at)


def supplement_requested(fact: DossierFact, event: Event) -> None:
    p: dossiers.SupplementRequested = event.payload
    fact.supplement_requested_at = _earliest(fact.supplement_requested_at, p.requested_at)


def supplement_received(fact: DossierFact, event: Event) -> None:
    p: dossiers.SupplementReceived = event.payload
    fact.supplement_received_at = _earliest(fact.supplement_received_at, p.received_at)


def dossier_refused(fact: DossierFact, event: Event) -> None:
    p: dossiers.DossierRefused = event.payload
    fact.refused_at = _earliest(fact.refused_at, p.refused_at)


def decision_made(fact: DossierFact, event: Event) -> None:
    p: dossiers.DecisionMade = event.payload
    fact.decision = p.outcome.value


def result_ready(fact: DossierFact, event: Event) -> None:
    p: dossiers.ResultReady = event.payload
    fact.completed_at = _earliest(fact.completed_at, p.ready_at)
    fact.decision = p.outcome.value


def result_returned(fact: DossierFact, event: Event) -> None:
    p: dossiers.ResultReturned = event.payload
    fact.returned_at = _earliest(fact.returned_at, p.returned_at)
    fact.returned_online = p.method.value == "online"


def dossier_withdrawn(fact: DossierFact, event: Event) -> None:
    p: dossiers.DossierWithdrawn = event.payload
    fact.withdrawn_at = _earliest(fact.withdrawn_at, p.withdrawn_at)


def satisfaction_rated(fact: DossierFact, event: Event) -> None:
    """One rating per dossier (intake refuses a second); the comment never travels."""
    p: dossiers.SatisfactionRated = event.payload
    fact.rated_at = p.rated_at
    fact.rating_level = p.level.value
    fact.rating_points = min(18, sum(p.criteria.values())) if p.criteria else None


# --- workflow: Topics.CLOCK ---------------------------------------------------------


def clock_started(fact: DossierFact, event: Event) -> None:
    p: clock.ClockStarted = event.payload
    _due_from_clock(fact, event, p.due_at)


def clock_resumed(fact: DossierFact, event: Event) -> None:
    p: clock.ClockResumed = event.payload
    _due_from_clock(fact, event, p.due_at)


def deadline_changed(fact: DossierFact, event: Event) -> None:
    """An apology's new date reschedules the return but never turns late into on time."""
    p: clock.DeadlineChanged = event.payload
    if p.cause == clock.DeadlineCause.APOLOGY:
        fact.rescheduled_due_at = p.new_due_at
    else:
        _due_from_clock(fact, event, p.new_due_at)


def threshold_reached(fact: DossierFact, event: Event) -> None:
    p: clock.ThresholdReached = event.payload
    fact.at_risk_at = _earliest(fact.at_risk_at, p.reached_at)


def apology_due(fact: DossierFact, event: Event) -> None:
    p: clock.ApologyDue = event.payload
    fact.at_risk_at = _earliest(fact.at_risk_at, p.apology_due_at)


def apology_issued(fact: DossierFact, event: Event) -> None:
    """At most one per dossier [S]; who signed it stays in workflow."""
    p: clock.ApologyIssued = event.payload
    fact.apology_at = _earliest(fact.apology_at, p.issued_at)
    fact.apology_late = p.late
    fact.rescheduled_due_at = p.new_due_at


def clock_completed(fact: DossierFact, event: Event) -> None:
    p: clock.ClockCompleted = event.payload
    if p.outcome.value.startswith("done_"):
        fact.clock_outcome = p.outcome.value
        fact.clock_elapsed_seconds = p.elapsed_working_seconds
        fact.completed_at = _earliest(fact.completed_at, p.completed_at)
    if not fact.due_from_clock:
        _due_from_clock(fact, event, p.original_due_at)


HANDLERS: dict[str, tuple[type[BaseModel], Apply, str]] = {
    # event type: (payload model, handler, whose sequence: intake or workflow)
    "DossierReceived": (dossiers.DossierReceived, dossier_received, "intake"),
    "DossierAccepted": (dossiers.DossierAccepted, dossier_accepted, "intake"),
    "SupplementRequested": (dossiers.SupplementRequested, supplement_requested, "intake"),
    "SupplementReceived": (dossiers.SupplementReceived, supplement_received, "intake"),
    "DossierRefused": (dossiers.DossierRefused, dossier_refused, "intake"),
    "DecisionMade": (dossiers.DecisionMade, decision_made, "intake"),
    "ResultReady": (dossiers.ResultReady, result_ready, "intake"),
    "ResultReturned": (dossiers.ResultReturned, result_returned, "intake"),
    "DossierWithdrawn": (dossiers.DossierWithdrawn, dossier_withdrawn, "intake"),
    "SatisfactionRated": (dossiers.SatisfactionRated, satisfaction_rated, "intake"),
    "ClockStarted": (clock.ClockStarted, clock_started, "workflow"),
    "ClockResumed": (clock.ClockResumed, clock_resumed, "workflow"),
    "DeadlineChanged": (clock.DeadlineChanged, deadline_changed, "workflow"),
    "ThresholdReached": (clock.ThresholdReached, threshold_reached, "workflow"),
    "ApologyDue": (clock.ApologyDue, apology_due, "workflow"),
    "ApologyIssued": (clock.ApologyIssued, apology_issued, "workflow"),
    "ClockCompleted": (clock.ClockCompleted, clock_completed, "workflow"),
}


def apply(fact: DossierFact, event: Event) -> None:
    """Runs the event's handler, then remembers the highest sequence seen per source."""
    _model, handler, source = HANDLERS[event.event_type]
    handler(fact, event)
    if fact.tenant_id is None:
        fact.tenant_id = event.tenant_id
    if source == "intake":
        fact.version = max(fact.version, event.aggregate_version)
    else:
        fact.clock_version = max(fact.clock_version, event.aggregate_version)
