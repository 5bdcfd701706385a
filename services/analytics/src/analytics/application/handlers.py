"""One projection handler per event type: each sets the fields its event owns.

Handlers are pure functions on the fact. Intake's events carry intake's per-dossier
sequence, workflow's carry workflow's; the due moment is the only field both set, and
workflow's clock wins once it has spoken.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from motcua_contracts.events import clock_v1 as clock
from motcua_contracts.events import dossiers_v1 as dossiers
from motcua_contracts.events.common import Channel

from analytics.application.ports import Event
from analytics.domain.facts import (
    Assignment,
    DossierFact,
    format_assignments,
    parse_assignments,
)

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
    p = event.payload
    fact.dossier_code = p.dossier_code
    fact.procedure_code = p.procedure_code
    fact.field_code = p.field_code
    fact.channel = p.channel
    fact.received_at = p.received_at
    if fact.assignments is None:
        fact.resolving_tenant_id = p.resolving_tenant_id
        fact.receiving_tenant_id = p.receiving_tenant_id
    else:  # a reassignment was applied first (replay in another order): set the origin
        entries = [e for e in parse_assignments(fact.assignments) if e[0] != 0]
        entries.append((0, "", p.receiving_tenant_id, p.resolving_tenant_id))
        _set_assignments(fact, entries)
    _due_from_intake(fact, event, p.due_at)


def dossier_accepted(fact: DossierFact, event: Event) -> None:
    p = event.payload
    _due_from_intake(fact, event, p.due_at)


def supplement_requested(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.supplement_requested_at = _earliest(fact.supplement_requested_at, p.requested_at)


def supplement_received(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.supplement_received_at = _earliest(fact.supplement_received_at, p.received_at)


def dossier_refused(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.refused_at = _earliest(fact.refused_at, p.refused_at)


def decision_made(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.decision = p.outcome


def result_ready(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.completed_at = _earliest(fact.completed_at, p.ready_at)
    fact.decision = p.outcome


def result_returned(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.returned_at = _earliest(fact.returned_at, p.returned_at)
    fact.returned_online = p.method == "online"


def dossier_withdrawn(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.withdrawn_at = _earliest(fact.withdrawn_at, p.withdrawn_at)


def satisfaction_rated(fact: DossierFact, event: Event) -> None:
    """One rating per dossier (intake refuses a second); the comment never travels."""
    p = event.payload
    fact.rated_at = p.rated_at
    fact.rating_level = p.level
    fact.rating_points = min(18, sum(p.criteria.values())) if p.criteria else None


# --- workflow: Topics.CLOCK ---------------------------------------------------------


def clock_started(fact: DossierFact, event: Event) -> None:
    p = event.payload
    _due_from_clock(fact, event, p.due_at)


def clock_resumed(fact: DossierFact, event: Event) -> None:
    p = event.payload
    _due_from_clock(fact, event, p.due_at)


def deadline_changed(fact: DossierFact, event: Event) -> None:
    """An apology's new date reschedules the return but never turns late into on time."""
    p = event.payload
    if p.cause == clock.DeadlineCause.APOLOGY.value:
        fact.rescheduled_due_at = p.new_due_at
    else:
        _due_from_clock(fact, event, p.new_due_at)


def threshold_reached(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.at_risk_at = _earliest(fact.at_risk_at, p.reached_at)


def apology_due(fact: DossierFact, event: Event) -> None:
    p = event.payload
    fact.at_risk_at = _earliest(fact.at_risk_at, p.apology_due_at)


def apology_issued(fact: DossierFact, event: Event) -> None:
    """At most one per dossier [S]; who signed it stays in workflow."""
    p = event.payload
    fact.apology_at = _earliest(fact.apology_at, p.issued_at)
    fact.apology_late = p.late
    fact.rescheduled_due_at = p.new_due_at


def clock_completed(fact: DossierFact, event: Event) -> None:
    p = event.payload
    if p.outcome.startswith("done_"):
        fact.clock_outcome = p.outcome
        fact.clock_elapsed_seconds = p.elapsed_working_seconds
        fact.completed_at = _earliest(fact.completed_at, p.completed_at)
    if not fact.due_from_clock:
        _due_from_clock(fact, event, p.original_due_at)


# Field kinds the decoder checks (application/decode.py): "str", "dt" (aware ISO moment),
# "int", "bool", "criteria" (name -> int), or an enum (its values are the allowed strings).
S, DT, INT, BOOL = "str", "dt", "int", "bool"
Spec = dict[str, Any]


def dossier_reassigned(fact: DossierFact, event: Event) -> None:
    """A merger moved the open dossier: later facts belong to the new unit, earlier ones stay.

    Kept as a small history on the fact (`assignments`), ordered by intake's sequence, so
    replays in any order give the same segments; the current units are the latest entry.
    """
    p = event.payload
    entries = parse_assignments(fact.assignments) if fact.assignments else []
    if not entries and fact.receiving_tenant_id is not None:
        entries.append((0, "", fact.receiving_tenant_id, fact.resolving_tenant_id or ""))
    moment = p.reassigned_at.isoformat()
    entry = (event.aggregate_version, moment, p.receiving_tenant_id, p.resolving_tenant_id)
    if all(e[0] != entry[0] for e in entries):
        entries.append(entry)
    _set_assignments(fact, entries)


def _set_assignments(fact: DossierFact, entries: list[Assignment]) -> None:
    entries.sort()
    fact.assignments = format_assignments(entries)
    _, _, fact.receiving_tenant_id, fact.resolving_tenant_id = entries[-1]


HANDLERS: dict[str, tuple[Spec, Apply, str]] = {
    # event type: (payload fields analytics reads, handler, whose sequence: intake or workflow)
    "DossierReceived": (
        {
            "dossier_code": S,
            "procedure_code": S,
            "field_code": S,
            "channel": Channel,
            "received_at": DT,
            "due_at": DT,
            "receiving_tenant_id": S,
            "resolving_tenant_id": S,
        },
        dossier_received,
        "intake",
    ),
    "DossierAccepted": ({"due_at": DT}, dossier_accepted, "intake"),
    "SupplementRequested": ({"requested_at": DT}, supplement_requested, "intake"),
    "SupplementReceived": ({"received_at": DT}, supplement_received, "intake"),
    "DossierRefused": ({"refused_at": DT}, dossier_refused, "intake"),
    "DecisionMade": ({"outcome": dossiers.DecisionOutcome}, decision_made, "intake"),
    "ResultReady": (
        {"ready_at": DT, "outcome": dossiers.DecisionOutcome},
        result_ready,
        "intake",
    ),
    "ResultReturned": (
        {"returned_at": DT, "method": dossiers.ReturnMethod},
        result_returned,
        "intake",
    ),
    "DossierWithdrawn": ({"withdrawn_at": DT}, dossier_withdrawn, "intake"),
    "SatisfactionRated": (
        {"rated_at": DT, "level": dossiers.SatisfactionLevel, "criteria": "criteria"},
        satisfaction_rated,
        "intake",
    ),
    "DossierReassigned": (
        {
            "reassigned_at": DT,
            "from_tenant_id": S,
            "to_tenant_id": S,
            "receiving_tenant_id": S,
            "resolving_tenant_id": S,
        },
        dossier_reassigned,
        "intake",
    ),
    "ClockStarted": ({"due_at": DT}, clock_started, "workflow"),
    "ClockResumed": ({"due_at": DT}, clock_resumed, "workflow"),
    "DeadlineChanged": (
        {"new_due_at": DT, "cause": clock.DeadlineCause},
        deadline_changed,
        "workflow",
    ),
    "ThresholdReached": ({"reached_at": DT}, threshold_reached, "workflow"),
    "ApologyDue": ({"apology_due_at": DT}, apology_due, "workflow"),
    "ApologyIssued": (
        {"issued_at": DT, "late": BOOL, "new_due_at": DT},
        apology_issued,
        "workflow",
    ),
    "ClockCompleted": (
        {
            "completed_at": DT,
            "outcome": clock.ClockOutcome,
            "original_due_at": DT,
            "elapsed_working_seconds": INT,
        },
        clock_completed,
        "workflow",
    ),
}


def apply(fact: DossierFact, event: Event) -> None:
    """Runs the event's handler, then remembers the highest sequence seen per source."""
    _spec, handler, source = HANDLERS[event.event_type]
    handler(fact, event)
    if fact.tenant_id is None:
        fact.tenant_id = event.tenant_id
    if source == "intake":
        fact.version = max(fact.version, event.aggregate_version)
    else:
        fact.clock_version = max(fact.clock_version, event.aggregate_version)
